//! Completing: the slow Complete, a part S3 holds that is not the one listed, and a Complete whose answer was lost.
use crate::sim::*;
use resumable_s3::core::checksum::Algorithm::Crc64Nvme;
use resumable_s3::core::machine::{Action, Op, OpKind, Policy, TransportError, COMPLETE_TIMEOUT_MS, CONTROL_TIMEOUT_FACTOR};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::{Method, Response};

#[test]
fn a_silent_complete_is_given_up_only_after_ten_minutes() {
    let (mut sim, complete) = one_part_completing();
    sim.advance(Policy::default().stall_timeout_ms * CONTROL_TIMEOUT_FACTOR);
    assert!(sim.poll().is_empty(), "real S3 may take minutes to assemble the object");
    sim.advance(COMPLETE_TIMEOUT_MS - Policy::default().stall_timeout_ms * CONTROL_TIMEOUT_FACTOR);
    assert_eq!(sim.poll(), [Action::Abort(complete[0].id)]);
    sim.sleep();
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn a_relative_location_becomes_the_objects_url() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], answer(200, "<CompleteMultipartUploadResult><Location>/b/k</Location><ETag>e</ETag></CompleteMultipartUploadResult>"));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().location, "http://127.0.0.1:3900/b/k");
}

#[test]
fn an_invalid_part_at_complete_relists_keeps_what_matches_and_resends_the_rest() {
    let (mut sim, list) = relisting_after("InvalidPart");
    let plan = sim.up.plan();
    // S3 holds part 1 as sent, and a late stale attempt of part 2 with other bytes.
    let page = format!(
        "<ListPartsResult><IsTruncated>false</IsTruncated>\
        <Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag><Size>{mib5}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>\
        <Part><PartNumber>2</PartNumber><ETag>\"stale\"</ETag><Size>{mib5}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>\
        </ListPartsResult>",
        b64(crc_of(1, 5 * MIB)),
        b64(crc_of(9, 5 * MIB)),
        mib5 = 5 * MIB
    );
    sim.answer(&list[0], answer(200, &page));
    let checks = sim.poll();
    assert_eq!(checks, plan.parts().map(|p| Action::Checksum(p.into())).collect::<Vec<_>>(), "both listed parts are checked");
    for action in checks {
        let Action::Checksum(range) = action else { unreachable!() };
        sim.up.on_checksum(range, part_crc(range, plan), sim.now);
    }
    let resend = sim.sends();
    assert_eq!(numbers(&resend), [2]);
    assert_eq!(header(&resend[0], "x-amz-checksum-crc64nvme"), Some(b64(crc_of(2, 5 * MIB)).as_str()));
    sim.answer(&resend[0], part_ok(2));
    let complete = sim.sends().remove(0);
    assert_eq!(complete.kind, OpKind::Complete);
    assert_eq!(sim.up.progress().bytes_sent, 10 * MIB);
    // Another stale attempt landing late costs another relist: S3 now holds both parts as sent.
    let held = page.replace("stale", "etag-2").replace(&b64(crc_of(9, 5 * MIB)), &b64(crc_of(2, 5 * MIB)));
    sim.answer(&complete, error(400, "InvalidPart"));
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    sim.answer(&list[0], answer(200, &held));
    let complete = sim.sends_checksummed(|r| part_crc(r, plan)).remove(0);
    assert_eq!(complete.kind, OpKind::Complete, "both parts held as listed");
    sim.answer(&complete, answer(200, COMPLETED));
    assert!(sim.up.outcome().unwrap().is_ok());
}

#[test]
fn refused_again_after_a_relist_that_matched_the_parts_sent_more_than_once_go_again_and_progress_holds() {
    let (mut sim, resend, mut confirmed) = resent_after_a_relist_that_matched();
    sim.up.on_part_progress(resend.id, part_of(&resend), 2 * MIB, sim.now);
    confirmed.check(&sim);
    sim.answer(&resend, part_ok(2));
    let complete = sim.sends().remove(0);
    assert_eq!(complete.kind, OpKind::Complete);
    sim.answer(&complete, answer(200, COMPLETED));
    assert!(sim.up.outcome().unwrap().is_ok());
    confirmed.check(&sim);
    assert_eq!((sim.up.progress().bytes_sent, sim.up.progress().bytes_confirmed), (10 * MIB, 10 * MIB));
}

