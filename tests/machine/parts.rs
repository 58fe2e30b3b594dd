//! Sending the parts: concurrency, order, progress, checksums, read-ahead, stalls, throttling, pause.
use crate::sim::*;
use resumable_s3::core::machine::{Action, Op, OpKind, Policy, Range, UploadState};
use resumable_s3::core::notice::PartNotice;
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::Body;

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
fn with_checksums_every_part_carries_its_crc_and_complete_the_whole_objects() {
    let mut sim = Sim::options(true, false, 7 * MIB);
    let create = sim.sends();
    assert_eq!(header(&create[0], "x-amz-checksum-type"), Some("FULL_OBJECT"));
    sim.answer(&create[0], answer(200, CREATED));
    let plan = sim.up.plan();
    // The file is 5 MiB of 1s then 2 MiB of 2s; each part's CRC is read before it is sent.
    let ranges: Vec<Range> = plan.parts().map(Range::from).collect();
    assert_eq!(sim.poll(), ranges.iter().map(|&r| Action::Checksum(r)).collect::<Vec<_>>());
    for &range in &ranges {
        sim.up.on_checksum(range, part_crc(range, plan), sim.now);
    }
    let parts = sim.sends();
    assert_eq!(numbers(&parts), [1, 2]);
    for (op, range) in parts.iter().zip(&ranges) {
        assert_eq!(header(op, "x-amz-checksum-crc64nvme"), Some(b64(part_crc(*range, plan)).as_str()));
    }
    sim.answer(&parts[0], part_ok(1));
    sim.answer(&parts[1], part_ok(2));
    let complete = sim.sends();
    let whole = {
        let mut crc = resumable_s3::core::checksum::Crc64::default();
        crc.update(&vec![1u8; 5 * MIB as usize]);
        crc.update(&vec![2u8; 2 * MIB as usize]);
        b64(crc.finish())
    };
    assert_eq!(header(&complete[0], "x-amz-checksum-crc64nvme"), Some(whole.as_str()), "whole-object CRC combined from the parts");
    let body = format!("<CompleteMultipartUploadResult><ETag>e</ETag><ChecksumCRC64NVME>{whole}</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType></CompleteMultipartUploadResult>");
    sim.answer(&complete[0], answer(200, &body));
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.checksum_algorithm.as_deref(), result.checksum.as_deref()), (Some("CRC64NVME"), Some(whole.as_str())));
}

#[test]
fn a_corrupted_part_rejected_by_its_checksum_is_sent_again() {
    let mut sim = Sim::created_with_checksums(5 * MIB);
    let plan = sim.up.plan();
    let part = sim.sends_checksummed(|r| part_crc(r, plan));
    sim.answer(&part[0], error(400, "BadDigest"));
    sim.sleep();
    assert_eq!(numbers(&sim.sends()), [1]);
}

#[test]
fn the_stall_watchdog_starts_when_the_part_is_signed_and_a_retry_reuses_its_crc() {
    let mut sim = Sim::created_with_checksums(5 * MIB);
    let read = sim.poll();
    let [Action::Checksum(range)] = read[..] else { panic!("{read:?}") };
    // Reading a huge part for its CRC takes longer than the stall timeout: not a stall.
    for _ in 0..60 {
        sim.advance(1_000);
        assert!(sim.poll().is_empty(), "no stall while the part is read for its CRC (the shell polls every second)");
    }
    sim.up.on_checksum(range, 77, sim.now);
    let part = sim.sends();
    assert!(sim.poll().is_empty(), "the watchdog counts from signing");
    sim.advance(Policy::default().stall_timeout_ms);
    assert_eq!(sim.poll(), [Action::Abort(part[0].id)], "silence after it went out is a stall");
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [1], "the CRC is known: sent without reading the part again");
    assert_eq!(header(&retry[0], "x-amz-checksum-crc64nvme"), Some(b64(77).as_str()));
}

