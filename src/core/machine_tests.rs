//! Scripted runs of the state machine with a fake clock: answers are fed in by hand, in any order and at any
//! time, like a real network would deliver them.
use super::*;
use crate::core::plan::MIB;
use crate::core::retry::Backoff;
use crate::core::s3::Body;

fn spec(size: u64, concurrency: usize) -> UploadSpec {
    UploadSpec {
        endpoint: Endpoint { url: "http://127.0.0.1:3900".into(), region: "us-east-1".into(), force_path_style: true },
        object: Object { bucket: "b".into(), key: "k".into() },
        content_type: None,
        plan: PartPlan::new(size, Some(5 * MIB)).unwrap(),
        concurrency,
        policy: Policy::default(),
        checksums: false,
        resume: false,
        known_upload_id: None,
        overwrite: true,
        seed: 7,
    }
}

fn answer(status: u16, body: &str) -> Result<Response, TransportError> {
    Ok(Response { status, headers: vec![], body: body.into() })
}

fn error(status: u16, code: &str) -> Result<Response, TransportError> {
    answer(status, &format!("<Error><Code>{code}</Code><Message>m</Message></Error>"))
}

fn part_ok(number: u32) -> Result<Response, TransportError> {
    Ok(Response { status: 200, headers: vec![("etag".into(), format!("\"etag-{number}\""))], body: String::new() })
}

fn offline() -> Result<Response, TransportError> {
    Err("Failed to fetch".into())
}

const CREATED: &str = "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>";
const COMPLETED: &str = "<CompleteMultipartUploadResult><Location>http://x/b/k</Location><ETag>\"final-3\"</ETag></CompleteMultipartUploadResult>";

/// An upload driven by hand, with its own clock.
struct Sim {
    up: Upload,
    now: u64,
    /// What `sleep` started, handed out by the next `poll`.
    started: Vec<Action>,
}

impl Sim {
    fn new(size: u64, concurrency: usize) -> Self {
        Self::with(spec(size, concurrency))
    }

    fn with(spec: UploadSpec) -> Self {
        Self { up: Upload::new(spec, 1_000_000), now: 1_000_000, started: vec![] }
    }

    /// Starts the upload and answers CreateMultipartUpload.
    fn created(size: u64, concurrency: usize) -> Self {
        let mut sim = Self::new(size, concurrency);
        let ops = sim.sends();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind, OpKind::Create);
        sim.answer(&ops[0], answer(200, CREATED));
        sim
    }

    /// `poll`, with probes answered "unreachable" (the probe tests call `up.poll` themselves).
    fn poll(&mut self) -> Vec<Action> {
        let mut actions = std::mem::take(&mut self.started);
        actions.extend(self.up.poll(self.now));
        if actions.contains(&Action::Probe) {
            self.up.on_probe(false, self.now);
        }
        actions.into_iter().filter(|a| *a != Action::Probe).collect()
    }

    /// The requests `poll` starts now (there must be nothing else to do), signed at once like the shell does;
    /// parts that need a checksum are signed once the test attaches it (see `checksummed`).
    fn sends(&mut self) -> Vec<Op> {
        let ops: Vec<Op> = self
            .poll()
            .into_iter()
            .map(|a| match a {
                Action::Send(op) => op,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        for op in ops.iter().filter(|op| !op.needs_checksum) {
            self.up.on_signed(op.id, None, self.now);
        }
        ops
    }

    /// Attaches a part's CRC and signs it, as the shell does once it has read the part.
    fn checksummed(&mut self, op: &mut Op, crc: u64) {
        self.up.attach_checksum(op, crc);
        self.up.on_signed(op.id, None, self.now);
    }

    fn answer(&mut self, op: &Op, answer: Result<Response, TransportError>) {
        self.up.on_response(op.id, op.kind, answer, self.now);
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Advances the clock until something other than a probe happens (probes answered "unreachable").
    fn sleep(&mut self) {
        while self.started.is_empty() {
            self.now = self.up.next_wakeup_ms().expect("something to wait for").max(self.now);
            self.started = self.poll();
        }
    }

    fn error(&self) -> &UploadError {
        self.up.outcome().expect("finished").as_ref().unwrap_err()
    }
}

fn numbers(ops: &[Op]) -> Vec<u32> {
    ops.iter().map(|op| match op.kind { OpKind::Part(p) => p.number, _ => 0 }).collect()
}

fn part_of(op: &Op) -> Part {
    match op.kind {
        OpKind::Part(p) => p,
        _ => panic!("not a part"),
    }
}

#[test]
fn uploads_with_bounded_concurrency_and_completes_in_ascending_order() {
    let mut sim = Sim::created(12 * MIB, 2);
    let first = sim.sends();
    assert_eq!(numbers(&first), [1, 2]);
    assert!(sim.sends().is_empty(), "never more than 2 in flight");
    assert!(first[0].request.url.ends_with("?partNumber=1&uploadId=U1"));
    assert_eq!(first[1].request.body, Body::FileRange { offset: 5 * MIB, len: 5 * MIB });

    // Part 2 answers first; part 3 takes its slot.
    sim.answer(&first[1], part_ok(2));
    let next = sim.sends();
    assert_eq!(numbers(&next), [3]);
    sim.answer(&next[0], part_ok(3));
    assert!(sim.sends().is_empty(), "part 1 is still in flight: no Complete yet");
    sim.answer(&first[0], part_ok(1));

    let complete = sim.sends();
    assert_eq!(complete.len(), 1);
    assert_eq!(complete[0].kind, OpKind::Complete);
    let Body::Xml(body) = &complete[0].request.body else { panic!("xml body") };
    let order: Vec<_> = ["etag-1", "etag-2", "etag-3"].iter().map(|e| body.find(e).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{body}");
    assert_eq!(sim.up.progress().bytes_confirmed, 12 * MIB);

    sim.answer(&complete[0], answer(200, COMPLETED));
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.etag.as_str(), result.size, result.upload_id.as_deref()), ("\"final-3\"", 12 * MIB, Some("U1")));
    assert_eq!(sim.up.state(sim.now), UploadState::Done);
    assert!(sim.sends().is_empty());
    assert_eq!(sim.up.next_wakeup_ms(), None);
}

#[test]
fn an_empty_file_is_one_put_object() {
    let mut sim = Sim::new(0, 4);
    let ops = sim.sends();
    assert_eq!(ops.len(), 1);
    assert_eq!((ops[0].kind, &ops[0].request.body), (OpKind::PutEmpty, &Body::Empty));
    assert!(sim.sends().is_empty());
    sim.answer(&ops[0], part_ok(1));
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.size, result.upload_id.as_deref(), result.location.as_str()), (0, None, "http://127.0.0.1:3900/b/k"));
}

