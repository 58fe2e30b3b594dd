//! Sending the parts (UploadPart): each with its CRC when checksums are on, at most the window in flight; stalled
//! attempts are given up and sent again; pausing stops the parts in flight and resuming sends them again.
use super::parts::{Checked, Due};
use super::task::Slot;
use super::types::{Action, OpId, OpKind, Range};
use super::{Phase, Target, Upload};
use crate::core::codes;
use crate::core::error::UploadError;
use crate::core::plan::Part;
use crate::core::retry::ErrorClass;
use crate::core::s3::{upload_part, Response};

impl Upload {
    /// Parts of upload `upload_id` that fall due, and CRCs to read.
    pub(super) fn start_parts(&mut self, upload_id: &str, now_ms: u64) -> Vec<Action> {
        let next_id = &mut self.next_id;
        let take_id = || {
            *next_id += 1;
            *next_id - 1
        };
        let due = self.parts.start(now_ms, self.spec.checksums, self.recovery.epoch(), take_id);
        due.into_iter()
            .map(|due| match due {
                Due::Checksum(part) => Action::Checksum(part.into()),
                Due::Send { part, id, crc } => {
                    let mut request = upload_part::request(&self.spec.endpoint, &self.spec.object, upload_id, &part);
                    if let Some(crc) = crc {
                        upload_part::add_checksum(&mut request, self.spec.checksum_algorithm, crc);
                    }
                    Action::Send(self.op(id, OpKind::Part(part), request))
                }
            })
            .collect()
    }

    pub(super) fn on_part_answer(&mut self, id: OpId, part: Part, resp: &Response, now_ms: u64) {
        let Some(entry) = self.parts.get_mut(part.number) else { return };
        if entry.task.in_flight_id() != Some(id) {
            return; // an attempt already given up on
        }
        let epoch = entry.task.signed_epoch();
        match upload_part::parse(resp) {
            Ok(etag) => {
                self.parts.confirmed(part.number, id, etag);
                self.progress.confirmed(part.number, part.len, now_ms);
                self.part_held(part, false);
                self.succeeded();
            }
            Err(err) => {
                // Bytes that do not match the CRC read before may be the file's new bytes: read them again.
                if codes::DIGEST_MISMATCH.contains(&err.code.as_str()) {
                    self.parts.verify(part.number);
                }
                self.progress.failed(part.number);
                if !self.checksums_refused(OpKind::Part(part), &err, now_ms) {
                    self.on_refused(Target::Part(part.number), &err, resp, epoch, now_ms);
                }
            }
        }
    }

    pub(super) fn on_part_checksum(&mut self, range: Range, crc: u64, now_ms: u64) {
        match self.parts.on_checksum(range, crc, now_ms) {
            Some(Checked::Kept(part)) => self.part_kept(part, now_ms),
            Some(Checked::Changed) => self.fail(UploadError::file_changed()),
            Some(Checked::Noted) | None => {}
        }
    }

    /// A part S3 holds matched the file.
    fn part_kept(&mut self, part: Part, now_ms: u64) {
        self.progress.confirmed(part.number, part.len, now_ms);
        // Parts checked again after an InvalidPart were this session's own, not resumed ones.
        let resumed = self.parts.relists == 0;
        if resumed {
            self.resumed_parts += 1;
        }
        self.part_held(part, resumed);
    }

    /// Parts silent for longer than the stall timeout are given up and retried.
    pub(super) fn abort_stalled_parts(&mut self, now_ms: u64) -> Vec<Action> {
        let timeout_ms = self.spec.policy.stall_timeout_ms;
        let stalled = self.parts.stalled(now_ms, timeout_ms);
        for &(number, _) in &stalled {
            self.progress.failed(number);
            self.retry(Target::Part(number), ErrorClass::Network, stalled_error(timeout_ms), now_ms);
        }
        stalled.into_iter().map(|(_, id)| Action::Abort(id)).collect()
    }

    /// The browser has sent `sent` bytes of attempt `id` of `part`.
    pub fn on_part_progress(&mut self, id: OpId, part: Part, sent: u64, now_ms: u64) {
        let Some(entry) = self.parts.get_mut(part.number) else { return };
        if entry.task.in_flight_id() == Some(id) {
            entry.task.heard_from(id, now_ms);
            self.progress.sending(part.number, sent.min(part.len), now_ms);
        }
    }

    /// Pauses: stops the parts in flight (their progress is kept) and starts nothing until [`Upload::resume`].
    pub fn pause(&mut self, now_ms: u64) -> Vec<Action> {
        if self.outcome().is_some() || matches!(self.phase, Phase::Cancelling { .. }) {
            return vec![];
        }
        self.paused = true;
        let stopped = self.parts.stop_all(now_ms);
        stopped
            .into_iter()
            .map(|(number, id)| {
                self.progress.failed(number);
                Action::Abort(id)
            })
            .collect()
    }

    pub fn resume(&mut self, now_ms: u64) {
        self.paused = false;
        for task in self.parts.tasks_mut() {
            if let Slot::Waiting { due_ms } = &mut task.slot {
                *due_ms = (*due_ms).min(now_ms);
            }
        }
    }
}

pub(super) fn stalled_error(timeout_ms: u64) -> UploadError {
    UploadError::new(codes::STALLED, format!("no progress for {} s: the request was stopped and is sent again", timeout_ms / 1000))
}