#[test]
fn while_every_slot_is_busy_the_next_parts_crc_is_read_ahead_and_it_goes_out_without_another_read() {
    let mut sim = Sim::created_with_checksums(20 * MIB);
    let plan = sim.up.plan();
    let range = |n| Range::from(plan.part(n));
    assert_eq!(sim.poll(), [Action::Checksum(range(1)), Action::Checksum(range(2)), Action::Checksum(range(3))], "part 3's read ahead");
    assert!(sim.poll().is_empty(), "one read-ahead at a time");
    sim.up.on_checksum(range(3), crc_of(3, 5 * MIB), sim.now);
    assert_eq!(sim.poll(), [Action::Checksum(range(4))]);
    for n in [1, 2] {
        sim.up.on_checksum(range(n), crc_of(n as u8, 5 * MIB), sim.now);
    }
    let ops: Vec<Op> = sim.sends();
    assert_eq!(numbers(&ops), [1, 2]);
    sim.answer(&ops[0], part_ok(1));
    let next = sim.sends();
    assert_eq!(numbers(&next), [3], "its CRC was read ahead");
    assert_eq!(header(&next[0], "x-amz-checksum-crc64nvme"), Some(b64(crc_of(3, 5 * MIB)).as_str()));
}

#[test]
fn nothing_is_read_ahead_without_checksums_or_with_free_slots() {
    let mut sim = Sim::created(20 * MIB, 2);
    assert!(sim.poll().iter().all(|a| matches!(a, Action::Send(_))), "checksums off");
    let mut sim = Sim::created_with_checksums(10 * MIB);
    let plan = sim.up.plan();
    let asked: Vec<Action> = plan.parts().map(|p| Action::Checksum(p.into())).collect();
    assert_eq!(sim.poll(), asked, "every part is already going out: nothing to read ahead");
}

#[test]
fn each_part_s3_holds_is_told_once_resumed_or_sent_with_its_checksum() {
    let mut sim = crate::resume::resuming(crc_of(3, 5 * MIB));
    let plan = sim.up.plan();
    let ops = sim.sends_checksummed(|r| part_crc(r, plan));
    assert_eq!(numbers(&ops), [2]);
    sim.answer(&ops[0], part_ok(2));
    let told: Vec<(u32, bool, u32)> = sim.part_notices().iter().map(|p| (p.part_number, p.resumed, p.parts_done)).collect();
    assert_eq!(told, [(1, true, 1), (3, true, 2), (2, false, 3)]);
    let complete = sim.sends();
    sim.answer(&complete[0], answer(200, COMPLETED));
    assert!(sim.part_notices().is_empty(), "nothing twice");
}

#[test]
fn a_part_notice_carries_size_total_and_the_crc_it_was_sent_with() {
    let mut sim = Sim::created_with_checksums(7 * MIB);
    let plan = sim.up.plan();
    let ops = sim.sends_checksummed(|r| part_crc(r, plan));
    sim.answer(&ops[1], part_ok(2));
    let expected =
        PartNotice { part_number: 2, size: 2 * MIB, checksum: Some(b64(crc_of(2, 2 * MIB))), resumed: false, parts_done: 1, total_parts: 2 };
    assert_eq!(sim.part_notices(), [expected]);
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

#[test]
fn an_empty_file_carries_a_checksum_and_without_overwriting_is_put_only_if_absent() {
    let mut spec = spec(0, 1);
    (spec.checksums, spec.overwrite) = (true, false);
    let mut sim = Sim::with(spec);
    let put = sim.sends();
    assert_eq!(put[0].kind, OpKind::PutEmpty);
    assert_eq!(header(&put[0], "x-amz-checksum-crc64nvme"), Some("AAAAAAAAAAA="), "Object Lock buckets require one");
    assert_eq!(header(&put[0], "if-none-match"), Some("*"));
    sim.answer(&put[0], error(412, "PreconditionFailed"));
    assert_eq!(sim.error().code, "ObjectExists");

    let mut sim = Sim::new(0, 1);
    let put = sim.sends();
    assert_eq!(header(&put[0], "content-md5"), Some("1B2M2Y8AsgTpgAmY7PhCfg=="), "without flexible checksums: Content-MD5");
    sim.answer(&put[0], error(409, "ConditionalRequestConflict"));
    sim.sleep();
    assert_eq!(sim.sends()[0].kind, OpKind::PutEmpty, "a PutObject that raced another write is sent again");
}
