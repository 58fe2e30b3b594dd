//! Who signs the requests: the library with temporary credentials from the app's `credentials` callback, or the
//! app's backend through its `sign` callback (backend-signed mode: the browser never holds a secret).
use super::credentials::CredentialSource;
use super::errors::describe;
use crate::core::error::UploadError;
use crate::core::s3::{sign::sign, Request};
use js_sys::{Function, Object, Promise, Reflect};
use std::time::{Duration, UNIX_EPOCH};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub enum Signer {
    Credentials(CredentialSource),
    Backend(Function),
}

/// A signature to be made for one request.
pub struct SigningTime {
    /// The browser's clock corrected by what the server said about it.
    pub signing_ms: u64,
    /// The server said the last credentials have expired.
    pub refresh: bool,
}

/// How signing ended: `Err` means the callback failed (retried: its backend may be unreachable as well);
/// `Ok(Err)` is an answer that can never work (fails the upload).
pub type Signed = Result<Result<Option<u64>, UploadError>, UploadError>;

impl Signer {
    /// Signs `request` in place; on success, when the credentials used expire (epoch ms), if known.
    pub async fn sign(&self, request: &mut Request, region: &str, time: SigningTime) -> Signed {
        match self {
            Signer::Credentials(source) => {
                if time.refresh {
                    source.invalidate();
                }
                let creds = match source.get(time.signing_ms).await? {
                    Ok(creds) => creds,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                let at = UNIX_EPOCH + Duration::from_millis(time.signing_ms);
                Ok(sign(request, region, &creds, at)
                    .map(|()| creds.expires_at_ms)
                    .map_err(|e| UploadError::new("SigningFailed", format!("could not sign the request: {e}"))))
            }
            Signer::Backend(callback) => Ok(backend_sign(callback, request).await?.map(|()| None)),
        }
    }
}

const SIGN_FAILED: &str = "SigningFailed";

/// Hands `{ method, url, headers }` to the app's `sign` callback and sends what it returns: `{ headers, url? }`.
async fn backend_sign(callback: &Function, request: &mut Request) -> Result<Result<(), UploadError>, UploadError> {
    let failed = |e: JsValue| UploadError::new(SIGN_FAILED, format!("the sign callback failed: {}", describe(&e)));
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
    let answer = callback.call1(&JsValue::UNDEFINED, &unsigned).map_err(failed)?;
    let signed = JsFuture::from(Promise::resolve(&answer)).await.map_err(failed)?;
    let invalid = |what: &str| UploadError::new(SIGN_FAILED, format!("the sign callback must return {{ headers, url? }}: {what}"));
    let Some(headers) = Reflect::get(&signed, &"headers".into()).ok().filter(|h| h.is_object()) else {
        return Ok(Err(invalid("headers is missing")));
    };
    let mut signed_headers = vec![];
    for entry in Object::entries(headers.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(value)) => signed_headers.push((name.to_ascii_lowercase(), value)),
            (name, _) => return Ok(Err(invalid(&format!("header {name:?} is not a string")))),
        }
    }
    // The browser sets Host itself and refuses to send it.
    signed_headers.retain(|(name, _)| name != "host");
    request.headers = signed_headers;
    if let Some(url) = Reflect::get(&signed, &"url".into()).ok().and_then(|u| u.as_string()) {
        request.url = url;
    }
    Ok(Ok(()))
}
