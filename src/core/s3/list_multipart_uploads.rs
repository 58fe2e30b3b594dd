//! ListMultipartUploads for one key: `prefix` also matches longer keys, so results are filtered to the exact key.
//! Keys are asked for URL-encoded (`encoding-type=url`): a key may hold characters XML 1.0 cannot carry.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html>
use super::create_multipart_upload::ListedChecksum;
use super::error::parse_xml;
use super::{url, xml, Body, Endpoint, Method, Request, Response, S3Error};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedUpload {
    pub key: String,
    pub upload_id: String,
    /// ISO 8601, as S3 writes it; these sort by time as text.
    pub initiated: String,
    pub checksum: ListedChecksum,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadsPage {
    /// Uploads of exactly the key asked for.
    pub uploads: Vec<ListedUpload>,
    /// `(key-marker, upload-id-marker)` of the next page; `None` on the last page.
    pub next_markers: Option<(String, String)>,
}

pub fn request(endpoint: &Endpoint, bucket: &str, key: &str, markers: Option<&(String, String)>) -> Request {
    let mut query = vec![("encoding-type", "url")];
    if let Some((key_marker, _)) = markers {
        query.push(("key-marker", key_marker.as_str()));
    }
    query.push(("max-uploads", "1000"));
    query.push(("prefix", key));
    if let Some((_, upload_id_marker)) = markers {
        query.push(("upload-id-marker", upload_id_marker.as_str()));
    }
    query.push(("uploads", ""));
    Request {
        method: Method::Get,
        url: url::with_query(format!("{}/", url::bucket_url(endpoint, bucket)), &query),
        headers: vec![],
        body: Body::Empty,
    }
}

pub fn parse(resp: &Response, key: &str) -> Result<UploadsPage, S3Error> {
    parse_xml(resp, "ListMultipartUploadsResult", |root| {
        let encoded = xml::text(root, "EncodingType").is_some_and(|t| t.trim() == "url");
        let key_of = |node, name| xml::text(node, name).and_then(|k| if encoded { url::decode(&k) } else { Some(k) });
        let all = xml::children(root, "Upload")
            .map(|u| {
                Some(ListedUpload {
                    key: key_of(u, "Key")?,
                    upload_id: xml::text(u, "UploadId")?,
                    initiated: xml::text(u, "Initiated").unwrap_or_default(),
                    checksum: ListedChecksum::read(u),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        // Some servers (Garage) omit the next markers: the last upload listed is where the next page starts.
        let next_markers = if xml::flag(root, "IsTruncated") {
            let last = all.last();
            let key_marker = key_of(root, "NextKeyMarker").or_else(|| last.map(|u| u.key.clone()))?;
            let id_marker = xml::text(root, "NextUploadIdMarker").or_else(|| last.map(|u| u.upload_id.clone()))?;
            Some((key_marker, id_marker))
        } else {
            None
        };
        Some(UploadsPage { uploads: all.into_iter().filter(|u| u.key == key).collect(), next_markers })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_request_on_the_bucket() {
        let (endpoint, _) = super::super::test_target();
        assert_eq!(
            request(&endpoint, "b", "my movie.m2ts", None).url,
            "http://h/b/?encoding-type=url&max-uploads=1000&prefix=my%20movie.m2ts&uploads="
        );
        let markers = ("k".to_string(), "id".to_string());
        assert_eq!(
            request(&endpoint, "b", "k", Some(&markers)).url,
            "http://h/b/?encoding-type=url&key-marker=k&max-uploads=1000&prefix=k&upload-id-marker=id&uploads="
        );
    }

    #[test]
    fn parses_the_documented_response_and_keeps_the_exact_key() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2008-11-10T20:48:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>"#;
        let page = parse(&Response { status: 200, headers: vec![], body: body.into() }, "my-movie.m2ts").unwrap();
        assert_eq!(page.uploads.len(), 2);
        assert!(page.uploads.iter().all(|u| u.key == "my-movie.m2ts"));
        assert_eq!(page.next_markers, Some(("my-movie.m2ts".into(), "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ".into())));
        assert!(parse(&Response { status: 200, headers: vec![], body: body.into() }, "my-movie").unwrap().uploads.is_empty());
    }

    #[test]
    fn url_encoded_keys_and_markers_are_decoded_and_checksums_read() {
        // A key with a control character, which XML 1.0 cannot carry, as S3 (`+` for a space) and Garage (%20) encode it.
        let body = "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>\
            <NextKeyMarker>a+b%2Bc%01%20d</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>\
            <Upload><Key>a+b%2Bc%01%20d</Key><UploadId>u2</UploadId><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
            <ChecksumType>COMPOSITE</ChecksumType></Upload></ListMultipartUploadsResult>";
        let page = parse(&Response { status: 200, headers: vec![], body: body.into() }, "a b+c\u{1} d").unwrap();
        assert_eq!(page.uploads.len(), 1);
        assert_eq!(page.next_markers, Some(("a b+c\u{1} d".into(), "u2".into())));
        assert_eq!(page.uploads[0].checksum.algorithm, Some(Some("CRC32".into())));
        assert_eq!(page.uploads[0].checksum.kind.as_deref(), Some("COMPOSITE"));
    }

    #[test]
    fn truncated_without_next_markers_continues_after_the_last_upload() {
        let body = "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><Upload><Key>k</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>";
        let page = parse(&Response { status: 200, headers: vec![], body: body.into() }, "k").unwrap();
        assert_eq!(page.next_markers, Some(("k".into(), "u2".into())));
    }
}
