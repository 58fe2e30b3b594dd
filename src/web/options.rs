//! The options JS passes in. js/options.js has already checked the names and the Uploader's settings
//! (synchronously, so that `new Uploader()` throws); super::read reads the values, and the core's rules (endpoint and
//! bucket, key, object options) are applied here.
use super::callback::DEFAULT_TIMEOUT_MS;
use super::credentials::CredentialSource;
use super::read::{RawObjectOptions, RawUploadOptions, RawUploaderOptions};
use super::signer::Signer;
use crate::core::checksum::Algorithm;
use crate::core::codes::{FILE_TOO_LARGE, INVALID_KEY, INVALID_OPTIONS};
use crate::core::error::UploadError;
use crate::core::machine::{Policy, UploadSpec};
use crate::core::object_options::{ObjectOptions, ObjectOptionsInput};
use crate::core::plan::{PartPlan, PlanError, MIN_PART_SIZE};
use crate::core::s3::{names, Endpoint, Object};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::Blob;

const DEFAULT_CONCURRENCY: usize = 4;

fn invalid(message: impl Into<String>) -> UploadError {
    UploadError::new(INVALID_OPTIONS, message)
}

pub struct UploaderOptions {
    pub endpoint: Endpoint,
    bucket: String,
    part_size: Option<u64>,
    min_part_size: u64,
    concurrency: usize,
    policy: Policy,
    checksums: bool,
    checksums_required: bool,
    checksum_algorithm: Algorithm,
    resume: bool,
    overwrite: bool,
    /// The object options given to `new Uploader`: each is the default of the same option of `start()`.
    object_defaults: RawObjectOptions,
}

impl UploaderOptions {
    /// The options, and who signs: the `credentials` or the `sign` callback.
    pub fn from_js(value: &JsValue) -> Result<(Self, Signer), UploadError> {
        let raw =
            RawUploaderOptions::read(value).map_err(|e| invalid(format!("new Uploader({{ endpoint, region, bucket, credentials, … }}): {e}")))?;
        let endpoint = Endpoint { url: raw.endpoint, region: raw.region, force_path_style: raw.force_path_style.unwrap_or(false) };
        if let Some(problem) = names::endpoint_problem(&endpoint, &raw.bucket) {
            return Err(invalid(problem));
        }
        // "auto" (the default): a store that refuses checksums gets the upload again without them, and the app is
        // told; "required": that is an error.
        let (checksums, checksums_required) = match raw.checksums.as_deref() {
            None | Some("auto") => (true, false),
            Some("required") => (true, true),
            Some("off") => (false, false),
            Some(other) => return Err(invalid(format!("checksums '{other}' is not true, false, 'auto', 'required' or 'off'"))),
        };
        let checksum_algorithm = match raw.checksum_algorithm.as_deref() {
            None => Algorithm::default(),
            Some(name) => Algorithm::from_name(name).ok_or_else(|| invalid(format!("checksumAlgorithm '{name}' is not one the core computes")))?,
        };
        let function = |name: &str| Reflect::get(value, &name.into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
        let timeout_ms = raw.callback_timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        let signer = match (function("credentials"), function("sign")) {
            (Some(credentials), _) => Signer::Credentials(CredentialSource::new(credentials, timeout_ms)),
            (None, Some(sign)) => Signer::Backend(sign, timeout_ms),
            (None, None) => return Err(invalid("give a credentials or a sign function")),
        };
        let object_defaults = RawObjectOptions::read(value).map_err(invalid)?;
        // Checked now, so that a wrong default fails here rather than on every upload.
        ObjectOptions::new(&object_defaults.clone().input()).map_err(invalid)?;
        let mut policy = Policy::default();
        if let Some(ms) = raw.stall_timeout_ms {
            policy.stall_timeout_ms = ms;
        }
        if let Some(n) = raw.server_retries {
            policy.server_retries = u32::try_from(n).unwrap_or(u32::MAX);
        }
        let options = Self {
            endpoint,
            bucket: raw.bucket,
            part_size: raw.part_size,
            min_part_size: raw.min_part_size.unwrap_or(MIN_PART_SIZE),
            concurrency: raw.concurrency.map_or(DEFAULT_CONCURRENCY, |n| n as usize),
            policy,
            checksums,
            checksums_required,
            checksum_algorithm,
            resume: raw.resume.unwrap_or(true),
            overwrite: raw.if_exists.as_deref() != Some("error"),
            object_defaults,
        };
        Ok((options, signer))
    }

    /// What one upload of `size` bytes does.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    pub fn spec(&self, upload: &UploadOptions, size: u64) -> Result<UploadSpec, UploadError> {
        let plan = PartPlan::with_min_part_size(size, self.part_size, self.min_part_size).map_err(|e| match e {
            PlanError::TooLarge { size } => {
                UploadError::new(FILE_TOO_LARGE, format!("{size} bytes is more than S3's largest object (10,000 parts of 5 GiB)"))
            }
            PlanError::PartSizeTooLarge { requested } => invalid(format!("partSize {requested} is more than S3's largest part (5 GiB)")),
        })?;
        let object_options = upload.object.clone().over(self.object_defaults.clone()).input();
        Ok(UploadSpec {
            endpoint: self.endpoint.clone(),
            object: Object { bucket: self.bucket.clone(), key: upload.key.clone() },
            content_type: upload.content_type.clone(),
            object_options: ObjectOptions::new(&object_options).map_err(invalid)?,
            plan,
            concurrency: self.concurrency,
            policy: self.policy,
            checksums: self.checksums,
            checksum_algorithm: self.checksum_algorithm,
            checksums_required: self.checksums_required,
            resume: self.resume,
            known_upload_id: None,
            recorded_otherwise: false,
            overwrite: self.overwrite,
            // Jitter only needs to differ between browsers and uploads.
            seed: (js_sys::Math::random() * 2f64.powi(53)) as u64,
            // Read by the shell before the upload starts.
            samples: vec![],
        })
    }
}

