//! AbortMultipartUpload: `DELETE /key?uploadId=U`. Parts in flight may still land afterwards: callers confirm with ListParts.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html>
use super::error::expect_success;
use super::{url, Body, Endpoint, Method, Object, Request, Response, S3Error};

pub fn request(endpoint: &Endpoint, object: &Object, upload_id: &str) -> Request {
    Request { method: Method::Delete, url: url::object_url(endpoint, object, &[("uploadId", upload_id)]), headers: vec![], body: Body::Empty }
}

pub fn parse(resp: &Response) -> Result<(), S3Error> {
    expect_success(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses() {
        let (endpoint, object) = super::super::test_target();
        let req = request(&endpoint, &object, "U");
        assert_eq!((req.method, req.url.as_str()), (Method::Delete, "http://h/b/k?uploadId=U"));
        assert!(parse(&Response { status: 204, ..Default::default() }).is_ok());
        let gone = Response { status: 404, headers: vec![], body: "<Error><Code>NoSuchUpload</Code><Message>x</Message></Error>".into() };
        assert_eq!(parse(&gone).unwrap_err().code, "NoSuchUpload");
    }
}
