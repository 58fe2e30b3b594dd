//! The upload state machine: it decides which request goes next, when to retry, and digests answers. It does no I/O
//! and reads no clock: the shell passes the time in, asks [`Upload::poll`] what to do, signs and sends each request,
//! and hands every answer back to [`Upload::on_response`].
use crate::core::checksum;
use crate::core::clock;
use crate::core::error::{Context, UploadError, CANCELLED, NETWORK_ERROR, OBJECT_EXISTS};
use crate::core::notice::{ErrorNotice, Notice, PartNotice};
use crate::core::plan::{Part, PartPlan};
use crate::core::progress::{Progress, ProgressSnapshot};
use crate::core::retry::{classify, Backoff, ErrorClass};
use crate::core::s3::complete_multipart_upload::CompletedPart;
use crate::core::s3::list_multipart_uploads::{self, ListedUpload};
use crate::core::s3::list_parts::{self, ListedPart};
use crate::core::s3::head_object::{self, ObjectInfo};
use crate::core::s3::{self, abort_multipart_upload, complete_multipart_upload, create_multipart_upload, put_object, upload_part, Endpoint, Object, Request, Response, S3Error};

/// How hard an upload tries before giving up, and how long a silent request may hang.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub backoff: Backoff,
    /// Failed answers from the server (500, 503, RequestTimeout…) tolerated per request before the upload fails.
    /// Network failures and stalls have no limit: they end when the network comes back.
    pub server_retries: u32,
    /// A part whose upload makes no progress for this long is aborted and sent again.
    pub stall_timeout_ms: u64,
    /// Transport failures tolerated per request before the server has ever answered: a wrong endpoint or a
    /// bucket whose CORS refuses this page looks like an outage to the browser, and must not wait forever.
    pub unreached_retries: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self { backoff: Backoff::default(), server_retries: 10, stall_timeout_ms: 30_000, unreached_retries: 4 }
    }
}

/// Requests without upload progress (create, complete) may take this many stall timeouts: Complete of thousands of
/// parts takes a while on real S3.
const CONTROL_TIMEOUT_FACTOR: u64 = 4;
/// While a request waits after a network failure and nothing is in flight, the endpoint is probed this often:
/// `navigator.onLine` can say true with no way out, and a backoff of up to 30 s should not outlast the outage.
const PROBE_INTERVAL_MS: u64 = 2_000;
/// New credentials or a corrected clock that still fail this many times in a row are not going to work.
const MAX_CONSECUTIVE_FIXES: u32 = 3;

/// What an upload is for.
#[derive(Clone, Debug)]
pub struct UploadSpec {
    pub endpoint: Endpoint,
    pub object: Object,
    pub content_type: Option<String>,
    pub plan: PartPlan,
    /// At most this many part uploads in flight.
    pub concurrency: usize,
    pub policy: Policy,
    /// Every part carries a CRC-64/NVME and S3 checks the whole object's at Complete. Off for stores without
    /// flexible checksums.
    pub checksums: bool,
    /// Look for an unfinished upload of this key first and keep its parts that match the file.
    pub resume: bool,
    /// An upload of this file to this key remembered from an earlier session: listed first.
    pub known_upload_id: Option<String>,
    /// With `resume`, an existing object at the key that is not this file: replaced, or an `ObjectExists` error.
    pub overwrite: bool,
    /// Seeds the backoff jitter.
    pub seed: u64,
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
    /// `"CRC64NVME"` when S3 checked every part and the whole object against the file; `None` without checksums.
    pub checksum_algorithm: Option<String>,
    /// The whole object's checksum (base64), as S3 reported it.
    pub checksum: Option<String>,
    /// Parts of an earlier, unfinished upload that matched the file and were not sent again.
    pub resumed_parts: u32,
    /// The object was already there with this file's size and checksum: nothing was sent.
    pub already_uploaded: bool,
}

/// What the app is told the upload is doing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum UploadState {
    /// Decided by the shell, never by the machine: every part waits for a slot that other uploads of the same
    /// `Uploader` hold (they share its concurrency).
    Queued,
    Uploading,
    /// Paused by the app: nothing is sent until it resumes; finished parts are kept.
    Paused,
    /// Cancelled by the app: the multipart upload is being removed from the server.
    Cancelling,
    /// The browser is offline: nothing is sent until it is back.
    WaitingForNetwork,
    /// Everything is waiting for a retry; the next starts at `next_try_at` (epoch ms).
    Retrying { next_try_at: u64, error_code: String },
    Done,
    Failed { error_code: String },
}

/// Which request an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// PutObject of an empty file.
    PutEmpty,
    /// ListMultipartUploads: an unfinished upload of this key to resume?
    FindUpload,
    /// ListParts of the upload being resumed.
    ListParts,
    /// HeadObject: is this file already there?
    HeadObject,
    Create,
    Part(Part),
    Complete,
    /// HeadObject after a retried Complete was told NoSuchUpload: did an earlier attempt, whose answer was lost,
    /// complete the upload?
    ConfirmComplete,
    /// AbortMultipartUpload, after a cancel.
    Abort,
    /// ListParts after AbortMultipartUpload: parts in flight may have landed and kept the upload alive.
    ConfirmAbort,
}

/// Identifies one attempt of a request: answers to attempts given up on are ignored.
pub type OpId = u64;

