//! `tagging`: S3's tag limits, and the URL-encoded form `x-amz-tagging` takes.
//! AWS reference: <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html>

pub const MAX_TAGS: usize = 10;

/// `tagging` as the app gives it: pairs, or a URL-encoded `k1=v1&k2=v2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tagging {
    Pairs(Vec<(String, String)>),
    Encoded(String),
}

impl Tagging {
    /// The checked tags, encoded for `x-amz-tagging`.
    pub fn header_value(&self) -> Result<String, String> {
        Ok(encode_tags(&tags(self)?))
    }
}

/// Tags as S3 takes them: at most 10, keys of 1–128 and values of up to 256 Unicode characters, letters,
/// digits, spaces and `+ - = . _ : / @`, keys unique and not starting with `aws:`.
fn tags(tagging: &Tagging) -> Result<Vec<(String, String)>, String> {
    let pairs = match tagging {
        Tagging::Pairs(pairs) => pairs.clone(),
        Tagging::Encoded(text) => text
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                Ok((percent_decode(key)?, percent_decode(value)?))
            })
            .collect::<Result<_, String>>()?,
    };
    if pairs.len() > MAX_TAGS {
        return Err(format!("tagging has {} tags: S3 allows {MAX_TAGS}", pairs.len()));
    }
    let allowed = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "+-=._:/@".contains(c));
    for (i, (key, value)) in pairs.iter().enumerate() {
        let key_len = key.chars().count();
        if !(1..=128).contains(&key_len) || value.chars().count() > 256 {
            return Err(format!("tag '{key}': keys have 1 to 128 characters, values at most 256"));
        }
        if !allowed(key) || !allowed(value) {
            return Err(format!("tag '{key}={value}': tags take letters, digits, spaces and + - = . _ : / @ only"));
        }
        if key.starts_with("aws:") {
            return Err(format!("tag '{key}': the aws: prefix is reserved"));
        }
        if pairs[..i].iter().any(|(k, _)| k == key) {
            return Err(format!("tag '{key}' appears twice"));
        }
    }
    Ok(pairs)
}

fn encode_tags(pairs: &[(String, String)]) -> String {
    let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
    pairs.join("&")
}

/// RFC 3986: unreserved characters stay, every other byte is `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            true => out.push(b as char),
            false => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// URL query decoding (`+` is a space), as S3 reads `x-amz-tagging`.
fn percent_decode(text: &str) -> Result<String, String> {
    let mut bytes = vec![];
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = rest.get(..2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                bytes.push(hex.ok_or_else(|| format!("tagging '{text}' is not valid URL encoding"))?);
                rest = &rest[2..];
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("tagging '{text}' is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_as_s3_limits_them() {
        let check = |tagging: Tagging| tagging.header_value();
        let encoded = |s: &str| check(Tagging::Encoded(s.into()));
        assert_eq!(encoded("a=1&b=two+words&c=%C3%A9").unwrap(), "a=1&b=two%20words&c=%C3%A9");
        let eleven: Vec<_> = (0..11).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(check(Tagging::Pairs(eleven)).unwrap_err().contains("11 tags"));
        assert!(encoded("a=1&a=2").unwrap_err().contains("twice"));
        assert!(encoded("a=%ZZ").unwrap_err().contains("URL encoding"));
        assert!(encoded("a=x%3By").unwrap_err().contains("letters, digits"));
        assert!(encoded("aws:x=1").unwrap_err().contains("reserved"));
        assert!(encoded(&format!("{}=1", "k".repeat(129))).is_err());
        assert!(encoded("=1").is_err());
    }
}
