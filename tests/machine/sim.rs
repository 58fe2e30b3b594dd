//! The simulator every machine test drives: an upload with its own clock, answered by hand, in any order and at
//! any time, like a real network would deliver them. Only the machine's public API is used.
use resumable_s3::core::checksum::{Algorithm, Crc64};
use resumable_s3::core::error::UploadError;
use resumable_s3::core::machine::{Action, Op, OpKind, Policy, Range, TransportError, Upload, UploadSpec};
use resumable_s3::core::notice::{Notice, PartNotice};
use resumable_s3::core::object_options::ObjectOptions;
use resumable_s3::core::plan::{Part, PartPlan, MIB};
use resumable_s3::core::s3::{Endpoint, Object, Response};

pub fn spec(size: u64, concurrency: usize) -> UploadSpec {
    UploadSpec {
        endpoint: Endpoint { url: "http://127.0.0.1:3900".into(), region: "us-east-1".into(), force_path_style: true },
        object: Object { bucket: "b".into(), key: "k".into() },
        content_type: None,
        object_options: ObjectOptions::default(),
        plan: PartPlan::new(size, Some(5 * MIB)).unwrap(),
        concurrency,
        policy: Policy::default(),
        checksums: false,
        checksum_algorithm: Algorithm::Crc64Nvme,
        checksums_required: false,
        resume: false,
        known_upload_id: None,
        recorded_otherwise: false,
        overwrite: true,
        seed: 7,
        samples: vec![],
    }
}

pub fn answer(status: u16, body: &str) -> Result<Response, TransportError> {
    Ok(Response { status, headers: vec![], body: body.into() })
}

pub fn error(status: u16, code: &str) -> Result<Response, TransportError> {
    answer(status, &format!("<Error><Code>{code}</Code><Message>m</Message></Error>"))
}

pub fn part_ok(number: u32) -> Result<Response, TransportError> {
    Ok(Response { status: 200, headers: vec![("etag".into(), format!("\"etag-{number}\""))], body: String::new() })
}

pub fn offline() -> Result<Response, TransportError> {
    Err("Failed to fetch".into())
}

pub const CREATED: &str = "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>";
pub const COMPLETED: &str =
    "<CompleteMultipartUploadResult><Location>http://x/b/k</Location><ETag>\"final-3\"</ETag></CompleteMultipartUploadResult>";
pub const NO_UPLOADS: &str = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
pub const SKEWED: &str = "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message><ServerTime>2026-01-01T00:20:00Z</ServerTime></Error>";

/// The CRC-64/NVME of `len` bytes of `byte`: the test files are runs of one byte per part.
pub fn crc_of(byte: u8, len: u64) -> u64 {
    let mut crc = Crc64::default();
    crc.update(&vec![byte; len as usize]);
    crc.finish()
}

/// The CRC of a part of a test file whose part N is N repeated.
pub fn part_crc(range: Range, plan: PartPlan) -> u64 {
    crc_of((range.offset / plan.part_size + 1) as u8, range.len)
}

pub fn b64(crc: u64) -> String {
    Algorithm::Crc64Nvme.to_base64(crc)
}

/// An upload driven by hand.
pub struct Sim {
    pub up: Upload,
    pub now: u64,
    /// What `sleep` started, handed out by the next `poll`.
    started: Vec<Action>,
}

impl Sim {
    pub fn new(size: u64, concurrency: usize) -> Self {
        Self::with(spec(size, concurrency))
    }

    pub fn with(spec: UploadSpec) -> Self {
        Self { up: Upload::new(spec, 1_000_000), now: 1_000_000, started: vec![] }
    }

    /// `checksums` and `resume` on or off, 2 parts at once.
    pub fn options(checksums: bool, resume: bool, size: u64) -> Self {
        let mut spec = spec(size, 2);
        (spec.checksums, spec.resume) = (checksums, resume);
        Self::with(spec)
    }

    /// Starts the upload and answers CreateMultipartUpload.
    pub fn created(size: u64, concurrency: usize) -> Self {
        Self::created_from(spec(size, concurrency))
    }

    /// A new upload with checksums (2 parts at once), CreateMultipartUpload answered.
    pub fn created_with_checksums(size: u64) -> Self {
        let mut spec = spec(size, 2);
        spec.checksums = true;
        Self::created_from(spec)
    }

