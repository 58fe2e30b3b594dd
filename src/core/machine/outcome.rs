//! How an upload ends (its result, or the error that ended it) and what the app is told on the way.
use super::types::UploadResult;
use super::{Phase, Upload};
use crate::core::checksum;
use crate::core::codes::{self, CANCELLED};
use crate::core::error::{Context, UploadError};
use crate::core::notice::{ErrorNotice, Notice, PartNotice};
use crate::core::plan::Part;
use crate::core::s3::{self, S3Error};

impl Upload {
    pub(super) fn finish(&mut self, etag: String, location: String, upload_id: Option<String>, checksum: Option<String>) {
        let object = &self.spec.object;
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            // PutObject has no Location, and some servers leave it out of Complete or make it relative: the object's
            // own URL says the same.
            s3::object_location(&self.spec.endpoint, object)
        };
        let checked = self.spec.checksums && (upload_id.is_some() || self.already_uploaded);
        let result = UploadResult {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag,
            size: self.spec.plan.size,
            location,
            upload_id,
            checksum_algorithm: checked.then(|| checksum::ALGORITHM.to_string()),
            checksum,
            resumed_parts: self.resumed_parts,
            already_uploaded: self.already_uploaded,
        };
        self.phase = Phase::Finished(Ok(result));
    }

    /// A conditional write (`ifExists: "error"`) refused because an object is at the key is `ObjectExists`.
    pub(super) fn refused_as_existing(&self, err: S3Error) -> S3Error {
        match (err.code.as_str(), self.spec.overwrite) {
            (codes::PRECONDITION_FAILED, false) => S3Error { code: codes::OBJECT_EXISTS.into(), ..err },
            _ => err,
        }
    }

    pub(super) fn context(&self) -> Context<'_> {
        Context { endpoint: &self.spec.endpoint, object: &self.spec.object }
    }

    pub(super) fn fail_s3(&mut self, err: &S3Error) {
        self.fail(UploadError::from_s3(err, &self.context()));
    }

    /// Ends the upload with `err`; an upload created for it that no later resume could use is removed first.
    pub(super) fn fail(&mut self, err: UploadError) {
        if self.aborting_after_failure() {
            // Removing it was best effort: the upload ends with the failure that started the removal.
            if let Phase::Cancelling { ending, .. } = std::mem::replace(&mut self.phase, Phase::Finished(Err(err))) {
                self.phase = Phase::Finished(Err(ending));
            }
            return;
        }
        if err.code != CANCELLED {
            self.notices.push(Notice::Error(ErrorNotice::of(&err, false)));
        }
        match self.abandoned_upload() {
            Some(upload_id) => self.abort_for(upload_id, err),
            None => self.phase = Phase::Finished(Err(err)),
        }
    }

    /// The multipart upload, if one was created and holds nothing a later resume would keep: without `resume` nothing
    /// looks for it, without checksums a resume sends every part again, and with no part held there is nothing.
    fn abandoned_upload(&self) -> Option<String> {
        let (Phase::Uploading { upload_id } | Phase::Verifying { upload_id, .. } | Phase::Completing { upload_id }) = &self.phase else {
            return None;
        };
        let reusable = self.spec.resume && self.spec.checksums && self.parts.done_count() > 0;
        (!reusable).then(|| upload_id.clone())
    }

    /// S3 holds `part` now (sent in this session, or kept from an earlier one: `resumed`).
    pub(super) fn part_held(&mut self, part: Part, resumed: bool) {
        let crc = self.parts.get_mut(part.number).and_then(|p| p.crc);
        let notice = PartNotice {
            part_number: part.number,
            size: part.len,
            checksum: crc.filter(|_| self.spec.checksums).map(checksum::to_base64),
            resumed,
            parts_done: self.parts.done_count(),
            total_parts: self.parts.len() as u32,
        };
        self.notices.push(Notice::Part(notice));
    }
}

/// Another object is at the key and `overwrite` is off.
pub(super) fn object_exists() -> S3Error {
    S3Error::new(200, codes::OBJECT_EXISTS, "another object is at this key")
}
