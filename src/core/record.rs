//! What is remembered of an unfinished upload so that re-dropping the file continues it. Never a credential:
//! anyone who can read the browser's storage learns which upload to resume, nothing that grants access.

/// Records older than this are dropped: S3 lifecycle rules usually abort uploads older than a few days anyway.
pub const DEFAULT_MAX_AGE_MS: u64 = 7 * 24 * 3600 * 1000;

/// Stored as a JS object of camelCase fields (serde-wasm-bindgen in the web shell's store).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRecord {
    /// [`crate::core::fingerprint::record_id`]: this file going to this object.
    pub id: String,
    pub upload_id: String,
    /// The part size it was started with: the same file continues with it.
    pub part_size: u64,
    /// The checksum the upload was created with (`None`: none): an upload of another kind is not continued.
    pub checksum_algorithm: Option<String>,
    /// [`crate::core::object_options::ObjectOptions::fingerprint`] of what the upload was created with (metadata,
    /// encryption, tags…): an upload made with other options is not continued. Never the SSE-C key itself.
    pub options_hash: Option<String>,
    pub created_at_ms: u64,
}

impl UploadRecord {
    pub fn expired(&self, now_ms: u64, max_age_ms: u64) -> bool {
        now_ms.saturating_sub(self.created_at_ms) > max_age_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_after_the_max_age() {
        let record =
            UploadRecord { id: "i".into(), upload_id: "u".into(), part_size: 1, checksum_algorithm: None, options_hash: None, created_at_ms: 1_000 };
        assert!(!record.expired(1_000 + DEFAULT_MAX_AGE_MS, DEFAULT_MAX_AGE_MS));
        assert!(record.expired(1_001 + DEFAULT_MAX_AGE_MS, DEFAULT_MAX_AGE_MS));
    }
}
