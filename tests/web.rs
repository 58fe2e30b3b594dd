//! The web shell in real headless Chromium (wasm-bindgen-test): options, the credentials and sign callbacks, events,
//! and a request that can get no answer, all through the wasm `Engine` as the package's JS layer uses it.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Object, Promise, Reflect};
use resumable_s3::Engine;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (name, value) in fields {
        Reflect::set(&obj, &(*name).into(), value).unwrap();
    }
    obj.into()
}

/// Port 9 (discard) is closed on 127.0.0.1: requests there fail at once.
fn options(credentials: &str) -> JsValue {
    with_callback("credentials", Function::new_no_args(credentials))
}

fn with_callback(name: &str, callback: Function) -> JsValue {
    object(&[
        ("endpoint", "http://127.0.0.1:9".into()),
        ("region", "us-east-1".into()),
        ("bucket", "b".into()),
        ("forcePathStyle", true.into()),
        (name, callback.into()),
    ])
}

fn blob(len: u32) -> web_sys::Blob {
    web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&js_sys::Uint8Array::new_with_length(len))).unwrap()
}

/// An `emit` that keeps every event as `[type, event]` in `events`.
fn recorder(events: &js_sys::Array) -> Function {
    let record = Function::new_with_args("events, type, event", "events.push([type, event])");
    record.bind1(&JsValue::UNDEFINED, events).unchecked_into()
}

fn code(err: &JsValue) -> String {
    Reflect::get(err, &"code".into()).unwrap().as_string().unwrap_or_default()
}

async fn upload_error(credentials: &str, file_len: u32) -> JsValue {
    upload_error_with(options(credentials), file_len, &js_sys::Array::new()).await
}

async fn upload_error_with(options: JsValue, file_len: u32, events: &js_sys::Array) -> JsValue {
    let engine = Engine::new(options).unwrap();
    let promise: Promise = engine.start(blob(file_len), object(&[("key", "k".into())]), recorder(events)).done();
    JsFuture::from(promise).await.expect_err("the upload must fail")
}

fn message(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>().unwrap().message().into()
}

#[wasm_bindgen_test]
async fn credentials_without_a_secret_are_invalid() {
    let err = upload_error("return Promise.resolve({ accessKeyId: 'AK' })", 10).await;
    assert_eq!(code(&err), "InvalidCredentials");
    assert_eq!(Reflect::get(&err, &"name".into()).unwrap(), "UploadError");
}

#[wasm_bindgen_test]
async fn a_bad_expiration_is_invalid() {
    let err = upload_error("return { accessKeyId: 'AK', secretAccessKey: 'S', expiration: 'next tuesday' }", 10).await;
    assert_eq!(code(&err), "InvalidCredentials");
}

#[wasm_bindgen_test]
async fn a_throwing_callback_is_retried_then_credentials_failed_with_error_events() {
    let events = js_sys::Array::new();
    let err = upload_error_with(options("throw new Error('backend down')"), 10, &events).await;
    assert_eq!(code(&err), "CredentialsFailed");
    assert!(message(&err).contains("backend down"));
    let errors: Vec<(String, bool)> = events
        .iter()
        .map(|e| js_sys::Array::from(&e))
        .filter(|e| e.get(0) == "error")
        .map(|e| (code(&e.get(1)), Reflect::get(&e.get(1), &"retryable".into()).unwrap().as_bool().unwrap()))
        .collect();
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[..4].iter().all(|(c, retryable)| c == "CredentialsFailed" && *retryable), "{errors:?}");
    assert_eq!(errors[4], ("CredentialsFailed".to_string(), false));
}

#[wasm_bindgen_test]
async fn backend_signed_requests_carry_the_headers_the_sign_callback_returns() {
    // The sign callback sees the unsigned request and answers with headers; the store is unreachable.
    let seen = js_sys::Array::new();
    let sign = Function::new_with_args(
        "seen, request",
        "seen.push(request); return { headers: { ...request.headers, authorization: 'AWS4-HMAC-SHA256 from-backend' } }",
    )
    .bind1(&JsValue::UNDEFINED, &seen)
    .unchecked_into();
    let err = upload_error_with(with_callback("sign", sign), 10, &js_sys::Array::new()).await;
    assert_eq!(code(&err), "NetworkError");
    let first = seen.get(0);
    assert_eq!(Reflect::get(&first, &"method".into()).unwrap(), "GET", "ListMultipartUploads looks for an upload to resume");
    let url = Reflect::get(&first, &"url".into()).unwrap().as_string().unwrap();
    assert!(url.starts_with("http://127.0.0.1:9/b/?") && url.contains("uploads"), "{url}");
    let headers = Reflect::get(&first, &"headers".into()).unwrap();
    assert_eq!(Reflect::get(&headers, &"x-amz-content-sha256".into()).unwrap(), "UNSIGNED-PAYLOAD");
    assert!(Reflect::get(&headers, &"authorization".into()).unwrap().is_undefined(), "the library signs nothing");
}

#[wasm_bindgen_test]
async fn a_sign_callback_without_headers_fails_at_once_with_signing_failed() {
    let sign = Function::new_no_args("return { url: 'http://127.0.0.1:9/b/k' }");
    let events = js_sys::Array::new();
    let err = upload_error_with(with_callback("sign", sign), 10, &events).await;
    assert_eq!(code(&err), "SigningFailed");
    assert!(message(&err).contains("headers is missing"), "{}", message(&err));
    let last = js_sys::Array::from(&events.get(events.length() - 1));
    assert_eq!(last.get(0), "state");
    assert_eq!(Reflect::get(&last.get(1), &"state".into()).unwrap(), "failed", "the app hears it failed");
    let told = events.iter().map(|e| js_sys::Array::from(&e)).find(|e| e.get(0) == "error").expect("an error event");
    assert_eq!(Reflect::get(&told.get(1), &"retryable".into()).unwrap(), false);
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_a_network_error_not_a_hang() {
    let creds = "return { accessKeyId: 'AK', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(Date.now() + 3600e3) }";
    let events = js_sys::Array::new();
    let err = upload_error_with(options(creds), 10, &events).await;
    assert_eq!(code(&err), "NetworkError");
    assert!(message(&err).contains("CORS"));
    let states: Vec<JsValue> = events.iter().map(|e| js_sys::Array::from(&e)).filter(|e| e.get(0) == "state").map(|e| e.get(1)).collect();
    let last = Reflect::get(states.last().unwrap(), &"state".into()).unwrap();
    assert_eq!(last, "failed", "the last state event says failed");
}

#[wasm_bindgen_test]
async fn cancel_before_the_server_answers_rejects_with_cancelled() {
    let creds = "return new Promise(() => {})"; // the backend never answers: nothing reaches the server
    let engine = Engine::new(options(creds)).unwrap();
    let handle = engine.start(blob(10), object(&[("key", "k".into())]), recorder(&js_sys::Array::new()));
    handle.cancel();
    let err = JsFuture::from(handle.done()).await.expect_err("cancelled");
    assert_eq!(code(&err), "Cancelled");
}