/// `start(file, { key, contentType, ...object options })`.
pub struct UploadOptions {
    pub key: String,
    pub content_type: Option<String>,
    object: RawObjectOptions,
}

impl UploadOptions {
    pub fn from_js(value: &JsValue, file: &Blob) -> Result<Self, UploadError> {
        let raw = RawUploadOptions::read(value).map_err(|e| invalid(format!("upload(file, {{ key, … }}): {e}")))?;
        if let Some(problem) = names::key_problem(&raw.key) {
            return Err(UploadError::new(INVALID_KEY, format!("{INVALID_KEY}: {problem}")));
        }
        if let Some(bad) = raw.content_type.as_deref().and_then(|t| t.chars().find(|c| !matches!(c, ' '..='~'))) {
            // A header value the browser refuses (or sends as other bytes than were signed).
            return Err(invalid(format!(
                "contentType must be printable ASCII, a MIME type such as 'text/plain; charset=utf-8': {:?} holds {bad:?}",
                raw.content_type.unwrap_or_default()
            )));
        }
        let file_type = Some(file.type_()).filter(|t| !t.is_empty());
        Ok(Self { key: raw.key, content_type: raw.content_type.or(file_type), object: RawObjectOptions::read(value).map_err(invalid)? })
    }
}

impl RawObjectOptions {
    /// These options, each falling back to the same one of `defaults`.
    fn over(self, defaults: Self) -> Self {
        Self {
            metadata: self.metadata.or(defaults.metadata),
            cache_control: self.cache_control.or(defaults.cache_control),
            content_disposition: self.content_disposition.or(defaults.content_disposition),
            content_encoding: self.content_encoding.or(defaults.content_encoding),
            content_language: self.content_language.or(defaults.content_language),
            expires: self.expires.or(defaults.expires),
            tagging: self.tagging.or(defaults.tagging),
            acl: self.acl.or(defaults.acl),
            storage_class: self.storage_class.or(defaults.storage_class),
            server_side_encryption: self.server_side_encryption.or(defaults.server_side_encryption),
            sse_kms_key_id: self.sse_kms_key_id.or(defaults.sse_kms_key_id),
            bucket_key_enabled: self.bucket_key_enabled.or(defaults.bucket_key_enabled),
            sse_customer_key: self.sse_customer_key.or(defaults.sse_customer_key),
            expected_bucket_owner: self.expected_bucket_owner.or(defaults.expected_bucket_owner),
            request_payer: self.request_payer.or(defaults.request_payer),
            headers: self.headers.or(defaults.headers),
        }
    }

    fn input(self) -> ObjectOptionsInput {
        ObjectOptionsInput {
            metadata: self.metadata.unwrap_or_default(),
            cache_control: self.cache_control,
            content_disposition: self.content_disposition,
            content_encoding: self.content_encoding,
            content_language: self.content_language,
            expires: self.expires,
            tagging: self.tagging,
            acl: self.acl,
            storage_class: self.storage_class,
            server_side_encryption: self.server_side_encryption,
            sse_kms_key_id: self.sse_kms_key_id,
            bucket_key_enabled: self.bucket_key_enabled,
            sse_customer_key: self.sse_customer_key,
            expected_bucket_owner: self.expected_bucket_owner,
            request_payer: self.request_payer,
            headers: self.headers.unwrap_or_default(),
        }
    }
}
