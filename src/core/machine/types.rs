//! What the machine is given (the spec and its policy), what it asks the shell to do ([`Action`]), and what it
//! tells (state, result).
use crate::core::checksum::Algorithm;
use crate::core::object_options::ObjectOptions;
use crate::core::plan::{Part, PartPlan};
use crate::core::retry::Backoff;
use crate::core::s3::{Endpoint, Object, Request};

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

/// What an upload is for.
#[derive(Clone, Debug)]
pub struct UploadSpec {
    pub endpoint: Endpoint,
    pub object: Object,
    pub content_type: Option<String>,
    /// Metadata, encryption, tags…: headers of CreateMultipartUpload / PutObject, and those every request repeats.
    pub object_options: ObjectOptions,
    pub plan: PartPlan,
    /// At most this many part uploads in flight.
    pub concurrency: usize,
    pub policy: Policy,
    /// Every part carries a CRC of `checksum_algorithm` and S3 checks the whole object's at Complete. Off for
    /// stores without flexible checksums; turned off by the machine when the store refuses them.
    pub checksums: bool,
    pub checksum_algorithm: Algorithm,
    /// A store that refuses the checksums fails the upload (`ChecksumsUnsupported`) instead of the upload
    /// starting again without them.
    pub checksums_required: bool,
    /// Look for an unfinished upload of this key first and keep its parts that match the file.
    pub resume: bool,
    /// An upload of this file to this key remembered from an earlier session: listed first.
    pub known_upload_id: Option<String>,
    /// The local record of this file going to this key was made with other object options: its upload is not
    /// continued, and neither is one found on the server without a record.
    pub recorded_otherwise: bool,
    /// With `resume`, an existing object at the key that is not this file: replaced, or an `ObjectExists` error.
    pub overwrite: bool,
    /// Seeds the backoff jitter.
    pub seed: u64,
    /// The fingerprint's sampled ranges ([`crate::core::fingerprint::sample_ranges`]) with the CRCs read when the
    /// upload started: read again before Complete, so a file overwritten on disk meanwhile is never completed.
    pub samples: Vec<(Range, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadResult {
    pub bucket: String,
    pub key: String,
    pub etag: String,
    pub size: u64,
    pub location: String,
    /// `None` for an empty file, which is sent with one PutObject.
    pub upload_id: Option<String>,
    /// The algorithm (`"CRC64NVME"`, `"CRC32C"`, `"CRC32"`) when S3 reported a FULL_OBJECT checksum equal to the
    /// file's; `None` without checksums, or when the store did not prove it checked them.
    pub checksum_algorithm: Option<String>,
    /// The whole object's checksum (base64), as S3 reported it.
    pub checksum: Option<String>,
    /// Parts of an earlier, unfinished upload that matched the file and were not sent again.
    pub resumed_parts: u32,
    /// The object was already there with this file's size and checksum: nothing was sent.
    pub already_uploaded: bool,
    /// As S3 reported them (`x-amz-version-id`, `x-amz-server-side-encryption`, `x-amz-checksum-type`, which the
    /// bucket's CORS rule must expose); `None` when it did not.
    pub version_id: Option<String>,
    pub server_side_encryption: Option<String>,
    pub checksum_type: Option<String>,
}

impl UploadSpec {
    /// The checksum every part carries, if any.
    pub fn checksum(&self) -> Option<Algorithm> {
        self.checksums.then_some(self.checksum_algorithm)
    }
}

/// What the app is told the upload is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadState {
    /// Decided by the shell, never by the machine: every part waits for a slot that other uploads of the same
    /// `Uploader` hold (they share its concurrency).
    Queued,
    /// Decided by the shell too: nothing is on the wire, and a request has waited a while for the app's
    /// `credentials` or `sign` callback (its backend is slow or down; it is retried after `callbackTimeoutMs`).
    WaitingForCredentials,
    Uploading,
    /// Paused by the app: nothing is sent until it resumes; finished parts are kept.
    Paused,
    /// Cancelled by the app: the multipart upload is being removed from the server.
    Cancelling,
    /// The browser is offline: nothing is sent until it is back.
    WaitingForNetwork,
    /// Everything is waiting for a retry; the next starts at `next_try_at` (epoch ms).
    Retrying {
        next_try_at: u64,
        error_code: String,
    },
    Done,
    Failed {
        error_code: String,
    },
}

impl UploadState {
    /// The state's name as the app sees it (`state` of the event).
    pub fn name(&self) -> &'static str {
        match self {
            UploadState::Queued => "queued",
            UploadState::WaitingForCredentials => "waiting-for-credentials",
            UploadState::Uploading => "uploading",
            UploadState::Paused => "paused",
            UploadState::Cancelling => "cancelling",
            UploadState::WaitingForNetwork => "waiting-for-network",
            UploadState::Retrying { .. } => "retrying",
            UploadState::Done => "done",
            UploadState::Failed { .. } => "failed",
        }
    }
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
    /// AbortMultipartUpload of an upload given up on because its store refused checksums; its answer does not matter.
    Discard,
    /// ListParts after AbortMultipartUpload: parts in flight may have landed and kept the upload alive.
    ConfirmAbort,
}

/// Identifies one attempt of a request: answers to attempts given up on are ignored.
pub type OpId = u64;

/// A request to send, still unsigned: the shell signs it right before it goes out, at its clock plus
/// `clock_offset_ms`, and tells [`super::Upload::on_signed`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub id: OpId,
    pub kind: OpKind,
    pub request: Request,
    /// The server said the last credentials have expired: ask the app for new ones before signing this.
    pub refresh_credentials: bool,
    /// What the server said about the browser's clock: sign at `now + clock_offset_ms`.
    pub clock_offset_ms: i64,
    /// The region to sign for: the endpoint's, or the one S3 named when it refused another.
    pub region: String,
}

/// A byte range of the local file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub offset: u64,
    pub len: u64,
}

impl From<Part> for Range {
    fn from(part: Part) -> Self {
        Self { offset: part.offset, len: part.len }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Send(Op),
    /// Compute the CRC (of the spec's `checksum_algorithm`) of this range of the local file and hand it to
    /// [`super::Upload::on_checksum`] (or, when the file cannot be read, tell [`super::Upload::on_read_failed`]).
    /// Asked for a part before it is sent (or, while every slot is busy, ahead of its turn), for a part S3 holds from
    /// an earlier upload (kept only if it is this file's), for the whole file when an object of its size is at the
    /// key, for a part whose request failed in a way the file may explain (is it still readable, still the same
    /// bytes?), and for the sampled ranges before Complete.
    Checksum(Range),
    /// Is the endpoint reachable? Any answer at all counts; tell [`super::Upload::on_probe`].
    Probe,
    /// Stop this attempt (it stalled); its answer, if any comes, is ignored.
    Abort(OpId),
}

/// The transport's failure to get any readable answer (offline, connection reset, CORS refusal, aborted).
pub type TransportError = String;
