//! Clock-skew correction: browsers' clocks are often wrong, and S3 rejects signatures more than 15 minutes off.
use aws_smithy_types::date_time::{DateTime, Format};

/// The server's time in epoch milliseconds, from a RequestTimeTooSkewed answer's `ServerTime` (ISO 8601)
/// or, failing that, its `Date` header (HTTP date).
pub fn server_time_ms(server_time: Option<&str>, date_header: Option<&str>) -> Option<i64> {
    let iso = server_time.and_then(|t| DateTime::from_str(t.trim(), Format::DateTime).ok());
    let http = || date_header.and_then(|d| DateTime::from_str(d.trim(), Format::HttpDate).ok());
    iso.or_else(http)?.to_millis().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_server_time_or_the_date_header() {
        assert_eq!(server_time_ms(Some("2026-01-01T00:20:00Z"), None), Some(1_767_226_800_000));
        assert_eq!(server_time_ms(Some("2026-01-01T00:20:00.500Z"), None), Some(1_767_226_800_500));
        assert_eq!(server_time_ms(None, Some("Thu, 01 Jan 2026 00:20:00 GMT")), Some(1_767_226_800_000));
        assert_eq!(server_time_ms(Some("garbage"), Some("Thu, 01 Jan 2026 00:20:00 GMT")), Some(1_767_226_800_000));
        assert_eq!(server_time_ms(None, None), None);
    }
}