#[test]
fn the_parts_sent_more_than_once_go_again_only_once() {
    let (mut sim, resend, _) = resent_after_a_relist_that_matched();
    sim.answer(&resend, part_ok(2));
    let complete = sim.sends().remove(0);
    sim.answer(&complete, error(400, "InvalidPart"));
    let list = sim.sends();
    sim.answer(&list[0], answer(200, &both_parts_held()));
    let plan = sim.up.plan();
    let complete = sim.sends_checksummed(|r| part_crc(r, plan)).remove(0);
    assert_eq!(complete.kind, OpKind::Complete, "part 2 is not sent a third time");
    sim.answer(&complete, error(400, "InvalidPart"));
    assert_eq!(sim.error().code, "InvalidPart", "relisted three times at most");
}

/// Two checksummed parts, part 2 sent twice (its first attempt stalled and was given up on); S3's newest attempt of
/// part 2 is that stale one, unfinished: listings show the retry's, Complete refuses it. Complete refused, listed
/// (the ETags match), refused again, listed again: returns the sim at part 2's third attempt, which follows.
fn resent_after_a_relist_that_matched() -> (Sim, Op, Watch) {
    let mut sim = Sim::created_with_checksums(10 * MIB);
    let plan = sim.up.plan();
    let mut confirmed = Watch::default();
    let parts = sim.sends();
    sim.answer(&parts[0], part_ok(1));
    sim.up.on_part_progress(parts[1].id, part_of(&parts[1]), MIB, sim.now);
    sim.advance(Policy::default().stall_timeout_ms);
    assert_eq!(sim.poll(), [Action::Abort(parts[1].id)]);
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [2]);
    sim.answer(&retry[0], part_ok(2));
    confirmed.check(&sim);
    let mut next = sim.sends().remove(0);
    for _ in 0..2 {
        assert_eq!(next.kind, OpKind::Complete);
        sim.answer(&next, error(400, "InvalidPart"));
        let list = sim.sends();
        assert_eq!(list[0].kind, OpKind::ListParts);
        confirmed.check(&sim);
        sim.answer(&list[0], answer(200, &both_parts_held()));
        next = sim.sends_checksummed(|r| part_crc(r, plan)).remove(0);
        confirmed.check(&sim);
    }
    assert_eq!(numbers(std::slice::from_ref(&next)), [2], "part 2 sent again after the relist that matched; part 1 kept");
    assert_eq!(header(&next, "x-amz-checksum-crc64nvme"), Some(b64(crc_of(2, 5 * MIB)).as_str()));
    (sim, next, confirmed)
}

/// ListParts with both parts of a 10 MiB test file as sent (ETags "etag-N", the file's CRCs).
fn both_parts_held() -> String {
    let part = |n: u8| {
        let crc = b64(crc_of(n, 5 * MIB));
        format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>\"etag-{n}\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{crc}</ChecksumCRC64NVME></Part>",
            5 * MIB
        )
    };
    format!("<ListPartsResult><IsTruncated>false</IsTruncated>{}{}</ListPartsResult>", part(1), part(2))
}

/// Tracks `bytes_confirmed`: `check` asserts it never went backwards.
#[derive(Default)]
struct Watch(u64);

impl Watch {
    fn check(&mut self, sim: &Sim) {
        let now = sim.up.progress().bytes_confirmed;
        assert!(now >= self.0, "bytes_confirmed went backwards: {} -> {now}", self.0);
        self.0 = now;
    }
}

/// Two checksummed parts confirmed, Complete refused with `code`: returns the ListParts that follows.
pub fn relisting_after(code: &str) -> (Sim, Vec<Op>) {
    let (mut sim, complete) = completing_with_checksums(10 * MIB);
    sim.answer(&complete, error(400, code));
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts, "the parts S3 holds are checked against the file first");
    (sim, list)
}

