//! SigV4 header signing with aws-sigv4. The time is an input: `SystemTime::now()` panics on wasm32, so the shell passes
//! the browser's clock (corrected for skew).
//! AWS reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html>
use super::{Body, Request};
use crate::core::credentials::Credentials;
use aws_sigv4::http_request::{
    sign as sigv4_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use std::time::SystemTime;

/// Adds `authorization`, `x-amz-date`, `x-amz-content-sha256` and (with a session token) `x-amz-security-token`.
/// Part bodies are signed as UNSIGNED-PAYLOAD: their bytes never pass through here.
pub fn sign(request: &mut Request, region: &str, credentials: &Credentials, time: SystemTime) -> Result<(), String> {
    let identity: Identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "resumable-s3",
    )
    .into();
    let mut settings = SigningSettings::default();
    // S3 signs the path exactly as sent (encoded once, not normalised).
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let body = match &request.body {
        Body::Empty => SignableBody::Bytes(&[]),
        Body::Xml(xml) => SignableBody::Bytes(xml.as_bytes()),
        Body::FileRange { .. } => SignableBody::UnsignedPayload,
    };
    let headers = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let signable = SignableRequest::new(request.method.as_str(), request.url.as_str(), headers, body).map_err(|e| e.to_string())?;
    let (instructions, _signature) = sigv4_sign(signable, &params).map_err(|e| e.to_string())?.into_parts();
    let (new_headers, _query) = instructions.into_parts();
    request.headers.extend(new_headers.into_iter().map(|h| (h.name().to_string(), h.value().to_string())));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::s3::Method;
    use std::time::{Duration, UNIX_EPOCH};

    /// The key pair and time of AWS's S3 SigV4 examples ("Signature Calculations for the Authorization Header").
    fn example_credentials() -> Credentials {
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            expires_at_ms: None,
        }
    }
    const MAY_24_2013: u64 = 1_369_353_600; // 20130524T000000Z

    fn signed(method: Method, url: &str, headers: &[(&str, &str)], body: Body) -> Request {
        let mut req = Request { method, url: url.into(), headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(), body };
        sign(&mut req, "us-east-1", &example_credentials(), UNIX_EPOCH + Duration::from_secs(MAY_24_2013)).unwrap();
        req
    }

    fn authorization(req: &Request) -> &str {
        req.headers.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.as_str()).unwrap()
    }

    #[test]
    fn get_object_example() {
        let req = signed(Method::Get, "https://examplebucket.s3.amazonaws.com/test.txt", &[("range", "bytes=0-9")], Body::Empty);
        assert_eq!(
            authorization(&req),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn put_object_example() {
        let req = signed(
            Method::Put,
            "https://examplebucket.s3.amazonaws.com/test%24file.text",
            &[("date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            Body::Xml("Welcome to Amazon S3.".into()),
        );
        assert!(authorization(&req).ends_with(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
             Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        ));
    }

    #[test]
    fn get_bucket_lifecycle_example() {
        let req = signed(Method::Get, "https://examplebucket.s3.amazonaws.com/?lifecycle=", &[], Body::Empty);
        assert!(authorization(&req).ends_with("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
    }

    #[test]
    fn list_objects_example() {
        let req = signed(Method::Get, "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", &[], Body::Empty);
        assert!(authorization(&req).ends_with("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
    }

    #[test]
    fn parts_are_unsigned_payload_and_the_session_token_is_signed() {
        let mut req = Request {
            method: Method::Put,
            url: "http://127.0.0.1:3900/b/k?partNumber=1&uploadId=u".into(),
            headers: vec![],
            body: Body::FileRange { offset: 0, len: 5 },
        };
        let mut creds = example_credentials();
        creds.session_token = Some("SESSION".into());
        sign(&mut req, "us-east-1", &creds, UNIX_EPOCH + Duration::from_secs(MAY_24_2013)).unwrap();
        let header = |name: &str| req.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(header("x-amz-content-sha256").as_deref(), Some("UNSIGNED-PAYLOAD"));
        assert_eq!(header("x-amz-security-token").as_deref(), Some("SESSION"));
        assert!(header("authorization").unwrap().contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "));
        assert!(header("host").is_none(), "browsers refuse to set Host; the signer must not add it");
    }
}