/// A request to send, still unsigned: it is signed right before it goes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub id: OpId,
    pub kind: OpKind,
    pub request: Request,
    /// A part whose CRC-64/NVME the shell computes and hands to [`Upload::attach_checksum`] before signing.
    pub needs_checksum: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Send(Op),
    /// Compute the CRC-64/NVME of this part of the local file and hand it to [`Upload::on_local_checksum`]:
    /// S3 holds a part of an earlier upload, kept only if it is this file's.
    Verify(Part),
    /// Compute the whole file's CRC-64/NVME and hand it to [`Upload::on_file_checksum`]: an object of the same
    /// size is at the key, and may be this file.
    VerifyFile,
    /// Compute the CRC-64/NVME of this part, due next, while the parts in flight use every slot, and hand it to
    /// [`Upload::on_read_ahead`]: the part then goes out as soon as a slot frees, without reading the file first.
    ReadAhead(Part),
    /// Is the endpoint reachable? Any answer at all counts; tell [`Upload::on_probe`].
    Probe,
    /// Stop this attempt (it stalled); its answer, if any comes, is ignored.
    Abort(OpId),
}

/// The transport's failure to get any readable answer (offline, connection reset, CORS refusal, aborted).
pub type TransportError = String;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Slot {
    /// To be sent at `due_ms`.
    Waiting { due_ms: u64 },
    /// S3 holds this part from an earlier attempt: to be checked against the file (`checking` once asked).
    Listed { etag: String, crc: u64, checking: bool },
    /// Handed to the shell. `last_progress_ms` is `None` until it is signed and goes out (a part's checksum is
    /// computed first, which is not silence on the wire); `epoch` is the fix epoch it was signed in.
    InFlight { id: OpId, last_progress_ms: Option<u64>, epoch: u64 },
    Done,
}

/// One logical request (a part, or create/complete) and its attempts.
#[derive(Clone, Debug)]
struct Task {
    slot: Slot,
    /// Failures so far: the backoff exponent.
    failures: u32,
    server_failures: u32,
    last_error: Option<(ErrorClass, String)>,
}

impl Task {
    fn due(now_ms: u64) -> Self {
        Self { slot: Slot::Waiting { due_ms: now_ms }, failures: 0, server_failures: 0, last_error: None }
    }

    fn in_flight_id(&self) -> Option<OpId> {
        match self.slot {
            Slot::InFlight { id, .. } => Some(id),
            _ => None,
        }
    }

    fn signed_epoch(&self) -> u64 {
        match self.slot {
            Slot::InFlight { epoch, .. } => epoch,
            _ => 0,
        }
    }
}

#[derive(Debug)]
enum Phase {
    PuttingEmpty,
    /// ListMultipartUploads pages: `next` is the page to ask for, `newest` the latest upload of the key so far.
    FindingUpload { next: Option<(String, String)>, newest: Option<ListedUpload> },
    /// ListParts pages of the upload to resume.
    ListingParts { upload_id: String, next: Option<u32>, listed: Vec<ListedPart> },
    /// No unfinished upload: HeadObject, then (`existing`) the file's checksum is compared with the object's.
    CheckingExisting { existing: Option<ObjectInfo> },
    Creating,
    Uploading { upload_id: String },
    Completing { upload_id: String },
    /// A retried Complete found the upload gone: an earlier attempt whose answer was lost may have completed it.
    ConfirmingComplete { upload_id: String },
    /// Cancelled: AbortMultipartUpload is sent (then, `confirming`, ListParts) until the upload is gone.
    Cancelling { upload_id: String, confirming: bool },
    Finished(Result<UploadResult, UploadError>),
}

#[derive(Debug)]
pub struct Upload {
    spec: UploadSpec,
    phase: Phase,
    /// The request of the current phase when it is not a part (PutObject, Create, Complete).
    control: Task,
    parts: Vec<Task>,
    etags: Vec<Option<String>>,
    crcs: Vec<Option<u64>>,
    resumed_parts: u32,
    already_uploaded: bool,
    progress: Progress,
    next_id: OpId,
    online: bool,
    paused: bool,
    /// [`Action::VerifyFile`] has been asked for.
    file_check_asked: bool,
    /// An [`Action::ReadAhead`] is being computed (one at a time).
    reading_ahead: bool,
    /// The parts were listed again after an InvalidPart at Complete (done at most once).
    relisted: bool,
    /// Cancelled while CreateMultipartUpload was in flight: its upload is removed as soon as its id is known.
    cancel_on_create: bool,
    /// When the last [`Action::Probe`] was asked for, and whether its answer is awaited.
    last_probe_ms: u64,
    probing: bool,
    /// Some answer (any status) has come from the server: from then on, network failures are outages.
    reached_server: bool,
    /// Parts allowed in flight: halved on throttling, grows back by about one per round of successes (AIMD).
    window: f64,
    clock_offset_ms: i64,
    credentials_expire_at_ms: Option<u64>,
    credentials_stale: bool,
    /// Credential refreshes and clock corrections since the last success.
    consecutive_fixes: u32,
    /// Counts fixes (credential renewals, clock corrections): a refusal of a request signed before the latest
    /// fix says nothing new (several parts signed with one expired key all come back refused).
    epoch: u64,
    rng: fastrand::Rng,
    /// Told to the app by the shell ([`Upload::take_notices`]).
    notices: Vec<Notice>,
}

impl Upload {
    pub fn new(spec: UploadSpec, now_ms: u64) -> Self {
        let count = spec.plan.count() as usize;
        let phase = match (spec.plan.size, spec.resume, &spec.known_upload_id) {
            (0, _, _) => Phase::PuttingEmpty,
            (_, true, Some(upload_id)) => Phase::ListingParts { upload_id: upload_id.clone(), next: None, listed: vec![] },
            (_, true, None) => Phase::FindingUpload { next: None, newest: None },
            (_, false, _) => Phase::Creating,
        };
        Self {
            phase,
            control: Task::due(now_ms),
            parts: vec![Task::due(now_ms); count],
            etags: vec![None; count],
            crcs: vec![None; count],
            resumed_parts: 0,
            already_uploaded: false,
            progress: Progress::new(spec.plan.size),
            next_id: 1,
            online: true,
            paused: false,
            file_check_asked: false,
            reading_ahead: false,
            relisted: false,
            cancel_on_create: false,
            last_probe_ms: now_ms,
            probing: false,
            reached_server: false,
            window: spec.concurrency.max(1) as f64,
            clock_offset_ms: 0,
            credentials_expire_at_ms: None,
            credentials_stale: false,
            consecutive_fixes: 0,
            epoch: 0,
            rng: fastrand::Rng::with_seed(spec.seed),
            notices: vec![],
            spec,
        }
    }

