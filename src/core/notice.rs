//! What the app hears about an upload besides its progress and state: each part S3 holds, and each failed request.
use crate::core::error::UploadError;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Part(PartNotice),
    Error(ErrorNotice),
}

/// A part S3 holds now: just sent, or kept from an earlier unfinished upload (`resumed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartNotice {
    pub part_number: u32,
    pub size: u64,
    /// CRC-64/NVME (base64) of the part; `None` without checksums.
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
