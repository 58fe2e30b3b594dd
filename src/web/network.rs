//! Whether the browser is online: `navigator.onLine`, read on every turn of the upload loop, plus the
//! `online`/`offline` events to wake the loop at once when it changes.
use super::signal::Signal;
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

pub fn is_online() -> bool {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    // Where there is no navigator.onLine, assume online and let failures speak.
    Reflect::get(&navigator, &"onLine".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true)
}

/// Listens to `online`/`offline` on the page or worker for as long as it lives.
pub struct NetworkWatch {
    listener: Closure<dyn FnMut()>,
    changed: Rc<Signal>,
}

impl NetworkWatch {
    pub fn new() -> Self {
        let changed = Rc::new(Signal::default());
        let notify = changed.clone();
        let listener = Closure::<dyn FnMut()>::new(move || notify.notify());
        let target: EventTarget = js_sys::global().unchecked_into();
        for event in ["online", "offline"] {
            let _ = target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        Self { listener, changed }
    }

    /// Resolves at the next `online` or `offline` event.
    pub async fn changed(&self) {
        self.changed.wait().await;
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
