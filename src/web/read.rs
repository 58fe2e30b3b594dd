//! Plain JS objects read field by field with `js_sys::Reflect`: the options as JS passes them and the upload
//! records kept in IndexedDB (written by serde-wasm-bindgen, `Store::put`), without serde (its generic deserializer
//! weighed more in the wasm than this whole module; see bench/SIZE.md). js/options.js has already checked the option names and the Uploader's settings; a
//! value of another type than its field's is an error naming the field. `undefined` and `null` are no value.
use crate::core::object_options::Tagging;
use crate::core::record::UploadRecord;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The fields of one JS object.
struct Fields<'a>(&'a JsValue);

impl Fields<'_> {
    fn get(&self, name: &str) -> Option<JsValue> {
        Reflect::get(self.0, &name.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn string(&self, name: &str) -> Result<Option<String>, String> {
        self.get(name).map(|v| v.as_string().ok_or_else(|| format!("{name} must be a string"))).transpose()
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.string(name)?.ok_or_else(|| format!("{name} is missing"))
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, String> {
        self.get(name).map(|v| v.as_bool().ok_or_else(|| format!("{name} must be true or false"))).transpose()
    }

    /// A whole number from 0 to 2^53.
    fn number(&self, name: &str) -> Result<Option<u64>, String> {
        let whole = |n: f64| n.trunc() == n && (0.0..=2f64.powi(53)).contains(&n);
        self.get(name).map(|v| v.as_f64().filter(|n| whole(*n)).map(|n| n as u64).ok_or_else(|| format!("{name} must be a whole number"))).transpose()
    }

    /// An object of strings, such as `metadata`.
    fn strings(&self, name: &str) -> Result<Option<Pairs>, String> {
        self.get(name).map(|v| strings(&v).ok_or_else(|| format!("{name} must be an object of strings"))).transpose()
    }
}

/// Names and values, sorted by name (the order the core sees and fingerprints them in).
pub type Pairs = Vec<(String, String)>;

fn strings(value: &JsValue) -> Option<Pairs> {
    if !value.is_object() {
        return None;
    }
    let mut pairs = Pairs::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let (name, value) = (entry.get(0).as_string()?, entry.get(1).as_string()?);
        // Names are unique (an object's keys). Inserted in place rather than collected and sorted: one sort less in
        // the wasm.
        pairs.insert(pairs.partition_point(|(n, _)| *n < name), (name, value));
    }
    Some(pairs)
}

/// The plain fields of `new Uploader({...})`; `credentials` and `sign` are functions and are read apart.
pub struct RawUploaderOptions {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub force_path_style: Option<bool>,
    pub part_size: Option<u64>,
    pub min_part_size: Option<u64>,
    pub concurrency: Option<u64>,
    pub stall_timeout_ms: Option<u64>,
    pub server_retries: Option<u64>,
    /// `"auto"`, `"required"` or `"off"`; `true` is read as `"auto"`, `false` as `"off"`.
    pub checksums: Option<String>,
    pub checksum_algorithm: Option<String>,
    pub resume: Option<bool>,
    pub if_exists: Option<String>,
    pub callback_timeout_ms: Option<u64>,
}

impl RawUploaderOptions {
    pub fn read(value: &JsValue) -> Result<Self, String> {
        let o = Fields(value);
        let mode = |v: JsValue| match v.as_bool() {
            Some(on) => Ok(if on { "auto" } else { "off" }.to_string()),
            None => v.as_string().ok_or_else(|| "checksums must be true, false or a mode".to_string()),
        };
        Ok(Self {
            endpoint: o.required("endpoint")?,
            region: o.required("region")?,
            bucket: o.required("bucket")?,
            force_path_style: o.flag("forcePathStyle")?,
            part_size: o.number("partSize")?,
            min_part_size: o.number("minPartSize")?,
            concurrency: o.number("concurrency")?,
            stall_timeout_ms: o.number("stallTimeoutMs")?,
            server_retries: o.number("serverRetries")?,
            checksums: o.get("checksums").map(mode).transpose()?,
            checksum_algorithm: o.string("checksumAlgorithm")?,
            resume: o.flag("resume")?,
            if_exists: o.string("ifExists")?,
            callback_timeout_ms: o.number("callbackTimeoutMs")?,
        })
    }
}

/// The options of `start(file, { key, contentType, ... })` besides the object options.
pub struct RawUploadOptions {
    pub key: String,
    pub content_type: Option<String>,
}

impl RawUploadOptions {
    pub fn read(value: &JsValue) -> Result<Self, String> {
        let o = Fields(value);
        Ok(Self { key: o.required("key")?, content_type: o.string("contentType")? })
    }
}

/// The object options as JS gives them (names as in core::object_options), in `start()` or `new Uploader()`.
#[derive(Clone, Default)]
pub struct RawObjectOptions {
    pub metadata: Option<Pairs>,
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    pub content_encoding: Option<String>,
    pub content_language: Option<String>,
    /// A `Date`, date string or epoch ms, read as an HTTP date.
    pub expires: Option<String>,
    pub tagging: Option<Tagging>,
    pub acl: Option<String>,
    pub storage_class: Option<String>,
    pub server_side_encryption: Option<String>,
    pub sse_kms_key_id: Option<String>,
    pub bucket_key_enabled: Option<bool>,
    pub sse_customer_key: Option<String>,
    pub expected_bucket_owner: Option<String>,
    pub request_payer: Option<String>,
    pub headers: Option<Pairs>,
}

impl RawObjectOptions {
    pub fn read(value: &JsValue) -> Result<Self, String> {
        let o = Fields(value);
        let tagging = |v: JsValue| match v.as_string() {
            Some(text) => Ok(Tagging::Encoded(text)),
            None => strings(&v).map(Tagging::Pairs).ok_or_else(|| "tagging must be an object of strings or a URL-encoded string".to_string()),
        };
        Ok(Self {
            metadata: o.strings("metadata")?,
            cache_control: o.string("cacheControl")?,
            content_disposition: o.string("contentDisposition")?,
            content_encoding: o.string("contentEncoding")?,
            content_language: o.string("contentLanguage")?,
            expires: o.get("expires").map(http_date).transpose()?,
            tagging: o.get("tagging").map(tagging).transpose()?,
            acl: o.string("acl")?,
            storage_class: o.string("storageClass")?,
            server_side_encryption: o.string("serverSideEncryption")?,
            sse_kms_key_id: o.string("sseKmsKeyId")?,
            bucket_key_enabled: o.flag("bucketKeyEnabled")?,
            sse_customer_key: o.string("sseCustomerKey")?,
            expected_bucket_owner: o.string("expectedBucketOwner")?,
            request_payer: o.string("requestPayer")?,
            headers: o.strings("headers")?,
        })
    }
}

/// `expires`: a `Date`, a date string or epoch milliseconds, as an HTTP date.
fn http_date(value: JsValue) -> Result<String, String> {
    let date = js_sys::Date::new(&value);
    if date.get_time().is_nan() || !(value.is_string() || value.as_f64().is_some() || value.is_instance_of::<js_sys::Date>()) {
        return Err(format!("expires must be a Date, a date string or epoch milliseconds, got {value:?}"));
    }
    Ok(date.to_utc_string().into())
}

/// A record as `Store::put` wrote it (camelCase fields, `None` as `undefined`); `None` for anything else (a record
/// of another version is ignored).
pub fn record(value: &JsValue) -> Option<UploadRecord> {
    let o = Fields(value);
    Some(UploadRecord {
        id: o.required("id").ok()?,
        upload_id: o.required("uploadId").ok()?,
        part_size: o.number("partSize").ok()??,
        checksum_algorithm: o.string("checksumAlgorithm").ok()?,
        options_hash: o.string("optionsHash").ok()?,
        created_at_ms: o.number("createdAtMs").ok()??,
    })
}
