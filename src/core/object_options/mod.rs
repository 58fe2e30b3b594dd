//! The options that shape the object (metadata, headers, tags, ACL, storage class, encryption) and those every
//! request carries (SSE-C, expected bucket owner, requester pays): checked before any request, turned into the
//! headers AWS documents, and fingerprinted so that resume adopts only an upload made with the same ones.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>; limits:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html>.
use crate::core::checksum::Crc64;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use md5::{Digest, Md5};

mod extra_headers;
mod tagging;
pub use tagging::Tagging;

/// User-defined metadata, names and values (as sent) together, in UTF-8 bytes.
pub const METADATA_LIMIT: usize = 2048;
const CANNED_ACLS: &[&str] =
    &["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control"];
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
];
const ENCRYPTIONS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];
/// What the app passes (`start()` options over `Uploader` defaults), field by field as the JS names say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectOptionsInput {
    pub metadata: Vec<(String, String)>,
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    pub content_encoding: Option<String>,
    pub content_language: Option<String>,
    /// An HTTP date (the shell formats the app's Date, string or epoch ms).
    pub expires: Option<String>,
    pub tagging: Option<Tagging>,
    pub acl: Option<String>,
    pub storage_class: Option<String>,
    pub server_side_encryption: Option<String>,
    pub sse_kms_key_id: Option<String>,
    pub bucket_key_enabled: Option<bool>,
    /// Base64 of the 256-bit SSE-C key.
    pub sse_customer_key: Option<String>,
    pub expected_bucket_owner: Option<String>,
    pub request_payer: Option<String>,
    pub headers: Vec<(String, String)>,
}

/// The checked options as headers, by the requests they go on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectOptions {
    /// CreateMultipartUpload and PutObject only: what the object is made with.
    object: Vec<(String, String)>,
    /// SSE-C: every request that reads or writes the object's data (Create, PutObject, UploadPart, ListParts,
    /// Complete, HeadObject of the finished object).
    customer_key: Vec<(String, String)>,
    /// Every request (expected bucket owner, requester pays).
    every: Vec<(String, String)>,
}

/// Which requests a header set is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// CreateMultipartUpload, PutObject.
    Create,
    /// UploadPart, ListParts, CompleteMultipartUpload, HeadObject of the object this upload made.
    ObjectData,
    /// ListMultipartUploads, AbortMultipartUpload, HeadObject of whatever is at the key.
    Other,
}

impl ObjectOptions {
    pub fn new(input: &ObjectOptionsInput) -> Result<Self, String> {
        let mut object = metadata(&input.metadata)?;
        let plain = [
            ("cache-control", "cacheControl", &input.cache_control),
            ("content-disposition", "contentDisposition", &input.content_disposition),
            ("content-encoding", "contentEncoding", &input.content_encoding),
            ("content-language", "contentLanguage", &input.content_language),
            ("expires", "expires", &input.expires),
        ];
        for (header, option, value) in plain {
            if let Some(value) = value {
                object.push((header.into(), header_value(option, value)?));
            }
        }
        if let Some(tagging) = &input.tagging {
            object.push(("x-amz-tagging".into(), tagging.header_value()?));
        }
        if let Some(acl) = &input.acl {
            object.push(("x-amz-acl".into(), one_of("acl", acl, CANNED_ACLS)?));
        }
        if let Some(class) = &input.storage_class {
            object.push(("x-amz-storage-class".into(), one_of("storageClass", class, STORAGE_CLASSES)?));
        }
        object.extend(encryption(input)?);
        object.extend(extra_headers::checked(&input.headers)?);
        let customer_key = input.sse_customer_key.as_deref().map(customer_key_headers).transpose()?.unwrap_or_default();
        let mut every = vec![];
        if let Some(owner) = &input.expected_bucket_owner {
            if owner.len() != 12 || !owner.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("expectedBucketOwner must be a 12-digit AWS account id, got '{owner}'"));
            }
            every.push(("x-amz-expected-bucket-owner".into(), owner.clone()));
        }
        if let Some(payer) = &input.request_payer {
            every.push(("x-amz-request-payer".into(), one_of("requestPayer", payer, &["requester"])?));
        }
        Ok(Self { object, customer_key, every })
    }

    /// The headers requests of `scope` carry.
    pub fn headers(&self, scope: Scope) -> impl Iterator<Item = &(String, String)> {
        let object = if scope == Scope::Create { &self.object[..] } else { &[] };
        let customer_key = if scope == Scope::Other { &[] } else { &self.customer_key[..] };
        object.iter().chain(customer_key).chain(&self.every)
    }

    /// The object is made with something beyond its content type: an unfinished upload or an object found on
    /// the server, with no local record of how it was made, may have been made otherwise.
    pub fn shape_the_object(&self) -> bool {
        !self.object.is_empty() || !self.customer_key.is_empty()
    }

    /// SSE-C: requests on the object's data carry the app's key.
    pub fn has_customer_key(&self) -> bool {
        !self.customer_key.is_empty()
    }

    /// A fingerprint of everything the object is made with (content type included), as the local record keeps
    /// it: an unfinished upload made with other options is not continued. The SSE-C key enters only as the MD5
    /// S3 itself returns, and only through a CRC: the record never holds the key.
    pub fn fingerprint(&self, content_type: Option<&str>) -> String {
        let mut crc = Crc64::default();
        let content_type = ("content-type".to_string(), content_type.unwrap_or_default().to_string());
        let key_md5 = self.customer_key.iter().filter(|(n, _)| n.ends_with("-key-md5"));
        for (name, value) in std::iter::once(&content_type).chain(&self.object).chain(key_md5) {
            for field in [name, value] {
                crc.update(&(field.len() as u64).to_le_bytes());
                crc.update(field.as_bytes());
            }
        }
        format!("{:016x}", crc.finish())
    }
}

