//! Wakes the upload loop from a JS event or a handle call: `wait` resolves at the next `notify`.
use js_sys::{Function, Promise};
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[derive(Default)]
pub struct Signal {
    /// Resolves the promise `wait` handed out last.
    waiting: RefCell<Option<Function>>,
}

impl Signal {
    pub fn notify(&self) {
        if let Some(resolve) = self.waiting.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    pub async fn wait(&self) {
        let promise = Promise::new(&mut |resolve, _| *self.waiting.borrow_mut() = Some(resolve));
        let _ = JsFuture::from(promise).await;
    }
}
