//! HeadObject: does the object exist, how large is it, what checksums does it carry.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html>
use super::{url, Body, Endpoint, Method, Object, Request, Response, S3Error, Stored};
use crate::core::checksum::{Algorithm, Reported};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub etag: Option<String>,
    /// The whole object's checksum, when asked for and the bucket's CORS rule exposes its header.
    pub checksum: Option<Reported>,
    pub stored: Stored,
}

/// With `checksums`, asks for the object's checksums too (`x-amz-checksum-mode: ENABLED`): only then, as some
/// stores (B2) refuse the header.
pub fn request(endpoint: &Endpoint, object: &Object, checksums: bool) -> Request {
    let headers = checksums.then(|| ("x-amz-checksum-mode".into(), "ENABLED".into())).into_iter().collect();
    Request { method: Method::Head, url: url::object_url(endpoint, object, &[]), headers, body: Body::Empty }
}

/// `None` when there is no such object.
pub fn parse(resp: &Response) -> Result<Option<ObjectInfo>, S3Error> {
    match resp.status {
        404 => Ok(None),
        200..=299 => {
            let header = |name| resp.header(name).map(str::to_string);
            let size = resp.header("content-length").and_then(|v| v.trim().parse().ok());
            let size = size.ok_or_else(|| S3Error::malformed(resp, "a Content-Length header"))?;
            let checksum = Algorithm::ALL
                .into_iter()
                .find_map(|algorithm| Some(Reported { algorithm, value: header(algorithm.header())?, checksum_type: header("x-amz-checksum-type") }));
            Ok(Some(ObjectInfo { size, etag: header("etag"), checksum, stored: Stored::from_headers(resp) }))
        }
        _ => Err(S3Error::from_response(resp)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_and_treats_404_as_absent() {
        let headers = vec![("Content-Length".into(), "434234".into()), ("ETag".into(), "\"fba9dede5f27731c9771645a39863328\"".into())];
        let info = parse(&Response { status: 200, headers, body: String::new() }).unwrap().unwrap();
        assert_eq!((info.size, info.etag.as_deref()), (434_234, Some("\"fba9dede5f27731c9771645a39863328\"")));
        assert_eq!(parse(&Response { status: 404, ..Default::default() }).unwrap(), None);
        assert_eq!(parse(&Response { status: 403, ..Default::default() }).unwrap_err().code, "AccessDenied");
        assert_eq!(info.checksum, None);
    }

    #[test]
    fn asks_for_checksums_only_when_they_are_on() {
        let (endpoint, object) = super::super::test_target();
        assert_eq!(request(&endpoint, &object, true).headers, vec![("x-amz-checksum-mode".to_string(), "ENABLED".to_string())]);
        assert!(request(&endpoint, &object, false).headers.is_empty());
    }

    #[test]
    fn reads_the_checksum_of_any_algorithm_and_its_type() {
        let headers = vec![
            ("content-length".into(), "5".into()),
            ("x-amz-checksum-crc32".into(), "NhCmhg==".into()),
            ("x-amz-checksum-type".into(), "FULL_OBJECT".into()),
        ];
        let info = parse(&Response { status: 200, headers, body: String::new() }).unwrap().unwrap();
        assert_eq!(
            info.checksum,
            Some(Reported { algorithm: Algorithm::Crc32, value: "NhCmhg==".into(), checksum_type: Some("FULL_OBJECT".into()) })
        );
    }
}
