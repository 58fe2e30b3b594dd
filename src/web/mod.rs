//! The web shell: the JS `Uploader` class. It only moves data between the browser and the core: it slices the file,
//! sends what the core's state machine asks for, signs each request just before it goes out, and reports back.
mod checksum;
mod credentials;
mod errors;
mod fetch;
mod handle;
mod network;
mod options;
mod persist;
mod run;
mod signal;
mod store;
mod types;
mod xhr;

use credentials::CredentialSource;
use handle::Control;
pub use handle::UploadHandle;
use errors::to_js_error;
use js_sys::Promise;
use options::{UploadOptions, UploaderOptions};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

/// Settings shared by every upload of one `Uploader`.
struct Shared {
    options: UploaderOptions,
    credentials: CredentialSource,
}

/// Uploads files to one S3 bucket with multipart uploads.
#[wasm_bindgen]
pub struct Uploader {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Uploader {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "UploaderOptions")] options: JsValue) -> Result<Uploader, JsValue> {
        let (options, callback) = UploaderOptions::from_js(&options).map_err(|e| to_js_error(&e))?;
        Ok(Uploader { shared: Rc::new(Shared { options, credentials: CredentialSource::new(callback) }) })
    }

    /// Uploads `file` (a `File` or `Blob`) to `options.key`; resolves to the result, or rejects with an `Error` that has a `code`.
    #[wasm_bindgen(unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload(&self, file: Blob, #[wasm_bindgen(unchecked_param_type = "UploadOptions")] options: JsValue) -> Promise {
        self.start(file, options).done()
    }

    /// Like `upload`, with a handle to pause, resume or cancel it.
    pub fn start(&self, file: Blob, #[wasm_bindgen(unchecked_param_type = "UploadOptions")] options: JsValue) -> UploadHandle {
        let shared = self.shared.clone();
        let control = Rc::new(Control::default());
        let loop_control = control.clone();
        let done = wasm_bindgen_futures::future_to_promise(async move {
            let options = UploadOptions::from_js(&options, &file).map_err(|e| to_js_error(&e))?;
            let mut spec = shared.options.spec(&options, file.size() as u64).map_err(|e| to_js_error(&e))?;
            let mut persistence = match spec.resume && spec.plan.size > 0 {
                true => persist::Persistence::open(&file, &spec).await,
                false => None,
            };
            if let Some(persistence) = persistence.as_mut() {
                spec.known_upload_id = persistence.known_upload_id().await;
            }
            let region = &shared.options.endpoint.region;
            let outcome = run::run(region, &shared.credentials, file, spec, options.listeners, &loop_control, persistence.as_mut()).await;
            outcome.map(|result| types::to_js(&result)).map_err(|err| to_js_error(&err))
        });
        UploadHandle::new(control, done)
    }
}
