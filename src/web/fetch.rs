//! Small requests (create, complete, list, head, abort) with `fetch`.
use super::errors::{describe, refused, Sent};
use crate::core::machine::TransportError;
use crate::core::s3::{Body, Request, Response};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, RequestMode};

/// `fetch` of the page or of the worker this runs in.
fn global_fetch(request: &web_sys::Request) -> Promise {
    let global = js_sys::global();
    match global.dyn_ref::<web_sys::Window>() {
        Some(window) => window.fetch_with_request(request),
        None => global.unchecked_into::<web_sys::WorkerGlobalScope>().fetch_with_request(request),
    }
}

/// True when `url` answers at all. An unsigned `no-cors` HEAD: it needs neither CORS nor credentials, and the
/// browser rejects it only when no answer came (offline, DNS, refused).
pub async fn reachable(url: &str) -> bool {
    let init = RequestInit::new();
    init.set_method("HEAD");
    init.set_mode(RequestMode::NoCors);
    let Ok(request) = web_sys::Request::new_with_str_and_init(url, &init) else { return false };
    JsFuture::from(global_fetch(&request)).await.is_ok()
}

/// `on_headers` is called when the answer's headers have arrived, before its body is read.
pub async fn send(req: &Request, on_headers: impl FnOnce()) -> Sent {
    let headers = Headers::new().map_err(|e| refused(&e))?;
    for (name, value) in &req.headers {
        headers.append(name, value).map_err(|e| refused(&e))?;
    }
    let init = RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    match &req.body {
        Body::Xml(xml) => init.set_body(&JsValue::from_str(xml)),
        Body::Empty => {}
        Body::FileRange { .. } => return Ok(Err("file bodies go through XHR".into())),
    }
    let request = web_sys::Request::new_with_str_and_init(&req.url, &init).map_err(|e| refused(&e))?;
    Ok(answer(&request, on_headers).await)
}

/// Sends `request`; `Err` when no answer could be read.
async fn answer(request: &web_sys::Request, on_headers: impl FnOnce()) -> Result<Response, TransportError> {
    let resp: web_sys::Response = JsFuture::from(global_fetch(request)).await.map_err(|e| describe(&e))?.unchecked_into();
    on_headers();
    let mut response_headers = vec![];
    for entry in js_sys::try_iter(&resp.headers()).ok().flatten().into_iter().flatten().flatten() {
        let pair: js_sys::Array = entry.unchecked_into();
        response_headers.push((pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_string().unwrap_or_default()));
    }
    let text = resp.text().map_err(|e| describe(&e))?;
    let body = JsFuture::from(text).await.map_err(|e| describe(&e))?.as_string().unwrap_or_default();
    Ok(Response { status: resp.status(), headers: response_headers, body })
}
