//! The network going away: nothing is sent while offline, everything goes again the moment it is back, and an
//! "online" browser with no way out is probed.
use crate::sim::*;
use resumable_s3::core::machine::{Action, UploadState, PROBE_INTERVAL_MS};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::retry::Backoff;

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
fn online_without_a_way_out_is_probed_and_an_answer_wakes_the_retries() {
    let mut spec = spec(5 * MIB, 1);
    spec.policy.backoff = Backoff { base_ms: 60_000, cap_ms: 60_000 };
    let mut sim = Sim::with(spec);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    let part = sim.sends();
    sim.answer(&part[0], offline());
    assert!(sim.sends().is_empty(), "the part's range is read again (the file may be why); nothing goes before the backoff");
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