#[test]
fn progress_counts_bytes_on_the_wire_and_confirmed_bytes() {
    let mut sim = Sim::created(8 * MIB, 2);
    let ops = sim.sends();
    sim.up.on_part_progress(ops[0].id, part_of(&ops[0]), MIB, sim.now);
    sim.up.on_part_progress(ops[1].id, part_of(&ops[1]), 10 * MIB, sim.now); // more than the part: clamped
    let p = sim.up.progress();
    assert_eq!((p.bytes_sent, p.bytes_confirmed, p.total_bytes), (MIB + 3 * MIB, 0, 8 * MIB));
    sim.answer(&ops[0], part_ok(1));
    sim.up.on_part_progress(ops[0].id, part_of(&ops[0]), 2 * MIB, sim.now); // late event of a finished part: ignored
    assert_eq!(sim.up.progress().bytes_sent, 8 * MIB);
    assert_eq!(sim.up.progress().bytes_confirmed, 5 * MIB);
}

#[test]
fn fatal_errors_stop_at_once_with_their_code() {
    let mut sim = Sim::new(MIB, 1);
    let ops = sim.sends();
    sim.answer(&ops[0], error(404, "NoSuchBucket"));
    assert_eq!(sim.error().code, "NoSuchBucket");
    assert!(sim.sends().is_empty());

    let mut sim = Sim::created(MIB, 1);
    let ops = sim.sends();
    sim.answer(&ops[0], answer(200, ""));
    assert_eq!(sim.error().code, "CorsEtagHidden");
    assert!(sim.error().message.contains("ExposeHeaders"));

    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], answer(200, "<Error><Code>EntityTooSmall</Code><Message>m</Message></Error>"));
    assert_eq!(sim.error().code, "EntityTooSmall");
    assert_eq!(sim.up.state(sim.now), UploadState::Failed { error_code: "EntityTooSmall".into() });
}

#[test]
fn a_network_failure_is_retried_after_a_backoff_and_finished_parts_are_never_resent() {
    let mut sim = Sim::created(12 * MIB, 3);
    let ops = sim.sends();
    sim.answer(&ops[0], part_ok(1));
    sim.answer(&ops[1], offline());
    sim.answer(&ops[2], part_ok(3));
    assert!(sim.sends().is_empty(), "part 2 waits for its backoff");
    let state = sim.up.state(sim.now);
    let UploadState::Retrying { next_try_at, error_code } = state else { panic!("{state:?}") };
    assert_eq!(error_code, "NetworkError");
    assert!(next_try_at > sim.now && next_try_at <= sim.now + Policy::default().backoff.base_ms);
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [2]);
    assert_ne!(retry[0].id, ops[1].id, "a new attempt has a new id");
    sim.answer(&retry[0], part_ok(2));
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn once_the_server_has_answered_network_failures_never_give_up() {
    let mut sim = Sim::created(5 * MIB, 1);
    let mut waited = 0;
    for _ in 0..200 {
        let ops = sim.sends();
        assert_eq!(numbers(&ops), [1]);
        sim.answer(&ops[0], offline());
        let before = sim.now;
        sim.sleep();
        waited = waited.max(sim.now - before);
    }
    assert!(sim.up.outcome().is_none());
    assert!(waited <= Policy::default().backoff.cap_ms, "backoff is capped: waited {waited} ms");
}

#[test]
fn an_endpoint_that_never_answers_fails_with_the_network_hint() {
    let mut sim = Sim::new(MIB, 1);
    for _ in 0..=Policy::default().unreached_retries {
        let ops = sim.sends();
        assert_eq!(ops[0].kind, OpKind::Create);
        sim.answer(&ops[0], offline());
        if sim.up.outcome().is_none() {
            sim.sleep();
        }
    }
    let err = sim.error();
    assert_eq!(err.code, "NetworkError");
    assert!(err.message.contains("CORS"), "{}", err.message);
}

#[test]
fn server_errors_are_retried_within_the_budget() {
    let mut spec = spec(5 * MIB, 1);
    spec.policy.server_retries = 2;
    let mut sim = Sim::with(spec.clone());
    let create = sim.sends();
    sim.answer(&create[0], error(500, "InternalError"));
    sim.sleep();
    let create = sim.sends();
    sim.answer(&create[0], error(503, "ServiceUnavailable"));
    sim.sleep();
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    assert!(sim.up.outcome().is_none(), "two server errors are within a budget of 2");

    let mut sim = Sim::with(spec);
    for _ in 0..3 {
        let ops = sim.sends();
        sim.answer(&ops[0], error(500, "InternalError"));
        if sim.up.outcome().is_none() {
            sim.sleep();
        }
    }
    assert_eq!(sim.error().code, "InternalError");
    assert!(sim.error().message.contains("3 times"), "{}", sim.error().message);
}

