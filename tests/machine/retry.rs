//! Failed requests: what is retried, how long it waits, when the upload gives up, and what the app is told.
use crate::sim::*;
use resumable_s3::core::error::UploadError;
use resumable_s3::core::machine::{Action, OpKind, Policy, UploadState};
use resumable_s3::core::notice::Notice;
use resumable_s3::core::plan::MIB;

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
        .map(|n| match n {
            Notice::Error(e) => (e.code, e.retryable),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected = [("SlowDown", true), ("NetworkError", true), ("SignatureDoesNotMatch", false)].map(|(c, r)| (c.to_string(), r));
    assert_eq!(told, expected);
    assert_eq!(sim.error().code, "SignatureDoesNotMatch");
}

#[test]
fn a_failing_callback_is_retried_like_the_network_and_ends_with_its_own_error_if_nothing_was_ever_reached() {
    let mut sim = Sim::new(5 * MIB, 1);
    let callback_failed = || UploadError::new("CredentialsFailed", "the credentials callback failed: backend down");
    for attempt in 0..=Policy::default().unreached_retries {
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
