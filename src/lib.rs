//! resumable-s3: multipart uploads from the browser straight to S3.
//!
//! `core` is plain Rust (S3 protocol, signing, part planning, the upload state machine): no web APIs, tested natively.
//! `web` is the thin wasm shell: JS API, fetch/XHR, Blob slicing, clocks and JS callbacks feed events into the core.
pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::{Engine, EngineUpload};