    /// What to do at `now_ms`: requests to start and stalled attempts to abort. Call after every event.
    pub fn poll(&mut self, now_ms: u64) -> Vec<Action> {
        if self.outcome().is_some() {
            return vec![];
        }
        let mut actions = self.abort_stalled(now_ms);
        if !self.online || self.paused {
            return actions;
        }
        if self.probe_due_at().is_some_and(|due| due <= now_ms) {
            self.probing = true;
            self.last_probe_ms = now_ms;
            actions.push(Action::Probe);
        }
        if let Phase::Uploading { upload_id } = &self.phase {
            let upload_id = upload_id.clone();
            self.start_parts(&upload_id, now_ms, &mut actions);
            if self.parts.iter().all(|p| p.slot == Slot::Done) {
                self.phase = Phase::Completing { upload_id };
                self.control = Task::due(now_ms);
            } else {
                return actions;
            }
        }
        let (endpoint, object, content_type) = (&self.spec.endpoint, &self.spec.object, self.spec.content_type.as_deref());
        let (kind, request) = match &self.phase {
            Phase::PuttingEmpty => (OpKind::PutEmpty, put_object::request(endpoint, object, content_type)),
            Phase::FindingUpload { next, .. } => {
                (OpKind::FindUpload, list_multipart_uploads::request(endpoint, &object.bucket, &object.key, next.as_ref()))
            }
            Phase::ListingParts { upload_id, next, .. } => (OpKind::ListParts, list_parts::request(endpoint, object, upload_id, *next)),
            Phase::CheckingExisting { existing: None } => (OpKind::HeadObject, head_object::request(endpoint, object)),
            Phase::CheckingExisting { existing: Some(_) } => {
                // The file's CRC decides; ask for it once.
                if std::mem::replace(&mut self.file_check_asked, true) {
                    return actions;
                }
                actions.push(Action::VerifyFile);
                return actions;
            }
            Phase::Creating => (OpKind::Create, create_multipart_upload::request(endpoint, object, content_type, self.spec.checksums)),
            Phase::Completing { upload_id } => {
                let object_crc = self.spec.checksums.then(|| self.object_crc());
                (OpKind::Complete, complete_multipart_upload::request(endpoint, object, upload_id, &self.completed_parts(), object_crc))
            }
            Phase::ConfirmingComplete { .. } => (OpKind::ConfirmComplete, head_object::request(endpoint, object)),
            Phase::Cancelling { upload_id, confirming: false } => (OpKind::Abort, abort_multipart_upload::request(endpoint, object, upload_id)),
            Phase::Cancelling { upload_id, confirming: true } => (OpKind::ConfirmAbort, list_parts::request(endpoint, object, upload_id, None)),
            Phase::Uploading { .. } | Phase::Finished(_) => unreachable!("handled above"),
        };
        actions.extend(self.start_control(kind, request, now_ms));
        actions
    }

    fn start_control(&mut self, kind: OpKind, request: Request, now_ms: u64) -> Option<Action> {
        match self.control.slot {
            Slot::Waiting { due_ms } if due_ms <= now_ms => {
                let id = self.take_id();
                self.control.slot = Slot::InFlight { id, last_progress_ms: None, epoch: self.epoch };
                Some(Action::Send(Op { id, kind, request, needs_checksum: false }))
            }
            _ => None,
        }
    }

    fn start_parts(&mut self, upload_id: &str, now_ms: u64, actions: &mut Vec<Action>) {
        let limit = (self.window as usize).clamp(1, self.spec.concurrency.max(1));
        let busy = |t: &Task| t.in_flight_id().is_some() || matches!(t.slot, Slot::Listed { checking: true, .. });
        let mut in_flight = self.parts.iter().filter(|t| busy(t)).count();
        for index in 0..self.parts.len() {
            if in_flight >= limit {
                break;
            }
            let part = self.spec.plan.part(index as u32 + 1);
            match &mut self.parts[index].slot {
                Slot::Waiting { due_ms } if *due_ms <= now_ms => {
                    let id = self.take_id();
                    self.parts[index].slot = Slot::InFlight { id, last_progress_ms: None, epoch: self.epoch };
                    let mut request = upload_part::request(&self.spec.endpoint, &self.spec.object, upload_id, &part);
                    // A retry reuses the CRC computed for the first attempt: the bytes are the same.
                    let known_crc = self.crcs[index];
                    if let Some(crc) = known_crc {
                        upload_part::add_checksum(&mut request, crc);
                    }
                    let needs_checksum = self.spec.checksums && known_crc.is_none();
                    actions.push(Action::Send(Op { id, kind: OpKind::Part(part), request, needs_checksum }));
                }
                Slot::Listed { checking: checking @ false, .. } => {
                    *checking = true;
                    actions.push(Action::Verify(part));
                }
                _ => continue,
            }
            in_flight += 1;
        }
        if self.spec.checksums && in_flight >= limit && !self.reading_ahead {
            let next = (0..self.parts.len()).find(|&i| matches!(self.parts[i].slot, Slot::Waiting { .. }) && self.crcs[i].is_none());
            if let Some(index) = next {
                self.reading_ahead = true;
                actions.push(Action::ReadAhead(self.spec.plan.part(index as u32 + 1)));
            }
        }
    }

