//! Errors as JS sees them: an `Error` named `UploadError` with a stable `code`.
use crate::core::codes::BROWSER_REFUSED;
use crate::core::error::UploadError;
use crate::core::machine::TransportError;
use crate::core::s3::Response;
use wasm_bindgen::prelude::*;

pub fn to_js_error(err: &UploadError) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name("UploadError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &err.code.as_str().into());
    set_answer(&js, err.request_id.as_deref(), err.status);
    js.into()
}

/// `requestId` and `status` on `target`, each only when the server gave it.
pub fn set_answer(target: &JsValue, request_id: Option<&str>, status: Option<u16>) {
    if let Some(request_id) = request_id {
        let _ = js_sys::Reflect::set(target, &"requestId".into(), &request_id.into());
    }
    if let Some(status) = status {
        let _ = js_sys::Reflect::set(target, &"status".into(), &status.into());
    }
}

/// How handing a request to the browser went: `Ok` with its answer or the transport's failure (retried as the
/// network), `Err` when the browser refused to send it at all (retrying cannot help).
pub type Sent = Result<Result<Response, TransportError>, UploadError>;

/// The browser threw while a request was built or handed to it.
pub fn refused(e: &JsValue) -> UploadError {
    UploadError::new(
        BROWSER_REFUSED,
        format!("the browser refused to send a request ({}): check the values that go into requests (contentType, key, endpoint)", describe(e)),
    )
}

/// The text of whatever JS threw or rejected with.
pub fn describe(value: &JsValue) -> String {
    value.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| value.as_string()).unwrap_or_else(|| format!("{value:?}"))
}
