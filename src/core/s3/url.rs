//! URLs for S3 requests, encoded the way SigV4 expects (S3 signs the path encoded once).
use super::{names, Endpoint, Object};

/// RFC 3986 unreserved characters stay; everything else is %XX. `/` stays in keys when `keep_slash`.
fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A URL-encoded value of a listing asked for with `encoding-type=url`: `%XX` escapes, and `+` for a space
/// (S3 writes spaces so). `None` when it is not UTF-8.
pub(super) fn decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8().ok().map(|t| t.into_owned())
}

/// The bucket's base URL, path style or virtual-hosted style.
pub(super) fn bucket_url(endpoint: &Endpoint, bucket: &str) -> String {
    let base = endpoint.url.trim_end_matches('/');
    if endpoint.force_path_style || names::needs_path_style(endpoint, bucket) {
        return format!("{base}/{}", encode(bucket, false));
    }
    match base.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://{bucket}.{host}"),
        None => format!("{bucket}.{base}"),
    }
}

/// `…/key?name=value&…`. An empty value is written `name=` (some servers reject a bare `?uploads`).
pub(super) fn object_url(endpoint: &Endpoint, object: &Object, query: &[(&str, &str)]) -> String {
    with_query(format!("{}/{}", bucket_url(endpoint, &object.bucket), encode(&object.key, true)), query)
}

pub(super) fn with_query(mut url: String, query: &[(&str, &str)]) -> String {
    for (i, (name, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode(name, false));
        url.push('=');
        url.push_str(&encode(value, false));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(force_path_style: bool) -> Endpoint {
        Endpoint { url: "https://s3.amazonaws.com/".into(), region: "us-east-1".into(), force_path_style }
    }

    #[test]
    fn keys_are_encoded_once_and_keep_slashes() {
        let object = Object { bucket: "b".into(), key: "a dir/ä+b=c.txt".into() };
        assert_eq!(
            object_url(&endpoint(true), &object, &[("uploadId", "x/y+z")]),
            "https://s3.amazonaws.com/b/a%20dir/%C3%A4%2Bb%3Dc.txt?uploadId=x%2Fy%2Bz"
        );
    }

    #[test]
    fn virtual_hosted_style_puts_the_bucket_in_the_host() {
        let object = Object { bucket: "photos".into(), key: "k".into() };
        assert_eq!(object_url(&endpoint(false), &object, &[("uploads", "")]), "https://photos.s3.amazonaws.com/k?uploads=");
    }

    #[test]
    fn buckets_a_wildcard_certificate_cannot_cover_use_path_style() {
        let object = Object { bucket: "my.Photos_1".into(), key: "k".into() };
        assert_eq!(object_url(&endpoint(false), &object, &[]), "https://s3.amazonaws.com/my.Photos_1/k");
    }

    #[test]
    fn odd_keys_are_sent_exactly() {
        let object = Object { bucket: "b".into(), key: "/a//b?c#d%e\u{1}".into() };
        assert_eq!(object_url(&endpoint(true), &object, &[]), "https://s3.amazonaws.com/b//a//b%3Fc%23d%25e%01");
    }
}
