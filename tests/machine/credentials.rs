//! Credentials that expire and clocks that are wrong: fixed once, retried at once, and given up on when the fix
//! keeps failing.
use crate::sim::*;
use resumable_s3::core::machine::{OpKind, MAX_CONSECUTIVE_FIXES};
use resumable_s3::core::plan::MIB;

#[test]
fn expired_credentials_are_refreshed_and_retried_at_once_without_spending_the_budget() {
    let mut spec = spec(5 * MIB, 1);
    spec.policy.server_retries = 0;
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    assert!(!create[0].refresh_credentials);
    sim.answer(&create[0], answer(200, CREATED));
    let mut ops = sim.sends();
    for round in 0..MAX_CONSECUTIVE_FIXES {
        assert_eq!(ops.len(), 1, "retried at once (round {round})");
        sim.answer(&ops[0], error(400, "ExpiredToken"));
        ops = sim.sends();
        assert!(ops[0].refresh_credentials, "new credentials asked for (round {round})");
    }
    sim.answer(&ops[0], error(400, "ExpiredToken"));
    assert_eq!(sim.error().code, "ExpiredToken", "new credentials that keep failing are not going to work");
}

#[test]
fn new_credentials_are_asked_for_once_per_failure() {
    let mut sim = Sim::created(10 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], error(400, "ExpiredToken"));
    let retry = sim.sends();
    assert!(retry[0].refresh_credentials);
    sim.answer(&ops[1], part_ok(2));
    sim.answer(&retry[0], part_ok(1));
    assert!(!sim.sends()[0].refresh_credentials, "the next request uses the credentials just fetched");
}

#[test]
fn access_denied_earns_one_credential_refresh_and_a_second_one_is_final() {
    let mut sim = Sim::created(5 * MIB, 1);
    let ops = sim.sends();
    sim.up.on_signed(ops[0].id, Some(sim.now + 3_600_000), sim.now);
    sim.answer(&ops[0], error(403, "AccessDenied"));
    assert!(sim.up.outcome().is_none(), "maybe an expired key the store calls AccessDenied");
    let retry = sim.sends();
    assert_eq!(numbers(&retry), [1], "retried at once");
    assert!(retry[0].refresh_credentials, "with fresh credentials");
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
        assert!(sim.up.outcome().is_none());
    }
    assert!(sim.sends()[0].refresh_credentials);
}

#[test]
fn a_skewed_clock_is_corrected_from_the_server_time() {
    let mut sim = Sim::new(5 * MIB, 1);
    let server_now: u64 = 1_767_226_800_000; // 2026-01-01T00:20:00Z
    sim.now = server_now - 20 * 60 * 1000; // this clock is 20 minutes slow
    let create = sim.sends();
    assert_eq!(create[0].clock_offset_ms, 0);
    sim.answer(&create[0], answer(403, SKEWED));
    let retry = sim.sends();
    assert_eq!(retry[0].kind, OpKind::Create, "retried at once");
    assert_eq!(sim.now as i64 + retry[0].clock_offset_ms, server_now as i64, "signed at the server's time");
    sim.advance(5_000);
    sim.answer(&retry[0], error(500, "InternalError"));
    sim.sleep();
    let later = sim.sends();
    assert_eq!(later[0].clock_offset_ms, 20 * 60 * 1000, "the correction stays for later requests");
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
fn several_parts_refused_for_one_expired_key_need_only_one_refresh() {
    let mut sim = Sim::created(20 * MIB, 4);
    let ops = sim.sends(); // all four signed with the same key, expiry unknown
    for op in &ops {
        sim.answer(op, error(403, "AccessDenied"));
    }
    assert!(sim.up.outcome().is_none(), "one expired key, not four failures: {:?}", sim.up.outcome());
    let retries = sim.sends();
    assert_eq!(numbers(&retries), [1, 2, 3, 4], "all sent again at once");
    assert_eq!(retries.iter().filter(|op| op.refresh_credentials).count(), 1, "one refresh serves them all");
    for op in &retries {
        sim.answer(op, part_ok(numbers(std::slice::from_ref(op))[0]));
    }
    assert_eq!(sim.sends()[0].kind, OpKind::Complete);
}

#[test]
fn several_requests_refused_for_one_skew_correct_the_clock_once() {
    let mut sim = Sim::created(20 * MIB, 3);
    let mut ops = sim.sends();
    for op in &ops {
        sim.answer(op, answer(403, SKEWED));
    }
    assert!(sim.up.outcome().is_none());
    // The three refusals counted as one fix: MAX_CONSECUTIVE_FIXES - 1 more corrections are still tried.
    for round in 2..=MAX_CONSECUTIVE_FIXES {
        ops = sim.sends();
        assert_eq!(ops.len(), 3, "round {round}");
        sim.answer(&ops[0], answer(403, SKEWED));
        assert!(sim.up.outcome().is_none(), "round {round}");
        for op in &ops[1..] {
            sim.answer(op, answer(403, SKEWED)); // made before this round's fix: no new information
        }
    }
    let ops = sim.sends();
    sim.answer(&ops[0], answer(403, SKEWED));
    assert_eq!(sim.error().code, "RequestTimeTooSkewed");
}
