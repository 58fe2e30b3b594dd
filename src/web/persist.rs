//! Remembering an unfinished upload across reloads: looked up when a file is dropped, written once S3 has given
//! the upload an id, removed when it completes or is cancelled. Best effort: without storage, uploads still
//! resume through ListMultipartUploads, and the app is told (`Err` says why storage failed).
use super::errors::describe;
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
    /// Opens the store, drops expired records (`id` is [`identify`]'s), and points `spec` at the upload this file
    /// was going into, if one is remembered (its id and part size) with the same checksum algorithm and object
    /// options; one made with other options marks `spec.recorded_otherwise`.
    pub async fn open(id: String, spec: &mut UploadSpec) -> Result<Self, String> {
        let store = Store::open().await.map_err(|e| describe(&e))?;
        for record in store.all().await.unwrap_or_default() {
            if record.expired(now_ms(), DEFAULT_MAX_AGE_MS) {
                let _ = store.delete(&record.id).await;
            }
        }
        let options_hash = spec.object_options.fingerprint(spec.content_type.as_deref());
        let mut persistence = Self { store, id, saved: None, options_hash };
        match persistence.known_upload(spec.checksum()).await? {
            Remembered::Upload { upload_id, part_size } => {
                spec.known_upload_id = Some(upload_id);
                spec.plan = spec.plan.continuing(part_size).unwrap_or(spec.plan);
            }
            Remembered::OtherOptions => spec.recorded_otherwise = true,
            Remembered::Nothing => {}
        }
        Ok(persistence)
    }

    /// What is remembered of this file going to this object, for this checksum algorithm (or none).
    async fn known_upload(&mut self, checksum: Option<Algorithm>) -> Result<Remembered, String> {
        let Some(record) = self.store.get(&self.id).await.map_err(|e| describe(&e))? else { return Ok(Remembered::Nothing) };
        if record.checksum_algorithm.as_deref() != checksum.map(Algorithm::name) {
            return Ok(Remembered::Nothing);
        }
        if record.options_hash.as_ref() != Some(&self.options_hash) {
            return Ok(Remembered::OtherOptions);
        }
        self.saved = Some(record.upload_id.clone());
        Ok(Remembered::Upload { upload_id: record.upload_id, part_size: record.part_size })
    }

    /// Remembers `upload_id` (once per id).
    pub async fn remember(&mut self, upload_id: &str, part_size: u64, checksum: Option<Algorithm>) -> Result<(), String> {
        if self.saved.as_deref() == Some(upload_id) {
            return Ok(());
        }
        let record = UploadRecord {
            id: self.id.clone(),
            upload_id: upload_id.to_string(),
            part_size,
            checksum_algorithm: checksum.map(|a| a.name().to_string()),
            options_hash: Some(self.options_hash.clone()),
            created_at_ms: now_ms(),
        };
        self.store.put(&record).await.map_err(|e| describe(&e))?;
        self.saved = Some(record.upload_id);
        Ok(())
    }

    pub async fn forget(&self) {
        let _ = self.store.delete(&self.id).await;
    }
}
