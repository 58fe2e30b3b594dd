//! CompleteMultipartUpload: `POST /key?uploadId=U` with every part's ETag in ascending order.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html>
use super::error::parse_xml;
use super::{url, xml, Body, Endpoint, Method, Object, Request, Response, S3Error, Stored};
use crate::core::checksum::{Algorithm, Reported};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedPart {
    pub number: u32,
    pub etag: String,
    /// The part's CRC, sent when the upload uses checksums.
    pub crc: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completed {
    pub location: String,
    pub etag: String,
    /// The whole object's checksum as S3 computed it, when it says.
    pub checksum: Option<Reported>,
    /// Version and encryption from the headers; the checksum type from the body (`ChecksumType`) or a header.
    pub stored: Stored,
}

/// `parts` must be in ascending part-number order (S3 rejects anything else with InvalidPartOrder).
/// `checksum`, the algorithm and the whole object's CRC, makes S3 check the object it assembled against the file
/// (and lists each part's CRC); without it, no checksum is sent at all.
pub fn request(endpoint: &Endpoint, object: &Object, upload_id: &str, parts: &[CompletedPart], checksum: Option<(Algorithm, u64)>) -> Request {
    let mut body = String::from(r#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#);
    for part in parts {
        body.push_str(&format!("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag>", part.number, xml::escape(&part.etag)));
        if let (Some((algorithm, _)), Some(crc)) = (checksum, part.crc) {
            let tag = algorithm.xml_tag();
            body.push_str(&format!("<{tag}>{}</{tag}>", algorithm.to_base64(crc)));
        }
        body.push_str("</Part>");
    }
    body.push_str("</CompleteMultipartUpload>");
    let mut headers = vec![("content-type".to_string(), "application/xml".to_string())];
    if let Some((algorithm, crc)) = checksum {
        headers.push((algorithm.header().into(), algorithm.to_base64(crc)));
        headers.push(("x-amz-checksum-type".into(), "FULL_OBJECT".into()));
    }
    Request { method: Method::Post, url: url::object_url(endpoint, object, &[("uploadId", upload_id)]), headers, body: Body::Xml(body) }
}

pub fn parse(resp: &Response) -> Result<Completed, S3Error> {
    let mut stored = Stored::from_headers(resp);
    parse_xml(resp, "CompleteMultipartUploadResult", |root| {
        stored.checksum_type = xml::text(root, "ChecksumType").or(stored.checksum_type.take());
        Some(Completed {
            location: xml::text(root, "Location").unwrap_or_default(),
            etag: xml::text(root, "ETag")?,
            checksum: xml::checksum(root).map(|(algorithm, value)| Reported { algorithm, value, checksum_type: xml::text(root, "ChecksumType") }),
            stored: stored.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parts_in_the_body_with_escaped_etags() {
        let (endpoint, object) = super::super::test_target();
        let parts = [CompletedPart { number: 1, etag: "\"a\"".into(), crc: None }, CompletedPart { number: 2, etag: "\"b\"".into(), crc: None }];
        let req = request(&endpoint, &object, "U", &parts, None);
        assert_eq!(req.url, "http://h/b/k?uploadId=U");
        let Body::Xml(body) = req.body else { panic!("xml body") };
        assert!(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"));
        let doc = roxmltree::Document::parse(&body).unwrap();
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name("ETag")).map(|n| n.text().unwrap()).collect::<Vec<_>>(), ["\"a\"", "\"b\""]);
    }

    #[test]
    fn with_checksums_lists_each_parts_crc_and_the_whole_objects() {
        let (endpoint, object) = super::super::test_target();
        let parts = [CompletedPart { number: 1, etag: "e".into(), crc: Some(1) }];
        let req = request(&endpoint, &object, "U", &parts, Some((Algorithm::Crc64Nvme, 2)));
        let Body::Xml(body) = req.body else { panic!("xml body") };
        assert!(body.contains("<ETag>e</ETag><ChecksumCRC64NVME>AAAAAAAAAAE=</ChecksumCRC64NVME></Part>"), "{body}");
        assert!(req.headers.contains(&("x-amz-checksum-crc64nvme".into(), "AAAAAAAAAAI=".into())));
        assert!(req.headers.contains(&("x-amz-checksum-type".into(), "FULL_OBJECT".into())));
        let req = request(&endpoint, &object, "U", &parts, Some((Algorithm::Crc32, 2)));
        let Body::Xml(body) = req.body else { panic!("xml body") };
        assert!(body.contains("<ChecksumCRC32>AAAAAQ==</ChecksumCRC32></Part>"), "{body}");
        assert!(req.headers.contains(&("x-amz-checksum-crc32".into(), "AAAAAg==".into())));
    }

    #[test]
    fn without_checksums_no_part_crc_is_listed() {
        let (endpoint, object) = super::super::test_target();
        let parts = [CompletedPart { number: 1, etag: "e".into(), crc: Some(1) }];
        let req = request(&endpoint, &object, "U", &parts, None);
        let Body::Xml(body) = req.body else { panic!("xml body") };
        assert!(!body.contains("Checksum"), "{body}");
        assert_eq!(req.headers.len(), 1);
    }

    #[test]
    fn parses_the_documented_response() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.region.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
  <ChecksumType>FULL_OBJECT</ChecksumType>
</CompleteMultipartUploadResult>"#;
        let headers = vec![("x-amz-version-id".into(), "v2".into()), ("x-amz-server-side-encryption".into(), "AES256".into())];
        let done = parse(&Response { status: 200, headers, body: body.into() }).unwrap();
        let stored = &done.stored;
        assert_eq!((stored.version_id.as_deref(), stored.server_side_encryption.as_deref()), (Some("v2"), Some("AES256")));
        assert_eq!(stored.checksum_type.as_deref(), Some("FULL_OBJECT"));
        assert_eq!(done.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
        assert_eq!(done.location, "http://Example-Bucket.s3.region.amazonaws.com/Example-Object");
        assert_eq!(done.checksum, None);
    }

    #[test]
    fn reads_the_whole_objects_checksum_and_its_type() {
        // Garage's answer for a CRC32C FULL_OBJECT upload of "hello".
        let body = "<CompleteMultipartUploadResult><Location>/demo/k</Location><ETag>\"e-1\"</ETag><ChecksumCRC32C>mnG7TA==</ChecksumCRC32C><ChecksumType>FULL_OBJECT</ChecksumType></CompleteMultipartUploadResult>";
        let done = parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap();
        let expected = Reported { algorithm: Algorithm::Crc32C, value: "mnG7TA==".into(), checksum_type: Some("FULL_OBJECT".into()) };
        assert_eq!(done.checksum, Some(expected));
    }

    #[test]
    fn documented_error_with_status_200_is_an_error() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>"#;
        assert_eq!(parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap_err().code, "InternalError");
    }
}
