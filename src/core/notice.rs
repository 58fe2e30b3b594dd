//! What the app hears about an upload besides its progress and state: each part S3 holds, and each failed request.
use crate::core::error::UploadError;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Part(PartNotice),
    Error(ErrorNotice),
    Checksums(ChecksumNotice),
}

/// A part S3 holds now: just sent, or kept from an earlier unfinished upload (`resumed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorNotice {
    pub code: String,
    pub message: String,
    pub retryable: bool,
    /// See [`UploadError`]: set when the server answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChecksumNotice {
    pub status: &'static str,
    pub algorithm: String,
    pub message: String,
}
