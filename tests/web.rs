//! The web shell in real headless Chromium (wasm-bindgen-test): options, the credentials callback, and a request
//! that can get no answer, all through the public `Uploader` as JS would use it.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Object, Promise, Reflect};
use resumable_s3::Uploader;
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
    object(&[
        ("endpoint", "http://127.0.0.1:9".into()),
        ("region", "us-east-1".into()),
        ("bucket", "b".into()),
        ("forcePathStyle", true.into()),
        ("credentials", Function::new_no_args(credentials).into()),
    ])
}

fn code(err: &JsValue) -> String {
    Reflect::get(err, &"code".into()).unwrap().as_string().unwrap_or_default()
}

async fn upload_error(credentials: &str, file_len: u32) -> JsValue {
    let uploader = Uploader::new(options(credentials)).unwrap();
    let bytes = js_sys::Uint8Array::new_with_length(file_len);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap();
    let promise: Promise = uploader.upload(blob, object(&[("key", "k".into())]));
    JsFuture::from(promise).await.expect_err("the upload must fail")
}

#[wasm_bindgen_test]
fn bad_options_are_rejected_with_invalid_options() {
    let no_credentials = object(&[("endpoint", "http://x".into()), ("region", "r".into()), ("bucket", "b".into())]);
    let err = Uploader::new(no_credentials).err().expect("credentials are required");
    assert_eq!(code(&err), "InvalidOptions");
    let bad_endpoint = options("return {}");
    Reflect::set(&bad_endpoint, &"endpoint".into(), &"127.0.0.1:3900".into()).unwrap();
    let err = Uploader::new(bad_endpoint).err().expect("an endpoint without scheme is rejected");
    assert!(err.dyn_ref::<js_sys::Error>().unwrap().message().includes("http://", 0));
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
async fn a_throwing_callback_is_credentials_failed() {
    let err = upload_error("throw new Error('backend down')", 10).await;
    assert_eq!(code(&err), "CredentialsFailed");
    assert!(err.dyn_ref::<js_sys::Error>().unwrap().message().includes("backend down", 0));
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_a_network_error_not_a_hang() {
    let creds = "return { accessKeyId: 'AK', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(Date.now() + 3600e3) }";
    let err = upload_error(creds, 10).await;
    assert_eq!(code(&err), "NetworkError");
    assert!(err.dyn_ref::<js_sys::Error>().unwrap().message().includes("CORS", 0));
}

#[wasm_bindgen_test]
async fn cancel_before_the_server_answers_rejects_with_cancelled() {
    let creds = "return new Promise(() => {})"; // the backend never answers: nothing reaches the server
    let uploader = Uploader::new(options(creds)).unwrap();
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&js_sys::Uint8Array::new_with_length(10))).unwrap();
    let handle = uploader.start(blob, object(&[("key", "k".into())]));
    handle.cancel();
    let err = JsFuture::from(handle.done()).await.expect_err("cancelled");
    assert_eq!(code(&err), "Cancelled");
}