#[test]
fn throttling_halves_the_parts_in_flight_and_successes_grow_it_back() {
    let mut sim = Sim::created(40 * MIB, 4);
    let ops = sim.sends();
    assert_eq!(ops.len(), 4);
    sim.answer(&ops[0], error(503, "SlowDown"));
    sim.answer(&ops[1], part_ok(2));
    sim.answer(&ops[2], part_ok(3));
    // Window 4 → 2 on SlowDown, then +1/2 and +1/2.5 for the two successes: 2.9, so 2 in flight.
    let more = sim.sends();
    assert_eq!(more.len(), 1, "part 4 is in flight, one more may start: {:?}", numbers(&more));
    assert_eq!(numbers(&more), [5], "part 1 waits for its backoff");
}

#[test]
fn a_stalled_part_is_aborted_and_sent_again() {
    let mut sim = Sim::created(5 * MIB, 1);
    let ops = sim.sends();
    sim.advance(10_000);
    sim.up.on_part_progress(ops[0].id, part_of(&ops[0]), MIB, sim.now);
    sim.advance(Policy::default().stall_timeout_ms - 1);
    assert!(sim.poll().is_empty(), "progress 29.999 s ago is not a stall");
    assert_eq!(sim.up.next_wakeup_ms(), Some(sim.now + 1));
    sim.advance(1);
    assert_eq!(sim.poll(), [Action::Abort(ops[0].id)]);
    sim.answer(&ops[0], offline()); // the aborted request's own failure: ignored
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [1]);
    assert_eq!(sim.up.progress().bytes_sent, MIB, "progress does not go backwards");
    sim.answer(&ops[0], part_ok(1)); // a late answer of the old attempt: ignored
    assert!(sim.sends().is_empty());
    sim.answer(&retry[0], part_ok(1));
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn offline_starts_nothing_and_the_network_returning_resumes_at_once() {
    let mut sim = Sim::created(15 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], part_ok(1));
    sim.up.set_online(false, sim.now);
    assert_eq!(sim.up.state(sim.now), UploadState::WaitingForNetwork);
    sim.answer(&ops[1], offline());
    assert!(sim.sends().is_empty());
    sim.advance(600_000);
    assert!(sim.sends().is_empty(), "ten minutes offline: still waiting, not failed");
    assert_eq!(sim.up.next_wakeup_ms(), None, "nothing to wake up for until the network returns");
    sim.up.set_online(true, sim.now);
    assert_eq!(numbers(&sim.sends()), [2, 3], "back online: the failed part goes again at once");
    assert_eq!(sim.up.state(sim.now), UploadState::Uploading);
}

#[test]
fn expired_credentials_are_refreshed_and_retried_at_once_without_spending_the_budget() {
    let mut spec = spec(5 * MIB, 1);
    spec.policy.server_retries = 0;
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    for round in 0..MAX_CONSECUTIVE_FIXES {
        let ops = sim.sends();
        assert_eq!(ops.len(), 1, "retried at once (round {round})");
        sim.answer(&ops[0], error(400, "ExpiredToken"));
        assert!(sim.up.take_credentials_refresh());
        assert!(!sim.up.take_credentials_refresh(), "asked once per failure");
    }
    let ops = sim.sends();
    sim.answer(&ops[0], error(400, "ExpiredToken"));
    assert_eq!(sim.error().code, "ExpiredToken", "new credentials that keep failing are not going to work");
}

#[test]
fn access_denied_earns_one_credential_refresh_and_a_second_one_is_final() {
    let mut sim = Sim::created(5 * MIB, 1);
    let ops = sim.sends();
    sim.up.on_signed(ops[0].id, Some(sim.now + 3_600_000), sim.now);
    sim.answer(&ops[0], error(403, "AccessDenied"));
    assert!(sim.up.outcome().is_none(), "maybe an expired key the store calls AccessDenied");
    assert!(sim.up.take_credentials_refresh());
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [1], "retried at once with fresh credentials");
    sim.answer(&retry[0], error(403, "AccessDenied"));
    assert_eq!(sim.error().code, "AccessDenied");
}

#[test]
fn access_denied_after_the_known_expiry_keeps_refreshing_like_expired_token() {
    let mut sim = Sim::created(5 * MIB, 1);
    for _ in 0..MAX_CONSECUTIVE_FIXES {
        let ops = sim.sends();
        sim.up.on_signed(ops[0].id, Some(sim.now - 1), sim.now);
        sim.answer(&ops[0], error(403, "AccessDenied"));
        assert!(sim.up.take_credentials_refresh());
    }
    assert!(sim.up.outcome().is_none());
}

#[test]
fn a_skewed_clock_is_corrected_from_the_server_time() {
    let mut sim = Sim::new(5 * MIB, 1);
    let server_now: u64 = 1_767_226_800_000; // 2026-01-01T00:20:00Z
    sim.now = server_now - 20 * 60 * 1000; // this clock is 20 minutes slow
    let create = sim.sends();
    let body = "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message><ServerTime>2026-01-01T00:20:00Z</ServerTime></Error>";
    sim.answer(&create[0], answer(403, body));
    assert_eq!(sim.up.signing_time_ms(sim.now), server_now);
    let retry = sim.sends();
    assert_eq!(retry[0].kind, OpKind::Create, "retried at once");
    sim.advance(5_000);
    assert_eq!(sim.up.signing_time_ms(sim.now), server_now + 5_000);
}

#[test]
fn a_skew_error_without_any_time_is_fatal() {
    let mut sim = Sim::new(5 * MIB, 1);
    let create = sim.sends();
    sim.answer(&create[0], error(403, "RequestTimeTooSkewed"));
    assert_eq!(sim.error().code, "RequestTimeTooSkewed");
    assert!(sim.error().message.contains("clock"));
}

