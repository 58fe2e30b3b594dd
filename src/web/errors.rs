//! Errors as JS sees them: an `Error` named `UploadError` with a stable `code`.
use crate::core::error::UploadError;
use wasm_bindgen::prelude::*;

pub fn to_js_error(err: &UploadError) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name("UploadError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &err.code.as_str().into());
    if let Some(request_id) = &err.request_id {
        let _ = js_sys::Reflect::set(&js, &"requestId".into(), &request_id.as_str().into());
    }
    if let Some(status) = err.status {
        let _ = js_sys::Reflect::set(&js, &"status".into(), &status.into());
    }
    js.into()
}

/// The text of whatever JS threw or rejected with.
pub fn describe(value: &JsValue) -> String {
    value.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| value.as_string()).unwrap_or_else(|| format!("{value:?}"))
}
