//! Completing (CompleteMultipartUpload) and confirming: when S3 says a part it holds is not the one listed
//! (InvalidPart) or that the object does not match its checksum (BadDigest), the parts are listed again; when a
//! retried Complete finds the upload gone, HeadObject tells whether an earlier attempt whose answer was lost
//! completed it.
use super::task::Task;
use super::types::{Action, OpKind, Range};
use super::{Answer, Phase, Step, Upload};
use crate::core::codes;
use crate::core::error::UploadError;
use crate::core::s3::head_object::{self, ObjectInfo};
use crate::core::s3::{self, complete_multipart_upload, Response, S3Error};

/// Times the parts are listed again after Complete refused them as InvalidPart: each stale attempt that lands
/// late (a buffering proxy delivers a body given up on after its retry succeeded) can cost one, and so can sending
/// again the parts sent more than once (see `Parts::distrust_resent`).
const MAX_RELISTS: u32 = 3;

impl Upload {
    /// Every part of `upload_id` is held: the sampled ranges are read again first (a file overwritten on disk since
    /// the upload started, even with its modification time put back, is not completed), else Complete goes now.
    pub(super) fn parts_held(&mut self, upload_id: String, now_ms: u64) -> Vec<Action> {
        let left: Vec<Range> = self.spec.samples.iter().map(|(range, _)| *range).collect();
        let reads = left.iter().copied().map(Action::Checksum).collect();
        if left.is_empty() {
            self.phase = Phase::Completing { upload_id };
            self.control = Task::due(now_ms);
        } else {
            self.phase = Phase::Verifying { upload_id, left };
        }
        reads
    }

    /// A sampled range read again: other bytes than when the upload started end it with `FileChanged`.
    pub(super) fn on_sample_checksum(&mut self, range: Range, crc: u64, now_ms: u64) {
        if self.spec.samples.iter().any(|(sampled, was)| *sampled == range && *was != crc) {
            return self.fail(UploadError::file_changed());
        }
        let Phase::Verifying { upload_id, left } = &mut self.phase else { return };
        left.retain(|r| *r != range);
        if left.is_empty() {
            self.phase = Phase::Completing { upload_id: std::mem::take(upload_id) };
            self.control = Task::due(now_ms);
        }
    }

    pub(super) fn complete_step(&self) -> Step {
        let (endpoint, object) = (&self.spec.endpoint, &self.spec.object);
        match &self.phase {
            Phase::ConfirmingComplete { .. } => Step::Send(OpKind::ConfirmComplete, head_object::request(endpoint, object, self.head_checksums())),
            _ => {
                let upload_id = self.upload_id().unwrap_or_default();
                let checksum = self.spec.checksum().map(|algorithm| (algorithm, self.parts.object_crc(algorithm)));
                let parts = self.parts.completed(self.spec.checksums);
                let mut request = complete_multipart_upload::request(endpoint, object, upload_id, &parts, checksum);
                if !self.spec.overwrite {
                    s3::only_if_absent(&mut request);
                }
                Step::Send(OpKind::Complete, request)
            }
        }
    }

