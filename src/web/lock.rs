//! One upload of a file to an object at a time across this origin's tabs and workers (Web Locks API): a second
//! tab waits, then finds the object done (or the upload to resume) instead of sending the same bytes alongside.
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The lock, held until this is dropped (the tab closing releases it too).
pub struct Held {
    release: Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// Waits for the lock `name`. `None` where there is no Web Locks API (insecure pages, old browsers): the upload
/// goes ahead unguarded. Dropping the future before the lock is granted gives it back as soon as it is.
pub async fn acquire(name: &str) -> Option<Held> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok().filter(|l| l.is_object())?;
    let request: Function = Reflect::get(&locks, &"request".into()).ok()?.dyn_into().ok()?;
    let mut release = None;
    // The lock lasts as long as the promise the callback returns is pending.
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let guard = Held { release: release? };
    let mut grant = None;
    let granted = Promise::new(&mut |resolve, _| grant = Some(resolve));
    let grant = grant?;
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = grant.call0(&JsValue::UNDEFINED);
        held.into()
    });
    request.call2(&locks, &name.into(), &callback).ok()?;
    JsFuture::from(granted).await.ok()?;
    Some(guard)
}
