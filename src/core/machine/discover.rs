//! Discovering what to continue: an unfinished upload of this key (ListMultipartUploads, then its parts with
//! ListParts), or, when there is none, whether this very file is at the key already (HeadObject, then the file's CRC).
use super::outcome::object_exists;
use super::types::{OpKind, Range, UploadSpec};
use super::{Answer, Phase, Step, Upload};
use crate::core::codes;
use crate::core::s3::list_parts::ListedPart;
use crate::core::s3::{head_object, list_multipart_uploads, list_parts, Response, S3Error};

impl Upload {
    pub(super) fn discover_step(&mut self) -> Option<Step> {
        let (endpoint, object) = (&self.spec.endpoint, &self.spec.object);
        let step = match &mut self.phase {
            Phase::FindingUpload { next, .. } => {
                Step::Send(OpKind::FindUpload, list_multipart_uploads::request(endpoint, &object.bucket, &object.key, next.as_ref()))
            }
            Phase::ListingParts { upload_id, next, .. } => Step::Send(OpKind::ListParts, list_parts::request(endpoint, object, upload_id, *next)),
            Phase::CheckingExisting { existing: None, .. } => {
                Step::Send(OpKind::HeadObject, head_object::request(endpoint, object, self.head_checksums()))
            }
            // The file's CRC decides; ask for it once.
            Phase::CheckingExisting { existing: Some(_), file_crc_asked } if !*file_crc_asked => {
                *file_crc_asked = true;
                Step::Checksum(Range { offset: 0, len: self.spec.plan.size })
            }
            _ => return None,
        };
        Some(step)
    }

    pub(super) fn on_discover_answer(&mut self, kind: OpKind, resp: &Response, now_ms: u64) -> Result<Answer, S3Error> {
        match kind {
            OpKind::FindUpload => self.on_uploads_page(resp),
            OpKind::ListParts => self.on_parts_page(resp, now_ms),
            _ => self.on_head_object(resp),
        }
    }

    fn on_uploads_page(&mut self, resp: &Response) -> Result<Answer, S3Error> {
        let page = match list_multipart_uploads::parse(resp, &self.spec.object.key) {
            Ok(page) => page,
            // Not allowed to list uploads (s3:ListBucketMultipartUploads) or not supported: start afresh.
            Err(err) if matches!(err.code.as_str(), codes::ACCESS_DENIED | codes::NOT_IMPLEMENTED | codes::METHOD_NOT_ALLOWED) => {
                self.phase = Phase::Creating { cancel_when_created: false };
                return Ok(Answer::Handled);
            }
            // A listing that cannot be read finds nothing to continue: a new upload, never a failed one.
            Err(err) if err.code == codes::MALFORMED_RESPONSE => return Ok(self.start_afresh()),
            Err(err) => return Err(err),
        };
        let checksum = self.spec.checksum();
        let Phase::FindingUpload { newest, .. } = &mut self.phase else { return Ok(Answer::Handled) };
        // An upload created with another checksum cannot be completed with this one's.
        let fitting = page.uploads.into_iter().filter(|u| !u.checksum.contradicts(checksum));
        let newest = fitting.chain(newest.take()).max_by(|a, b| a.initiated.cmp(&b.initiated));
        self.phase = match (page.next_markers, newest) {
            (Some(next), newest) => Phase::FindingUpload { next: Some(next), newest },
            (None, Some(found)) => Phase::ListingParts { upload_id: found.upload_id, next: None, listed: vec![] },
            (None, None) => Phase::CheckingExisting { existing: None, file_crc_asked: false },
        };
        Ok(Answer::Done)
    }

    fn on_parts_page(&mut self, resp: &Response, now_ms: u64) -> Result<Answer, S3Error> {
        let page = match list_parts::parse(resp) {
            Ok(page) => page,
            // The remembered upload was completed or aborted meanwhile: look for another, or start afresh.
            Err(err) if err.code == codes::NO_SUCH_UPLOAD => {
                self.phase = Phase::discovering(&self.spec);
                return Ok(Answer::Handled);
            }
            // Discovering (not listing again after Complete): an unreadable listing, or an upload created with
            // another checksum than this one's (Complete would fail), is not continued.
            Err(err) if err.code == codes::MALFORMED_RESPONSE && self.parts.relists == 0 => return Ok(self.start_afresh()),
            Err(err) => return Err(err),
        };
        if self.parts.relists == 0 && page.checksum.contradicts(self.spec.checksum()) {
            return Ok(self.start_afresh());
        }
        let Phase::ListingParts { upload_id, next, listed } = &mut self.phase else { return Ok(Answer::Handled) };
        listed.extend(page.parts);
        *next = page.next_marker;
        if next.is_none() {
            let (upload_id, listed) = (std::mem::take(upload_id), std::mem::take(listed));
            self.resume_with(upload_id, listed, now_ms);
        }
        Ok(Answer::Done)
    }

