//! The upload state machine: it decides which request goes next, when to retry, and digests answers. It does no I/O
//! and reads no clock: the shell passes the time in, asks [`Upload::poll`] what to do, signs and sends each request,
//! computes the CRCs it asks for, and hands every answer back (`on_response`, `on_checksum`, …).
//!
//! The phases, each in its own module:
//! ```text
//!  empty file ──────────────────────────────────────────────▶ PuttingEmpty ──────────────────────┐
//!  resume ─▶ FindingUpload ─▶ ListingParts ─────────────────▶ Uploading ─▶ Verifying ─▶ Completing ─▶ Finished
//!     (discover.rs)  │      (known upload id starts here)      ▲ (send.rs)   (complete.rs: │ sampled slices  ▲
//!                    └─▶ CheckingExisting ─▶ Creating ─────────┘              read again)  ├─ InvalidPart: ListingParts again (≤ 3)
//!                       (this file there? ─▶ Finished)  (create.rs)                        └─ lost answer: ConfirmingComplete ─┘
//!  cancel (cancel.rs): ListingParts | Uploading | Verifying ─▶ Cancelling ─▶ Finished(Cancelled)
//!  a failure that leaves an upload no resume could use (outcome.rs) ─▶ Cancelling (one try) ─▶ Finished(the failure)
//! ```
//! Concerns that cut across phases are small types of their own: [`parts::Parts`] (each part's attempts, ETag and
//! CRC, the window, read-ahead), [`recovery::Recovery`] (what a failure means, fixes, budgets, backoff) and
//! [`network::Network`] (online, probing).
mod cancel;
mod complete;
mod create;
mod discover;
mod fallback;
mod network;
mod outcome;
mod parts;
mod recovery;
mod send;
mod status;
mod task;
mod types;

pub use network::PROBE_INTERVAL_MS;
pub use recovery::MAX_CONSECUTIVE_FIXES;
pub use status::{COMPLETE_TIMEOUT_MS, CONTROL_TIMEOUT_FACTOR};
pub use types::{Action, Op, OpId, OpKind, Policy, Range, TransportError, UploadResult, UploadSpec, UploadState};

use crate::core::codes::NETWORK_ERROR;
use crate::core::error::{Context, UploadError};
use crate::core::notice::{ErrorNotice, Notice};
use crate::core::object_options::Scope;
use crate::core::progress::Progress;
use crate::core::retry::ErrorClass;
use crate::core::s3::head_object::ObjectInfo;
use crate::core::s3::list_multipart_uploads::ListedUpload;
use crate::core::s3::list_parts::ListedPart;
use crate::core::s3::{Request, Response, S3Error};
use network::Network;
use parts::Parts;
use recovery::{Recovery, Verdict};
use task::{Slot, Task};

#[derive(Debug)]
enum Phase {
    PuttingEmpty,
    /// ListMultipartUploads pages: `next` is the page to ask for, `newest` the latest upload of the key so far.
    FindingUpload {
        next: Option<(String, String)>,
        newest: Option<ListedUpload>,
    },
    /// ListParts pages of the upload to resume.
    ListingParts {
        upload_id: String,
        next: Option<u32>,
        listed: Vec<ListedPart>,
    },
    /// No unfinished upload: HeadObject, then (`existing`) the file's checksum is compared with the object's.
    CheckingExisting {
        existing: Option<ObjectInfo>,
        file_crc_asked: bool,
    },
    /// `cancel_when_created`: cancelled while CreateMultipartUpload was in flight.
    Creating {
        cancel_when_created: bool,
    },
    Uploading {
        upload_id: String,
    },
    /// Every part is held: the sampled ranges `left` are being read again before Complete.
    Verifying {
        upload_id: String,
        left: Vec<Range>,
    },
    Completing {
        upload_id: String,
    },
    /// A retried Complete found the upload gone: an earlier attempt whose answer was lost may have completed it.
    ConfirmingComplete {
        upload_id: String,
    },
    /// Cancelled: AbortMultipartUpload is sent (then, `confirming`, ListParts) until the upload is gone. `ending` is
    /// what the upload ends with then: `Cancelled`, or the failure that made the upload useless (see `fail`).
    Cancelling {
        upload_id: String,
        confirming: bool,
        ending: UploadError,
    },
    Finished(Result<UploadResult, UploadError>),
}