    /// The CRC of `part`, asked for by [`Action::ReadAhead`] (its bytes do not change, so it stays right for every
    /// attempt).
    pub fn on_read_ahead(&mut self, part: Part, crc: u64) {
        self.reading_ahead = false;
        self.crcs[part.number as usize - 1].get_or_insert(crc);
    }

    /// Attempts silent for longer than the stall timeout are given up and retried.
    fn abort_stalled(&mut self, now_ms: u64) -> Vec<Action> {
        let mut aborted = vec![];
        for index in 0..self.parts.len() {
            if let Slot::InFlight { id, last_progress_ms: Some(last_progress_ms), .. } = self.parts[index].slot {
                if now_ms >= last_progress_ms + self.spec.policy.stall_timeout_ms {
                    self.progress.failed(index as u32 + 1);
                    self.retry_part(index, ErrorClass::Network, stalled(self.spec.policy.stall_timeout_ms), now_ms);
                    aborted.push(Action::Abort(id));
                }
            }
        }
        if let Slot::InFlight { id, last_progress_ms: Some(last_progress_ms), .. } = self.control.slot {
            if now_ms >= last_progress_ms + self.spec.policy.stall_timeout_ms * CONTROL_TIMEOUT_FACTOR {
                let timeout_ms = self.spec.policy.stall_timeout_ms * CONTROL_TIMEOUT_FACTOR;
                self.retry_control(ErrorClass::Network, stalled(timeout_ms), now_ms);
                aborted.push(Action::Abort(id));
            }
        }
        aborted
    }

