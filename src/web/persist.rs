//! Remembering an unfinished upload across reloads: looked up when a file is dropped, written once S3 has given
//! the upload an id, removed when it completes or is cancelled. Best effort: without storage, uploads still
//! resume through ListMultipartUploads.
use super::store::Store;
use crate::core::checksum::Algorithm;
use crate::core::fingerprint::{record_id, FileIdentity};
use crate::core::machine::UploadSpec;
use crate::core::record::{UploadRecord, DEFAULT_MAX_AGE_MS};
use wasm_bindgen::JsCast;
use web_sys::{Blob, File};

pub struct Persistence {
    store: Store,
    id: String,
    /// The upload id last written.
    saved: Option<String>,
    /// What this upload creates the object with (see [`UploadRecord::options_hash`]).
    options_hash: String,
}

/// What the store remembers of this file going to this object.
pub enum Remembered {
    Nothing,
    Upload {
        upload_id: String,
        part_size: u64,
    },
    /// An upload made with other object options: it is not continued.
    OtherOptions,
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// This file going to this object (from its metadata and the spec's sampled ranges): the key of its record, and
/// of the lock that lets one tab at a time upload it.
pub fn identify(file: &Blob, spec: &UploadSpec) -> String {
    let samples_crc = spec.samples.iter().fold(0, |acc, (range, crc)| spec.checksum_algorithm.combine(acc, *crc, range.len));
    let (name, last_modified_ms) = match file.dyn_ref::<File>() {
        Some(f) => (f.name(), f.last_modified() as u64),
        None => (String::new(), 0),
    };
    let identity = FileIdentity { name: &name, size: spec.plan.size, last_modified_ms, samples_crc };
    record_id(&identity, &spec.endpoint, &spec.object.bucket, &spec.object.key)
}

impl Persistence {
    /// Opens the store and drops expired records; `id` is [`identify`]'s.
    pub async fn open(id: String, spec: &UploadSpec) -> Option<Self> {
        let store = Store::open().await.ok()?;
        for record in store.all().await.unwrap_or_default() {
            if record.expired(now_ms(), DEFAULT_MAX_AGE_MS) {
                let _ = store.delete(&record.id).await;
            }
        }
        let options_hash = spec.object_options.fingerprint(spec.content_type.as_deref());
        Some(Self { store, id, saved: None, options_hash })
    }

    /// The upload this file was going into and its part size, if one is remembered with the same checksum
    /// algorithm (or none) and object options.
    pub async fn known_upload(&mut self, checksum: Option<Algorithm>) -> Remembered {
        let Ok(Some(record)) = self.store.get(&self.id).await else { return Remembered::Nothing };
        if record.checksum_algorithm.as_deref() != checksum.map(Algorithm::name) {
            return Remembered::Nothing;
        }
        if record.options_hash.as_ref() != Some(&self.options_hash) {
            return Remembered::OtherOptions;
        }
        self.saved = Some(record.upload_id.clone());
        Remembered::Upload { upload_id: record.upload_id, part_size: record.part_size }
    }

    /// Remembers `upload_id` (once per id).
    pub async fn remember(&mut self, upload_id: &str, part_size: u64, checksum: Option<Algorithm>) {
        if self.saved.as_deref() == Some(upload_id) {
            return;
        }
        let record = UploadRecord {
            id: self.id.clone(),
            upload_id: upload_id.to_string(),
            part_size,
            checksum_algorithm: checksum.map(|a| a.name().to_string()),
            options_hash: Some(self.options_hash.clone()),
            created_at_ms: now_ms(),
        };
        if self.store.put(&record).await.is_ok() {
            self.saved = Some(record.upload_id);
        }
    }

    pub async fn forget(&self) {
        let _ = self.store.delete(&self.id).await;
    }
}