#[test]
fn a_stalled_complete_is_retried_after_the_longer_control_timeout() {
    let (mut sim, complete) = one_part_completing();
    sim.advance(Policy::default().stall_timeout_ms);
    assert!(sim.poll().is_empty(), "Complete may take longer than a part's stall timeout");
    sim.advance(Policy::default().stall_timeout_ms * (CONTROL_TIMEOUT_FACTOR - 1));
    assert_eq!(sim.poll(), [Action::Abort(complete[0].id)]);
    sim.sleep();
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

fn crc_of(byte: u8, len: u64) -> u64 {
    let mut crc = crate::core::checksum::Crc64::default();
    crc.update(&vec![byte; len as usize]);
    crc.finish()
}

fn with(checksums: bool, resume: bool, size: u64) -> Sim {
    let mut spec = spec(size, 2);
    spec.checksums = checksums;
    spec.resume = resume;
    Sim::with(spec)
}

/// A new upload with checksums, CreateMultipartUpload answered.
fn created_with_checksums(size: u64) -> Sim {
    let mut sim = with(true, false, size);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    sim
}

const NO_UPLOADS: &str = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";

#[test]
fn with_checksums_every_part_carries_its_crc_and_complete_the_whole_objects() {
    let mut sim = with(true, false, 7 * MIB);
    let create = sim.sends();
    assert!(create[0].request.headers.contains(&("x-amz-checksum-type".into(), "FULL_OBJECT".into())));
    sim.answer(&create[0], answer(200, CREATED));
    let mut parts = sim.sends();
    assert!(parts.iter().all(|op| op.needs_checksum));
    // The file is 5 MiB of 1s then 2 MiB of 2s.
    let crcs = [crc_of(1, 5 * MIB), crc_of(2, 2 * MIB)];
    for (op, crc) in parts.iter_mut().zip(crcs) {
        sim.checksummed(op, crc);
        assert!(op.request.headers.iter().any(|(n, v)| n == "x-amz-checksum-crc64nvme" && *v == crate::core::checksum::to_base64(crc)));
    }
    sim.answer(&parts[0], part_ok(1));
    sim.answer(&parts[1], part_ok(2));
    let complete = sim.sends();
    let whole = {
        let mut crc = crate::core::checksum::Crc64::default();
        crc.update(&vec![1u8; 5 * MIB as usize]);
        crc.update(&vec![2u8; 2 * MIB as usize]);
        crate::core::checksum::to_base64(crc.finish())
    };
    assert!(complete[0].request.headers.contains(&("x-amz-checksum-crc64nvme".into(), whole.clone())), "whole-object CRC combined from the parts");
    let body = format!("<CompleteMultipartUploadResult><ETag>e</ETag><ChecksumCRC64NVME>{whole}</ChecksumCRC64NVME></CompleteMultipartUploadResult>");
    sim.answer(&complete[0], answer(200, &body));
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.checksum_algorithm.as_deref(), result.checksum.as_deref()), (Some("CRC64NVME"), Some(whole.as_str())));
}

#[test]
fn a_corrupted_part_rejected_by_its_checksum_is_sent_again() {
    let mut sim = created_with_checksums(5 * MIB);
    let part = sim.sends();
    sim.answer(&part[0], error(400, "BadDigest"));
    sim.sleep();
    assert_eq!(numbers(&sim.sends()), [1]);
}

/// A 15 MiB file resumed: S3 holds parts 1 and 3 of an earlier upload of the key.
fn resuming(part3_crc: u64) -> Sim {
    let mut sim = with(true, true, 15 * MIB);
    let find = sim.sends();
    assert_eq!(find[0].kind, OpKind::FindUpload);
    assert!(find[0].request.url.contains("prefix=k&uploads="));
    let uploads = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>\
        <Upload><Key>k</Key><UploadId>OLD</UploadId><Initiated>2026-01-01T00:00:00.000Z</Initiated></Upload>\
        <Upload><Key>k</Key><UploadId>NEW</UploadId><Initiated>2026-02-01T00:00:00.000Z</Initiated></Upload>\
        <Upload><Key>k2</Key><UploadId>OTHER</UploadId><Initiated>2026-03-01T00:00:00.000Z</Initiated></Upload>\
        </ListMultipartUploadsResult>";
    sim.answer(&find[0], answer(200, uploads));
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    assert!(list[0].request.url.ends_with("uploadId=NEW"), "the newest upload of exactly this key");
    let b64 = crate::core::checksum::to_base64;
    let page1 = format!("<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>1</NextPartNumberMarker>\
        <Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part></ListPartsResult>", 5 * MIB, b64(crc_of(1, 5 * MIB)));
    sim.answer(&list[0], answer(200, &page1));
    let list = sim.sends();
    assert!(list[0].request.url.contains("part-number-marker=1"), "every page is read");
    let page2 = format!("<ListPartsResult><IsTruncated>false</IsTruncated>\
        <Part><PartNumber>3</PartNumber><ETag>\"e3\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part></ListPartsResult>", 5 * MIB, b64(part3_crc));
    sim.answer(&list[0], answer(200, &page2));
    sim
}

#[test]
fn resume_keeps_listed_parts_that_match_the_file_and_sends_only_the_rest() {
    let mut sim = resuming(crc_of(3, 5 * MIB));
    let actions = sim.poll();
    let plan = sim.up.spec.plan;
    let part = |n| plan.part(n);
    assert_eq!(actions[0], Action::Verify(part(1)));
    assert!(matches!(&actions[1], Action::Send(op) if op.kind == OpKind::Part(part(2)) && op.request.url.ends_with("uploadId=NEW")));
    sim.up.on_local_checksum(part(1), crc_of(1, 5 * MIB), sim.now);
    let Action::Send(mut op2) = actions[1].clone() else { unreachable!() };
    sim.checksummed(&mut op2, crc_of(2, 5 * MIB));
    assert_eq!(sim.poll(), [Action::Verify(part(3))]);
    sim.up.on_local_checksum(part(3), crc_of(3, 5 * MIB), sim.now);
    sim.answer(&op2, part_ok(2));
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete, "parts 1 and 3 were not sent again");
    let Body::Xml(body) = &complete[0].request.body else { panic!() };
    assert!(body.contains("<PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>") && body.contains("<PartNumber>3</PartNumber><ETag>&quot;e3&quot;</ETag>"), "{body}");
    assert_eq!(sim.up.progress().bytes_confirmed, 15 * MIB);
    sim.answer(&complete[0], answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().resumed_parts, 2);
}

