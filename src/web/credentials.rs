//! The app's `credentials` callback, asked again before the credentials it gave expire.
use super::callback::{settled, Answered};
use super::errors::describe;
use crate::core::codes::{CREDENTIALS_FAILED, INVALID_CREDENTIALS};
use crate::core::credentials::Credentials;
use crate::core::error::UploadError;
use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

pub struct CredentialSource {
    callback: Function,
    timeout_ms: u64,
    current: RefCell<Option<Credentials>>,
    /// The callback's answer while it is awaited: requests signed meanwhile wait for the same answer.
    pending: RefCell<Option<Promise>>,
}

impl CredentialSource {
    pub fn new(callback: Function, timeout_ms: u64) -> Self {
        Self { callback, timeout_ms, current: RefCell::new(None), pending: RefCell::new(None) }
    }

    /// Credentials good for signing at `now_ms`, from the cache or fresh from the callback.
    pub async fn get(&self, now_ms: u64) -> Answered<Credentials> {
        if let Some(creds) = self.current.borrow().as_ref().filter(|c| !c.needs_refresh(now_ms)) {
            return Answered::Got(creds.clone());
        }
        let pending = self.pending.borrow().clone();
        let promise = match pending {
            Some(promise) => promise,
            None => match self.ask() {
                Ok(promise) => {
                    *self.pending.borrow_mut() = Some(promise.clone());
                    promise
                }
                Err(err) => return Answered::Failed(err),
            },
        };
        let answer = match settled(promise.clone(), self.timeout_ms).await {
            Ok(answer) => answer,
            Err(too_slow) => {
                // The next attempt asks the callback again, unless another request already did.
                let mut pending = self.pending.borrow_mut();
                if pending.as_ref().is_some_and(|p| JsValue::from(p) == JsValue::from(&promise)) {
                    pending.take();
                }
                return Answered::Failed(failed(too_slow.into()));
            }
        };
        self.pending.borrow_mut().take();
        match answer.map_err(failed).map(|value| parse(&value)) {
            Ok(Ok(creds)) => {
                *self.current.borrow_mut() = Some(creds.clone());
                Answered::Got(creds)
            }
            Ok(Err(unusable)) => Answered::Unusable(unusable),
            Err(err) => Answered::Failed(err),
        }
    }

    /// Forgets the current credentials: the server said they have expired.
    pub fn invalidate(&self) {
        self.current.borrow_mut().take();
    }

    fn ask(&self) -> Result<Promise, UploadError> {
        let value = self.callback.call0(&JsValue::UNDEFINED).map_err(failed)?;
        Ok(Promise::resolve(&value))
    }
}

fn failed(e: JsValue) -> UploadError {
    UploadError::new(CREDENTIALS_FAILED, format!("the credentials callback failed: {}", describe(&e)))
}

fn parse(value: &JsValue) -> Result<Credentials, UploadError> {
    let invalid = |what: &str| {
        UploadError::new(
            INVALID_CREDENTIALS,
            format!("the credentials callback must return {{ accessKeyId, secretAccessKey, sessionToken?, expiration? }}: {what}"),
        )
    };
    let field = |name: &str| Reflect::get(value, &name.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let text = |name: &str| field(name).and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let expires_at_ms = match field("expiration") {
        None => None,
        // Date, ISO 8601 text and epoch milliseconds all go through the Date constructor.
        Some(v) => {
            let ms = js_sys::Date::new(&v).get_time();
            if ms.is_nan() {
                return Err(invalid(&format!("expiration {v:?} is not a date")));
            }
            Some(ms.max(0.0) as u64)
        }
    };
    Ok(Credentials {
        access_key_id: text("accessKeyId").ok_or_else(|| invalid("accessKeyId is missing"))?,
        secret_access_key: text("secretAccessKey").ok_or_else(|| invalid("secretAccessKey is missing"))?,
        session_token: text("sessionToken"),
        expires_at_ms,
    })
}
