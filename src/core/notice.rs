//! What the app hears about an upload besides its progress and state: each part S3 holds, and each failed request.
use crate::core::codes::STORAGE_UNAVAILABLE;
use crate::core::error::UploadError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Part(PartNotice),
    Error(ErrorNotice),
    Checksums(ChecksumNotice),
}

/// A part S3 holds now: just sent, or kept from an earlier unfinished upload (`resumed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartNotice {
    pub part_number: u32,
    pub size: u64,
    /// The part's CRC (base64, of the upload's algorithm); `None` without checksums.
    pub checksum: Option<String>,
    pub resumed: bool,
    pub parts_done: u32,
    pub total_parts: u32,
}

/// A request failed: it is tried again (`retryable`), or the upload has failed with this error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorNotice {
    pub code: String,
    pub message: String,
    pub retryable: bool,
    /// See [`UploadError`]: set when the server answered.
    pub request_id: Option<String>,
    pub status: Option<u16>,
}

impl ErrorNotice {
    pub fn of(err: &UploadError, retryable: bool) -> Self {
        let (code, message) = (err.code.clone(), err.message.clone());
        Self { code, message, retryable, request_id: err.request_id.clone(), status: err.status }
    }
}

/// The checksums did not do what they were asked to: the store refused them (`"disabled"`: the upload started
/// again without them), or took them and reported no matching FULL_OBJECT checksum (`"unverified"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecksumNotice {
    pub status: &'static str,
    pub algorithm: String,
    pub message: String,
}

/// Something the app should know that does not stop the upload (event `warning`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningNotice {
    pub code: String,
    pub message: String,
}

impl WarningNotice {
    /// The browser's storage (IndexedDB) is missing, refused or did not answer: `reason`.
    pub fn storage_unavailable(reason: &str) -> Self {
        Self {
            code: STORAGE_UNAVAILABLE.into(),
            message: format!(
                "this upload cannot be resumed after a reload from this browser's storage ({reason}): it goes on without it; \
                 dropping the same file again still resumes it from the server when the credentials may list multipart uploads"
            ),
        }
    }
}