/// The next step of a phase that is not sending parts.
enum Step {
    Send(OpKind, Request),
    Checksum(Range),
}

/// How a phase took an answer to its request.
enum Answer {
    /// The request did what it was for: the phase moved on, and a success is counted.
    Done,
    /// The phase turned the error into a way on (another phase, or the upload's end).
    Handled,
}

/// Whose attempt failed: a part's, or the current phase's request.
#[derive(Clone, Copy)]
enum Target {
    Part(u32),
    Control,
}

#[derive(Debug)]
pub struct Upload {
    spec: UploadSpec,
    phase: Phase,
    /// The request of the current phase when it is not a part (PutObject, Create, Complete, …).
    control: Task,
    parts: Parts,
    recovery: Recovery,
    network: Network,
    progress: Progress,
    paused: bool,
    resumed_parts: u32,
    already_uploaded: bool,
    next_id: OpId,
    /// Told to the app by the shell ([`Upload::take_notices`]).
    notices: Vec<Notice>,
    /// The control attempt whose answer has begun (its headers came): only the overall limit stops it.
    answering: Option<OpId>,
    /// Actions decided while digesting an answer or ending the upload (attempts to stop, a request to send),
    /// handed out by the next [`Upload::poll`].
    pending: Vec<Action>,
    /// The store refused `x-amz-checksum-mode` on HeadObject (see fallback.rs).
    head_checksum_mode_refused: bool,
}

impl Upload {
    pub fn new(spec: UploadSpec, now_ms: u64) -> Self {
        let phase = match (spec.plan.size, spec.resume, &spec.known_upload_id) {
            (0, _, _) => Phase::PuttingEmpty,
            (_, true, Some(upload_id)) => Phase::ListingParts { upload_id: upload_id.clone(), next: None, listed: vec![] },
            (_, true, None) => Phase::discovering(&spec),
            (_, false, _) => Phase::Creating { cancel_when_created: false },
        };
        Self {
            phase,
            control: Task::due(now_ms),
            parts: Parts::new(spec.plan, spec.concurrency, now_ms),
            recovery: Recovery::new(spec.policy, spec.seed),
            network: Network::new(now_ms),
            progress: Progress::new(spec.plan.size),
            paused: false,
            resumed_parts: 0,
            already_uploaded: false,
            next_id: 1,
            notices: vec![],
            answering: None,
            pending: vec![],
            head_checksum_mode_refused: false,
            spec,
        }
    }

    /// What to do at `now_ms`: requests to start, CRCs to compute and stalled attempts to abort. Call after every event.
    pub fn poll(&mut self, now_ms: u64) -> Vec<Action> {
        if self.outcome().is_some() {
            return vec![];
        }
        let mut actions = std::mem::take(&mut self.pending);
        actions.extend(self.abort_stalled(now_ms));
        if !self.network.online || self.paused {
            return actions;
        }
        if self.probe_due_at().is_some_and(|due| due <= now_ms) {
            self.network.probe_started(now_ms);
            actions.push(Action::Probe);
        }
        if let Phase::Uploading { upload_id } = &self.phase {
            let upload_id = upload_id.clone();
            actions.extend(self.start_parts(&upload_id, now_ms));
            if !self.parts.all_done() {
                return actions;
            }
            actions.extend(self.parts_held(upload_id, now_ms));
        }
        let step = match self.phase {
            Phase::PuttingEmpty | Phase::Creating { .. } => Some(self.create_step()),
            Phase::FindingUpload { .. } | Phase::ListingParts { .. } | Phase::CheckingExisting { .. } => self.discover_step(),
            Phase::Completing { .. } | Phase::ConfirmingComplete { .. } => Some(self.complete_step()),
            Phase::Cancelling { .. } => Some(self.cancel_step()),
            Phase::Uploading { .. } | Phase::Verifying { .. } | Phase::Finished(_) => None,
        };
        match step {
            Some(Step::Checksum(range)) => actions.push(Action::Checksum(range)),
            Some(Step::Send(kind, request)) => match self.control.slot {
                Slot::Waiting { due_ms } if due_ms <= now_ms => {
                    let id = self.take_id();
                    self.control.slot = Slot::InFlight { id, last_progress_ms: None, epoch: self.recovery.epoch() };
                    actions.push(Action::Send(self.op(id, kind, request)));
                }
                _ => {}
            },
            None => {}
        }
        actions
    }

