//! How an upload ends (its result, or the error that ended it) and what the app is told on the way.
use super::types::UploadResult;
use super::{Phase, Upload};
use crate::core::checksum::Reported;
use crate::core::codes::{self, CANCELLED};
use crate::core::error::{Context, UploadError};
use crate::core::notice::{ChecksumNotice, ErrorNotice, Notice, PartNotice};
use crate::core::plan::Part;
use crate::core::s3::{self, S3Error, Stored};

impl Upload {
    /// `checksum` is the whole object's as the store reported it, `local_crc` the file's CRC it must equal; `stored`
    /// what the store says it made of the object (version, encryption).
    pub(super) fn finish(
        &mut self,
        etag: String,
        location: String,
        upload_id: Option<String>,
        checksum: Option<Reported>,
        local_crc: Option<u64>,
        stored: Stored,
    ) {
        let object = &self.spec.object;
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            // PutObject has no Location, and some servers leave it out of Complete or make it relative: the object's
            // own URL says the same.
            s3::object_location(&self.spec.endpoint, object)
        };
        let checked = self.spec.checksum().filter(|_| upload_id.is_some() || self.already_uploaded);
        // Some stores take checksum headers and check nothing: only a FULL_OBJECT checksum the store computed, equal
        // to the file's, proves the object is the file.
        let proved = checked.filter(|&algorithm| checksum.as_ref().zip(local_crc).is_some_and(|(c, crc)| c.proves(algorithm, crc)));
        if let (Some(algorithm), None) = (checked, proved) {
            let said = match &checksum {
                Some(c) => format!("{} {} of type {}", c.algorithm.name(), c.value, c.checksum_type.as_deref().unwrap_or("unknown")),
                None => "none".into(),
            };
            let message = format!(
                "the store accepted {} checksums but reported no FULL_OBJECT checksum equal to the file's (it reported: {said}): \
                 nothing shows it checked them (if it sent one, the bucket's CORS rule must expose x-amz-checksum-type and {})",
                algorithm.name(),
                algorithm.header()
            );
            self.notices.push(Notice::Checksums(ChecksumNotice { status: "unverified", algorithm: algorithm.name().into(), message }));
        }
        let result = UploadResult {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag,
            size: self.spec.plan.size,
            location,
            upload_id,
            checksum_algorithm: proved.map(|a| a.name().to_string()),
            checksum: checksum.map(|c| c.value),
            resumed_parts: self.resumed_parts,
            already_uploaded: self.already_uploaded,
            version_id: stored.version_id,
            server_side_encryption: stored.server_side_encryption,
            checksum_type: stored.checksum_type,
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
            checksum: crc.zip(self.spec.checksum()).map(|(crc, algorithm)| algorithm.to_base64(crc)),
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
