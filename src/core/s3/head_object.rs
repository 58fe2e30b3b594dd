//! HeadObject: does the object exist, how large is it, what checksums does it carry.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html>
use super::{url, Body, Endpoint, Method, Object, Request, Response, S3Error, Stored};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub etag: Option<String>,
    pub checksum_crc64nvme: Option<String>,
    pub stored: Stored,
}

/// Asks for the object's checksums too (`x-amz-checksum-mode: ENABLED`).
pub fn request(endpoint: &Endpoint, object: &Object) -> Request {
    let headers = vec![("x-amz-checksum-mode".into(), "ENABLED".into())];
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
            let checksum_crc64nvme = header("x-amz-checksum-crc64nvme");
            Ok(Some(ObjectInfo { size, etag: header("etag"), checksum_crc64nvme, stored: Stored::from_headers(resp) }))
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
    }
}
