//! PutObject, used only for empty files: not every store accepts an empty part or a Complete without parts. It
//! always carries a checksum of the (empty) body: Object Lock buckets refuse a PUT with neither Content-MD5 nor an
//! `x-amz-checksum-*` header.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>
use super::{upload_part, url, Body, Endpoint, Method, Object, Request, Response, S3Error, Stored};
use crate::core::checksum::Algorithm;

/// The MD5 of no bytes, for stores without flexible checksums.
const EMPTY_MD5_BASE64: &str = "1B2M2Y8AsgTpgAmY7PhCfg==";

/// With a `checksum` algorithm: the body's CRC (flexible checksums), else its Content-MD5.
pub fn request(endpoint: &Endpoint, object: &Object, content_type: Option<&str>, checksum: Option<Algorithm>) -> Request {
    let mut headers: Vec<(String, String)> = content_type.map(|ct| ("content-type".to_string(), ct.to_string())).into_iter().collect();
    headers.push(match checksum {
        Some(algorithm) => (algorithm.header().into(), algorithm.to_base64(algorithm.hasher().finish())),
        None => ("content-md5".into(), EMPTY_MD5_BASE64.into()),
    });
    Request { method: Method::Put, url: url::object_url(endpoint, object, &[]), headers, body: Body::Empty }
}

/// The object's ETag (the same answer as UploadPart's, with the same CORS requirement) and what S3 says it stored.
pub fn parse(resp: &Response) -> Result<(String, Stored), S3Error> {
    Ok((upload_part::parse(resp)?, Stored::from_headers(resp)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_an_empty_body_to_the_key() {
        let (endpoint, _) = super::super::test_target();
        let req = request(&endpoint, &Object { bucket: "b".into(), key: "empty.txt".into() }, Some("text/plain"), Some(Algorithm::Crc64Nvme));
        assert_eq!((req.method, req.url.as_str(), &req.body), (Method::Put, "http://h/b/empty.txt", &Body::Empty));
        // CRC-64/NVME of no bytes is 0 (init and xorout cancel).
        assert!(req.headers.contains(&("x-amz-checksum-crc64nvme".into(), "AAAAAAAAAAA=".into())), "{:?}", req.headers);
        let crc32c = request(&endpoint, &Object { bucket: "b".into(), key: "e".into() }, None, Some(Algorithm::Crc32C));
        assert_eq!(crc32c.headers, [("x-amz-checksum-crc32c".to_string(), "AAAAAA==".to_string())]);
        let md5 = request(&endpoint, &Object { bucket: "b".into(), key: "e".into() }, None, None);
        assert_eq!(md5.headers, [("content-md5".to_string(), EMPTY_MD5_BASE64.to_string())]);
        let headers = vec![("etag".into(), "\"d41d8cd98f00b204e9800998ecf8427e\"".into()), ("x-amz-version-id".into(), "v1".into())];
        let (etag, stored) = parse(&Response { status: 200, headers, body: String::new() }).unwrap();
        assert_eq!((etag.as_str(), stored.version_id.as_deref()), ("\"d41d8cd98f00b204e9800998ecf8427e\"", Some("v1")));
    }
}
