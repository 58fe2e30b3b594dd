//! Values handed to JS as plain objects (the package's public types are in js/index.d.ts): numbers as numbers,
//! `None` as `null`. Built field by field rather than by serde, for the size of the wasm (bench/SIZE.md).
use super::errors::set_answer;
use crate::core::machine::{UploadResult, UploadState};
use crate::core::notice::{ChecksumNotice, ErrorNotice, PartNotice, WarningNotice};
use crate::core::progress::ProgressSnapshot;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

/// A JS number: every count and size here is far below 2^53.
fn number(n: u64) -> JsValue {
    JsValue::from(n as f64)
}

fn text(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::NULL, JsValue::from)
}

/// `{ name: value, ... }`.
fn object<const N: usize>(fields: [(&str, JsValue); N]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &name.into(), &value);
    }
    object.into()
}

impl ToJs for ProgressSnapshot {
    fn to_js(&self) -> JsValue {
        let maybe = |value: Option<f64>| value.map_or(JsValue::NULL, JsValue::from);
        object([
            ("bytesSent", number(self.bytes_sent)),
            ("bytesConfirmed", number(self.bytes_confirmed)),
            ("totalBytes", number(self.total_bytes)),
            ("speed", maybe(self.speed)),
            ("etaSeconds", maybe(self.eta_seconds)),
        ])
    }
}

impl ToJs for UploadState {
    fn to_js(&self) -> JsValue {
        let state = ("state", JsValue::from(self.name()));
        match self {
            UploadState::Retrying { next_try_at, error_code } => {
                object([state, ("nextTryAt", number(*next_try_at)), ("errorCode", error_code.as_str().into())])
            }
            UploadState::Failed { error_code } => object([state, ("errorCode", error_code.as_str().into())]),
            _ => object([state]),
        }
    }
}

impl ToJs for UploadResult {
    fn to_js(&self) -> JsValue {
        object([
            ("bucket", self.bucket.as_str().into()),
            ("key", self.key.as_str().into()),
            ("etag", self.etag.as_str().into()),
            ("size", number(self.size)),
            ("location", self.location.as_str().into()),
            ("uploadId", text(&self.upload_id)),
            ("checksumAlgorithm", text(&self.checksum_algorithm)),
            ("checksum", text(&self.checksum)),
            ("resumedParts", self.resumed_parts.into()),
            ("alreadyUploaded", self.already_uploaded.into()),
            ("versionId", text(&self.version_id)),
            ("serverSideEncryption", text(&self.server_side_encryption)),
            ("checksumType", text(&self.checksum_type)),
        ])
    }
}

impl ToJs for PartNotice {
    fn to_js(&self) -> JsValue {
        object([
            ("partNumber", self.part_number.into()),
            ("size", number(self.size)),
            ("checksum", text(&self.checksum)),
            ("resumed", self.resumed.into()),
            ("partsDone", self.parts_done.into()),
            ("totalParts", self.total_parts.into()),
        ])
    }
}

impl ToJs for ErrorNotice {
    fn to_js(&self) -> JsValue {
        let event = object([("code", self.code.as_str().into()), ("message", self.message.as_str().into()), ("retryable", self.retryable.into())]);
        set_answer(&event, self.request_id.as_deref(), self.status);
        event
    }
}

impl ToJs for ChecksumNotice {
    fn to_js(&self) -> JsValue {
        object([("status", self.status.into()), ("algorithm", self.algorithm.as_str().into()), ("message", self.message.as_str().into())])
    }
}

impl ToJs for WarningNotice {
    fn to_js(&self) -> JsValue {
        object([("code", self.code.as_str().into()), ("message", self.message.as_str().into())])
    }
}
