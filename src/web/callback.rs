//! What asking one of the app's callbacks (`credentials`, `sign`) gave, and how long it may take.
use crate::core::error::UploadError;
use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use std::pin::pin;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// How long the `credentials` or `sign` callback may take to settle by default (`callbackTimeoutMs`).
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// The callback's `promise`, if it settles within `timeout_ms`; `Err` says it did not: a callback that never
/// answers counts as one that failed, so the upload retries it and never hangs.
pub async fn settled(promise: Promise, timeout_ms: u64) -> Result<Result<JsValue, JsValue>, String> {
    let answer = pin!(JsFuture::from(promise));
    let timer = pin!(TimeoutFuture::new(timeout_ms.min(u32::MAX as u64) as u32));
    match select(answer, timer).await {
        Either::Left((answer, _)) => Ok(answer),
        Either::Right(_) => Err(format!("it did not answer within {timeout_ms} ms (callbackTimeoutMs)")),
    }
}

pub enum Answered<T> {
    Got(T),
    /// The callback threw or rejected: retried like the network (its backend may be as unreachable as the store).
    Failed(UploadError),
    /// It answered something that can never work: the upload fails.
    Unusable(UploadError),
}
