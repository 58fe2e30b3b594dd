//! CompleteMultipartUpload: `POST /key?uploadId=U` with every part's ETag in ascending order.
use super::error::parse_xml;
use super::{url, xml, Body, Endpoint, Method, Object, Request, Response, S3Error};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedPart {
    pub number: u32,
    pub etag: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completed {
    pub location: String,
    pub etag: String,
}

/// `parts` must be in ascending part-number order (S3 rejects anything else with InvalidPartOrder).
pub fn request(endpoint: &Endpoint, object: &Object, upload_id: &str, parts: &[CompletedPart]) -> Request {
    let mut body = String::from(r#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#);
    for part in parts {
        body.push_str(&format!("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part.number, xml::escape(&part.etag)));
    }
    body.push_str("</CompleteMultipartUpload>");
    Request {
        method: Method::Post,
        url: url::object_url(endpoint, object, &[("uploadId", upload_id)]),
        headers: vec![("content-type".into(), "application/xml".into())],
        body: Body::Xml(body),
    }
}

pub fn parse(resp: &Response) -> Result<Completed, S3Error> {
    parse_xml(resp, "CompleteMultipartUploadResult", |root| {
        Some(Completed { location: xml::text(root, "Location").unwrap_or_default(), etag: xml::text(root, "ETag")? })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parts_in_the_body_with_escaped_etags() {
        let endpoint = Endpoint { url: "http://h".into(), region: "r".into(), force_path_style: true };
        let parts = [CompletedPart { number: 1, etag: "\"a\"".into() }, CompletedPart { number: 2, etag: "\"b\"".into() }];
        let req = request(&endpoint, &Object { bucket: "b".into(), key: "k".into() }, "U", &parts);
        assert_eq!(req.url, "http://h/b/k?uploadId=U");
        let Body::Xml(body) = req.body else { panic!("xml body") };
        assert!(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"));
        let doc = roxmltree::Document::parse(&body).unwrap();
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name("ETag")).map(|n| n.text().unwrap()).collect::<Vec<_>>(), ["\"a\"", "\"b\""]);
    }

    #[test]
    fn parses_the_documented_response() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.region.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>"#;
        let done = parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap();
        assert_eq!(done.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
        assert_eq!(done.location, "http://Example-Bucket.s3.region.amazonaws.com/Example-Object");
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
