//! A file that changes or vanishes on disk while it is uploaded: a failing part's range is read again, the sampled
//! ranges are read again before Complete, and an upload no resume could use is removed.
use crate::sim::*;
use resumable_s3::core::error::UploadError;
use resumable_s3::core::machine::{Action, Op, OpKind, Range, UploadSpec};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::Body;

fn unreadable() -> UploadError {
    UploadError::new("FileUnreadable", "the file can no longer be read (NotFoundError): choose it again")
}

/// Two parts, `resume` and `checksums` as given, the first part held by S3, the second in flight.
fn second_part_in_flight(resume: bool, checksums: bool) -> (Sim, Op) {
    let mut spec = spec(10 * MIB, 1);
    (spec.resume, spec.checksums) = (resume, checksums);
    let mut sim = Sim::with(spec);
    if resume {
        let find = sim.sends();
        sim.answer(&find[0], answer(200, NO_UPLOADS));
        let head = sim.sends();
        sim.answer(&head[0], error(404, "NoSuchKey"));
    }
    let create = sim.sends();
    assert_eq!(create[0].kind, OpKind::Create);
    sim.answer(&create[0], answer(200, CREATED));
    let first = sim.sends();
    sim.answer(&first[0], part_ok(1));
    let second = sim.sends();
    assert_eq!(numbers(&second), [2]);
    (sim, second[0].clone())
}

fn part_range(number: u32) -> Range {
    Range { offset: (number as u64 - 1) * 5 * MIB, len: 5 * MIB }
}

#[test]
fn a_part_whose_request_fails_has_its_range_read_again_and_an_unreadable_file_ends_the_upload_keeping_its_parts() {
    let (mut sim, second) = second_part_in_flight(true, true);
    // Chromium fails the request of a file removed on disk like a network failure (ERR_FILE_NOT_FOUND).
    sim.answer(&second, offline());
    assert_eq!(sim.poll(), [Action::Checksum(part_range(2))], "the part's range is read again at once");
    sim.up.on_read_failed(unreadable());
    assert_eq!(sim.error().code, "FileUnreadable");
    assert!(sim.error().message.contains("choose it again"));
    assert!(sim.poll().is_empty(), "part 1 is kept for a resume: nothing is aborted");
}

#[test]
fn a_part_whose_request_fails_while_the_file_reads_the_same_is_retried_as_a_network_failure() {
    let (mut sim, second) = second_part_in_flight(true, true);
    sim.answer(&second, offline());
    sim.sleep();
    assert_eq!(numbers(&sim.sends()), [2]);
}

#[test]
fn a_range_read_again_with_other_bytes_is_a_changed_file() {
    let (mut sim, second) = second_part_in_flight(true, true);
    sim.answer(&second, offline());
    let plan = sim.up.plan();
    assert_eq!(sim.poll(), [Action::Checksum(part_range(2))]);
    sim.up.on_checksum(part_range(2), part_crc(part_range(2), plan) ^ 1, sim.now);
    assert_eq!(sim.error().code, "FileChanged");
    assert!(sim.error().message.contains("choose the file again"), "{}", sim.error().message);
}

#[test]
fn a_bad_digest_reads_the_range_again_and_other_bytes_than_before_end_the_upload_as_changed() {
    // Overwritten on disk with its modification time put back: the browser sends the new bytes with the old CRC.
    let (mut sim, second) = second_part_in_flight(true, true);
    sim.answer(&second, error(400, "BadDigest"));
    let plan = sim.up.plan();
    assert_eq!(sim.poll(), [Action::Checksum(part_range(2))], "read again at once, before any retry");
    sim.up.on_checksum(part_range(2), part_crc(part_range(2), plan) ^ 1, sim.now);
    assert_eq!(sim.error().code, "FileChanged");

    // The same bytes as before: damaged on the way, sent again.
    let (mut sim, second) = second_part_in_flight(true, true);
    sim.answer(&second, error(400, "InvalidDigest"));
    sim.sleep();
    assert_eq!(numbers(&sim.sends()), [2]);
}

fn with_samples(checksums: bool) -> UploadSpec {
    let mut spec = spec(10 * MIB, 2);
    spec.checksums = checksums;
    let sampled = Range { offset: 0, len: 64 * 1024 };
    spec.samples = vec![(sampled, crc_of(1, sampled.len)), (Range { offset: 10 * MIB - 10, len: 10 }, crc_of(2, 10))];
    spec
}

/// Both parts sent and held; what `poll` asks for then.
fn all_parts_held(spec: UploadSpec) -> (Sim, Vec<Action>) {
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    let parts = sim.sends();
    for op in &parts {
        sim.answer(op, part_ok(part_of(op).number));
    }
    let reads = sim.poll();
    (sim, reads)
}

