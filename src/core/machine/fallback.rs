//! Stores without flexible checksums (or without this algorithm) refuse the first request that carries them:
//! Backblaze B2 answers `400 InvalidArgument: Unsupported header 'x-amz-checksum-algorithm'`; Cloudflare R2 before
//! 2025-07 and MinIO before 2025-02 `501 NotImplemented`; Google Cloud Storage's XML API takes
//! CreateMultipartUpload, then fails a checksummed UploadPart with `403 SignatureDoesNotMatch` and a checksummed
//! Complete with `412`. Such a refusal turns the checksums off and starts a new upload without them (the refused
//! one is aborted), and the app is told; with `checksums_required` it is a `ChecksumsUnsupported` error instead.
//! An empty file's PutObject refused its checksum is put again with Content-MD5 (see put_object.rs).
//! Some B2 versions also refuse `x-amz-checksum-mode` on HeadObject (a bare 400: HEAD errors have no body): HEAD
//! is then sent without it, and only HEAD.
use super::task::Task;
use super::types::{Action, OpKind};
use super::{Phase, Upload};
use crate::core::codes::{CHECKSUMS_UNSUPPORTED, NOT_IMPLEMENTED, SIGNATURE_DOES_NOT_MATCH};
use crate::core::error::UploadError;
use crate::core::notice::{ChecksumNotice, Notice};
use crate::core::s3::{abort_multipart_upload, S3Error};

impl Upload {
    /// HeadObject asks for the object's checksum (`x-amz-checksum-mode`).
    pub(super) fn head_checksums(&self) -> bool {
        self.spec.checksums && !self.head_checksum_mode_refused
    }

    /// Handles `err`, the answer to a request of `kind`, if it is the store refusing checksums: true when it was.
    pub(super) fn checksums_refused(&mut self, kind: OpKind, err: &S3Error, now_ms: u64) -> bool {
        if matches!(kind, OpKind::HeadObject | OpKind::ConfirmComplete) && self.head_checksums() && err.status == 400 {
            if !(err.message.is_empty() || names_checksum(err)) {
                return false;
            }
            self.head_checksum_mode_refused = true;
            self.control = Task::due(now_ms);
            return true;
        }
        if !self.spec.checksums || !self.is_checksum_refusal(kind, err) {
            return false;
        }
        let algorithm = self.spec.checksum_algorithm.name();
        let (url, said) = (&self.spec.endpoint.url, format!("{}: {}", err.code, if err.message.is_empty() { "no message" } else { &err.message }));
        if self.spec.checksums_required {
            let message = format!(
                "{CHECKSUMS_UNSUPPORTED}: the store at {url} refused {algorithm} checksums ({said}): set checksumAlgorithm to one it \
                 supports ('CRC32C' or 'CRC32'), or checksums: 'auto' to upload without checksums where the store has none"
            );
            self.fail(UploadError::new(CHECKSUMS_UNSUPPORTED, message));
            return true;
        }
        let message = format!(
            "the store at {url} refused {algorithm} checksums ({said}): the upload started again without checksums, so the \
             store checks nothing but each request's transport; set checksumAlgorithm to one it supports, or checksums: false \
             to skip the refused first attempt"
        );
        self.notices.push(Notice::Checksums(ChecksumNotice { status: "disabled", algorithm: algorithm.into(), message }));
        self.spec.checksums = false;
        // The refused upload was created to carry checksums: it is given up on, and its parts in flight stopped.
        if let Some(upload_id) = self.upload_id().map(str::to_string) {
            let request = abort_multipart_upload::request(&self.spec.endpoint, &self.spec.object, &upload_id);
            let id = self.take_id();
            let op = self.op(id, OpKind::Discard, request);
            self.pending.extend(self.parts.stop_all(now_ms).into_iter().map(|(_, id)| Action::Abort(id)));
            self.pending.push(Action::Send(op));
        }
        self.parts.renew(now_ms);
        self.progress.restart();
        self.resumed_parts = 0;
        if !matches!(self.phase, Phase::PuttingEmpty) {
            self.phase = Phase::Creating { cancel_when_created: false };
        }
        self.control = Task::due(now_ms);
        true
    }

    fn is_checksum_refusal(&self, kind: OpKind, err: &S3Error) -> bool {
        let carries_checksums = matches!(kind, OpKind::PutEmpty | OpKind::Create | OpKind::Part(_) | OpKind::Complete);
        match (kind, err.status, err.code.as_str()) {
            (_, 501, _) | (_, _, NOT_IMPLEMENTED) => carries_checksums,
            (_, 400, "InvalidArgument" | "InvalidRequest") => carries_checksums && names_checksum(err),
            // GCS. Only the first checksummed part can tell: once a part with a checksum has been taken, a
            // signature refusal is about the signature.
            (OpKind::Part(_), 403, SIGNATURE_DOES_NOT_MATCH) => self.parts.done_count() == 0,
            // GCS. A 412 also answers `If-None-Match: *`, sent when the key must not exist (not `overwrite`).
            (OpKind::Complete, 412, _) => self.spec.overwrite,
            _ => false,
        }
    }
}

/// B2 names the header it refuses: "Unsupported header 'x-amz-checksum-crc64nvme' received for this API call."
fn names_checksum(err: &S3Error) -> bool {
    err.message.to_ascii_lowercase().contains("checksum")
}
