//! Who signs the requests: the library with temporary credentials from the app's `credentials` callback, or the
//! app's backend through its `sign` callback (backend-signed mode: the browser never holds a secret).
use super::callback::{settled, Answered};
use super::credentials::CredentialSource;
use super::errors::describe;
use crate::core::codes::SIGNING_FAILED;
use crate::core::error::UploadError;
use crate::core::s3::{sign::sign, Request};
use js_sys::{Function, Object, Promise, Reflect};
use std::time::{Duration, UNIX_EPOCH};
use wasm_bindgen::prelude::*;

pub enum Signer {
    Credentials(CredentialSource),
    /// The `sign` callback, and how long it may take.
    Backend(Function, u64),
}

/// A signature to be made for one request.
pub struct SigningTime {
    /// The browser's clock corrected by what the server said about it.
    pub signing_ms: u64,
    /// The server said the last credentials have expired.
    pub refresh: bool,
}

impl Signer {
    /// Signs `request` in place; it then says when the credentials used expire (epoch ms), if known.
    pub async fn sign(&self, request: &mut Request, region: &str, time: SigningTime) -> Answered<Option<u64>> {
        match self {
            Signer::Credentials(source) => {
                if time.refresh {
                    source.invalidate();
                }
                let creds = match source.get(time.signing_ms).await {
                    Answered::Got(creds) => creds,
                    Answered::Failed(err) => return Answered::Failed(err),
                    Answered::Unusable(err) => return Answered::Unusable(err),
                };
                let at = UNIX_EPOCH + Duration::from_millis(time.signing_ms);
                match sign(request, region, &creds, at) {
                    Ok(()) => Answered::Got(creds.expires_at_ms),
                    Err(e) => Answered::Unusable(UploadError::new(SIGNING_FAILED, format!("could not sign the request: {e}"))),
                }
            }
            Signer::Backend(callback, timeout_ms) => backend_sign(callback, *timeout_ms, request).await,
        }
    }
}

/// Hands `{ method, url, headers }` to the app's `sign` callback and sends what it returns: `{ headers, url? }`.
async fn backend_sign(callback: &Function, timeout_ms: u64, request: &mut Request) -> Answered<Option<u64>> {
    let failed = |e: JsValue| UploadError::new(SIGNING_FAILED, format!("the sign callback failed: {}", describe(&e)));
    // The backend cannot hash a body it does not see; S3 accepts unsigned payloads on every action.
    request.headers.push(("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into()));
    let headers = Object::new();
    for (name, value) in &request.headers {
        let _ = Reflect::set(&headers, &name.to_ascii_lowercase().into(), &value.into());
    }
    let unsigned = Object::new();
    for (name, value) in [("method", JsValue::from(request.method.as_str())), ("url", request.url.as_str().into()), ("headers", headers.into())] {
        let _ = Reflect::set(&unsigned, &name.into(), &value);
    }
    let answer = match callback.call1(&JsValue::UNDEFINED, &unsigned) {
        Ok(answer) => answer,
        Err(e) => return Answered::Failed(failed(e)),
    };
    let signed = match settled(Promise::resolve(&answer), timeout_ms).await {
        Ok(Ok(signed)) => signed,
        Ok(Err(e)) => return Answered::Failed(failed(e)),
        Err(too_slow) => return Answered::Failed(failed(too_slow.into())),
    };
    let invalid =
        |what: &str| Answered::Unusable(UploadError::new(SIGNING_FAILED, format!("the sign callback must return {{ headers, url? }}: {what}")));
    let Some(headers) = Reflect::get(&signed, &"headers".into()).ok().filter(|h| h.is_object()) else {
        return invalid("headers is missing");
    };
    let mut signed_headers = vec![];
    for entry in Object::entries(headers.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(value)) => signed_headers.push((name.to_ascii_lowercase(), value)),
            (name, _) => return invalid(&format!("header {name:?} is not a string")),
        }
    }
    // The browser sets Host itself and refuses to send it.
    signed_headers.retain(|(name, _)| name != "host");
    request.headers = signed_headers;
    if let Some(url) = Reflect::get(&signed, &"url".into()).ok().and_then(|u| u.as_string()) {
        request.url = url;
    }
    // The backend's signature does not say when it stops being valid.
    Answered::Got(None)
}
