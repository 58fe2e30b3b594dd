//! PutObject, used only for empty files: not every store accepts an empty part or a Complete without parts.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>
use super::{upload_part, url, Body, Endpoint, Method, Object, Request, Response, S3Error};

pub fn request(endpoint: &Endpoint, object: &Object, content_type: Option<&str>) -> Request {
    Request {
        method: Method::Put,
        url: url::object_url(endpoint, object, &[]),
        headers: content_type.map(|ct| ("content-type".to_string(), ct.to_string())).into_iter().collect(),
        body: Body::Empty,
    }
}

/// The object's ETag: the same answer as UploadPart's, with the same CORS requirement.
pub fn parse(resp: &Response) -> Result<String, S3Error> {
    upload_part::parse(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_an_empty_body_to_the_key() {
        let (endpoint, _) = super::super::test_target();
        let req = request(&endpoint, &Object { bucket: "b".into(), key: "empty.txt".into() }, Some("text/plain"));
        assert_eq!((req.method, req.url.as_str(), &req.body), (Method::Put, "http://h/b/empty.txt", &Body::Empty));
        let ok = Response { status: 200, headers: vec![("etag".into(), "\"d41d8cd98f00b204e9800998ecf8427e\"".into())], body: String::new() };
        assert_eq!(parse(&ok).unwrap(), "\"d41d8cd98f00b204e9800998ecf8427e\"");
    }
}