    pub(super) fn on_complete_answer(&mut self, kind: OpKind, resp: &Response, now_ms: u64) -> Result<Answer, S3Error> {
        let upload_id = self.upload_id().unwrap_or_default().to_string();
        if kind == OpKind::ConfirmComplete {
            // Without s3:ListBucket, S3 answers 403 for a missing key: it says nothing either way.
            let found = if resp.status == 403 { None } else { head_object::parse(resp)? };
            return match found {
                Some(info) if self.is_this_upload(&info) => {
                    let local_crc = self.spec.checksum().map(|algorithm| self.parts.object_crc(algorithm));
                    self.finish(info.etag.unwrap_or_default(), String::new(), Some(upload_id), info.checksum, local_crc, info.stored);
                    Ok(Answer::Done)
                }
                _ if resp.status == 403 => Err(S3Error::new(
                    404,
                    codes::NO_SUCH_UPLOAD,
                    "the upload is gone, and HeadObject was refused (403), so whether an earlier attempt whose answer was lost \
                     completed it is unknown: give the credentials s3:GetObject on the key to let it tell",
                )),
                _ => Err(S3Error::new(404, codes::NO_SUCH_UPLOAD, "the upload was removed before it was completed")),
            };
        }
        match complete_multipart_upload::parse(resp) {
            Ok(done) => {
                let local_crc = self.spec.checksum().map(|algorithm| self.parts.object_crc(algorithm));
                self.finish(done.etag, done.location, Some(upload_id), done.checksum, local_crc, done.stored);
                Ok(Answer::Done)
            }
            // An unreadable 200: the connection may have dropped in the whitespace S3 sends while it assembles the
            // object. Retried like a server error; a retry that finds the upload gone is confirmed with HeadObject.
            Err(err) if err.code == codes::MALFORMED_RESPONSE => Err(S3Error { status: 500, ..err }),
            Err(err) if err.code == codes::INVALID_PART && self.parts.relists < MAX_RELISTS => {
                // Refused again with the very ETags the listing showed: what Complete refuses does not show in a
                // listing (the newest attempt S3 took of a part never finished, or lands after the listing). The
                // parts sent more than once are sent again, once.
                let unseen = self.parts.refused_again();
                self.relist(upload_id, now_ms);
                if unseen {
                    self.parts.distrust_resent();
                }
                Ok(Answer::Handled)
            }
            // The object S3 assembled is not the file: listing the parts again finds a part that is not the file's;
            // when that finds none, sending Complete again cannot help.
            Err(err) if is_digest_mismatch(&err) && self.parts.relists == 0 => {
                self.relist(upload_id, now_ms);
                Ok(Answer::Handled)
            }
            Err(err) if is_digest_mismatch(&err) => {
                self.fail_s3(&err);
                Ok(Answer::Handled)
            }
            // A conditional Complete lost to a concurrent write of the key: S3 asks for a new upload of every part.
            Err(err) if err.code == codes::CONDITIONAL_REQUEST_CONFLICT => {
                self.parts.renew(now_ms);
                self.progress.restart();
                self.phase = Phase::Creating { cancel_when_created: false };
                Ok(Answer::Handled)
            }
            // Only a retry can find the upload gone because an earlier attempt completed it.
            Err(err) if err.code == codes::NO_SUCH_UPLOAD && self.control.failures > 0 => {
                self.phase = Phase::ConfirmingComplete { upload_id };
                Ok(Answer::Handled)
            }
            Err(err) => Err(self.refused_as_existing(err)),
        }
    }

    /// Is `info` the object this upload's Complete makes? With checksums, its whole-object CRC says so; without,
    /// its size and multipart ETag ("…-<part count>") are the best evidence there is.
    fn is_this_upload(&self, info: &ObjectInfo) -> bool {
        let reported = info.checksum.as_ref().filter(|_| self.head_checksums());
        let same_content = match (self.spec.checksum(), reported) {
            (Some(algorithm), Some(reported)) => {
                reported.algorithm == algorithm && algorithm.from_base64(&reported.value) == Some(self.parts.object_crc(algorithm))
            }
            _ => info.etag.as_deref().is_some_and(|e| e.trim_matches('"').ends_with(&format!("-{}", self.parts.len()))),
        };
        info.size == self.spec.plan.size && same_content
    }

    /// S3 refused Complete because a part it holds is not the one listed: an attempt given up on (stalled, its
    /// connection cut) can still land after its retry and replace the part. Read what S3 holds, keep what matches
    /// the file, send the rest again, and complete once more. Confirmed bytes stay counted: a part kept or sent
    /// again is confirmed once more, not twice.
    fn relist(&mut self, upload_id: String, now_ms: u64) {
        self.parts.relists += 1;
        self.parts.reset(now_ms);
        self.phase = Phase::ListingParts { upload_id, next: None, listed: vec![] };
    }
}

fn is_digest_mismatch(err: &S3Error) -> bool {
    codes::DIGEST_MISMATCH.contains(&err.code.as_str())
}
