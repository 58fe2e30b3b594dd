//! Cancelling: everything in flight stops, then AbortMultipartUpload is sent, and ListParts confirms the upload is
//! gone (a part in flight may land after the abort and keep it alive: then it is aborted again).
use super::task::Task;
use super::types::{Action, OpKind};
use super::{Answer, Phase, Step, Upload};
use crate::core::codes;
use crate::core::error::UploadError;
use crate::core::s3::{abort_multipart_upload, list_parts, Response, S3Error};

impl Upload {
    /// Cancels: stops everything in flight, then removes the multipart upload from the server (finished parts
    /// included). The outcome becomes a `Cancelled` error once the server confirms. A Complete in flight wins.
    pub fn cancel(&mut self, now_ms: u64) -> Vec<Action> {
        let upload_id = match &mut self.phase {
            Phase::Finished(_) | Phase::Completing { .. } | Phase::ConfirmingComplete { .. } | Phase::Cancelling { .. } => return vec![],
            Phase::Creating { cancel_when_created } if self.control.in_flight_id().is_some() => {
                *cancel_when_created = true;
                return vec![];
            }
            Phase::ListingParts { upload_id, .. } | Phase::Uploading { upload_id } | Phase::Verifying { upload_id, .. } => Some(upload_id.clone()),
            Phase::PuttingEmpty | Phase::FindingUpload { .. } | Phase::CheckingExisting { .. } | Phase::Creating { .. } => None,
        };
        let stopped = self.parts.stop_all(now_ms).into_iter().map(|(_, id)| id);
        let aborts: Vec<Action> = stopped.chain(self.control.in_flight_id()).map(Action::Abort).collect();
        self.paused = false;
        match upload_id {
            Some(upload_id) => {
                self.phase = Phase::Cancelling { upload_id, confirming: false, ending: cancelled() };
                self.control = Task::due(now_ms);
            }
            None => self.fail(cancelled()),
        }
        aborts
    }

    pub(super) fn cancel_step(&self) -> Step {
        let (endpoint, object) = (&self.spec.endpoint, &self.spec.object);
        match &self.phase {
            Phase::Cancelling { upload_id, confirming: true, .. } => {
                Step::Send(OpKind::ConfirmAbort, list_parts::request(endpoint, object, upload_id, None))
            }
            _ => Step::Send(OpKind::Abort, abort_multipart_upload::request(endpoint, object, self.upload_id().unwrap_or_default())),
        }
    }

    pub(super) fn on_cancel_answer(&mut self, kind: OpKind, resp: &Response) -> Result<Answer, S3Error> {
        let answered = match kind {
            OpKind::Abort => abort_multipart_upload::parse(resp),
            _ => list_parts::parse(resp).map(|_| ()),
        };
        match answered {
            // After Abort, confirm; a ListParts that still answers means the upload lives on: abort again.
            Ok(()) => {
                if let Phase::Cancelling { confirming, .. } = &mut self.phase {
                    *confirming = kind == OpKind::Abort;
                }
                Ok(Answer::Done)
            }
            Err(err) if err.code == codes::NO_SUCH_UPLOAD => {
                self.fail(cancelled());
                Ok(Answer::Handled)
            }
            Err(err) => Err(err),
        }
    }

    /// Ends the upload with `err` once its multipart upload, which a later resume could not use, is removed from the
    /// server: everything in flight stops, AbortMultipartUpload (and ListParts) are tried once.
    pub(super) fn abort_for(&mut self, upload_id: String, err: UploadError) {
        let stopped = self.parts.stop_all(0);
        self.pending.extend(stopped.into_iter().map(|(_, id)| Action::Abort(id)));
        self.phase = Phase::Cancelling { upload_id, confirming: false, ending: err };
        self.control = Task::due(0);
    }

    /// Removing the upload after a failure, not a cancel.
    pub(super) fn aborting_after_failure(&self) -> bool {
        matches!(&self.phase, Phase::Cancelling { ending, .. } if ending.code != codes::CANCELLED)
    }
}

pub(super) fn cancelled() -> UploadError {
    UploadError::new(codes::CANCELLED, "the upload was cancelled; the server holds nothing of it")
}
