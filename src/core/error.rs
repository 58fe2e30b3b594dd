//! The errors a user sees: a stable code and a message that says what to fix.
use crate::core::codes::{CORS_ETAG_HIDDEN, FILE_CHANGED, NETWORK_ERROR, OBJECT_EXISTS};
use crate::core::s3::{Endpoint, Object, S3Error};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadError {
    /// S3's error code, or one of ours ([`crate::core::codes::OURS`]).
    pub code: String,
    pub message: String,
    /// S3's `x-amz-request-id` of the answer, for the store's operator (AWS support asks for it).
    pub request_id: Option<String>,
    /// The HTTP status of the answer, when the error came from the server.
    pub status: Option<u16>,
}

/// Where a request went, for messages that name the bucket and endpoint.
pub struct Context<'a> {
    pub endpoint: &'a Endpoint,
    pub object: &'a Object,
}

impl UploadError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), request_id: None, status: None }
    }

    /// An S3 error answer, with what to do about it.
    pub fn from_s3(err: &S3Error, ctx: &Context) -> Self {
        let Context { endpoint, object } = ctx;
        let (bucket, url, region) = (&object.bucket, &endpoint.url, &endpoint.region);
        let fix = match err.code.as_str() {
            "NoSuchBucket" => format!("bucket '{bucket}' does not exist at {url}: check the bucket name, endpoint and region"),
            "AccessDenied" => access_denied_fix(&err.message, ctx),
            "InvalidAccessKeyId" => "the access key id is not known to the server: check what the credentials callback returns".into(),
            "SignatureDoesNotMatch" => {
                format!("the signature was rejected: check the secret access key and that region '{region}' is the bucket's region")
            }
            "ExpiredToken" | "InvalidToken" => {
                "the session token has expired or is invalid: the credentials callback must return fresh temporary credentials".into()
            }
            "RequestTimeTooSkewed" => "this computer's clock is too far from the server's: correct the system clock".into(),
            "NoSuchUpload" => "the multipart upload no longer exists (aborted, completed elsewhere, or removed by a lifecycle rule)".into(),
            "EntityTooSmall" => "a part is smaller than the server's minimum part size (5 MiB on AWS): use a larger partSize".into(),
            "BadDigest" | "InvalidDigest" => "the object S3 assembled does not match the file's checksum, even after every part was \
                 checked against the file again: the file changed while it was uploading (choose it again), or something between the \
                 browser and S3 alters the bytes"
                .into(),
            "PermanentRedirect" | "AuthorizationHeaderMalformed" => {
                format!("the bucket is not in region '{region}' or not at {url}: use the bucket's region and endpoint")
            }
            OBJECT_EXISTS => {
                format!("s3://{bucket}/{} already holds a different object: choose another key, or set ifExists: 'overwrite'", object.key)
            }
            CORS_ETAG_HIDDEN => format!("bucket '{bucket}' CORS does not expose ETag: add ETag to ExposeHeaders in its CORS configuration"),
            _ => String::new(),
        };
        let said = match without_code(&err.message, &err.code) {
            "" => format!("HTTP {}", err.status),
            said => said.to_string(),
        };
        let message = match (fix.is_empty(), err.code.as_str()) {
            (true, _) => format!("{}: {said}", err.code),
            // Why access was denied is the server's to say (a bad signature, an unknown key, a policy); the fix follows.
            (false, "AccessDenied") => format!("{}: {said}: {fix}", err.code),
            (false, _) => format!("{}: {fix} (server said: {said})", err.code),
        };
        let status = (err.status != 0).then_some(err.status);
        Self { code: err.code.clone(), message, request_id: err.request_id.clone(), status }
    }

    /// The file's bytes are not the ones read earlier in this upload (overwritten or cut short on disk).
    pub fn file_changed() -> Self {
        Self::new(
            FILE_CHANGED,
            "the file changed on disk while it was being uploaded: choose the file again to upload what it holds now \
             (parts S3 already holds are kept where they still match)",
        )
    }

    /// A request that got no readable answer at all.
    pub fn network(ctx: &Context, detail: &str) -> Self {
        let mut message = format!(
            "no answer could be read from {url} ({detail}): the endpoint is unreachable; or it is not the endpoint of bucket \
             '{bucket}''s region (the app says '{region}'; S3 redirects such requests with 301/307 answers that carry no CORS \
             headers, which the browser reports as a network error: use https://s3.<bucket's region>.amazonaws.com and that \
             region); or the bucket does not exist or its CORS rules do not allow this page's origin (AllowedOrigins, \
             AllowedMethods GET PUT POST DELETE HEAD, AllowedHeaders *, ExposeHeaders ETag)",
            url = ctx.endpoint.url,
            bucket = ctx.object.bucket,
            region = ctx.endpoint.region
        );
        // Virtual-hosted style needs DNS (and a certificate) for bucket.host, which custom domains and many stores lack.
        let bucket_url = crate::core::s3::probe_url(ctx.endpoint, &ctx.object.bucket);
        if !bucket_url.starts_with(ctx.endpoint.url.trim_end_matches('/')) {
            message.push_str(&format!("; requests go to {bucket_url}: if that host does not resolve, set forcePathStyle: true"));
        }
        Self::new(NETWORK_ERROR, message)
    }
}