#[test]
fn a_listed_part_of_another_file_is_sent_again() {
    let mut sim = resuming(crc_of(9, 5 * MIB)); // part 3 on S3 holds other bytes
    let mut verified = vec![];
    let complete = loop {
        let mut complete = None;
        for action in sim.poll() {
            match action {
                Action::Verify(part) => {
                    sim.up.on_local_checksum(part, crc_of(part.number as u8, part.len), sim.now);
                    verified.push(part.number);
                }
                Action::Send(mut op) => match op.kind {
                    OpKind::Part(part) => {
                        sim.checksummed(&mut op, crc_of(part.number as u8, part.len));
                        sim.answer(&op, part_ok(part.number));
                    }
                    _ => complete = Some(op),
                },
                other => panic!("{other:?}"),
            }
        }
        if let Some(op) = complete {
            break op;
        }
    };
    assert_eq!(verified, [1, 3]);
    assert_eq!(complete.kind, OpKind::Complete);
    sim.answer(&complete, answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().resumed_parts, 1, "only part 1 was kept");
}

#[test]
fn no_unfinished_upload_means_a_new_one() {
    let mut sim = with(true, true, 5 * MIB);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::HeadObject);
    assert!(head[0].request.headers.contains(&("x-amz-checksum-mode".into(), "ENABLED".into())));
    sim.answer(&head[0], answer(404, ""));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

/// Resume finds no unfinished upload, and HeadObject answers with an object of `size` bytes and `crc`.
fn existing_object(overwrite: bool, size: u64, crc: u64) -> Sim {
    let mut spec = spec(5 * MIB, 1);
    (spec.checksums, spec.resume, spec.overwrite) = (true, true, overwrite);
    let mut sim = Sim::with(spec);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    let headers = vec![
        ("content-length".into(), size.to_string()),
        ("etag".into(), "\"old\"".into()),
        ("x-amz-checksum-crc64nvme".into(), crate::core::checksum::to_base64(crc)),
    ];
    sim.answer(&head[0], Ok(Response { status: 200, headers, body: String::new() }));
    sim
}

#[test]
fn the_same_file_already_at_the_key_is_done_without_sending_anything() {
    let mut sim = existing_object(true, 5 * MIB, 42);
    assert_eq!(sim.poll(), [Action::VerifyFile]);
    assert!(sim.poll().is_empty(), "asked once");
    sim.up.on_file_checksum(42, sim.now);
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert!(result.already_uploaded);
    assert_eq!((result.etag.as_str(), result.upload_id.as_deref()), ("\"old\"", None));
    assert_eq!(sim.up.progress().bytes_confirmed, 5 * MIB);
}

#[test]
fn a_different_object_at_the_key_is_overwritten_or_refused_as_asked() {
    let mut sim = existing_object(true, 5 * MIB, 42);
    sim.poll();
    sim.up.on_file_checksum(43, sim.now);
    assert_eq!(sim.sends()[0].kind, OpKind::Create);

    let mut sim = existing_object(false, 5 * MIB, 42);
    sim.poll();
    sim.up.on_file_checksum(43, sim.now);
    assert_eq!(sim.error().code, "ObjectExists");
    assert!(sim.error().message.contains("choose another key"), "{}", sim.error().message);

    let sim = existing_object(false, 7 * MIB, 42); // another size: no need to read the file
    assert_eq!(sim.error().code, "ObjectExists");
}

#[test]
fn a_resumed_upload_keeps_the_part_size_it_was_started_with() {
    let mut sim = with(true, true, 20 * MIB); // asks for 5 MiB parts
    let find = sim.sends();
    let uploads = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k</Key><UploadId>U</UploadId><Initiated>x</Initiated></Upload></ListMultipartUploadsResult>";
    sim.answer(&find[0], answer(200, uploads));
    let list = sim.sends();
    let page = format!("<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>{}</Size><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part></ListPartsResult>", 8 * MIB);
    sim.answer(&list[0], answer(200, &page));
    assert_eq!(sim.up.spec.plan.part_size, 8 * MIB);
    assert_eq!(sim.up.spec.plan.count(), 3);
}

#[test]
fn not_allowed_to_list_uploads_starts_afresh() {
    let mut sim = with(true, true, 5 * MIB);
    let find = sim.sends();
    sim.answer(&find[0], error(403, "AccessDenied"));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

#[test]
fn pause_stops_parts_in_flight_and_resume_sends_them_again() {
    let mut sim = Sim::created(15 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], part_ok(1));
    let paused = sim.up.pause(sim.now);
    assert_eq!(paused, [Action::Abort(ops[1].id)]);
    assert_eq!(sim.up.state(sim.now), UploadState::Paused);
    sim.advance(3_600_000);
    assert!(sim.sends().is_empty(), "an hour paused sends nothing");
    sim.up.resume(sim.now);
    assert_eq!(numbers(&sim.sends()), [2, 3], "part 1 is kept, part 2 goes again");
}

const ABORTED: &str = "";

