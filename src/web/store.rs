//! The upload records in IndexedDB (database `resumable-s3`, store `uploads`, keyed by record id). Every wait is
//! bounded: an open that is blocked (another tab's `deleteDatabase`, a stuck profile) must not hold the upload.
use super::read;
use crate::core::record::UploadRecord;
use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Promise, Reflect};
use std::pin::pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "resumable-s3";
const STORE: &str = "uploads";
/// A store operation not done by then has failed: the upload goes on without remembering.
const TIMEOUT_MS: u32 = 5_000;

/// Waits (at most [`TIMEOUT_MS`]) for an IndexedDB request and returns its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let done = pin!(JsFuture::from(done));
    match select(done, pin!(TimeoutFuture::new(TIMEOUT_MS))).await {
        Either::Left((done, _)) => done?,
        Either::Right(_) => return Err(format!("IndexedDB did not answer within {} s", TIMEOUT_MS / 1000).into()),
    };
    request.result()
}

pub struct Store {
    db: IdbDatabase,
    /// Closes the connection when another one wants to delete or upgrade the database (cleared site data, a newer
    /// version of the library in another tab): holding it would block them.
    _on_version_change: Closure<dyn FnMut()>,
}

impl Drop for Store {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

impl Store {
    /// `Err` where there is no IndexedDB (some private modes, some embedded browsers): uploads then work without it.
    pub async fn open() -> Result<Self, JsValue> {
        let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())?
            .dyn_into()
            .map_err(|_| JsValue::from_str("this browser gives the page no IndexedDB"))?;
        let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1)?;
        // Frees itself when called; it must outlive an open given up on, which may still upgrade later.
        let create = Closure::once_into_js(move |event: web_sys::Event| {
            let db: IdbDatabase = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok())?.dyn_into().ok()?;
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&"id".into());
            db.create_object_store_with_optional_parameters(STORE, &params).ok()
        });
        request.set_onupgradeneeded(Some(create.unchecked_ref()));
        let db: IdbDatabase = match finished(&request).await {
            Ok(db) => db.dyn_into()?,
            Err(e) => {
                // Should the open still succeed later, the connection is closed at once instead of held.
                let close = Closure::once_into_js(|event: web_sys::Event| {
                    let db = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok());
                    if let Some(db) = db.and_then(|db| db.dyn_into::<IdbDatabase>().ok()) {
                        db.close();
                    }
                });
                request.set_onsuccess(Some(close.unchecked_ref()));
                return Err(e);
            }
        };
        let closing = db.clone();
        let on_version_change = Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(Self { db, _on_version_change: on_version_change })
    }

    fn store(&self, mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
        self.db.transaction_with_str_and_mode(STORE, mode)?.object_store(STORE)
    }

    pub async fn get(&self, id: &str) -> Result<Option<UploadRecord>, JsValue> {
        let value = finished(&self.store(IdbTransactionMode::Readonly)?.get(&id.into())?).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        Ok(read::record(&value))
    }

    pub async fn all(&self) -> Result<Vec<UploadRecord>, JsValue> {
        let values: js_sys::Array = finished(&self.store(IdbTransactionMode::Readonly)?.get_all()?).await?.dyn_into()?;
        Ok(values.iter().filter_map(|v| read::record(&v)).collect())
    }

    pub async fn put(&self, record: &UploadRecord) -> Result<(), JsValue> {
        // Written by serde (2.4 kB of wasm); read back by hand in `read::record` (serde's reader: 11 kB more).
        let value = serde_wasm_bindgen::to_value(record).map_err(JsValue::from)?;
        finished(&self.store(IdbTransactionMode::Readwrite)?.put(&value)?).await.map(drop)
    }

    pub async fn delete(&self, id: &str) -> Result<(), JsValue> {
        finished(&self.store(IdbTransactionMode::Readwrite)?.delete(&id.into())?).await.map(drop)
    }
}
