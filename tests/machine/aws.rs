//! What real S3 does that Garage does not (the e2e tests reproduce each through the fault proxy's "aws" profile):
//! a slow Complete's whitespace and the error inside its 200, HEAD answers without a body, a signing region S3
//! corrects, OperationAborted, and a whole-object checksum that does not match.
use crate::complete::{complete_reply_lost, completing_with_checksums, relisting_after};
use crate::sim::*;
use resumable_s3::core::machine::{Action, OpKind, Policy, COMPLETE_TIMEOUT_MS, CONTROL_TIMEOUT_FACTOR};
use resumable_s3::core::plan::MIB;

#[test]
fn whitespace_before_a_slow_completes_result_is_read_past() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], answer(200, &format!("{}{COMPLETED}", " \n".repeat(200))));
    assert_eq!(sim.up.outcome().unwrap().as_ref().expect("done").etag, "\"final-3\"");
}

#[test]
fn an_error_inside_a_completes_200_is_retried_like_any_server_error() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], answer(200, "   \n<Error><Code>InternalError</Code><Message>m</Message></Error>"));
    assert!(sim.up.outcome().is_none());
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(retry[0].kind, OpKind::Complete);
    sim.answer(&retry[0], answer(200, COMPLETED));
    assert!(sim.up.outcome().unwrap().is_ok());
}

#[test]
fn an_unreadable_200_at_complete_is_retried_then_confirmed_with_head_object() {
    let (mut sim, complete) = completing_with_checksums(7 * MIB);
    // The connection dropped in the whitespace: S3 may have completed it, or not.
    sim.answer(&complete, answer(200, "          "));
    assert!(sim.up.outcome().is_none(), "not MalformedResponse: {:?}", sim.up.outcome());
    sim.sleep();
    let retry = sim.sends();
    assert_eq!(retry[0].kind, OpKind::Complete);
    sim.answer(&retry[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.sends()[0].kind, OpKind::ConfirmComplete);
}

#[test]
fn operation_aborted_is_retried() {
    let (mut sim, complete) = one_part_completing();
    sim.answer(&complete[0], error(409, "OperationAborted"));
    assert!(sim.up.outcome().is_none());
    sim.sleep();
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn a_bad_digest_at_complete_relists_once_then_fails_saying_why() {
    let (mut sim, list) = relisting_after("BadDigest");
    let plan = sim.up.plan();
    let part = |n: u32| {
        format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>\"etag-{n}\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>",
            5 * MIB,
            b64(crc_of(n as u8, 5 * MIB))
        )
    };
    sim.answer(&list[0], answer(200, &format!("<ListPartsResult>{}{}</ListPartsResult>", part(1), part(2))));
    let complete = sim.sends_checksummed(|r| part_crc(r, plan));
    assert_eq!(complete[0].kind, OpKind::Complete, "every part matched: nothing resent");
    sim.answer(&complete[0], error(400, "BadDigest"));
    let err = sim.error();
    assert_eq!(err.code, "BadDigest");
    assert!(err.message.contains("the file changed while it was uploading"), "{}", err.message);
}

#[test]
fn a_forbidden_head_after_a_lost_complete_is_unknown_not_an_access_problem() {
    let (mut sim, retry) = complete_reply_lost();
    sim.answer(&retry, error(404, "NoSuchUpload"));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::ConfirmComplete);
    sim.answer(&head[0], answer(403, "")); // HEAD: no body; without s3:ListBucket a missing key is 403 too
    let err = sim.error();
    assert_eq!(err.code, "NoSuchUpload");
    assert!(err.message.contains("HeadObject was refused (403)") && err.message.contains("s3:GetObject"), "{}", err.message);
    assert!(!err.message.contains("s3:PutObject"), "no AccessDenied advice: {}", err.message);
}

#[test]
fn a_bare_400_to_head_drops_the_checksum_mode_then_asks_for_fresh_credentials_once() {
    let mut sim = Sim::options(true, true, 5 * MIB);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::HeadObject);
    // HEAD answers have no body: a store refusing x-amz-checksum-mode and an expired token both look like this.
    sim.answer(&head[0], answer(400, ""));
    let again = sim.sends();
    assert_eq!((again[0].kind, again[0].refresh_credentials), (OpKind::HeadObject, false));
    sim.answer(&again[0], answer(400, ""));
    let again = sim.sends();
    assert_eq!((again[0].kind, again[0].refresh_credentials), (OpKind::HeadObject, true));
    sim.answer(&again[0], answer(400, ""));
    assert_eq!(sim.error().code, "BadRequest", "once only");
}

#[test]
fn a_region_s3_names_is_signed_for_from_then_on_once() {
    let mut sim = Sim::new(5 * MIB, 1);
    let create = sim.sends();
    assert_eq!(create[0].region, "us-east-1");
    let wrong = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region \
        'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>";
    sim.answer(&create[0], answer(400, wrong));
    let create = sim.sends();
    assert_eq!((create[0].kind, create[0].region.as_str()), (OpKind::Create, "eu-west-1"));
    sim.answer(&create[0], answer(200, CREATED));
    let part = sim.sends();
    assert_eq!(part[0].region, "eu-west-1", "every later request");
    sim.answer(&part[0], answer(400, &wrong.replace("eu-west-1", "ap-south-1")));
    assert_eq!(sim.error().code, "AuthorizationHeaderMalformed", "corrected once only");
}

#[test]
fn a_request_whose_answer_has_begun_is_not_stopped_by_the_stall_timer() {
    let mut sim = Sim::new(5 * MIB, 1);
    let create = sim.sends();
    sim.up.on_headers(create[0].id); // 200 and headers came; the body is slow
    sim.advance(Policy::default().stall_timeout_ms * CONTROL_TIMEOUT_FACTOR);
    assert!(sim.poll().is_empty(), "still reading the answer");
    sim.advance(COMPLETE_TIMEOUT_MS);
    assert_eq!(sim.poll(), [Action::Abort(create[0].id)], "the overall limit still applies");
}
