//! Whether the browser says it is online, and probing the endpoint while it says so with no way out.
use super::task::Task;

/// While a request waits after a network failure and nothing is in flight, the endpoint is probed this often:
/// `navigator.onLine` can say true with no way out, and a backoff of up to 30 s should not outlast the outage.
pub const PROBE_INTERVAL_MS: u64 = 2_000;

#[derive(Debug)]
pub(super) struct Network {
    pub online: bool,
    /// When the last probe was asked for, and whether its answer is awaited.
    last_probe_ms: u64,
    probing: bool,
}

impl Network {
    pub fn new(now_ms: u64) -> Self {
        Self { online: true, last_probe_ms: now_ms, probing: false }
    }

    /// Records the browser's word; true when it has just come back.
    pub fn set_online(&mut self, online: bool) -> bool {
        let back = online && !self.online;
        self.online = online;
        back
    }

    /// When to probe, given the tasks of the current phase: only while online, nothing is in flight, and something
    /// waits after a network failure (an answered probe then wakes it early).
    pub fn probe_due_at<'a>(&self, mut tasks: impl Iterator<Item = &'a Task> + Clone) -> Option<u64> {
        if !self.online || self.probing || tasks.clone().any(|t| t.in_flight_id().is_some()) {
            return None;
        }
        tasks.any(Task::waits_for_network).then_some(self.last_probe_ms + PROBE_INTERVAL_MS)
    }

    pub fn probe_started(&mut self, now_ms: u64) {
        self.probing = true;
        self.last_probe_ms = now_ms;
    }

    pub fn probe_answered(&mut self) {
        self.probing = false;
    }
}
