//! ListParts: the parts S3 holds for an upload, 1,000 a page; follow `next_marker` until it is `None`.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html>
use super::create_multipart_upload::ListedChecksum;
use super::error::parse_xml;
use super::{url, xml, Body, Endpoint, Method, Object, Request, Response, S3Error};
use crate::core::checksum::Algorithm;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPart {
    pub number: u32,
    pub etag: String,
    pub size: u64,
    /// The part's flexible checksum (base64) and its algorithm, if it has one.
    pub checksum: Option<(Algorithm, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartsPage {
    pub parts: Vec<ListedPart>,
    /// The `part-number-marker` of the next page; `None` on the last page.
    pub next_marker: Option<u32>,
    /// What the upload was created with: as the result says, or (stores that do not say) as its parts show.
    pub checksum: ListedChecksum,
}

pub fn request(endpoint: &Endpoint, object: &Object, upload_id: &str, marker: Option<u32>) -> Request {
    let marker = marker.map(|m| m.to_string());
    let mut query = vec![("max-parts", "1000")];
    if let Some(m) = &marker {
        query.push(("part-number-marker", m));
    }
    query.push(("uploadId", upload_id));
    Request { method: Method::Get, url: url::object_url(endpoint, object, &query), headers: vec![], body: Body::Empty }
}

pub fn parse(resp: &Response) -> Result<PartsPage, S3Error> {
    parse_xml(resp, "ListPartsResult", |root| {
        let parts = xml::children(root, "Part")
            .map(|p| {
                Some(ListedPart {
                    number: xml::parse_num(p, "PartNumber")?,
                    etag: xml::text(p, "ETag")?,
                    size: xml::parse_num(p, "Size")?,
                    checksum: xml::checksum(p),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        // A truncated page without a marker would loop forever: continue after its last part instead.
        let next_marker =
            xml::flag(root, "IsTruncated").then(|| xml::parse_num(root, "NextPartNumberMarker").or_else(|| parts.last().map(|p| p.number))).flatten();
        let mut checksum = ListedChecksum::read(root);
        // A store that does not say: the algorithm every listed part shows (parts that disagree say nothing).
        let mut shown = parts.iter().map(|p| p.checksum.as_ref().map(|(algorithm, _)| algorithm.name().to_string()));
        if let (None, Some(first)) = (&checksum.algorithm, shown.next()) {
            if shown.all(|other| other == first) {
                checksum.algorithm = Some(first);
            }
        }
        Some(PartsPage { parts, next_marker, checksum })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_paged_request() {
        let (endpoint, object) = super::super::test_target();
        assert_eq!(request(&endpoint, &object, "U", None).url, "http://h/b/k?max-parts=1000&uploadId=U");
        assert_eq!(request(&endpoint, &object, "U", Some(1000)).url, "http://h/b/k?max-parts=1000&part-number-marker=1000&uploadId=U");
    }

    #[test]
    fn parses_the_documented_truncated_page() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
  <Initiator>
      <ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID>
      <DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName>
  </Initiator>
  <Owner>
    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
    <DisplayName>someName</DisplayName>
  </Owner>
  <StorageClass>STANDARD</StorageClass>
  <PartNumberMarker>1</PartNumberMarker>
  <NextPartNumberMarker>3</NextPartNumberMarker>
  <MaxParts>2</MaxParts>
  <IsTruncated>true</IsTruncated>
  <Part>
    <PartNumber>2</PartNumber>
    <LastModified>2010-11-10T20:48:34.000Z</LastModified>
    <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
    <Size>10485760</Size>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <LastModified>2010-11-10T20:48:33.000Z</LastModified>
    <ETag>"aaaa18db4cc2f85cedef654fccc4a4x8"</ETag>
    <Size>10485760</Size>
  </Part>
</ListPartsResult>"#;
        let page = parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap();
        assert_eq!(page.next_marker, Some(3));
        assert_eq!(page.parts.iter().map(|p| (p.number, p.size)).collect::<Vec<_>>(), [(2, 10_485_760), (3, 10_485_760)]);
        assert_eq!(page.parts[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
    }

    #[test]
    fn last_page_has_no_marker_and_checksums_are_read() {
        let body = "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag><Size>5</Size><ChecksumCRC64NVME>AAAAAAAAAAE=</ChecksumCRC64NVME></Part></ListPartsResult>";
        let page = parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap();
        assert_eq!(page.next_marker, None);
        assert_eq!(page.parts[0].checksum, Some((Algorithm::Crc64Nvme, "AAAAAAAAAAE=".into())));
        assert_eq!(page.checksum.algorithm, Some(Some("CRC64NVME".into())), "shown by the part");
    }

    #[test]
    fn the_uploads_checksum_is_read_from_the_result_or_shown_by_its_parts() {
        let parse_body = |body: &str| parse(&Response { status: 200, headers: vec![], body: body.into() }).unwrap().checksum;
        let reported =
            parse_body("<ListPartsResult><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType></ListPartsResult>");
        assert_eq!((reported.algorithm, reported.kind.as_deref()), (Some(Some("CRC32".into())), Some("COMPOSITE")));
        let part =
            |extra: &str| format!("<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>5</Size>{extra}</Part></ListPartsResult>");
        assert_eq!(parse_body(&part("<ChecksumCRC32>AAAAAA==</ChecksumCRC32>")).algorithm, Some(Some("CRC32".into())));
        assert_eq!(parse_body(&part("")).algorithm, Some(None), "a part without one");
        assert_eq!(parse_body("<ListPartsResult></ListPartsResult>").algorithm, None, "no part, nothing said");
    }
}
