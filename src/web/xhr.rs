//! Part uploads with XMLHttpRequest: unlike fetch it reports upload progress in bytes while a part is on the wire.
use super::errors::{describe, refused, Sent};
use crate::core::machine::TransportError;
use crate::core::s3::{Request, Response};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

/// Aborts the request when its future is dropped (the upload failed or was given up), so no part keeps sending.
struct InFlight {
    xhr: XmlHttpRequest,
    _on_progress: Closure<dyn FnMut(ProgressEvent)>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(upload) = self.xhr.upload() {
            upload.set_onprogress(None);
        }
        // A no-op once the request is done.
        let _ = self.xhr.abort();
    }
}

pub async fn send(req: &Request, body: &Blob, mut on_progress: impl FnMut(u64) + 'static) -> Sent {
    let xhr = XmlHttpRequest::new().map_err(|e| refused(&e))?;
    xhr.open_with_async(req.method.as_str(), &req.url, true).map_err(|e| refused(&e))?;
    for (name, value) in &req.headers {
        xhr.set_request_header(name, value).map_err(|e| refused(&e))?;
    }
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| on_progress(e.loaded() as u64));
    xhr.upload().map_err(|e| refused(&e))?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    // `loadend` follows load, error, abort and timeout alike: one place to learn how it ended.
    let ended = Promise::new(&mut |resolve, _reject| xhr.set_onloadend(Some(&resolve)));
    let in_flight = InFlight { xhr, _on_progress: on_progress };
    in_flight.xhr.send_with_opt_blob(Some(body)).map_err(|e| refused(&e))?;
    Ok(answer(&in_flight, ended).await)
}

/// Waits for the request to end; `Err` when no answer could be read.
async fn answer(in_flight: &InFlight, ended: Promise) -> Result<Response, TransportError> {
    JsFuture::from(ended).await.map_err(|e| describe(&e))?;
    let xhr = &in_flight.xhr;
    let status = xhr.status().map_err(|e| describe(&e))?;
    if status == 0 {
        return Err("the request failed before any answer (network down, CORS refused, or aborted)".into());
    }
    let headers = xhr.get_all_response_headers().map_err(|e| describe(&e))?;
    Ok(Response { status, headers: parse_headers(&headers), body: xhr.response_text().ok().flatten().unwrap_or_default() })
}

/// `getAllResponseHeaders()` text: `name: value` lines (only the headers CORS exposes).
fn parse_headers(text: &str) -> Vec<(String, String)> {
    text.lines().filter_map(|line| line.split_once(':')).map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string())).collect()
}
