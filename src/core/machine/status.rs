//! What the shell reads from the machine: the state to show, when to wake it next, progress, what to remember
//! for a resume, and the outcome.
use super::task::{Slot, Task};
use super::types::{UploadResult, UploadSpec, UploadState};
use super::{Phase, Upload};
use crate::core::error::UploadError;
use crate::core::notice::Notice;
use crate::core::plan::PartPlan;
use crate::core::progress::ProgressSnapshot;

/// Requests without upload progress (create, list, …) may take this many stall timeouts.
pub const CONTROL_TIMEOUT_FACTOR: u64 = 4;
/// CompleteMultipartUpload may take minutes on real S3 (it answers 200 at once, then sends whitespace until the
/// object is assembled): it, and any request whose answer has begun, is given up only after this long (or
/// `CONTROL_TIMEOUT_FACTOR` stall timeouts if longer).
pub const COMPLETE_TIMEOUT_MS: u64 = 10 * 60 * 1000;

impl Upload {
    pub fn state(&self, now_ms: u64) -> UploadState {
        match &self.phase {
            Phase::Finished(Ok(_)) => return UploadState::Done,
            Phase::Finished(Err(e)) => return UploadState::Failed { error_code: e.code.clone() },
            Phase::Cancelling { .. } => return UploadState::Cancelling,
            _ if self.paused => return UploadState::Paused,
            _ if !self.network.online => return UploadState::WaitingForNetwork,
            _ => {}
        }
        let active = self.active_tasks().map(|(task, _)| task);
        if active.clone().any(|t| t.in_flight_id().is_some()) {
            return UploadState::Uploading;
        }
        let waiting = active.filter_map(|t| match (&t.slot, &t.last_error) {
            (Slot::Waiting { due_ms }, Some((_, code))) if *due_ms > now_ms => Some((*due_ms, code)),
            _ => None,
        });
        match waiting.min_by_key(|(due, _)| *due) {
            Some((due_ms, code)) => UploadState::Retrying { next_try_at: due_ms, error_code: code.clone() },
            None => UploadState::Uploading,
        }
    }

    /// The tasks of the current phase, each with how long it may go without progress.
    pub(super) fn active_tasks(&self) -> impl Iterator<Item = (&Task, u64)> + Clone {
        let stall = self.spec.policy.stall_timeout_ms;
        let parts = matches!(self.phase, Phase::Uploading { .. }).then(|| self.parts.tasks());
        let control = (!matches!(self.phase, Phase::Uploading { .. } | Phase::Finished(_))).then_some(&self.control);
        let parts = parts.into_iter().flatten().map(move |t| (t, stall));
        parts.chain(control.map(|t| (t, self.control_timeout_ms())))
    }

    /// How long the current phase's request may go without an answer.
    pub(super) fn control_timeout_ms(&self) -> u64 {
        let timeout = self.spec.policy.stall_timeout_ms * CONTROL_TIMEOUT_FACTOR;
        let answering = self.answering.is_some() && self.answering == self.control.in_flight_id();
        match self.phase {
            Phase::Completing { .. } => timeout.max(COMPLETE_TIMEOUT_MS),
            _ if answering => timeout.max(COMPLETE_TIMEOUT_MS),
            _ => timeout,
        }
    }

    /// When `poll` next has something to do without any new event (a retry falls due, a watchdog fires, a probe).
    pub fn next_wakeup_ms(&self) -> Option<u64> {
        let deadlines = self.active_tasks().filter_map(|(task, timeout)| match task.slot {
            Slot::Waiting { due_ms } if self.network.online => Some(due_ms),
            _ => task.stalls_at(timeout),
        });
        deadlines.chain(self.probe_due_at()).min()
    }

    pub(super) fn probe_due_at(&self) -> Option<u64> {
        if self.paused || self.outcome().is_some() {
            return None;
        }
        self.network.probe_due_at(self.active_tasks().map(|(task, _)| task))
    }

    pub fn spec(&self) -> &UploadSpec {
        &self.spec
    }

    /// How the file is cut into parts: the spec's plan, or the part size of the unfinished upload being continued.
    pub fn plan(&self) -> PartPlan {
        self.parts.plan()
    }

    /// The multipart upload being filled and its part size, once there is one: what to remember for a resume.
    pub fn current_upload(&self) -> Option<(&str, u64)> {
        match &self.phase {
            Phase::Uploading { upload_id } | Phase::Verifying { upload_id, .. } | Phase::Completing { upload_id } => {
                Some((upload_id, self.parts.plan().part_size))
            }
            _ => None,
        }
    }

    pub(super) fn upload_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::ListingParts { upload_id, .. }
            | Phase::Uploading { upload_id }
            | Phase::Verifying { upload_id, .. }
            | Phase::Completing { upload_id }
            | Phase::ConfirmingComplete { upload_id }
            | Phase::Cancelling { upload_id, .. } => Some(upload_id),
            _ => None,
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

    /// Parts held and requests failed since the last call, in order.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }
}
