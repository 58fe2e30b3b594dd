//! The upload records in IndexedDB (database `resumable-s3`, store `uploads`, keyed by record id).
use crate::core::record::UploadRecord;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "resumable-s3";
const STORE: &str = "uploads";

/// Waits for an IndexedDB request and returns its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(done).await?;
    request.result()
}

pub struct Store {
    db: IdbDatabase,
}

impl Store {
    /// `Err` where there is no IndexedDB (some private modes, some embedded browsers): uploads then work without it.
    pub async fn open() -> Result<Self, JsValue> {
        let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())?.dyn_into()?;
        let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1)?;
        let create = Closure::once(move |event: web_sys::Event| {
            let db: IdbDatabase = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok())?.dyn_into().ok()?;
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&"id".into());
            db.create_object_store_with_optional_parameters(STORE, &params).ok()
        });
        request.set_onupgradeneeded(Some(create.as_ref().unchecked_ref()));
        let db = finished(&request).await?.dyn_into()?;
        Ok(Self { db })
    }

    fn store(&self, mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
        self.db.transaction_with_str_and_mode(STORE, mode)?.object_store(STORE)
    }

    pub async fn get(&self, id: &str) -> Result<Option<UploadRecord>, JsValue> {
        let value = finished(&self.store(IdbTransactionMode::Readonly)?.get(&id.into())?).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        Ok(serde_wasm_bindgen::from_value(value).ok())
    }

    pub async fn all(&self) -> Result<Vec<UploadRecord>, JsValue> {
        let values: js_sys::Array = finished(&self.store(IdbTransactionMode::Readonly)?.get_all()?).await?.dyn_into()?;
        Ok(values.iter().filter_map(|v| serde_wasm_bindgen::from_value(v).ok()).collect())
    }

    pub async fn put(&self, record: &UploadRecord) -> Result<(), JsValue> {
        let value = super::types::to_js(record);
        finished(&self.store(IdbTransactionMode::Readwrite)?.put(&value)?).await.map(drop)
    }

    pub async fn delete(&self, id: &str) -> Result<(), JsValue> {
        finished(&self.store(IdbTransactionMode::Readwrite)?.delete(&id.into())?).await.map(drop)
    }
}
