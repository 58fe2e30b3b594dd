//! Temporary credentials from the app's backend, and when to ask for fresh ones.

/// What the app's `credentials` callback returns. Never stored anywhere but memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Milliseconds since the Unix epoch; `None` for credentials that do not expire.
    pub expires_at_ms: Option<u64>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).field("expires_at_ms", &self.expires_at_ms).finish_non_exhaustive()
    }
}

/// Ask again this long before `expiration`, so that no request is signed with credentials about to lapse
/// (a part at KB/s takes minutes; S3 checks the credentials when the request starts).
pub const REFRESH_MARGIN_MS: u64 = 5 * 60 * 1000;

impl Credentials {
    /// True when these credentials should be replaced before signing at `now_ms`.
    pub fn needs_refresh(&self, now_ms: u64) -> bool {
        self.expires_at_ms.is_some_and(|exp| now_ms + REFRESH_MARGIN_MS >= exp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expires_at_ms: Option<u64>) -> Credentials {
        Credentials { access_key_id: "AK".into(), secret_access_key: "secret".into(), session_token: None, expires_at_ms }
    }

    #[test]
    fn refreshes_a_margin_before_expiry() {
        let c = creds(Some(1_000_000_000));
        assert!(!c.needs_refresh(1_000_000_000 - REFRESH_MARGIN_MS - 1));
        assert!(c.needs_refresh(1_000_000_000 - REFRESH_MARGIN_MS));
        assert!(!creds(None).needs_refresh(u64::MAX / 2));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut c = creds(None);
        c.session_token = Some("token-value".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret") && !shown.contains("token-value"), "{shown}");
    }
}
