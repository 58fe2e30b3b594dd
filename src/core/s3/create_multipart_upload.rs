//! CreateMultipartUpload: `POST /key?uploads=` → UploadId.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html>
use super::error::parse_xml;
use super::{url, xml, Body, Endpoint, Method, Object, Request, Response, S3Error};
use crate::core::checksum::Algorithm;
use roxmltree::Node;

/// The checksum type that makes S3 check the whole object's CRC at Complete.
const FULL_OBJECT: &str = "FULL_OBJECT";

/// The checksum an unfinished upload was created with, as ListMultipartUploads and ListParts report it. Completing
/// an upload with another algorithm or type than it was created with fails, so such an upload is not continued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedChecksum {
    /// `Some(None)`: listed as having none. `None`: not reported (Garage reports neither field).
    pub algorithm: Option<Option<String>>,
    pub kind: Option<String>,
}

impl ListedChecksum {
    /// `ChecksumAlgorithm` and `ChecksumType` of an `<Upload>` or of a ListParts result.
    pub(super) fn read(node: Node) -> Self {
        Self { algorithm: xml::text(node, "ChecksumAlgorithm").map(Some), kind: xml::text(node, "ChecksumType") }
    }

    /// Reported, and not what [`request`] creates with `checksum`.
    pub fn contradicts(&self, checksum: Option<Algorithm>) -> bool {
        let algorithm = checksum.map(Algorithm::name);
        let kind = checksum.map(|_| FULL_OBJECT);
        matches!(&self.algorithm, Some(a) if a.as_deref() != algorithm) || matches!(&self.kind, Some(k) if Some(k.as_str()) != kind)
    }
}

/// With a `checksum` algorithm, every part must carry its CRC and S3 checks the whole object's at Complete.
pub fn request(endpoint: &Endpoint, object: &Object, content_type: Option<&str>, checksum: Option<Algorithm>) -> Request {
    let mut headers: Vec<(String, String)> = content_type.map(|ct| ("content-type".to_string(), ct.to_string())).into_iter().collect();
    if let Some(algorithm) = checksum {
        headers.push(("x-amz-checksum-algorithm".into(), algorithm.name().into()));
        headers.push(("x-amz-checksum-type".into(), FULL_OBJECT.into()));
    }
    Request { method: Method::Post, url: url::object_url(endpoint, object, &[("uploads", "")]), headers, body: Body::Empty }
}

/// The new upload's id.
pub fn parse(resp: &Response) -> Result<String, S3Error> {
    parse_xml(resp, "InitiateMultipartUploadResult", |root| xml::text(root, "UploadId").filter(|id| !id.is_empty()))
}

/// The upload id in a success answer that is no readable XML (XML 1.0 cannot carry a key's control characters, which
/// some servers echo as they are): the upload exists all the same, and must not be left behind.
pub fn unreadable_upload_id(resp: &Response) -> Option<String> {
    let (_, rest) = resp.body.split_once("<UploadId>").filter(|_| (200..300).contains(&resp.status))?;
    let (id, _) = rest.split_once("</UploadId>")?;
    Some(id.trim().to_string()).filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_request() {
        let endpoint = Endpoint { url: "http://127.0.0.1:3900".into(), region: "us-east-1".into(), force_path_style: true };
        let object = Object { bucket: "b".into(), key: "dir/f.bin".into() };
        let req = request(&endpoint, &object, Some("video/mp4"), None);
        assert_eq!((req.method, req.url.as_str()), (Method::Post, "http://127.0.0.1:3900/b/dir/f.bin?uploads="));
        assert_eq!(req.headers, vec![("content-type".to_string(), "video/mp4".to_string())]);
        let req = request(&endpoint, &object, None, Some(Algorithm::Crc64Nvme));
        let names: Vec<_> = req.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        assert_eq!(names, ["x-amz-checksum-algorithm: CRC64NVME", "x-amz-checksum-type: FULL_OBJECT"]);
        let req = request(&endpoint, &object, None, Some(Algorithm::Crc32C));
        assert_eq!(req.headers[0], ("x-amz-checksum-algorithm".into(), "CRC32C".into()));
    }

    #[test]
    fn a_listed_checksum_contradicts_only_what_it_reports() {
        let listed = |algorithm: Option<Option<&str>>, kind: Option<&str>| ListedChecksum {
            algorithm: algorithm.map(|a| a.map(str::to_string)),
            kind: kind.map(str::to_string),
        };
        let (ours, none) = (Some(Algorithm::Crc64Nvme), None);
        assert!(!listed(None, None).contradicts(ours) && !listed(None, None).contradicts(none), "not reported");
        assert!(!listed(Some(Some("CRC64NVME")), Some("FULL_OBJECT")).contradicts(ours));
        assert!(listed(Some(Some("CRC64NVME")), Some("FULL_OBJECT")).contradicts(none));
        assert!(listed(Some(Some("CRC32")), Some("COMPOSITE")).contradicts(ours));
        assert!(!listed(Some(Some("CRC32")), Some("FULL_OBJECT")).contradicts(Some(Algorithm::Crc32)));
        assert!(listed(Some(Some("CRC64NVME")), Some("COMPOSITE")).contradicts(ours));
        assert!(listed(Some(None), None).contradicts(ours) && !listed(Some(None), None).contradicts(none));
    }

    #[test]
    fn parses_the_documented_response() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>"#;
        let resp = Response { status: 200, headers: vec![], body: body.into() };
        assert_eq!(parse(&resp).unwrap(), "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
    }

    #[test]
    fn an_unreadable_answer_is_malformed_but_names_its_upload() {
        // A key's control characters, which some servers echo as they are, are read past (xml::readable).
        let body = "<InitiateMultipartUploadResult><Key>a\u{1}b</Key><UploadId>U9</UploadId></InitiateMultipartUploadResult>";
        assert_eq!(parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap(), "U9");
        let body = "<InitiateMultipartUploadResult><Key>a&b</Key><UploadId>U9</UploadId></InitiateMultipartUploadResult>";
        let resp = Response { status: 200, headers: vec![], body: body.into() };
        assert_eq!(parse(&resp).unwrap_err().code, "MalformedResponse");
        assert_eq!(unreadable_upload_id(&resp).as_deref(), Some("U9"));
    }

    #[test]
    fn a_missing_bucket_is_a_typed_error() {
        let body = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>nope</BucketName></Error>";
        let err = parse(&Response { status: 404, headers: vec![], body: body.into() }).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (404, "NoSuchBucket"));
    }
}