/// `x-amz-meta-*`: names are HTTP tokens (S3 keeps them lower-case), values with non-ASCII characters are sent
/// RFC 2047-encoded, the form S3 stores and returns them in; names and values together at most 2 KB.
fn metadata(pairs: &[(String, String)]) -> Result<Vec<(String, String)>, String> {
    let mut headers: Vec<(String, String)> = vec![];
    let mut size = 0;
    for (name, value) in pairs {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(format!("metadata name '{name}' must be letters, digits and !#$%&'*+-.^_`|~ (an HTTP header name)"));
        }
        let name = name.to_ascii_lowercase();
        if headers.iter().any(|(n, _)| n[11..] == name) {
            return Err(format!("metadata name '{name}' appears twice (names are not case-sensitive)"));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!("metadata '{name}' contains a control character"));
        }
        let value = if value.is_ascii() { value.clone() } else { format!("=?UTF-8?B?{}?=", BASE64.encode(value)) };
        size += name.len() + value.len();
        headers.push((format!("x-amz-meta-{name}"), value));
    }
    if size > METADATA_LIMIT {
        return Err(format!("metadata is {size} bytes (names and values, non-ASCII values encoded): S3 allows {METADATA_LIMIT}"));
    }
    Ok(headers)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A header value as browsers and SigV4 take it: printable ASCII.
fn header_value(option: &str, value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err(format!("{option} must not be empty (leave it out instead)"));
    }
    if !value.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        let hint = match option {
            "contentDisposition" => ": for a file name with other characters use contentDisposition(name) (RFC 6266 filename*)",
            _ => ": percent-encode other characters",
        };
        return Err(format!("{option} must be printable ASCII, got '{value}'{hint}"));
    }
    Ok(value.to_string())
}

fn one_of(option: &str, value: &str, allowed: &[&str]) -> Result<String, String> {
    match allowed.contains(&value) {
        true => Ok(value.to_string()),
        false => Err(format!("{option} must be one of {}, got '{value}'", allowed.join(", "))),
    }
}

fn encryption(input: &ObjectOptionsInput) -> Result<Vec<(String, String)>, String> {
    let mut headers = vec![];
    let sse = input.server_side_encryption.as_deref();
    if let Some(sse) = sse {
        if input.sse_customer_key.is_some() {
            return Err("serverSideEncryption and sseCustomerKey exclude each other: S3 encrypts with one key".into());
        }
        headers.push(("x-amz-server-side-encryption".into(), one_of("serverSideEncryption", sse, ENCRYPTIONS)?));
    }
    let kms = sse.is_some_and(|s| s.starts_with("aws:kms"));
    if let Some(key_id) = &input.sse_kms_key_id {
        if !kms {
            return Err("sseKmsKeyId needs serverSideEncryption 'aws:kms' or 'aws:kms:dsse'".into());
        }
        headers.push(("x-amz-server-side-encryption-aws-kms-key-id".into(), header_value("sseKmsKeyId", key_id)?));
    }
    if let Some(enabled) = input.bucket_key_enabled {
        if !kms {
            return Err("bucketKeyEnabled needs serverSideEncryption 'aws:kms' or 'aws:kms:dsse'".into());
        }
        headers.push(("x-amz-server-side-encryption-bucket-key-enabled".into(), enabled.to_string()));
    }
    Ok(headers)
}

