//! The upload state machine: it decides which request goes next and digests answers. It does no I/O: the shell asks
//! [`Upload::poll`] what to send, signs and sends it, and hands the answer back to [`Upload::on_response`].
use crate::core::error::{Context, UploadError};
use crate::core::plan::{Part, PartPlan};
use crate::core::progress::{Progress, ProgressSnapshot};
use crate::core::s3::complete_multipart_upload::CompletedPart;
use crate::core::s3::{self, complete_multipart_upload, create_multipart_upload, put_object, upload_part, Endpoint, Object, Request, Response, S3Error};

/// What an upload is for.
#[derive(Clone, Debug)]
pub struct UploadSpec {
    pub endpoint: Endpoint,
    pub object: Object,
    pub content_type: Option<String>,
    pub plan: PartPlan,
    /// At most this many part uploads in flight.
    pub concurrency: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadResult {
    pub bucket: String,
    pub key: String,
    pub etag: String,
    pub size: u64,
    pub location: String,
    /// `None` for an empty file, which is sent with one PutObject.
    pub upload_id: Option<String>,
}

/// Which request an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// PutObject of an empty file.
    PutEmpty,
    Create,
    Part(Part),
    Complete,
}

/// A request to send, still unsigned: it is signed right before it goes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub kind: OpKind,
    pub request: Request,
}

/// The transport's failure to get any readable answer (connection refused, CORS, aborted).
pub type TransportError = String;

#[derive(Clone, Debug, PartialEq, Eq)]
enum PartState {
    Pending,
    Sending,
    Done { etag: String },
}

#[derive(Debug)]
enum Phase {
    /// An empty file: PutObject is to be sent (`sent == false`) or awaited.
    PuttingEmpty { sent: bool },
    /// CreateMultipartUpload is to be sent (`sent == false`) or awaited.
    Creating { sent: bool },
    Uploading { upload_id: String },
    /// CompleteMultipartUpload has been sent.
    Completing { upload_id: String },
    Finished(Result<UploadResult, UploadError>),
}

#[derive(Debug)]
pub struct Upload {
    spec: UploadSpec,
    phase: Phase,
    parts: Vec<PartState>,
    in_flight: usize,
    progress: Progress,
}

impl Upload {
    pub fn new(spec: UploadSpec) -> Self {
        let parts = vec![PartState::Pending; spec.plan.count() as usize];
        let progress = Progress::new(spec.plan.size);
        let phase = if spec.plan.size == 0 { Phase::PuttingEmpty { sent: false } } else { Phase::Creating { sent: false } };
        Self { spec, phase, parts, in_flight: 0, progress }
    }

    pub fn spec(&self) -> &UploadSpec {
        &self.spec
    }

    /// The requests to start now. Call again after every answer.
    pub fn poll(&mut self) -> Vec<Op> {
        let (endpoint, object) = (&self.spec.endpoint, &self.spec.object);
        match &mut self.phase {
            Phase::PuttingEmpty { sent: sent @ false } => {
                *sent = true;
                let request = put_object::request(endpoint, object, self.spec.content_type.as_deref());
                vec![Op { kind: OpKind::PutEmpty, request }]
            }
            Phase::Creating { sent: sent @ false } => {
                *sent = true;
                let request = create_multipart_upload::request(endpoint, object, self.spec.content_type.as_deref());
                vec![Op { kind: OpKind::Create, request }]
            }
            Phase::Uploading { upload_id } => {
                let mut ops = vec![];
                while self.in_flight < self.spec.concurrency.max(1) {
                    let Some(index) = self.parts.iter().position(|p| *p == PartState::Pending) else { break };
                    self.parts[index] = PartState::Sending;
                    self.in_flight += 1;
                    let part = self.spec.plan.part(index as u32 + 1);
                    ops.push(Op { kind: OpKind::Part(part), request: upload_part::request(endpoint, object, upload_id, &part) });
                }
                if self.in_flight == 0 {
                    let upload_id = std::mem::take(upload_id);
                    let request = complete_multipart_upload::request(endpoint, object, &upload_id, &self.completed_parts());
                    self.phase = Phase::Completing { upload_id };
                    ops.push(Op { kind: OpKind::Complete, request });
                }
                ops
            }
            _ => vec![],
        }
    }

    /// Every part's ETag in ascending part order (the order S3 requires).
    fn completed_parts(&self) -> Vec<CompletedPart> {
        let done = self.parts.iter().enumerate().filter_map(|(i, p)| match p {
            PartState::Done { etag } => Some(CompletedPart { number: i as u32 + 1, etag: etag.clone() }),
            _ => None,
        });
        done.collect()
    }

    /// The answer (or transport failure) of a request `poll` returned.
    pub fn on_response(&mut self, kind: OpKind, answer: Result<Response, TransportError>) {
        if self.outcome().is_some() {
            return;
        }
        let resp = match answer {
            Ok(resp) => resp,
            Err(detail) => return self.fail(UploadError::network(&self.context(), &detail)),
        };
        match kind {
            OpKind::PutEmpty => match put_object::parse(&resp) {
                Ok(etag) => self.finish(etag, String::new(), None),
                Err(err) => self.fail_s3(&err),
            },
            OpKind::Create => match create_multipart_upload::parse(&resp) {
                Ok(upload_id) => self.phase = Phase::Uploading { upload_id },
                Err(err) => self.fail_s3(&err),
            },
            OpKind::Part(part) => {
                self.in_flight -= 1;
                match upload_part::parse(&resp) {
                    Ok(etag) => {
                        self.parts[part.number as usize - 1] = PartState::Done { etag };
                        self.progress.confirmed(part.number, part.len);
                    }
                    Err(err) => self.fail_s3(&err),
                }
            }
            OpKind::Complete => {
                let Phase::Completing { upload_id } = &self.phase else { return };
                let upload_id = upload_id.clone();
                match complete_multipart_upload::parse(&resp) {
                    Ok(done) => self.finish(done.etag, done.location, Some(upload_id)),
                    Err(err) => self.fail_s3(&err),
                }
            }
        }
    }

    /// The browser has sent `sent` bytes of a part that is still in flight.
    pub fn on_part_progress(&mut self, part: Part, sent: u64) {
        if self.parts[part.number as usize - 1] == PartState::Sending {
            self.progress.sending(part.number, sent.min(part.len));
        }
    }

    pub fn progress(&self) -> ProgressSnapshot {
        self.progress.snapshot()
    }

    /// `Some` once the upload has succeeded or failed for good.
    pub fn outcome(&self) -> Option<&Result<UploadResult, UploadError>> {
        match &self.phase {
            Phase::Finished(outcome) => Some(outcome),
            _ => None,
        }
    }

    fn context(&self) -> Context<'_> {
        Context { endpoint: &self.spec.endpoint, object: &self.spec.object }
    }

    fn finish(&mut self, etag: String, location: String, upload_id: Option<String>) {
        let object = &self.spec.object;
        let location = if location.is_empty() {
            // PutObject has no Location and some servers leave it out of Complete: the object's own URL says the same.
            s3::object_location(&self.spec.endpoint, object)
        } else {
            location
        };
        self.phase = Phase::Finished(Ok(UploadResult {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag,
            size: self.spec.plan.size,
            location,
            upload_id,
        }));
    }

    fn fail_s3(&mut self, err: &S3Error) {
        self.fail(UploadError::from_s3(err, &self.context()));
    }

    fn fail(&mut self, err: UploadError) {
        self.phase = Phase::Finished(Err(err));
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
