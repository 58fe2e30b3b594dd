//! Whether the browser is online: `navigator.onLine`, read on every turn of the upload loop, plus the
//! `online`/`offline` events to wake the loop at once when it changes.
use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::EventTarget;

pub fn is_online() -> bool {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    // Where there is no navigator.onLine, assume online and let failures speak.
    Reflect::get(&navigator, &"onLine".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true)
}

/// Listens to `online`/`offline` on the page or worker for as long as it lives.
pub struct NetworkWatch {
    listener: Closure<dyn FnMut()>,
    /// Resolves the promise `changed` handed out last.
    waiting: Rc<RefCell<Option<Function>>>,
}

impl NetworkWatch {
    pub fn new() -> Self {
        let waiting: Rc<RefCell<Option<Function>>> = Rc::default();
        let wake = waiting.clone();
        let listener = Closure::<dyn FnMut()>::new(move || {
            if let Some(resolve) = wake.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
        let target: EventTarget = js_sys::global().unchecked_into();
        for event in ["online", "offline"] {
            let _ = target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        Self { listener, waiting }
    }

    /// Resolves at the next `online` or `offline` event.
    pub async fn changed(&self) {
        let promise = Promise::new(&mut |resolve, _| *self.waiting.borrow_mut() = Some(resolve));
        let _ = JsFuture::from(promise).await;
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        let target: EventTarget = js_sys::global().unchecked_into();
        for event in ["online", "offline"] {
            let _ = target.remove_event_listener_with_callback(event, self.listener.as_ref().unchecked_ref());
        }
    }
}