/// A checksummed upload of `size` bytes whose parts S3 confirmed, and its CompleteMultipartUpload.
pub fn completing_with_checksums(size: u64) -> (Sim, Op) {
    let mut sim = Sim::created_with_checksums(size);
    let plan = sim.up.plan();
    let parts = sim.sends_checksummed(|r| part_crc(r, plan));
    for op in &parts {
        sim.answer(op, part_ok(part_of(op).number));
    }
    let complete = sim.sends().remove(0);
    assert_eq!(complete.kind, OpKind::Complete);
    (sim, complete)
}

/// Two checksummed parts sent and confirmed, Complete sent once and its answer lost; returns the sim at the retry.
pub fn complete_reply_lost() -> (Sim, Op) {
    let (mut sim, complete) = completing_with_checksums(7 * MIB);
    sim.answer(&complete, offline()); // S3 completed it, the answer never came back
    sim.sleep();
    let retry = sim.sends().remove(0);
    assert_eq!(retry.kind, OpKind::Complete);
    (sim, retry)
}

fn head_answer(size: u64, etag: &str, crc: u64) -> Result<Response, TransportError> {
    let headers = [
        ("content-length", size.to_string()),
        ("etag", etag.to_string()),
        ("x-amz-checksum-crc64nvme", Crc64Nvme.to_base64(crc)),
        ("x-amz-checksum-type", "FULL_OBJECT".into()),
    ];
    Ok(Response { status: 200, headers: headers.map(|(n, v)| (n.to_string(), v)).to_vec(), body: String::new() })
}

#[test]
fn a_complete_whose_answer_was_lost_is_confirmed_by_the_objects_checksum() {
    let (mut sim, retry) = complete_reply_lost();
    sim.answer(&retry, error(404, "NoSuchUpload"));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::ConfirmComplete);
    assert_eq!(head[0].request.method, Method::Head);
    let whole = Crc64Nvme.combine(crc_of(1, 5 * MIB), crc_of(2, 2 * MIB), 2 * MIB);
    sim.answer(&head[0], head_answer(7 * MIB, "\"abc-2\"", whole));
    let result = sim.up.outcome().unwrap().as_ref().expect("done");
    assert_eq!((result.etag.as_str(), result.upload_id.as_deref()), ("\"abc-2\"", Some("U1")));
    assert_eq!(result.checksum, Some(Crc64Nvme.to_base64(whole)));
    assert_eq!(result.checksum_algorithm.as_deref(), Some("CRC64NVME"));
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

/// A one-part upload with `ifExists: "error"` (no overwriting), its part confirmed, and its Complete.
fn conditional_completing() -> (Sim, Op) {
    let mut spec = spec(MIB, 1);
    spec.overwrite = false;
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    let part = sim.sends();
    sim.answer(&part[0], part_ok(1));
    let complete = sim.sends().remove(0);
    (sim, complete)
}

#[test]
fn without_overwriting_complete_is_a_conditional_write_and_412_is_object_exists() {
    let (mut sim, complete) = conditional_completing();
    assert_eq!(header(&complete, "if-none-match"), Some("*"), "whatever resume is: the HEAD check alone races");
    sim.answer(&complete, error(412, "PreconditionFailed"));
    assert_eq!(sim.error().code, "ObjectExists");
    assert!(sim.error().message.contains("ifExists"), "{}", sim.error().message);
    let (_, complete) = one_part_completing();
    assert_eq!(header(&complete[0], "if-none-match"), None, "overwriting is the default");
}

#[test]
fn a_conditional_complete_that_lost_a_race_starts_a_new_upload_of_every_part() {
    let (mut sim, complete) = conditional_completing();
    sim.answer(&complete, error(409, "ConditionalRequestConflict"));
    let create = sim.sends();
    assert_eq!(create[0].kind, OpKind::Create, "S3 asks for a new multipart upload");
    sim.answer(&create[0], answer(200, "<InitiateMultipartUploadResult><UploadId>U2</UploadId></InitiateMultipartUploadResult>"));
    let part = sim.sends();
    assert_eq!(numbers(&part), [1], "every part again, into the new upload");
    assert!(part[0].request.url.ends_with("uploadId=U2"));
    sim.answer(&part[0], part_ok(1));
    let complete = sim.sends();
    assert_eq!(header(&complete[0], "if-none-match"), Some("*"));
    sim.answer(&complete[0], answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().upload_id.as_deref(), Some("U2"));
}