    fn take_id(&mut self) -> OpId {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Attempt `id` of a request, with the object options' headers for its kind and what signing it needs to know.
    fn op(&mut self, id: OpId, kind: OpKind, mut request: Request) -> Op {
        let scope = match kind {
            OpKind::PutEmpty | OpKind::Create => Scope::Create,
            OpKind::Part(_) | OpKind::ListParts | OpKind::Complete | OpKind::ConfirmComplete | OpKind::ConfirmAbort => Scope::ObjectData,
            // Whatever is at the key, or the upload's end: no SSE-C key needed (HeadObject of another object would refuse it).
            OpKind::FindUpload | OpKind::HeadObject | OpKind::Abort | OpKind::Discard => Scope::Other,
        };
        request.headers.extend(self.spec.object_options.headers(scope).cloned());
        let refresh_credentials = self.recovery.take_credentials_refresh();
        let region = self.recovery.region().unwrap_or(&self.spec.endpoint.region).to_string();
        Op { id, kind, request, refresh_credentials, clock_offset_ms: self.recovery.clock_offset_ms(), region }
    }

    /// Attempts silent for longer than their stall timeout are given up and retried.
    fn abort_stalled(&mut self, now_ms: u64) -> Vec<Action> {
        let mut aborted = self.abort_stalled_parts(now_ms);
        let timeout_ms = self.control_timeout_ms();
        if let (Some(at), Some(id)) = (self.control.stalls_at(timeout_ms), self.control.in_flight_id()) {
            if now_ms >= at {
                self.retry(Target::Control, ErrorClass::Network, send::stalled_error(timeout_ms), now_ms);
                aborted.push(Action::Abort(id));
            }
        }
        aborted
    }

    /// The answer (or transport failure) of attempt `id`, received at `now_ms`.
    pub fn on_response(&mut self, id: OpId, kind: OpKind, answer: Result<Response, TransportError>, now_ms: u64) {
        let resp = match answer {
            Ok(resp) => resp,
            Err(detail) => return self.on_no_answer(id, kind, UploadError::network(&self.context(), &detail), now_ms),
        };
        if self.outcome().is_some() {
            return;
        }
        self.recovery.reached_server();
        let epoch = self.control.signed_epoch();
        let answered = match kind {
            OpKind::Part(part) => return self.on_part_answer(id, part, &resp, now_ms),
            OpKind::Discard => return,
            _ if self.control.in_flight_id() != Some(id) => return, // an attempt already given up on
            OpKind::PutEmpty | OpKind::Create => self.on_create_answer(kind, &resp),
            OpKind::FindUpload | OpKind::ListParts | OpKind::HeadObject => self.on_discover_answer(kind, &resp, now_ms),
            OpKind::Complete | OpKind::ConfirmComplete => self.on_complete_answer(kind, &resp, now_ms),
            OpKind::Abort | OpKind::ConfirmAbort => self.on_cancel_answer(kind, &resp),
        };
        match answered {
            Ok(answer) => {
                let next_is_control = !matches!(self.phase, Phase::Uploading { .. } | Phase::Finished(_));
                self.control = if next_is_control { Task::due(now_ms) } else { Task::done() };
                if matches!(answer, Answer::Done) {
                    self.succeeded();
                }
            }
            Err(err) if self.checksums_refused(kind, &err, now_ms) => {}
            Err(err) => self.on_refused(Target::Control, &err, &resp, epoch, now_ms),
        }
    }

    /// Attempt `id` got no answer (`err` says why): the transport failed, or so did the app's credentials or sign
    /// callback, whose backend may be as unreachable as the store. Retried as a network failure; the app is told `err`.
    pub fn on_no_answer(&mut self, id: OpId, kind: OpKind, err: UploadError, now_ms: u64) {
        if self.outcome().is_some() {
            return;
        }
        match kind {
            OpKind::Part(part) if self.parts.get_mut(part.number).is_some_and(|p| p.task.in_flight_id() == Some(id)) => {
                // A file removed or changed on disk fails its parts' requests like a network would.
                if err.code == NETWORK_ERROR {
                    self.parts.verify(part.number);
                }
                self.progress.failed(part.number);
                self.retry(Target::Part(part.number), ErrorClass::Network, err, now_ms);
            }
            _ if self.control.in_flight_id() == Some(id) => self.retry(Target::Control, ErrorClass::Network, err, now_ms),
            _ => {}
        }
    }

    /// The CRC (of the spec's algorithm) of `range` of the local file, asked for by [`Action::Checksum`].
    pub fn on_checksum(&mut self, range: Range, crc: u64, now_ms: u64) {
        match self.phase {
            Phase::CheckingExisting { .. } => self.on_file_checksum(crc, now_ms),
            Phase::Uploading { .. } => self.on_part_checksum(range, crc, now_ms),
            Phase::Verifying { .. } => self.on_sample_checksum(range, crc, now_ms),
            _ => {}
        }
    }

    /// The file could not be read for an [`Action::Checksum`] (removed or changed on disk): the upload ends.
    pub fn on_read_failed(&mut self, err: UploadError) {
        if self.outcome().is_none() {
            self.fail(err);
        }
    }

    /// An S3 error answer to a request made in fix epoch `epoch`: retried, or the end of the upload.
    fn on_refused(&mut self, target: Target, err: &S3Error, resp: &Response, epoch: u64, now_ms: u64) {
        let ctx = Context { endpoint: &self.spec.endpoint, object: &self.spec.object };
        match self.recovery.digest(err, resp, epoch, now_ms, |e| UploadError::from_s3(e, &ctx)) {
            Verdict::Fail(err) => self.fail(err),
            Verdict::Retry(class) => {
                if class == ErrorClass::Throttled {
                    self.parts.throttled();
                }
                let err = UploadError::from_s3(err, &self.context());
                self.retry(target, class, err, now_ms);
            }
        }
    }

    /// Puts the failed attempt's task back to wait (see [`Recovery::schedule`]); the app is told.
    fn retry(&mut self, target: Target, class: ErrorClass, err: UploadError, now_ms: u64) {
        if self.aborting_after_failure() {
            return self.fail(err); // best effort: the upload ends with its own failure
        }
        let ctx = Context { endpoint: &self.spec.endpoint, object: &self.spec.object };
        let task = match target {
            Target::Part(number) => match self.parts.get_mut(number) {
                Some(part) => &mut part.task,
                None => return,
            },
            Target::Control => &mut self.control,
        };
        match self.recovery.schedule(task, class, &err, self.network.online, now_ms, |detail| UploadError::network(&ctx, detail)) {
            Ok(()) => self.notices.push(Notice::Error(ErrorNotice::of(&err, true))),
            Err(last) => self.fail(last),
        }
    }

    fn succeeded(&mut self) {
        self.recovery.succeeded();
        self.parts.succeeded();
    }

    /// The browser went offline or came back. Back online, whatever waits after a network failure starts at once.
    pub fn set_online(&mut self, online: bool, now_ms: u64) {
        if self.network.set_online(online) {
            self.wake_network_waiters(now_ms);
        }
    }

    /// The answer to [`Action::Probe`]: reachable wakes everything waiting after a network failure.
    pub fn on_probe(&mut self, reachable: bool, now_ms: u64) {
        self.network.probe_answered();
        if reachable {
            self.wake_network_waiters(now_ms);
        }
    }

    fn wake_network_waiters(&mut self, now_ms: u64) {
        for task in self.parts.tasks_mut().chain(std::iter::once(&mut self.control)) {
            if task.waits_for_network() {
                task.slot = Slot::Waiting { due_ms: now_ms };
            }
        }
    }

    /// The headers of attempt `id`'s answer have arrived; its body is still coming (a slow Complete sends whitespace
    /// for minutes first). The stall timer no longer applies to it.
    pub fn on_headers(&mut self, id: OpId) {
        if self.control.in_flight_id() == Some(id) {
            self.answering = Some(id);
        }
    }

    /// Attempt `id` was signed at `now_ms`, with credentials expiring at `expires_at_ms`, and goes out now. The
    /// stall watchdog of a control request starts here; a part's starts with its first bytes on the wire
    /// ([`Upload::on_part_progress`]): the browser holds parts beyond its connections to one host, unsent.
    pub fn on_signed(&mut self, id: OpId, expires_at_ms: Option<u64>, now_ms: u64) {
        self.recovery.signed_with(expires_at_ms);
        self.control.heard_from(id, now_ms);
    }
}