/// SSE-C: the key (base64 of 32 bytes), its algorithm and its MD5, as every request on the object's data repeats them.
fn customer_key_headers(key: &str) -> Result<Vec<(String, String)>, String> {
    let bytes = BASE64.decode(key.trim()).ok().filter(|k| k.len() == 32);
    let bytes = bytes.ok_or("sseCustomerKey must be a 256-bit key in base64 (44 characters)")?;
    Ok(vec![
        ("x-amz-server-side-encryption-customer-algorithm".into(), "AES256".into()),
        ("x-amz-server-side-encryption-customer-key".into(), BASE64.encode(&bytes)),
        ("x-amz-server-side-encryption-customer-key-md5".into(), BASE64.encode(Md5::digest(&bytes))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    fn names(options: &ObjectOptions, scope: Scope) -> Vec<String> {
        options.headers(scope).map(|(n, v)| format!("{n}: {v}")).collect()
    }

    #[test]
    fn every_option_becomes_its_documented_header() {
        let input = ObjectOptionsInput {
            metadata: pairs(&[("Author", "Ann"), ("city", "Zürich")]),
            cache_control: Some("max-age=3600".into()),
            content_disposition: Some("attachment; filename=\"a.pdf\"".into()),
            content_encoding: Some("gzip".into()),
            content_language: Some("de-CH".into()),
            expires: Some("Thu, 01 Jan 2037 00:00:00 GMT".into()),
            tagging: Some(Tagging::Pairs(pairs(&[("project", "blue sky"), ("team", "a/b")]))),
            acl: Some("bucket-owner-full-control".into()),
            storage_class: Some("STANDARD_IA".into()),
            server_side_encryption: Some("aws:kms".into()),
            sse_kms_key_id: Some("arn:aws:kms:us-east-1:111122223333:key/k".into()),
            bucket_key_enabled: Some(true),
            expected_bucket_owner: Some("111122223333".into()),
            request_payer: Some("requester".into()),
            headers: pairs(&[("X-Amz-Grant-Read", "id=\"abc\"")]),
            ..Default::default()
        };
        let options = ObjectOptions::new(&input).unwrap();
        assert_eq!(
            names(&options, Scope::Create),
            [
                "x-amz-meta-author: Ann",
                "x-amz-meta-city: =?UTF-8?B?WsO8cmljaA==?=",
                "cache-control: max-age=3600",
                "content-disposition: attachment; filename=\"a.pdf\"",
                "content-encoding: gzip",
                "content-language: de-CH",
                "expires: Thu, 01 Jan 2037 00:00:00 GMT",
                "x-amz-tagging: project=blue%20sky&team=a%2Fb",
                "x-amz-acl: bucket-owner-full-control",
                "x-amz-storage-class: STANDARD_IA",
                "x-amz-server-side-encryption: aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id: arn:aws:kms:us-east-1:111122223333:key/k",
                "x-amz-server-side-encryption-bucket-key-enabled: true",
                "x-amz-grant-read: id=\"abc\"",
                "x-amz-expected-bucket-owner: 111122223333",
                "x-amz-request-payer: requester",
            ]
        );
        assert_eq!(names(&options, Scope::ObjectData), ["x-amz-expected-bucket-owner: 111122223333", "x-amz-request-payer: requester"]);
        assert!(options.shape_the_object());
        assert!(!ObjectOptions::default().shape_the_object());
    }

    #[test]
    fn the_customer_key_goes_on_every_data_request_with_its_md5() {
        // 32 zero bytes; MD5 from `head -c32 /dev/zero | openssl md5 -binary | base64`.
        let key = BASE64.encode([0u8; 32]);
        let options = ObjectOptions::new(&ObjectOptionsInput { sse_customer_key: Some(key.clone()), ..Default::default() }).unwrap();
        let expected = [
            "x-amz-server-side-encryption-customer-algorithm: AES256".to_string(),
            format!("x-amz-server-side-encryption-customer-key: {key}"),
            "x-amz-server-side-encryption-customer-key-md5: cLyPS3KoaSFGi/joRB3OUQ==".to_string(),
        ];
        assert_eq!(names(&options, Scope::Create), expected);
        assert_eq!(names(&options, Scope::ObjectData), expected);
        assert!(names(&options, Scope::Other).is_empty());
        let fingerprint = options.fingerprint(None);
        assert!(!fingerprint.contains(&key) && !fingerprint.contains("cLyPS3"));
        let short = ObjectOptionsInput { sse_customer_key: Some(BASE64.encode([0u8; 16])), ..Default::default() };
        assert!(ObjectOptions::new(&short).unwrap_err().contains("256-bit"));
    }

    #[test]
    fn metadata_names_and_the_2_kb_limit_are_checked() {
        let check = |list: &[(&str, &str)]| ObjectOptions::new(&ObjectOptionsInput { metadata: pairs(list), ..Default::default() });
        assert!(check(&[("a b", "x")]).unwrap_err().contains("HTTP header name"));
        assert!(check(&[("é", "x")]).is_err());
        assert!(check(&[("A", "1"), ("a", "2")]).unwrap_err().contains("twice"));
        assert!(check(&[("a", "line\nbreak")]).unwrap_err().contains("control"));
        let at_limit = "v".repeat(METADATA_LIMIT - 1);
        assert!(check(&[("k", &at_limit)]).is_ok());
        assert!(check(&[("kk", &at_limit)]).unwrap_err().contains("2049 bytes"));
        // Encoded, 700 × "é" (1,400 UTF-8 bytes) is 1,888 characters on the wire.
        assert!(check(&[("k", &"é".repeat(700))]).is_ok());
        assert!(check(&[("k", &"é".repeat(800))]).is_err());
    }

    #[test]
    fn values_are_checked() {
        let check = |input: ObjectOptionsInput| ObjectOptions::new(&input).unwrap_err();
        assert!(check(ObjectOptionsInput { acl: Some("public".into()), ..Default::default() }).contains("public-read"));
        assert!(check(ObjectOptionsInput { storage_class: Some("COLD".into()), ..Default::default() }).contains("STANDARD_IA"));
        assert!(check(ObjectOptionsInput { server_side_encryption: Some("aes256".into()), ..Default::default() }).contains("AES256"));
        let kms_key_alone =
            ObjectOptionsInput { sse_kms_key_id: Some("k".into()), server_side_encryption: Some("AES256".into()), ..Default::default() };
        assert!(check(kms_key_alone).contains("aws:kms"));
        assert!(check(ObjectOptionsInput { bucket_key_enabled: Some(true), ..Default::default() }).contains("aws:kms"));
        let both = ObjectOptionsInput {
            server_side_encryption: Some("AES256".into()),
            sse_customer_key: Some(BASE64.encode([1u8; 32])),
            ..Default::default()
        };
        assert!(check(both).contains("exclude"));
        let unicode = ObjectOptionsInput { content_disposition: Some("attachment; filename=\"é.pdf\"".into()), ..Default::default() };
        assert!(check(unicode).contains("contentDisposition(name)"));
        assert!(check(ObjectOptionsInput { cache_control: Some(" ".into()), ..Default::default() }).contains("empty"));
        assert!(check(ObjectOptionsInput { expected_bucket_owner: Some("12345".into()), ..Default::default() }).contains("12-digit"));
        assert!(check(ObjectOptionsInput { request_payer: Some("me".into()), ..Default::default() }).contains("requester"));
    }

    #[test]
    fn the_fingerprint_changes_with_what_shapes_the_object() {
        let with_meta = |value: &str| ObjectOptions::new(&ObjectOptionsInput { metadata: pairs(&[("a", value)]), ..Default::default() }).unwrap();
        assert_eq!(with_meta("1").fingerprint(Some("text/plain")), with_meta("1").fingerprint(Some("text/plain")));
        assert_ne!(with_meta("1").fingerprint(None), with_meta("2").fingerprint(None));
        assert_ne!(with_meta("1").fingerprint(Some("a/b")), with_meta("1").fingerprint(Some("a/c")));
        let owner = ObjectOptions::new(&ObjectOptionsInput { expected_bucket_owner: Some("111122223333".into()), ..Default::default() }).unwrap();
        assert_eq!(owner.fingerprint(None), ObjectOptions::default().fingerprint(None), "who pays or owns does not shape the object");
    }
}