    fn take_id(&mut self) -> OpId {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Every part's ETag (and CRC) in ascending part order (the order S3 requires).
    fn completed_parts(&self) -> Vec<CompletedPart> {
        let parts = self.etags.iter().zip(&self.crcs).enumerate();
        parts.filter_map(|(i, (e, crc))| Some(CompletedPart { number: i as u32 + 1, etag: e.clone()?, crc: *crc })).collect()
    }

    /// The whole file's CRC-64/NVME, combined from the parts' in order.
    fn object_crc(&self) -> u64 {
        let parts = self.spec.plan.parts().zip(&self.crcs);
        parts.fold(0, |acc, (part, crc)| checksum::combine(acc, crc.unwrap_or_default(), part.len))
    }

    /// Records the CRC the shell computed for the part `op` sends, and puts it in the request.
    pub fn attach_checksum(&mut self, op: &mut Op, crc: u64) {
        if let OpKind::Part(part) = op.kind {
            self.crcs[part.number as usize - 1] = Some(crc);
            upload_part::add_checksum(&mut op.request, crc);
        }
    }

    /// The CRC of `part` of the local file, asked for by [`Action::Verify`]: a listed part that matches is kept,
    /// any other is sent again.
    pub fn on_local_checksum(&mut self, part: Part, crc: u64, now_ms: u64) {
        let index = part.number as usize - 1;
        let Slot::Listed { etag, crc: listed, checking: true } = &self.parts[index].slot else { return };
        if *listed == crc {
            self.etags[index] = Some(etag.clone());
            self.crcs[index] = Some(crc);
            self.parts[index].slot = Slot::Done;
            self.progress.confirmed(part.number, part.len, now_ms);
            // Parts checked again after an InvalidPart were this session's own, not resumed ones.
            if !self.relisted {
                self.resumed_parts += 1;
            }
            self.part_held(part, !self.relisted);
        } else {
            self.parts[index].slot = Slot::Waiting { due_ms: now_ms };
        }
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
        self.reached_server = true;
        match kind {
            OpKind::Part(part) => {
                let index = part.number as usize - 1;
                if self.parts[index].in_flight_id() != Some(id) {
                    return; // an attempt already given up on
                }
                match upload_part::parse(&resp) {
                    Ok(etag) => {
                        self.parts[index].slot = Slot::Done;
                        self.etags[index] = Some(etag);
                        self.progress.confirmed(part.number, part.len, now_ms);
                        self.part_held(part, false);
                        self.succeeded();
                    }
                    Err(err) => {
                        self.progress.failed(part.number);
                        let epoch = self.parts[index].signed_epoch();
                        if let Some(class) = self.digest_error(&err, &resp, epoch, now_ms) {
                            let err = UploadError::from_s3(&err, &self.context());
                            self.retry_part(index, class, err, now_ms);
                        }
                    }
                }
            }
            _ => {
                if self.control.in_flight_id() != Some(id) {
                    return;
                }
                let epoch = self.control.signed_epoch();
                if let Err(err) = self.digest_control(kind, &resp, now_ms) {
                    if matches!(kind, OpKind::Abort | OpKind::ConfirmAbort) && err.code == "NoSuchUpload" {
                        self.fail(cancelled());
                    } else if kind == OpKind::Complete && err.code == "InvalidPart" && !self.relisted {
                        self.relist_after_invalid_part(now_ms);
                    } else if kind == OpKind::Complete && err.code == "NoSuchUpload" && self.control.failures > 0 {
                        let Phase::Completing { upload_id } = &self.phase else { unreachable!("Complete is sent only while completing") };
                        self.phase = Phase::ConfirmingComplete { upload_id: upload_id.clone() };
                        self.control = Task::due(now_ms);
                    } else if kind == OpKind::ListParts && err.code == "NoSuchUpload" {
                        // The remembered upload was completed or aborted meanwhile: look for another, or start afresh.
                        self.phase = Phase::FindingUpload { next: None, newest: None };
                        self.control = Task::due(now_ms);
                    } else if kind == OpKind::FindUpload && matches!(err.code.as_str(), "AccessDenied" | "NotImplemented" | "MethodNotAllowed") {
                        // Not allowed to list uploads (s3:ListBucketMultipartUploads) or not supported: start afresh.
                        self.phase = Phase::Creating;
                        self.control = Task::due(now_ms);
                    } else if let Some(class) = self.digest_error(&err, &resp, epoch, now_ms) {
                        self.retry_control(class, UploadError::from_s3(&err, &self.context()), now_ms);
                    }
                }
            }
        }
    }

    /// Attempt `id` got no answer (`err` says why): the transport failed, or so did the app's credentials or sign
    /// callback, whose backend may be as unreachable as the store. Retried as a network failure; the app is told `err`.
    pub fn on_no_answer(&mut self, id: OpId, kind: OpKind, err: UploadError, now_ms: u64) {
        match kind {
            OpKind::Part(part) => {
                let index = part.number as usize - 1;
                if self.outcome().is_none() && self.parts[index].in_flight_id() == Some(id) {
                    self.progress.failed(part.number);
                    self.retry_part(index, ErrorClass::Network, err, now_ms);
                }
            }
            _ if self.outcome().is_none() && self.control.in_flight_id() == Some(id) => self.retry_control(ErrorClass::Network, err, now_ms),
            _ => {}
        }
    }

    /// A successful answer to a request that is not a part moves to the next request or phase.
    fn digest_control(&mut self, kind: OpKind, resp: &Response, now_ms: u64) -> Result<(), S3Error> {
        match kind {
            OpKind::PutEmpty => {
                let etag = put_object::parse(resp)?;
                self.finish(etag, String::new(), None, None);
            }
            OpKind::FindUpload => {
                let page = list_multipart_uploads::parse(resp, &self.spec.object.key)?;
                let Phase::FindingUpload { newest, .. } = &mut self.phase else { unreachable!("FindUpload is sent only while finding") };
                let newest = page.uploads.into_iter().chain(newest.take()).max_by(|a, b| a.initiated.cmp(&b.initiated));
                self.phase = match (page.next_markers, newest) {
                    (Some(next), newest) => Phase::FindingUpload { next: Some(next), newest },
                    (None, Some(found)) => Phase::ListingParts { upload_id: found.upload_id, next: None, listed: vec![] },
                    (None, None) => Phase::CheckingExisting { existing: None },
                };
            }
            OpKind::ListParts => {
                let page = list_parts::parse(resp)?;
                let Phase::ListingParts { upload_id, next, listed } = &mut self.phase else { unreachable!("ListParts is sent only while listing") };
                listed.extend(page.parts);
                *next = page.next_marker;
                if next.is_none() {
                    let (upload_id, listed) = (std::mem::take(upload_id), std::mem::take(listed));
                    self.resume_with(upload_id, listed, now_ms);
                }
            }
            OpKind::HeadObject => {
                // Not allowed to read the object (403) is treated as no object: the upload goes ahead.
                let found = if resp.status == 403 { None } else { head_object::parse(resp)? };
                self.phase = match found {
                    Some(info) if info.size == self.spec.plan.size && info.checksum_crc64nvme.is_some() && self.spec.checksums => {
                        Phase::CheckingExisting { existing: Some(info) }
                    }
                    Some(_) if !self.spec.overwrite => return Err(object_exists()),
                    _ => Phase::Creating,
                };
            }
            OpKind::Create => {
                let upload_id = create_multipart_upload::parse(resp)?;
                self.phase = match std::mem::take(&mut self.cancel_on_create) {
                    true => Phase::Cancelling { upload_id, confirming: false },
                    false => Phase::Uploading { upload_id },
                };
            }
            OpKind::Abort | OpKind::ConfirmAbort => {
                if kind == OpKind::Abort {
                    abort_multipart_upload::parse(resp)?;
                } else {
                    list_parts::parse(resp)?;
                }
                // After Abort, confirm; a ListParts that still answers means the upload lives on: abort again.
                let Phase::Cancelling { confirming, .. } = &mut self.phase else { unreachable!("sent only while cancelling") };
                *confirming = kind == OpKind::Abort;
            }
            OpKind::Complete => {
                let done = complete_multipart_upload::parse(resp)?;
                let Phase::Completing { upload_id } = &self.phase else { unreachable!("Complete is sent only while completing") };
                let upload_id = upload_id.clone();
                self.finish(done.etag, done.location, Some(upload_id), done.checksum);
            }
            OpKind::ConfirmComplete => {
                let Phase::ConfirmingComplete { upload_id } = &self.phase else { unreachable!("sent only while confirming") };
                let upload_id = upload_id.clone();
                match head_object::parse(resp)? {
                    Some(info) if self.is_this_upload(&info) => {
                        let (etag, checksum) = (info.etag.unwrap_or_default(), info.checksum_crc64nvme);
                        self.finish(etag, String::new(), Some(upload_id), checksum);
                    }
                    _ => return Err(S3Error { status: 404, code: "NoSuchUpload".into(), message: "the upload was removed before it was completed".into(), request_id: None, server_time: None }),
                }
            }
            OpKind::Part(_) => unreachable!("parts are not control requests"),
        }
        let next_is_control = !matches!(self.phase, Phase::Uploading { .. } | Phase::Finished(_));
        self.control = if next_is_control { Task::due(now_ms) } else { Task { slot: Slot::Done, ..Task::due(now_ms) } };
        self.succeeded();
        Ok(())
    }

    /// Is `info` the object this upload's Complete makes? With checksums, its whole-object CRC says so; without,
    /// its size and multipart ETag ("…-<part count>") are the best evidence there is.
    fn is_this_upload(&self, info: &ObjectInfo) -> bool {
        let same_content = match self.spec.checksums {
            true => info.checksum_crc64nvme.as_deref().and_then(checksum::from_base64) == Some(self.object_crc()),
            false => info.etag.as_deref().is_some_and(|e| e.trim_matches('"').ends_with(&format!("-{}", self.parts.len()))),
        };
        info.size == self.spec.plan.size && same_content
    }

    /// S3 refused Complete because a part it holds is not the one listed: an attempt given up on (stalled, its
    /// connection cut) can still land after its retry and replace the part. Read what S3 holds, keep what matches
    /// the file, send the rest again, and complete once more.
    fn relist_after_invalid_part(&mut self, now_ms: u64) {
        let Phase::Completing { upload_id } = &self.phase else { return };
        self.relisted = true;
        let count = self.parts.len();
        (self.parts, self.etags, self.crcs) = (vec![Task::due(now_ms); count], vec![None; count], vec![None; count]);
        self.progress.restart();
        self.phase = Phase::ListingParts { upload_id: upload_id.clone(), next: None, listed: vec![] };
        self.control = Task::due(now_ms);
    }

    /// Continues upload `upload_id`: parts S3 holds that fit the file's plan are checked against the file.
    fn resume_with(&mut self, upload_id: String, listed: Vec<ListedPart>, now_ms: u64) {
        // The upload keeps the part size it was started with: every part but the last has it.
        if let Some(started_with) = listed.iter().map(|p| p.size).max() {
            if let Ok(plan) = PartPlan::with_min_part_size(self.spec.plan.size, Some(started_with), self.spec.plan.min_part_size) {
                if plan.part_size == started_with && plan != self.spec.plan {
                    let count = plan.count() as usize;
                    self.spec.plan = plan;
                    self.parts = vec![Task::due(now_ms); count];
                    self.etags = vec![None; count];
                    self.crcs = vec![None; count];
                }
            }
        }
        for part in listed {
            let index = part.number as usize;
            let fits = index >= 1 && index <= self.parts.len() && self.spec.plan.part(part.number).len == part.size;
            // Without a checksum a listed part cannot be told from another file's: it is sent again.
            let crc = part.checksum_crc64nvme.as_deref().and_then(checksum::from_base64).filter(|_| self.spec.checksums);
            if let (true, Some(crc)) = (fits, crc) {
                self.parts[index - 1].slot = Slot::Listed { etag: part.etag, crc, checking: false };
            }
        }
        self.phase = Phase::Uploading { upload_id };
    }

    fn succeeded(&mut self) {
        self.consecutive_fixes = 0;
        let max = self.spec.concurrency.max(1) as f64;
        self.window = (self.window + 1.0 / self.window).min(max);
    }

    /// Decides what an S3 error answer to a request signed in fix epoch `epoch` means; `None` when the upload
    /// has failed for good.
    fn digest_error(&mut self, err: &S3Error, resp: &Response, epoch: u64, now_ms: u64) -> Option<ErrorClass> {
        // Some stores answer an expired key with AccessDenied, and apps may not say when keys expire: a denial with
        // credentials that have not just been renewed earns one refresh; a second one in a row is final.
        let signed_before_fix = epoch < self.epoch;
        let expired = self.credentials_expire_at_ms.is_some_and(|exp| self.signing_time_ms(now_ms) >= exp);
        let class = classify(err, expired || signed_before_fix || self.consecutive_fixes == 0);
        let fixable = matches!(class, ErrorClass::CredentialsExpired | ErrorClass::ClockSkew);
        if fixable && signed_before_fix {
            return Some(class); // the fix already made applies: just send it again
        }
        if fixable {
            self.consecutive_fixes += 1;
            self.epoch += 1;
        }
        match class {
            ErrorClass::Fatal => return self.fail_s3(err),
            _ if fixable && self.consecutive_fixes > MAX_CONSECUTIVE_FIXES => return self.fail_s3(err),
            ErrorClass::CredentialsExpired => self.credentials_stale = true,
            ErrorClass::ClockSkew => match clock::server_time_ms(err.server_time.as_deref(), resp.header("date")) {
                Some(server_ms) => self.clock_offset_ms = server_ms - now_ms as i64,
                None => return self.fail_s3(err),
            },
            ErrorClass::Throttled => self.window = (self.window / 2.0).max(1.0),
            ErrorClass::Network | ErrorClass::Server => {}
        }
        Some(class)
    }

    fn retry_part(&mut self, index: usize, class: ErrorClass, err: UploadError, now_ms: u64) {
        let mut task = self.parts[index].clone();
        self.schedule(&mut task, class, err, now_ms);
        self.parts[index] = task;
    }

    fn retry_control(&mut self, class: ErrorClass, err: UploadError, now_ms: u64) {
        let mut task = self.control.clone();
        self.schedule(&mut task, class, err, now_ms);
        self.control = task;
    }

    /// Puts a failed task back to wait: at once after a fix (new credentials, corrected clock), after a jittered
    /// backoff otherwise; server errors past the budget fail the upload.
    fn schedule(&mut self, task: &mut Task, class: ErrorClass, err: UploadError, now_ms: u64) {
        let code = err.code.as_str();
        task.last_error = Some((class, code.to_string()));
        let delay = match class {
            ErrorClass::CredentialsExpired | ErrorClass::ClockSkew => 0,
            // While offline nothing starts anyway; the network's return wakes it.
            ErrorClass::Network if !self.online => 0,
            _ => {
                let policy = self.spec.policy;
                if class == ErrorClass::Server {
                    task.server_failures += 1;
                    if task.server_failures > policy.server_retries {
                        let message = format!("{code}: the server failed {} times in a row, giving up", task.server_failures);
                        self.fail(UploadError::new(code, message));
                    }
                } else if class == ErrorClass::Network && !self.reached_server {
                    task.server_failures += 1;
                    if task.server_failures > policy.unreached_retries {
                        // A failing callback says more than the generic network hint.
                        let detail = format!("{} attempts failed", task.server_failures);
                        let last = if err.code == NETWORK_ERROR { UploadError::network(&self.context(), &detail) } else { err.clone() };
                        self.fail(last);
                    }
                }
                task.failures += 1;
                self.spec.policy.backoff.delay_ms(task.failures - 1, self.rng.f64())
            }
        };
        task.slot = Slot::Waiting { due_ms: now_ms + delay };
        if self.outcome().is_none() {
            self.notices.push(Notice::Error(ErrorNotice::of(&err, true)));
        }
    }

    /// The whole file's CRC, asked for by [`Action::VerifyFile`]: the same as the object's means it is there already.
    pub fn on_file_checksum(&mut self, crc: u64, now_ms: u64) {
        let Phase::CheckingExisting { existing: Some(info) } = &self.phase else { return };
        let same = info.checksum_crc64nvme.as_deref().and_then(checksum::from_base64) == Some(crc);
        if same {
            let (etag, checksum) = (info.etag.clone().unwrap_or_default(), info.checksum_crc64nvme.clone());
            self.progress.confirmed(0, self.spec.plan.size, now_ms);
            self.already_uploaded = true;
            self.finish(etag, String::new(), None, checksum);
        } else if self.spec.overwrite {
            self.phase = Phase::Creating;
            self.control = Task::due(now_ms);
        } else {
            self.fail_s3(&object_exists());
        }
    }

    /// Pauses: stops the parts in flight (their progress is kept) and starts nothing until [`Upload::resume`].
    pub fn pause(&mut self, now_ms: u64) -> Vec<Action> {
        if self.outcome().is_some() || matches!(self.phase, Phase::Cancelling { .. }) {
            return vec![];
        }
        self.paused = true;
        let mut aborts = vec![];
        for (index, task) in self.parts.iter_mut().enumerate() {
            if let Some(id) = task.in_flight_id() {
                task.slot = Slot::Waiting { due_ms: now_ms };
                self.progress.failed(index as u32 + 1);
                aborts.push(Action::Abort(id));
            }
        }
        aborts
    }

    pub fn resume(&mut self, now_ms: u64) {
        self.paused = false;
        for task in &mut self.parts {
            if let Slot::Waiting { due_ms } = &mut task.slot {
                *due_ms = (*due_ms).min(now_ms);
            }
        }
    }

    /// Cancels: stops everything in flight, then removes the multipart upload from the server (finished parts
    /// included). The outcome becomes a `Cancelled` error once the server confirms. A Complete in flight wins.
    pub fn cancel(&mut self, now_ms: u64) -> Vec<Action> {
        let upload_id = match &self.phase {
            Phase::Finished(_) | Phase::Completing { .. } | Phase::ConfirmingComplete { .. } | Phase::Cancelling { .. } => return vec![],
            Phase::Creating if self.control.in_flight_id().is_some() => {
                self.cancel_on_create = true;
                return vec![];
            }
            Phase::ListingParts { upload_id, .. } | Phase::Uploading { upload_id } => Some(upload_id.clone()),
            Phase::PuttingEmpty | Phase::FindingUpload { .. } | Phase::CheckingExisting { .. } | Phase::Creating => None,
        };
        let tasks = self.parts.iter_mut().chain(std::iter::once(&mut self.control));
        let aborts: Vec<Action> = tasks.filter_map(|t| t.in_flight_id()).map(Action::Abort).collect();
        self.paused = false;
        match upload_id {
            Some(upload_id) => {
                self.phase = Phase::Cancelling { upload_id, confirming: false };
                self.control = Task::due(now_ms);
            }
            None => self.fail(cancelled()),
        }
        aborts
    }

    /// The browser has sent `sent` bytes of attempt `id` of `part`.
    pub fn on_part_progress(&mut self, id: OpId, part: Part, sent: u64, now_ms: u64) {
        let task = &mut self.parts[part.number as usize - 1];
        if let Slot::InFlight { id: current, last_progress_ms, .. } = &mut task.slot {
            if *current == id {
                *last_progress_ms = Some(now_ms);
                self.progress.sending(part.number, sent.min(part.len), now_ms);
            }
        }
    }

    /// The browser went offline or came back. Back online, whatever waits after a network failure starts at once.
    pub fn set_online(&mut self, online: bool, now_ms: u64) {
        let back = online && !self.online;
        self.online = online;
        if back {
            self.wake_network_waiters(now_ms);
        }
    }

    /// The tasks of the current phase, each with how long it may go without progress.
    fn active_tasks(&self) -> impl Iterator<Item = (&Task, u64)> + Clone {
        let stall = self.spec.policy.stall_timeout_ms;
        let (parts, control): (&[Task], Option<&Task>) = match self.phase {
            Phase::Uploading { .. } => (&self.parts, None),
            Phase::Finished(_) => (&[], None),
            _ => (&[], Some(&self.control)),
        };
        parts.iter().map(move |t| (t, stall)).chain(control.map(|t| (t, stall * CONTROL_TIMEOUT_FACTOR)))
    }

    /// When `poll` next has something to do without any new event (a retry falls due, a watchdog fires, a probe).
    pub fn next_wakeup_ms(&self) -> Option<u64> {
        let deadlines = self.active_tasks().filter_map(|(task, timeout)| match task.slot {
            Slot::Waiting { due_ms } if self.online => Some(due_ms),
            Slot::InFlight { last_progress_ms, .. } => last_progress_ms.map(|t| t + timeout),
            _ => None,
        });
        deadlines.chain(self.probe_due_at()).min()
    }

    /// When to probe the endpoint: only while online, nothing is in flight, and something waits after a network
    /// failure (an answered probe then wakes it early).
    fn probe_due_at(&self) -> Option<u64> {
        if !self.online || self.paused || self.probing || self.outcome().is_some() {
            return None;
        }
        let mut tasks = self.active_tasks().map(|(task, _)| task);
        if tasks.clone().any(|t| t.in_flight_id().is_some()) {
            return None;
        }
        let waiting_for_network = |t: &Task| matches!((&t.slot, &t.last_error), (Slot::Waiting { .. }, Some((ErrorClass::Network, _))));
        tasks.any(waiting_for_network).then_some(self.last_probe_ms + PROBE_INTERVAL_MS)
    }

    /// The answer to [`Action::Probe`]: reachable wakes everything waiting after a network failure.
    pub fn on_probe(&mut self, reachable: bool, now_ms: u64) {
        self.probing = false;
        if reachable {
            self.wake_network_waiters(now_ms);
        }
    }

    fn wake_network_waiters(&mut self, now_ms: u64) {
        for task in self.parts.iter_mut().chain(std::iter::once(&mut self.control)) {
            if matches!(task.last_error, Some((ErrorClass::Network, _))) && matches!(task.slot, Slot::Waiting { .. }) {
                task.slot = Slot::Waiting { due_ms: now_ms };
            }
        }
    }

    /// The time to sign with: the browser's clock corrected by what the server said about it.
    pub fn signing_time_ms(&self, now_ms: u64) -> u64 {
        (now_ms as i64 + self.clock_offset_ms).max(0) as u64
    }

    /// Attempt `id` was signed at `now_ms`, with credentials expiring at `expires_at_ms`, and goes out now. Its
    /// stall watchdog starts here: reading a large part for its checksum is not silence on the wire.
    pub fn on_signed(&mut self, id: OpId, expires_at_ms: Option<u64>, now_ms: u64) {
        self.credentials_expire_at_ms = expires_at_ms;
        let epoch = self.epoch;
        for task in self.parts.iter_mut().chain(std::iter::once(&mut self.control)) {
            if let Slot::InFlight { id: current, epoch: signed, last_progress_ms } = &mut task.slot {
                if *current == id {
                    (*signed, *last_progress_ms) = (epoch, Some(now_ms));
                }
            }
        }
    }

    /// True once after the server said the credentials have expired: ask the app for new ones before signing.
    pub fn take_credentials_refresh(&mut self) -> bool {
        std::mem::take(&mut self.credentials_stale)
    }

    pub fn state(&self, now_ms: u64) -> UploadState {
        match &self.phase {
            Phase::Finished(Ok(_)) => return UploadState::Done,
            Phase::Finished(Err(e)) => return UploadState::Failed { error_code: e.code.clone() },
            Phase::Cancelling { .. } => return UploadState::Cancelling,
            _ if self.paused => return UploadState::Paused,
            _ if !self.online => return UploadState::WaitingForNetwork,
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

    pub fn spec(&self) -> &UploadSpec {
        &self.spec
    }

    /// The multipart upload being filled and its part size, once there is one: what to remember for a resume.
    pub fn current_upload(&self) -> Option<(&str, u64)> {
        match &self.phase {
            Phase::Uploading { upload_id } | Phase::Completing { upload_id } => Some((upload_id, self.spec.plan.part_size)),
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

    fn finish(&mut self, etag: String, location: String, upload_id: Option<String>, checksum: Option<String>) {
        let object = &self.spec.object;
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            // PutObject has no Location, and some servers leave it out of Complete or make it relative: the object's
            // own URL says the same.
            s3::object_location(&self.spec.endpoint, object)
        };
        let checked = self.spec.checksums && (upload_id.is_some() || self.already_uploaded);
        let checksum_algorithm = checked.then(|| checksum::ALGORITHM.to_string());
        let result = UploadResult {
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag,
            size: self.spec.plan.size,
            location,
            upload_id,
            checksum_algorithm,
            checksum,
            resumed_parts: self.resumed_parts,
            already_uploaded: self.already_uploaded,
        };
        self.phase = Phase::Finished(Ok(result));
    }

    fn context(&self) -> Context<'_> {
        Context { endpoint: &self.spec.endpoint, object: &self.spec.object }
    }

    fn fail_s3(&mut self, err: &S3Error) -> Option<ErrorClass> {
        self.fail(UploadError::from_s3(err, &self.context()));
        None
    }

    fn fail(&mut self, err: UploadError) {
        if err.code != CANCELLED {
            self.notices.push(Notice::Error(ErrorNotice::of(&err, false)));
        }
        self.phase = Phase::Finished(Err(err));
    }

    /// S3 holds `part` now (sent in this session, or kept from an earlier one: `resumed`).
    fn part_held(&mut self, part: Part, resumed: bool) {
        let index = part.number as usize - 1;
        let notice = PartNotice {
            part_number: part.number,
            size: part.len,
            checksum: self.crcs[index].filter(|_| self.spec.checksums).map(checksum::to_base64),
            resumed,
            parts_done: self.parts.iter().filter(|t| t.slot == Slot::Done).count() as u32,
            total_parts: self.parts.len() as u32,
        };
        self.notices.push(Notice::Part(notice));
    }

    /// Parts held and requests failed since the last call, in order.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }
}


fn stalled(timeout_ms: u64) -> UploadError {
    UploadError::new("Stalled", format!("no progress for {} s: the request was stopped and is sent again", timeout_ms / 1000))
}

fn cancelled() -> UploadError {
    UploadError::new(CANCELLED, "the upload was cancelled; the server holds nothing of it")
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;

/// Another object is at the key and `overwrite` is off.
fn object_exists() -> S3Error {
    S3Error { status: 200, code: OBJECT_EXISTS.into(), message: "another object is at this key".into(), request_id: None, server_time: None }
}