#[test]
fn cancel_aborts_the_upload_until_list_parts_shows_it_is_gone() {
    let mut sim = Sim::created(15 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], part_ok(1));
    let aborts = sim.up.cancel(sim.now);
    assert_eq!(aborts, [Action::Abort(ops[1].id)]);
    assert_eq!(sim.up.state(sim.now), UploadState::Cancelling);
    let abort = sim.sends();
    assert_eq!((abort[0].kind, abort[0].request.method), (OpKind::Abort, s3::Method::Delete));
    sim.answer(&abort[0], answer(204, ABORTED));
    let confirm = sim.sends();
    assert_eq!(confirm[0].kind, OpKind::ConfirmAbort);
    // A part that was in flight landed after the abort: the upload still answers, so abort again.
    sim.answer(&confirm[0], answer(200, "<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>"));
    let again = sim.sends();
    assert_eq!(again[0].kind, OpKind::Abort);
    sim.answer(&again[0], answer(204, ABORTED));
    let confirm = sim.sends();
    sim.answer(&confirm[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn cancel_while_creating_removes_the_upload_once_its_id_is_known() {
    let mut sim = Sim::new(5 * MIB, 1);
    let create = sim.sends();
    assert!(sim.up.cancel(sim.now).is_empty());
    sim.answer(&create[0], answer(200, CREATED));
    let abort = sim.sends();
    assert_eq!(abort[0].kind, OpKind::Abort);
    assert!(abort[0].request.url.ends_with("uploadId=U1"));
    sim.answer(&abort[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn cancel_before_anything_exists_ends_at_once() {
    let mut sim = with(true, true, 5 * MIB);
    let find = sim.sends();
    assert_eq!(sim.up.cancel(sim.now), [Action::Abort(find[0].id)]);
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn a_remembered_upload_is_listed_directly_and_a_vanished_one_is_searched_for() {
    let mut spec = spec(5 * MIB, 1);
    (spec.checksums, spec.resume, spec.known_upload_id) = (true, true, Some("REMEMBERED".into()));
    let mut sim = Sim::with(spec);
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    assert!(list[0].request.url.ends_with("uploadId=REMEMBERED"));
    sim.answer(&list[0], error(404, "NoSuchUpload"));
    let find = sim.sends();
    assert_eq!(find[0].kind, OpKind::FindUpload);
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    sim.answer(&head[0], answer(404, ""));
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    assert_eq!(sim.up.current_upload(), Some(("U1", 5 * MIB)));
}

#[test]
fn several_parts_refused_for_one_expired_key_need_only_one_refresh() {
    let mut sim = Sim::created(20 * MIB, 4);
    let ops = sim.sends();
    for op in &ops {
        sim.up.on_signed(op.id, None, sim.now); // all four signed with the same key, expiry unknown
    }
    for op in &ops {
        sim.answer(op, error(403, "AccessDenied"));
    }
    assert!(sim.up.outcome().is_none(), "one expired key, not four failures: {:?}", sim.up.outcome());
    assert!(sim.up.take_credentials_refresh());
    let retries = sim.sends();
    assert_eq!(numbers(&retries), [1, 2, 3, 4], "all sent again at once");
    for op in &retries {
        sim.up.on_signed(op.id, None, sim.now);
        sim.answer(op, part_ok(numbers(&[op.clone()])[0]));
    }
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn several_requests_refused_for_one_skew_correct_the_clock_once() {
    let mut sim = Sim::created(20 * MIB, 3);
    let ops = sim.sends();
    let body = "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message><ServerTime>2026-01-01T00:20:00Z</ServerTime></Error>";
    for op in &ops {
        sim.answer(op, answer(403, body));
    }
    assert!(sim.up.outcome().is_none());
    assert_eq!(sim.up.consecutive_fixes, 1);
}

#[test]
fn an_invalid_part_at_complete_relists_keeps_what_matches_and_resends_the_rest() {
    let mut sim = created_with_checksums(10 * MIB);
    let mut parts = sim.sends();
    for op in &mut parts {
        let part = part_of(op);
        sim.checksummed(op, crc_of(part.number as u8, part.len));
        sim.answer(op, part_ok(part.number));
    }
    let complete = sim.sends();
    sim.answer(&complete[0], error(400, "InvalidPart"));
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    // S3 holds part 1 as sent, and a late stale attempt of part 2 with other bytes.
    let b64 = crate::core::checksum::to_base64;
    let page = format!("<ListPartsResult><IsTruncated>false</IsTruncated>\
        <Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag><Size>{mib5}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>\
        <Part><PartNumber>2</PartNumber><ETag>\"stale\"</ETag><Size>{mib5}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>\
        </ListPartsResult>", b64(crc_of(1, 5 * MIB)), b64(crc_of(9, 5 * MIB)), mib5 = 5 * MIB);
    sim.answer(&list[0], answer(200, &page));
    let actions = sim.poll();
    assert_eq!(actions.len(), 2);
    for action in actions {
        let Action::Verify(part) = action else { panic!("{action:?}") };
        sim.up.on_local_checksum(part, crc_of(part.number as u8, part.len), sim.now);
    }
    let mut resend = sim.sends();
    assert_eq!(numbers(&resend), [2]);
    sim.checksummed(&mut resend[0], crc_of(2, 5 * MIB));
    sim.answer(&resend[0], part_ok(2));
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete);
    sim.answer(&complete[0], error(400, "InvalidPart"));
    assert_eq!(sim.error().code, "InvalidPart", "relisted once only");
    assert_eq!(sim.up.progress().bytes_sent, 10 * MIB);
}

#[test]
fn online_without_a_way_out_is_probed_and_an_answer_wakes_the_retries() {
    let mut spec = spec(5 * MIB, 1);
    spec.policy.backoff = Backoff { base_ms: 60_000, cap_ms: 60_000 };
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    let part = sim.sends();
    sim.answer(&part[0], offline());
    let UploadState::Retrying { next_try_at, .. } = sim.up.state(sim.now) else { panic!() };
    assert!(next_try_at > sim.now + PROBE_INTERVAL_MS, "this seed waits long: {}", next_try_at - sim.now);
    assert_eq!(sim.up.next_wakeup_ms(), Some(sim.now + PROBE_INTERVAL_MS));
    sim.advance(PROBE_INTERVAL_MS);
    assert_eq!(sim.up.poll(sim.now), [Action::Probe]);
    assert!(sim.up.poll(sim.now).is_empty(), "one probe at a time");
    sim.up.on_probe(false, sim.now);
    sim.advance(PROBE_INTERVAL_MS);
    assert_eq!(sim.up.poll(sim.now), [Action::Probe], "still no way out: probed again 2 s later");
    sim.up.on_probe(true, sim.now);
    assert_eq!(numbers(&sim.sends()), [1], "reachable: the part goes at once, not after its backoff");
}

#[test]
fn nothing_is_probed_while_requests_are_in_flight_or_after_other_errors() {
    let mut sim = Sim::created(10 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], offline());
    sim.advance(PROBE_INTERVAL_MS);
    assert!(!sim.up.poll(sim.now).contains(&Action::Probe), "part 2 is in flight: its answer will tell");
    let mut sim = Sim::created(5 * MIB, 1);
    let ops = sim.sends();
    sim.answer(&ops[0], error(500, "InternalError"));
    sim.advance(PROBE_INTERVAL_MS);
    assert!(!sim.up.poll(sim.now).contains(&Action::Probe), "the server answered: no probe needed");
}

#[test]
fn the_stall_watchdog_starts_when_the_part_is_signed_and_a_retry_reuses_its_crc() {
    let mut sim = created_with_checksums(5 * MIB);
    let mut part = sim.sends();
    assert!(part[0].needs_checksum);
    // Reading a huge part for its CRC takes longer than the stall timeout: not a stall.
    for _ in 0..60 {
        sim.advance(1_000);
        assert!(sim.poll().is_empty(), "no stall while the part is read for its CRC (the shell polls every second)");
    }
    sim.checksummed(&mut part[0], 77);
    assert!(sim.poll().is_empty(), "the watchdog counts from signing");
    sim.advance(Policy::default().stall_timeout_ms);
    assert_eq!(sim.poll(), [Action::Abort(part[0].id)], "silence after it went out is a stall");
    sim.sleep();
    let retry = sim.sends();
    assert!(!retry[0].needs_checksum, "the CRC is known");
    assert!(retry[0].request.headers.contains(&("x-amz-checksum-crc64nvme".into(), crate::core::checksum::to_base64(77))));
}

/// A one-part upload whose part S3 confirmed, and its CompleteMultipartUpload.
fn one_part_completing() -> (Sim, Vec<Op>) {
    let mut sim = Sim::created(MIB, 1);
    let part = sim.sends();
    sim.answer(&part[0], part_ok(1));
    let complete = sim.sends();
    (sim, complete)
}

#[test]
fn a_relative_location_becomes_the_objects_url() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], answer(200, "<CompleteMultipartUploadResult><Location>/b/k</Location><ETag>e</ETag></CompleteMultipartUploadResult>"));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().location, "http://127.0.0.1:3900/b/k");
}

fn part_notices(sim: &mut Sim) -> Vec<PartNotice> {
    sim.up.take_notices().into_iter().filter_map(|n| match n { Notice::Part(p) => Some(p), _ => None }).collect()
}

#[test]
fn each_part_s3_holds_is_told_once_resumed_or_sent_with_its_checksum() {
    let mut sim = resuming(crc_of(3, 5 * MIB));
    let actions = sim.poll();
    let part = |n| sim.up.spec.plan.part(n);
    let (p1, p3) = (part(1), part(3));
    sim.up.on_local_checksum(p1, crc_of(1, 5 * MIB), sim.now);
    let Action::Send(mut op2) = actions[1].clone() else { unreachable!() };
    sim.checksummed(&mut op2, crc_of(2, 5 * MIB));
    sim.poll();
    sim.up.on_local_checksum(p3, crc_of(3, 5 * MIB), sim.now);
    sim.answer(&op2, part_ok(2));
    let told: Vec<(u32, bool, u32)> = part_notices(&mut sim).iter().map(|p| (p.part_number, p.resumed, p.parts_done)).collect();
    assert_eq!(told, [(1, true, 1), (3, true, 2), (2, false, 3)]);
    let complete = sim.sends();
    sim.answer(&complete[0], answer(200, COMPLETED));
    assert!(part_notices(&mut sim).is_empty(), "nothing twice");
}

#[test]
fn a_part_notice_carries_size_total_and_the_crc_it_was_sent_with() {
    let mut sim = created_with_checksums(7 * MIB);
    let mut ops = sim.sends();
    sim.checksummed(&mut ops[1], crc_of(2, 2 * MIB));
    sim.answer(&ops[1], part_ok(2));
    let told = part_notices(&mut sim);
    let expected = PartNotice {
        part_number: 2,
        size: 2 * MIB,
        checksum: Some(checksum::to_base64(crc_of(2, 2 * MIB))),
        resumed: false,
        parts_done: 1,
        total_parts: 2,
    };
    assert_eq!(told, [expected]);
}

#[test]
fn every_failed_request_is_told_retryable_until_the_one_that_ends_the_upload() {
    let mut sim = Sim::created(5 * MIB, 1);
    let ops = sim.sends();
    sim.answer(&ops[0], error(503, "SlowDown"));
    sim.sleep();
    let ops = sim.sends();
    sim.answer(&ops[0], offline());
    sim.sleep();
    let ops = sim.sends();
    sim.answer(&ops[0], error(403, "SignatureDoesNotMatch"));
    let told: Vec<(String, bool)> = sim
        .up
        .take_notices()
        .into_iter()
        .map(|n| match n { Notice::Error(e) => (e.code, e.retryable), other => panic!("{other:?}") })
        .collect();
    let expected = [("SlowDown", true), ("NetworkError", true), ("SignatureDoesNotMatch", false)].map(|(c, r)| (c.to_string(), r));
    assert_eq!(told, expected);
    assert_eq!(sim.error().code, "SignatureDoesNotMatch");
}

#[test]
fn a_cancelled_upload_tells_no_error() {
    let mut sim = Sim::new(5 * MIB, 1);
    sim.up.cancel(sim.now);
    assert_eq!(sim.error().code, CANCELLED);
    assert!(sim.up.take_notices().is_empty());
}

#[test]
fn a_failing_callback_is_retried_like_the_network_and_ends_with_its_own_error_if_nothing_was_ever_reached() {
    let mut sim = Sim::new(5 * MIB, 1);
    let callback_failed = || UploadError::new("CredentialsFailed", "the credentials callback failed: backend down");
    for attempt in 0..=sim.up.spec.policy.unreached_retries {
        let ops = sim.poll();
        let Some(Action::Send(op)) = ops.first() else { panic!("attempt {attempt}: {ops:?}") };
        sim.up.on_no_answer(op.id, op.kind, callback_failed(), sim.now);
        if sim.up.outcome().is_none() {
            sim.sleep();
        }
    }
    assert_eq!(sim.error().code, "CredentialsFailed", "not the network hint");
}

#[test]
fn once_the_server_has_answered_a_failing_callback_never_gives_up() {
    let mut sim = Sim::created(5 * MIB, 1);
    for _ in 0..30 {
        let ops = sim.poll();
        let Some(Action::Send(op)) = ops.first() else { panic!("{ops:?}") };
        sim.up.on_no_answer(op.id, op.kind, UploadError::new("SigningFailed", "the sign callback failed"), sim.now);
        sim.sleep();
    }
    assert!(sim.up.outcome().is_none());
    assert!(matches!(sim.up.state(sim.now), UploadState::Uploading | UploadState::Retrying { .. }));
}

/// Two checksummed parts sent and confirmed, Complete sent once and its answer lost; returns the sim at the retry.
fn complete_reply_lost() -> (Sim, Op) {
    let mut sim = created_with_checksums(7 * MIB);
    let mut parts = sim.sends();
    for (op, crc) in parts.iter_mut().zip([crc_of(1, 5 * MIB), crc_of(2, 2 * MIB)]) {
        sim.checksummed(op, crc);
        sim.answer(op, part_ok(part_of(op).number));
    }
    let complete = sim.sends();
    sim.answer(&complete[0], offline()); // S3 completed it, the answer never came back
    sim.sleep();
    let retry = sim.sends().remove(0);
    assert_eq!(retry.kind, OpKind::Complete);
    (sim, retry)
}

fn head_answer(size: u64, etag: &str, crc: u64) -> Result<Response, TransportError> {
    let headers = [("content-length", size.to_string()), ("etag", etag.to_string()), ("x-amz-checksum-crc64nvme", checksum::to_base64(crc))];
    Ok(Response { status: 200, headers: headers.map(|(n, v)| (n.to_string(), v)).to_vec(), body: String::new() })
}

#[test]
fn a_complete_whose_answer_was_lost_is_confirmed_by_the_objects_checksum() {
    let (mut sim, retry) = complete_reply_lost();
    sim.answer(&retry, error(404, "NoSuchUpload"));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::ConfirmComplete);
    assert_eq!(head[0].request.method, crate::core::s3::Method::Head);
    let whole = sim.up.object_crc();
    sim.answer(&head[0], head_answer(7 * MIB, "\"abc-2\"", whole));
    let result = sim.up.outcome().unwrap().as_ref().expect("done");
    assert_eq!((result.etag.as_str(), result.upload_id.as_deref()), ("\"abc-2\"", Some("U1")));
    assert_eq!(result.checksum, Some(checksum::to_base64(whole)));
}