    /// Continues upload `upload_id`: parts S3 holds that fit the file's plan are checked against the file.
    fn resume_with(&mut self, upload_id: String, listed: Vec<ListedPart>, now_ms: u64) {
        // The upload keeps the part size it was started with: every part but the last has it.
        let current = self.parts.plan();
        let continuing = listed.iter().map(|p| p.size).max().and_then(|started_with| current.continuing(started_with));
        if let Some(plan) = continuing.filter(|plan| *plan != current) {
            self.parts.adopt(plan, now_ms);
        }
        let plan = self.parts.plan();
        for part in listed {
            let fits = part.number >= 1 && part.number <= plan.count() && plan.part(part.number).len == part.size;
            // Without a checksum of this upload's algorithm a listed part cannot be told from another file's: it is
            // sent again.
            let crc = part.checksum.filter(|(algorithm, _)| Some(*algorithm) == self.spec.checksum()).and_then(|(a, v)| a.from_base64(&v));
            if let (true, Some(crc)) = (fits, crc) {
                self.parts.listed(part.number, part.etag, crc);
            }
        }
        self.phase = Phase::Uploading { upload_id };
    }

    /// Nothing to continue: a new upload, after checking whether this file is at the key already.
    fn start_afresh(&mut self) -> Answer {
        self.phase = Phase::CheckingExisting { existing: None, file_crc_asked: false };
        Answer::Done
    }

    fn on_head_object(&mut self, resp: &Response) -> Result<Answer, S3Error> {
        // AWS answers HEAD without the SSE-C key of an object encrypted with one with 400: an object is there, and
        // this upload (with its own key) can only replace it.
        if resp.status == 400 && self.spec.object_options.has_customer_key() {
            if !self.spec.overwrite {
                return Err(object_exists());
            }
            self.phase = Phase::Creating { cancel_when_created: false };
            return Ok(Answer::Done);
        }
        // Not allowed to read the object (403) is treated as no object: the upload goes ahead.
        let found = if resp.status == 403 { None } else { head_object::parse(resp)? };
        self.phase = match found {
            Some(info)
                if info.size == self.spec.plan.size
                    && self.spec.checksum().is_some_and(|a| info.checksum.as_ref().is_some_and(|c| c.algorithm == a))
                    && adopts_unrecorded(&self.spec) =>
            {
                Phase::CheckingExisting { existing: Some(info), file_crc_asked: false }
            }
            Some(_) if !self.spec.overwrite => return Err(object_exists()),
            _ => Phase::Creating { cancel_when_created: false },
        };
        Ok(Answer::Done)
    }

    /// The whole file's CRC: the same as the object's means it is there already.
    pub(super) fn on_file_checksum(&mut self, crc: u64, now_ms: u64) {
        let Phase::CheckingExisting { existing: Some(info), .. } = &self.phase else { return };
        let same = info.checksum.as_ref().is_some_and(|c| c.algorithm.from_base64(&c.value) == Some(crc));
        if same {
            let (etag, checksum, stored) = (info.etag.clone().unwrap_or_default(), info.checksum.clone(), info.stored.clone());
            self.progress.confirmed(0, self.spec.plan.size, now_ms);
            self.already_uploaded = true;
            self.finish(etag, String::new(), None, checksum, Some(crc), stored);
        } else if self.spec.overwrite {
            self.phase = Phase::Creating { cancel_when_created: false };
            self.control = super::task::Task::due(now_ms);
        } else {
            self.fail_s3(&object_exists());
        }
    }
}

/// What is on the server without a local record (an unfinished upload, an object) may be this upload's only when
/// nothing but the content type shapes the object, and no record says this file went there with other options:
/// otherwise its metadata, tags or encryption could be other than asked for.
pub(super) fn adopts_unrecorded(spec: &UploadSpec) -> bool {
    !spec.recorded_otherwise && !spec.object_options.shape_the_object()
}

impl Phase {
    /// Where discovery starts without a remembered upload: ListMultipartUploads, or straight to HeadObject.
    pub(super) fn discovering(spec: &UploadSpec) -> Self {
        match adopts_unrecorded(spec) {
            true => Phase::FindingUpload { next: None, newest: None },
            false => Phase::CheckingExisting { existing: None, file_crc_asked: false },
        }
    }
}
