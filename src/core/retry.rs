//! What a failed request means for the upload, and how long to wait before trying it again.
use crate::core::codes::{AUTHORIZATION_HEADER_MALFORMED, CORS_ETAG_HIDDEN, DIGEST_MISMATCH, OBJECT_EXISTS, OPERATION_ABORTED};
use crate::core::s3::S3Error;

/// How a failure is handled: everything but `Fatal` is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// No answer at all (offline, connection reset, DNS): retried for as long as the upload lives.
    Network,
    /// 503 SlowDown / 429: retried, and fewer requests are sent at once for a while.
    Throttled,
    /// 500/502/503/504, RequestTimeout, InternalError: retried within a budget.
    Server,
    /// ExpiredToken, InvalidToken: ask the credentials callback again, then retry (does not spend the budget).
    CredentialsExpired,
    /// RequestTimeTooSkewed: correct the clock offset, then retry.
    ClockSkew,
    /// AuthorizationHeaderMalformed: signed for another region than the bucket's; sign for the one S3 names, then retry.
    WrongRegion,
    /// Retrying cannot help: stop and tell the user what to fix.
    Fatal,
}

/// Classifies an S3 error answer. `maybe_expired` says whether the credentials used may have expired (then an
/// AccessDenied may be about expiry, which some stores report that way, and so may a bare 400: HEAD answers have
/// no body to say ExpiredToken in).
pub fn classify(err: &S3Error, maybe_expired: bool) -> ErrorClass {
    match err.code.as_str() {
        "SlowDown" | "TooManyRequests" | "Throttling" | "ThrottlingException" => ErrorClass::Throttled,
        "ExpiredToken" | "InvalidToken" | "TokenRefreshRequired" => ErrorClass::CredentialsExpired,
        "AccessDenied" | "InvalidAccessKeyId" if maybe_expired => ErrorClass::CredentialsExpired,
        "BadRequest" if maybe_expired && err.message.is_empty() => ErrorClass::CredentialsExpired,
        "RequestTimeTooSkewed" => ErrorClass::ClockSkew,
        AUTHORIZATION_HEADER_MALFORMED => ErrorClass::WrongRegion,
        // OperationAborted (409): another operation on the object was in progress.
        "RequestTimeout" | "InternalError" | "ServiceUnavailable" | OPERATION_ABORTED => ErrorClass::Server,
        // The bytes S3 got do not match the checksum: damaged on the way, so sending them again helps.
        code if DIGEST_MISMATCH.contains(&code) => ErrorClass::Server,
        // A conditional PutObject that raced another write of the key: S3 asks for the request again.
        "ConditionalRequestConflict" => ErrorClass::Server,
        CORS_ETAG_HIDDEN | OBJECT_EXISTS => ErrorClass::Fatal,
        _ => match err.status {
            429 => ErrorClass::Throttled,
            500 | 502 | 503 | 504 => ErrorClass::Server,
            _ => ErrorClass::Fatal,
        },
    }
}

/// Exponential backoff with full jitter: the n-th retry waits a random time in `[0, min(cap, base · 2ⁿ))`,
/// which spreads retries of many clients (and of many parts) instead of bunching them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub base_ms: u64,
    pub cap_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base_ms: 500, cap_ms: 30_000 }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0 for the first retry); `random` is uniform in `[0, 1)`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> u64 {
        let ceiling = self.base_ms.saturating_mul(1u64 << attempt.min(32)).min(self.cap_ms);
        (ceiling as f64 * random.clamp(0.0, 1.0)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(status: u16, code: &str) -> S3Error {
        S3Error { status, code: code.into(), message: String::new(), request_id: None, server_time: None }
    }

    #[test]
    fn classifies_s3_errors() {
        assert_eq!(classify(&s3(503, "SlowDown"), false), ErrorClass::Throttled);
        assert_eq!(classify(&s3(429, "Whatever"), false), ErrorClass::Throttled);
        assert_eq!(classify(&s3(500, "InternalError"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(502, "BadGateway"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(400, "RequestTimeout"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(400, "ExpiredToken"), false), ErrorClass::CredentialsExpired);
        assert_eq!(classify(&s3(403, "RequestTimeTooSkewed"), false), ErrorClass::ClockSkew);
        assert_eq!(classify(&s3(400, "BadDigest"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(400, "InvalidDigest"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(409, "OperationAborted"), false), ErrorClass::Server);
        assert_eq!(classify(&s3(200, "MalformedResponse"), false), ErrorClass::Fatal);
        assert_eq!(classify(&s3(400, "AuthorizationHeaderMalformed"), false), ErrorClass::WrongRegion);
        assert_eq!(classify(&s3(404, "NoSuchBucket"), false), ErrorClass::Fatal);
        assert_eq!(classify(&s3(404, "NoSuchUpload"), false), ErrorClass::Fatal);
        assert_eq!(classify(&s3(403, "SignatureDoesNotMatch"), false), ErrorClass::Fatal);
        assert_eq!(classify(&s3(200, CORS_ETAG_HIDDEN), false), ErrorClass::Fatal);
    }

    #[test]
    fn access_denied_means_expiry_only_when_the_credentials_may_have_expired() {
        assert_eq!(classify(&s3(403, "AccessDenied"), false), ErrorClass::Fatal);
        assert_eq!(classify(&s3(403, "AccessDenied"), true), ErrorClass::CredentialsExpired);
        assert_eq!(classify(&s3(400, "BadRequest"), true), ErrorClass::CredentialsExpired, "a HEAD's bare 400");
        assert_eq!(classify(&s3(400, "BadRequest"), false), ErrorClass::Fatal);
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap_with_full_jitter() {
        let b = Backoff { base_ms: 500, cap_ms: 30_000 };
        assert_eq!(b.delay_ms(0, 0.999_999), 499);
        assert_eq!(b.delay_ms(3, 0.5), 2_000);
        assert_eq!(b.delay_ms(10, 0.5), 15_000, "capped at 30 s");
        assert_eq!(b.delay_ms(200, 0.5), 15_000, "no overflow for huge attempt counts");
        assert_eq!(b.delay_ms(5, 0.0), 0);
    }
}
