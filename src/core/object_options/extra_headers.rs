//! `headers`: what else CreateMultipartUpload and PutObject take, checked against what the library sets.
use super::{header_value, is_token_byte};

/// Headers the library sets itself, or sets from a named option, and headers browsers refuse to send
/// (the Fetch standard's forbidden request headers): never taken from `headers`.
const RESERVED: &[&str] = &[
    "authorization",
    "content-type",
    "content-length",
    "content-md5",
    "host",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-mp-object-size",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
    "x-amz-tagging",
    "x-amz-acl",
    "x-amz-storage-class",
    "x-amz-expected-bucket-owner",
    "x-amz-request-payer",
    // ifExists: "error" sends If-None-Match: * on Complete and the empty file's PutObject.
    "if-none-match",
    "accept-charset",
    "accept-encoding",
    "connection",
    "cookie",
    "date",
    "dnt",
    "expect",
    "keep-alive",
    "origin",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];
const RESERVED_PREFIXES: &[(&str, &str)] = &[
    ("x-amz-meta-", "metadata"),
    ("x-amz-server-side-encryption", "serverSideEncryption, sseKmsKeyId, bucketKeyEnabled or sseCustomerKey"),
    ("x-amz-checksum-", "the library's checksums"),
    ("x-amz-copy-source", "nothing: the library uploads the file"),
    ("proxy-", "nothing: browsers refuse it"),
    ("sec-", "nothing: browsers refuse it"),
    ("access-control-request-", "nothing: browsers refuse it"),
];

/// `headers`: anything else CreateMultipartUpload / PutObject take (e.g. `x-amz-grant-read`,
/// `x-amz-website-redirect-location`), lower-cased; never one the library or a named option sets.
pub(super) fn checked(pairs: &[(String, String)]) -> Result<Vec<(String, String)>, String> {
    let mut headers: Vec<(String, String)> = vec![];
    for (name, value) in pairs {
        let lower = name.to_ascii_lowercase();
        if lower.is_empty() || !lower.bytes().all(is_token_byte) {
            return Err(format!("headers: '{name}' is not an HTTP header name"));
        }
        if RESERVED.contains(&lower.as_str()) {
            return Err(format!("headers: '{lower}' is set by the library or by its own option"));
        }
        if let Some((_, instead)) = RESERVED_PREFIXES.iter().find(|(prefix, _)| lower.starts_with(prefix)) {
            return Err(format!("headers: '{lower}' is not allowed here; use {instead}"));
        }
        if headers.iter().any(|(n, _)| *n == lower) {
            return Err(format!("headers: '{lower}' appears twice"));
        }
        headers.push((lower.clone(), header_value(&format!("headers['{lower}']"), value)?));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::super::{ObjectOptions, ObjectOptionsInput};

    #[test]
    fn headers_never_collide_with_the_librarys() {
        let check = |name: &str| ObjectOptions::new(&ObjectOptionsInput { headers: vec![(name.to_string(), "v".to_string())], ..Default::default() });
        for name in
            ["Content-Type", "authorization", "x-amz-date", "x-amz-checksum-crc32", "x-amz-meta-a", "x-amz-acl", "expires", "Cookie", "If-None-Match"]
        {
            assert!(check(name).is_err(), "{name} was accepted");
        }
        assert!(check("x-amz-server-side-encryption-customer-key").unwrap_err().contains("sseCustomerKey"));
        assert!(check("x-amz-website-redirect-location").is_ok());
        let twice = ObjectOptionsInput { headers: vec![("x-a".into(), "1".into()), ("X-A".into(), "2".into())], ..Default::default() };
        assert!(ObjectOptions::new(&twice).unwrap_err().contains("twice"));
    }
}
