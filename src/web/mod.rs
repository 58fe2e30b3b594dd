//! The web shell: the wasm `Engine` under the package's JS `Uploader` (js/index.js). It only moves data between
//! the browser and the core: it slices the file, sends what the core's state machine asks for, signs each request
//! just before it goes out, and reports back. It runs on the page or, in worker mode, in a Web Worker.
mod callback;
mod checksum;
mod credentials;
mod errors;
mod fetch;
mod handle;
mod lock;
mod network;
mod options;
mod persist;
mod read;
mod run;
mod shared;
mod signal;
mod signer;
mod slots;
mod store;
mod types;
mod xhr;

use errors::to_js_error;
use futures_util::future::{select, Either};
use handle::Control;
pub use handle::EngineUpload;
use js_sys::Function;
use options::{UploadOptions, UploaderOptions};
use shared::Shared;
use slots::Slots;
use std::rc::Rc;
use types::ToJs;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

/// Uploads files to one bucket; the JS `Uploader` wraps it.
#[wasm_bindgen]
pub struct Engine {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Engine {
    /// `options` as `new Uploader(options)` takes them, with the `credentials` or `sign` function.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Engine, JsValue> {
        let (options, signer) = UploaderOptions::from_js(&options).map_err(|e| to_js_error(&e))?;
        let slots = Slots::new(options.concurrency());
        Ok(Engine { shared: Rc::new(Shared { options, signer, slots }) })
    }

    /// Starts uploading `file` (a `File` or `Blob`) to `options.key`. `emit(type, event)` is called with "progress",
    /// "state", "part", "error" and "checksums" events.
    pub fn start(&self, file: Blob, options: JsValue, emit: Function) -> EngineUpload {
        let shared = self.shared.clone();
        let control = Rc::new(Control::default());
        let loop_control = control.clone();
        let done = wasm_bindgen_futures::future_to_promise(async move {
            let options = UploadOptions::from_js(&options, &file).map_err(|e| to_js_error(&e))?;
            let mut spec = shared.options.spec(&options, file.size() as u64).map_err(|e| to_js_error(&e))?;
            spec.samples = checksum::samples(&file, spec.plan.size, spec.checksum_algorithm).await.map_err(|e| to_js_error(&e))?;
            let id = persist::identify(&file, &spec);
            // Another tab (or upload) sending this file to this object goes first; a cancel or stop ends the wait.
            let lock_name = format!("resumable-s3 {id}");
            let _held = match select(Box::pin(lock::acquire(&lock_name)), Box::pin(loop_control.interrupted())).await {
                Either::Left((held, _)) => held,
                Either::Right(_) => None,
            };
            let persistence = match spec.resume && spec.plan.size > 0 {
                true => persist::Persistence::open(id, &mut spec).await.map(Some),
                false => Ok(None),
            };
            let outcome = run::run(&shared, file, spec, emit, &loop_control, persistence).await;
            outcome.map(|result| result.to_js()).map_err(|err| to_js_error(&err))
        });
        EngineUpload::new(control, done)
    }
}