/// What to do about an AccessDenied, from the server's reason: stores such as Garage answer a wrong secret or an
/// unknown key id with AccessDenied, not with SignatureDoesNotMatch or InvalidAccessKeyId.
fn access_denied_fix(reason: &str, ctx: &Context) -> String {
    let reason = reason.to_ascii_lowercase();
    if reason.contains("signature") {
        format!(
            "the secret access key does not match the access key id: check what the credentials callback returns, and that region \
             '{}' is the bucket's region",
            ctx.endpoint.region
        )
    } else if reason.contains("no such key") || reason.contains("access key") {
        "the access key id is not known to the server: check what the credentials callback returns".into()
    } else {
        format!(
            "the credentials need s3:PutObject, s3:ListMultipartUploadParts and s3:AbortMultipartUpload on s3://{}/{} (some \
             servers also say this for an expired key)",
            ctx.object.bucket, ctx.object.key
        )
    }
}

/// The server's message without a leading copy of its code ("AccessDenied: …"): ours already starts with it.
fn without_code<'a>(message: &'a str, code: &str) -> &'a str {
    match message.strip_prefix(code) {
        Some(rest) if rest.is_empty() || rest.starts_with([':', ' ', '.']) => rest.trim_start_matches([':', ' ', '.']).trim(),
        _ => message.trim(),
    }
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_parts() -> (Endpoint, Object) {
        (
            Endpoint { url: "http://127.0.0.1:3900".into(), region: "us-east-1".into(), force_path_style: true },
            Object { bucket: "media".into(), key: "a.bin".into() },
        )
    }

    fn s3(code: &str) -> S3Error {
        S3Error { status: 403, code: code.into(), message: "The server's words".into(), request_id: None, server_time: None }
    }

    #[test]
    fn messages_name_the_fix() {
        let (endpoint, object) = ctx_parts();
        let ctx = Context { endpoint: &endpoint, object: &object };
        let err = UploadError::from_s3(&s3(CORS_ETAG_HIDDEN), &ctx);
        assert_eq!(err.code, "CorsEtagHidden");
        assert!(err.message.contains("add ETag to ExposeHeaders"), "{}", err.message);
        let err = UploadError::from_s3(&s3("NoSuchBucket"), &ctx);
        assert!(err.message.contains("bucket 'media' does not exist at http://127.0.0.1:3900"), "{}", err.message);
        assert!(err.message.contains("The server's words"));
        assert_eq!(UploadError::from_s3(&s3("Weird"), &ctx).message, "Weird: The server's words");
    }

    fn said(code: &str, message: &str) -> S3Error {
        S3Error { message: message.into(), ..s3(code) }
    }

    #[test]
    fn access_denied_leads_with_the_servers_reason() {
        let (endpoint, object) = ctx_parts();
        let ctx = Context { endpoint: &endpoint, object: &object };
        // Garage's answers to a wrong secret and to an unknown key id.
        let bad_secret = UploadError::from_s3(&said("AccessDenied", "Forbidden: Invalid signature"), &ctx).message;
        assert!(bad_secret.starts_with("AccessDenied: Forbidden: Invalid signature: the secret access key"), "{bad_secret}");
        assert!(!bad_secret.contains("s3:PutObject"), "{bad_secret}");
        let unknown_key = UploadError::from_s3(&said("AccessDenied", "Forbidden: No such key: GK11"), &ctx).message;
        assert!(unknown_key.starts_with("AccessDenied: Forbidden: No such key: GK11: the access key id is not known"), "{unknown_key}");
        let policy = UploadError::from_s3(&said("AccessDenied", "Access Denied"), &ctx).message;
        assert!(policy.starts_with("AccessDenied: Access Denied: the credentials need s3:PutObject"), "{policy}");
        assert!(policy.contains("s3://media/a.bin"), "{policy}");
    }

    #[test]
    fn no_message_repeats_its_code() {
        let (endpoint, object) = ctx_parts();
        let ctx = Context { endpoint: &endpoint, object: &object };
        for code in ["AccessDenied", "Weird", "NoSuchBucket"] {
            for message in [format!("{code}: the reason"), code.to_string(), format!("{code}. the reason")] {
                let text = UploadError::from_s3(&said(code, &message), &ctx).message;
                assert_eq!(text.matches(code).count(), 1, "{text}");
            }
        }
        let bare = UploadError::from_s3(&said("AccessDenied", ""), &ctx).message;
        assert!(bare.starts_with("AccessDenied: HTTP 403: "), "{bare}");
    }

    #[test]
    fn a_network_error_names_a_wrong_region_before_cors() {
        let (endpoint, object) = ctx_parts();
        let err = UploadError::network(&Context { endpoint: &endpoint, object: &object }, "Failed to fetch");
        let (region, cors) = (err.message.find("region (the app says 'us-east-1'").unwrap(), err.message.find("CORS rules").unwrap());
        assert!(region < cors, "{}", err.message);
    }

    #[test]
    fn an_unreachable_virtual_host_names_path_style() {
        let (_, object) = ctx_parts();
        let virtual_host = Endpoint { url: "https://store.example.com".into(), region: "us-east-1".into(), force_path_style: false };
        let err = UploadError::network(&Context { endpoint: &virtual_host, object: &object }, "Failed to fetch");
        assert!(
            err.message.ends_with("requests go to https://media.store.example.com: if that host does not resolve, set forcePathStyle: true"),
            "{}",
            err.message
        );
        let (path_style, _) = ctx_parts();
        let err = UploadError::network(&Context { endpoint: &path_style, object: &object }, "Failed to fetch");
        assert!(!err.message.contains("forcePathStyle"), "{}", err.message);
    }
}
