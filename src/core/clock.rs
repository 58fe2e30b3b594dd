//! Clock-skew correction: browsers' clocks are often wrong, and S3 rejects signatures more than 15 minutes off.
//! The two date forms S3 answers with are read here rather than by aws-smithy-types' parsers, whose RFC 3339 one
//! (through the `time` crate) weighed 6.9 kB of the gzipped wasm (bench/SIZE.md).

/// The server's time in epoch milliseconds, from a RequestTimeTooSkewed answer's `ServerTime` (ISO 8601)
/// or, failing that, its `Date` header (HTTP date).
pub fn server_time_ms(server_time: Option<&str>, date_header: Option<&str>) -> Option<i64> {
    server_time.and_then(|t| iso_ms(t.trim())).or_else(|| date_header.and_then(|d| http_date_ms(d.trim())))
}

/// `2026-01-01T00:20:00Z` or `2026-01-01T00:20:00.500Z`: RFC 3339 in UTC, as S3 writes `ServerTime`.
fn iso_ms(text: &str) -> Option<i64> {
    let b = text.strip_suffix('Z')?.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let fraction = match &b[19..] {
        [] => &[][..],
        [b'.', digits @ ..] if !digits.is_empty() && digits.len() <= 9 => digits,
        _ => return None,
    };
    let date = (number(&b[0..4])?, number(&b[5..7])?, number(&b[8..10])?);
    let ms = epoch_ms(date, (number(&b[11..13])?, number(&b[14..16])?, number(&b[17..19])?))?;
    Some(ms + fraction_ms(fraction)?)
}

/// `Thu, 01 Jan 2026 00:20:00 GMT` (IMF-fixdate, the `Date` header), with at most 3 digits of fraction.
fn http_date_ms(text: &str) -> Option<i64> {
    let b = text.strip_suffix(" GMT")?.as_bytes();
    if b.len() < 25 || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    let fraction = match &b[25..] {
        [] => &[][..],
        [b'.', digits @ ..] if !digits.is_empty() && digits.len() <= 3 => digits,
        _ => return None,
    };
    const MONTHS: [&[u8]; 12] = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let month = MONTHS.iter().position(|m| *m == &b[8..11])? as i64 + 1;
    let date = (number(&b[12..16])?, month, number(&b[5..7])?);
    let ms = epoch_ms(date, (number(&b[17..19])?, number(&b[20..22])?, number(&b[23..25])?))?;
    Some(ms + fraction_ms(fraction)?)
}

/// ASCII digits as a number.
fn number(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0, |n, d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
}

/// The milliseconds of a decimal fraction of a second (`5` and `500` are both 500 ms).
fn fraction_ms(digits: &[u8]) -> Option<i64> {
    number(digits)?;
    Some(digits.iter().chain(b"000").take(3).fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

/// Epoch milliseconds of a valid UTC date and time of day (year 1–9999), or `None`.
fn epoch_ms((year, month, day): (i64, i64, i64), (hour, minute, second): (i64, i64, i64)) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if year < 1 || !(1..=12).contains(&month) || day < 1 || day > days_in_month[month as usize - 1] || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
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

    #[test]
    fn reads_what_the_smithy_parsers_read() {
        assert_eq!(iso_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(iso_ms("2024-02-29t23:59:59.999999Z"), Some(1_709_251_199_999));
        assert_eq!(iso_ms("2000-03-01T00:00:00.5Z"), Some(951_868_800_500));
        assert_eq!(http_date_ms("Mon, 16 Dec 2019 23:48:18.12 GMT"), Some(1_576_540_098_120));
        assert_eq!(http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
        for bad in ["2023-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:20:00+01:00", "2026-01-01 00:20:00Z", "2026-01-01T00:20:00.Z"] {
            assert_eq!(iso_ms(bad), None, "{bad}");
        }
        for bad in ["Thu, 01 Foo 2026 00:20:00 GMT", "Thu, 01 Jan 2026 00:20:00.1234 GMT", "Thu, 01 Jan 2026 00:20:00 UTC"] {
            assert_eq!(http_date_ms(bad), None, "{bad}");
        }
    }
}
