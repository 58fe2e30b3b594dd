//! What can be addressed as given, checked before any request: object keys, bucket names and endpoints. A mistake
//! here would otherwise surface as a signature that cannot match, an unresolvable host (a NetworkError that names
//! nothing), or an object under another key.
use super::Endpoint;

/// S3's longest key, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// Why S3 cannot store `key` as given, if it cannot. A `.` or `..` path segment is rewritten by the browser's URL
/// parser (`a/./b` is sent as `a/b`), so the request no longer matches its signature; every other character is
/// sent percent-encoded and stored as is.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("the key is empty".into());
    }
    if key.len() > MAX_KEY_BYTES {
        return Some(format!("the key is {} bytes of UTF-8; S3 keys are at most {MAX_KEY_BYTES}", key.len()));
    }
    if let Some(segment) = key.split('/').find(|s| *s == "." || *s == "..") {
        return Some(format!(
            "the key has a '{segment}' path segment, which browsers remove from URLs before sending (so the signature cannot \
             match): rename it, e.g. without the segment or with '{segment}' inside a longer name"
        ));
    }
    None
}

/// The endpoint's host without a port (IPv6 literals keep their brackets).
fn host(endpoint: &Endpoint) -> &str {
    let rest = endpoint.url.split_once("://").map_or(endpoint.url.as_str(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(authority, |(addr, _)| &authority[..addr.len() + 2]),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    }
}

/// Virtual-hosted style (`bucket.host`) cannot work: over https the bucket's name must fit the store's wildcard
/// certificate (no dots, no uppercase, no underscores), and an IP address or `localhost` has no subdomains.
pub fn needs_path_style(endpoint: &Endpoint, bucket: &str) -> bool {
    let host = host(endpoint);
    let no_subdomains = host == "localhost" || host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok();
    let dns_safe = bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    no_subdomains || (endpoint.url.starts_with("https://") && !dns_safe)
}

/// What is wrong with this endpoint and bucket, if something is, and how to fix it.
pub fn endpoint_problem(endpoint: &Endpoint, bucket: &str) -> Option<String> {
    let url = endpoint.url.trim_end_matches('/');
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    if let Some(at) = rest.find(['/', '?', '#']) {
        return Some(format!(
            "endpoint must be scheme://host[:port] only, got '{}' with '{}' after the host: give the bucket as `bucket` \
             and any prefix in the key",
            endpoint.url,
            &rest[at..]
        ));
    }
    if bucket.contains('/') {
        return Some(format!("bucket '{bucket}' holds a '/': give only the bucket's name, and put the prefix in the key"));
    }
    let host = host(endpoint);
    if host.strip_prefix(bucket).is_some_and(|rest| rest.starts_with('.')) {
        return Some(format!(
            "endpoint '{}' already names bucket '{bucket}': give the store's endpoint without it (e.g. \
             https://s3.{}.amazonaws.com); the library puts the bucket in the URL itself",
            endpoint.url, endpoint.region
        ));
    }
    // s3.<region>.amazonaws.com, s3-<region>.amazonaws.com, s3.dualstack.<region>.amazonaws.com
    let labels = host.strip_suffix(".amazonaws.com").map(|h| h.split('.').map(|l| l.trim_start_matches("s3-")));
    let named = labels.and_then(|mut labels| labels.find(|l| l.contains('-') && l.ends_with(|c: char| c.is_ascii_digit())));
    if let Some(region) = named.filter(|r| *r != endpoint.region) {
        return Some(format!(
            "endpoint '{}' is in region '{region}' but region is '{}': use the bucket's region for both",
            endpoint.url, endpoint.region
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> Endpoint {
        Endpoint { url: url.into(), region: "eu-west-1".into(), force_path_style: false }
    }

    #[test]
    fn dot_segments_and_long_keys_are_refused_with_the_reason() {
        for key in ["a/./b", "a/../b", ".", "..", "./a", "a/.."] {
            assert!(key_problem(key).is_some_and(|why| why.contains("path segment")), "{key}");
        }
        assert!(key_problem(&"é".repeat(513)).is_some_and(|why| why.contains("1026 bytes")), "counted in UTF-8 bytes");
        assert_eq!(key_problem(&"a".repeat(1024)), None);
        for key in ["a b+c%20?#", "a//b", "/lead", ".hidden/..x/x..", "ünï/ç😀", "ctl\u{1}\u{7f}", "a/.../b"] {
            assert_eq!(key_problem(key), None, "{key}");
        }
    }

    #[test]
    fn path_style_where_virtual_hosts_cannot_work() {
        assert!(!needs_path_style(&endpoint("https://s3.eu-west-1.amazonaws.com"), "photos-2"));
        for bucket in ["my.photos", "Photos", "my_photos"] {
            assert!(needs_path_style(&endpoint("https://s3.eu-west-1.amazonaws.com"), bucket), "{bucket} over https");
            assert!(!needs_path_style(&endpoint("http://s3.example.test"), bucket), "{bucket} over http resolves fine");
        }
        for url in ["http://127.0.0.1:3900", "http://localhost:9000", "http://[::1]:9000", "https://10.0.0.2"] {
            assert!(needs_path_style(&endpoint(url), "photos"), "{url}");
        }
    }

    #[test]
    fn endpoint_mistakes_name_the_fix() {
        let problem = |url: &str, bucket: &str| endpoint_problem(&endpoint(url), bucket).unwrap_or_default();
        assert!(problem("http://127.0.0.1:3900/demo", "demo").contains("'/demo' after the host"));
        assert!(problem("https://photos.s3.eu-west-1.amazonaws.com", "photos").contains("already names bucket 'photos'"));
        assert!(problem("https://s3.us-east-2.amazonaws.com", "photos").contains("in region 'us-east-2' but region is 'eu-west-1'"));
        assert!(problem("https://s3.eu-west-1.amazonaws.com", "photos/2024").contains("holds a '/'"));
        for url in [
            "https://s3.eu-west-1.amazonaws.com",
            "https://s3.eu-west-1.amazonaws.com/",
            "http://127.0.0.1:3900",
            "https://storage.googleapis.com",
            "https://s3.amazonaws.com",
        ] {
            assert_eq!(endpoint_problem(&endpoint(url), "photos"), None, "{url}");
        }
    }
}
