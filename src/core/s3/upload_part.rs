//! UploadPart: `PUT /key?partNumber=N&uploadId=U` with a byte range of the file → the part's ETag.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html>
use super::error::expect_success;
use super::{url, Body, Endpoint, Method, Object, Request, Response, S3Error};
use crate::core::checksum::Algorithm;
use crate::core::codes::CORS_ETAG_HIDDEN;
use crate::core::plan::Part;

pub fn request(endpoint: &Endpoint, object: &Object, upload_id: &str, part: &Part) -> Request {
    Request {
        method: Method::Put,
        url: url::object_url(endpoint, object, &[("partNumber", &part.number.to_string()), ("uploadId", upload_id)]),
        headers: vec![],
        body: Body::FileRange { offset: part.offset, len: part.len },
    }
}

/// Adds the part's CRC: S3 rejects the part (BadDigest) if the bytes it got differ.
pub fn add_checksum(request: &mut Request, algorithm: Algorithm, crc: u64) {
    request.headers.push((algorithm.header().into(), algorithm.to_base64(crc)));
}

/// The part's ETag. A browser only shows the header if the bucket's CORS rule exposes it; without it the upload
/// can never be completed, so that is an error of its own.
pub fn parse(resp: &Response) -> Result<String, S3Error> {
    expect_success(resp)?;
    match resp.header("etag") {
        Some(etag) if !etag.is_empty() => Ok(etag.to_string()),
        _ => Err(S3Error {
            status: resp.status,
            code: CORS_ETAG_HIDDEN.into(),
            message: "the part was stored but its ETag header is not readable".into(),
            request_id: None,
            server_time: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_ranged_request() {
        let endpoint = Endpoint { url: "http://h:1".into(), region: "r".into(), force_path_style: true };
        let part = Part { number: 3, offset: 5 << 30, len: 7 };
        let req = request(&endpoint, &Object { bucket: "b".into(), key: "k".into() }, "up/1", &part);
        assert_eq!(req.url, "http://h:1/b/k?partNumber=3&uploadId=up%2F1");
        assert_eq!(req.body, Body::FileRange { offset: 5 << 30, len: 7 });
    }

    #[test]
    fn reads_the_etag_or_says_cors_hides_it() {
        let ok = Response { status: 200, headers: vec![("etag".into(), "\"abc\"".into())], body: String::new() };
        assert_eq!(parse(&ok).unwrap(), "\"abc\"");
        let hidden = Response { status: 200, headers: vec![], body: String::new() };
        assert_eq!(parse(&hidden).unwrap_err().code, CORS_ETAG_HIDDEN);
    }
}