    fn created_from(spec: UploadSpec) -> Self {
        let mut sim = Self::with(spec);
        let ops = sim.sends();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind, OpKind::Create);
        sim.answer(&ops[0], answer(200, CREATED));
        sim
    }

    /// `poll`, with probes answered "unreachable" (the probe tests call `up.poll` themselves).
    pub fn poll(&mut self) -> Vec<Action> {
        let mut actions = std::mem::take(&mut self.started);
        actions.extend(self.up.poll(self.now));
        if actions.contains(&Action::Probe) {
            self.up.on_probe(false, self.now);
        }
        actions.into_iter().filter(|a| *a != Action::Probe).collect()
    }

    /// The requests `poll` starts now, signed at once like the shell does; ranges of the file it asks for are
    /// read from the test file (part N is N repeated), as the shell would.
    pub fn sends(&mut self) -> Vec<Op> {
        let plan = self.up.plan();
        self.sends_checksummed(|range| part_crc(range, plan))
    }

    /// As `sends`, with every CRC asked for first computed by `crc` and handed back, like the shell does.
    pub fn sends_checksummed(&mut self, crc: impl Fn(Range) -> u64) -> Vec<Op> {
        let actions = self.poll();
        let actions = self.read(actions, crc);
        self.signed(actions)
    }

    /// Answers the file reads among `actions` (and those the answers lead to) with `crc`; returns the rest.
    fn read(&mut self, mut actions: Vec<Action>, crc: impl Fn(Range) -> u64) -> Vec<Action> {
        while actions.iter().any(|a| matches!(a, Action::Checksum(_))) {
            let (checksums, mut rest): (Vec<Action>, Vec<Action>) = actions.into_iter().partition(|a| matches!(a, Action::Checksum(_)));
            for action in checksums {
                let Action::Checksum(range) = action else { unreachable!() };
                self.up.on_checksum(range, crc(range), self.now);
            }
            rest.extend(self.poll());
            actions = rest;
        }
        actions
    }

    fn signed(&mut self, actions: Vec<Action>) -> Vec<Op> {
        let ops: Vec<Op> = actions
            .into_iter()
            .map(|a| match a {
                Action::Send(op) => op,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        for op in &ops {
            self.up.on_signed(op.id, None, self.now);
        }
        ops
    }

    pub fn answer(&mut self, op: &Op, answer: Result<Response, TransportError>) {
        self.up.on_response(op.id, op.kind, answer, self.now);
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Advances the clock until something other than a probe or a file read happens (probes answered
    /// "unreachable", reads from the test file).
    pub fn sleep(&mut self) {
        let plan = self.up.plan();
        let actions = self.poll();
        self.started = self.read(actions, |range| part_crc(range, plan));
        while self.started.is_empty() {
            self.now = self.up.next_wakeup_ms().expect("something to wait for").max(self.now);
            let actions = self.poll();
            self.started = self.read(actions, |range| part_crc(range, plan));
        }
    }

    /// The error the upload ended with. A failure that leaves a multipart upload no resume could use first removes
    /// it: that AbortMultipartUpload is answered here as S3 would.
    pub fn error(&mut self) -> &UploadError {
        if self.up.outcome().is_none() {
            // Attempts still in flight are stopped first.
            let actions = self.poll().into_iter().filter(|a| !matches!(a, Action::Abort(_))).collect();
            let abort = self.signed(actions);
            assert_eq!(abort.iter().map(|op| op.kind).collect::<Vec<_>>(), [OpKind::Abort], "the upload is removed");
            self.answer(&abort[0], answer(204, ""));
            let confirm = self.sends();
            assert_eq!(confirm[0].kind, OpKind::ConfirmAbort);
            self.answer(&confirm[0], error(404, "NoSuchUpload"));
        }
        self.up.outcome().expect("finished").as_ref().unwrap_err()
    }

    pub fn part_notices(&mut self) -> Vec<PartNotice> {
        let notices = self.up.take_notices().into_iter();
        notices
            .filter_map(|n| match n {
                Notice::Part(p) => Some(p),
                _ => None,
            })
            .collect()
    }
}

pub fn numbers(ops: &[Op]) -> Vec<u32> {
    ops.iter().map(|op| if let OpKind::Part(p) = op.kind { p.number } else { 0 }).collect()
}

pub fn part_of(op: &Op) -> Part {
    match op.kind {
        OpKind::Part(p) => p,
        _ => panic!("not a part"),
    }
}

pub fn header<'a>(op: &'a Op, name: &str) -> Option<&'a str> {
    op.request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// A one-part upload whose part S3 confirmed, and its CompleteMultipartUpload.
pub fn one_part_completing() -> (Sim, Vec<Op>) {
    let mut sim = Sim::created(MIB, 1);
    let part = sim.sends();
    sim.answer(&part[0], part_ok(1));
    let complete = sim.sends();
    (sim, complete)
}