#[test]
fn before_complete_the_sampled_ranges_are_read_again_and_the_same_bytes_complete() {
    let (mut sim, reads) = all_parts_held(with_samples(true));
    let sampled: Vec<Action> = with_samples(true).samples.iter().map(|(range, _)| Action::Checksum(*range)).collect();
    assert_eq!(reads, sampled);
    let [(first, first_crc), (last, last_crc)] = with_samples(true).samples[..] else { unreachable!() };
    sim.up.on_checksum(first, first_crc, sim.now);
    assert!(sim.poll().is_empty(), "Complete waits for every sampled range");
    sim.up.on_checksum(last, last_crc, sim.now);
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn without_checksums_a_file_whose_sampled_bytes_changed_is_not_completed_and_its_upload_is_removed() {
    let (mut sim, _) = all_parts_held(with_samples(false));
    let (last, last_crc) = with_samples(false).samples[1];
    sim.up.on_checksum(last, last_crc ^ 1, sim.now);
    // Without checksums a resume would send every part again: the upload is removed (sim.error answers it).
    assert_eq!(sim.error().code, "FileChanged");
}

/// The AbortMultipartUpload `poll` sends (after stopping the attempts in flight).
fn abort_sent(sim: &mut Sim) -> Op {
    let actions = sim.poll();
    let sent: Vec<&Op> = actions.iter().filter_map(|a| if let Action::Send(op) = a { Some(op) } else { None }).collect();
    assert_eq!(sent.len(), 1, "{actions:?}");
    assert_eq!(sent[0].kind, OpKind::Abort);
    sim.up.on_signed(sent[0].id, None, sim.now);
    sent[0].clone()
}

#[test]
fn a_fatal_failure_without_resume_removes_the_created_upload_best_effort_and_ends_with_that_failure() {
    let (mut sim, second) = second_part_in_flight(false, true);
    sim.answer(&second, error(400, "CorsEtagHidden"));
    let abort = abort_sent(&mut sim);
    sim.answer(&abort, answer(204, ""));
    let confirm = sim.sends();
    assert_eq!(confirm[0].kind, OpKind::ConfirmAbort);
    sim.answer(&confirm[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "CorsEtagHidden");

    // The abort itself failing changes nothing: one try, then the upload's own failure.
    let (mut sim, second) = second_part_in_flight(false, true);
    sim.answer(&second, error(400, "CorsEtagHidden"));
    let abort = abort_sent(&mut sim);
    sim.answer(&abort, error(503, "SlowDown"));
    assert_eq!(sim.error().code, "CorsEtagHidden");
    assert!(sim.poll().is_empty());
}

#[test]
fn an_unreadable_file_stops_the_parts_in_flight_when_its_upload_is_removed() {
    let mut sim = Sim::created(15 * MIB, 2);
    let parts = sim.sends();
    assert_eq!(numbers(&parts), [1, 2]);
    sim.answer(&parts[0], offline());
    let actions = sim.poll();
    assert_eq!(actions[0], Action::Checksum(part_range(1)), "read again, while part 3 takes the free slot: {actions:?}");
    let Action::Send(third) = &actions[1] else { panic!("{actions:?}") };
    sim.up.on_read_failed(unreadable());
    let actions = sim.poll();
    assert_eq!(actions[..2], [Action::Abort(parts[1].id), Action::Abort(third.id)], "the parts in flight stop: {actions:?}");
    assert!(matches!(&actions[2], Action::Send(op) if op.kind == OpKind::Abort), "{actions:?}");
}

#[test]
fn a_created_upload_whose_answer_cannot_be_read_is_removed() {
    // A success answer that is no readable XML (here an unescaped `&`) still names the upload it created.
    let mut sim = Sim::new(6 * MIB, 1);
    let create = sim.sends();
    let body = "<InitiateMultipartUploadResult><Key>a&b</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>";
    sim.answer(&create[0], answer(200, body));
    assert_eq!(sim.error().code, "MalformedResponse", "after the upload was removed (sim.error checks the abort)");
}

#[test]
fn without_checksums_a_crc_read_to_check_the_file_is_never_sent() {
    // Stores without flexible checksums refuse the header.
    let (mut sim, second) = second_part_in_flight(true, false);
    sim.answer(&second, offline());
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [2]);
    assert_eq!(header(&retry[0], "x-amz-checksum-crc64nvme"), None);
    sim.answer(&retry[0], part_ok(2));
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete);
    let Body::Xml(body) = &complete[0].request.body else { panic!("{:?}", complete[0].request.body) };
    assert!(!body.contains("Checksum"), "{body}");
}