#[test]
fn another_object_at_the_key_after_a_lost_complete_is_no_such_upload() {
    let (mut sim, retry) = complete_reply_lost();
    sim.answer(&retry, error(404, "NoSuchUpload"));
    let head = sim.sends();
    sim.answer(&head[0], head_answer(7 * MIB, "\"abc-2\"", 42));
    assert_eq!(sim.error().code, "NoSuchUpload");
}

#[test]
fn no_such_upload_at_the_first_complete_is_final() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "NoSuchUpload", "nothing was sent before that could have completed it");
}

#[test]
fn while_every_slot_is_busy_the_next_parts_crc_is_read_ahead_and_it_goes_out_without_another_read() {
    let mut sim = created_with_checksums(20 * MIB);
    let actions = sim.poll();
    let plan = sim.up.spec.plan;
    let mut ops: Vec<Op> = actions.iter().filter_map(|a| match a { Action::Send(op) => Some(op.clone()), _ => None }).collect();
    assert_eq!(numbers(&ops), [1, 2]);
    assert!(actions.contains(&Action::ReadAhead(plan.part(3))), "{actions:?}");
    assert!(sim.poll().is_empty(), "one read-ahead at a time");
    sim.up.on_read_ahead(plan.part(3), crc_of(3, 5 * MIB));
    assert_eq!(sim.poll(), [Action::ReadAhead(plan.part(4))]);
    sim.checksummed(&mut ops[0], crc_of(1, 5 * MIB));
    sim.answer(&ops[0], part_ok(1));
    let next = sim.sends();
    assert_eq!(numbers(&next), [3]);
    assert!(!next[0].needs_checksum, "its CRC was read ahead");
    let header = next[0].request.headers.iter().find(|(n, _)| n == "x-amz-checksum-crc64nvme").map(|(_, v)| v.clone());
    assert_eq!(header, Some(checksum::to_base64(crc_of(3, 5 * MIB))));
}

#[test]
fn nothing_is_read_ahead_without_checksums_or_with_free_slots() {
    let mut sim = Sim::created(20 * MIB, 2);
    assert!(sim.poll().iter().all(|a| matches!(a, Action::Send(_))), "checksums off");
    let mut sim = created_with_checksums(10 * MIB);
    assert!(sim.poll().iter().all(|a| matches!(a, Action::Send(_))), "every part is already going out");
}
