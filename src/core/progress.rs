//! Upload progress: bytes S3 has confirmed, bytes still on the wire, speed and time left.
use std::collections::{BTreeMap, VecDeque};

/// Speed is averaged over this much recent time: long enough to smooth per-part bursts, short enough to follow the link.
const SPEED_WINDOW_MS: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgressSnapshot {
    /// Confirmed bytes plus what the browser has sent of parts in flight. Never decreases: when a part is retried
    /// it stays put until the retry has caught up.
    pub bytes_sent: u64,
    /// Bytes in parts S3 has confirmed.
    pub bytes_confirmed: u64,
    pub total_bytes: u64,
    /// Bytes per second over the last few seconds; `None` until there is enough to tell.
    pub speed: Option<f64>,
    /// Seconds left at that speed.
    pub eta_seconds: Option<f64>,
}

#[derive(Debug)]
pub struct Progress {
    total: u64,
    /// Each confirmed part's bytes, and their sum: a part confirmed again (kept after a relist, or sent again
    /// because a stale attempt may have replaced it) counts once.
    confirmed: BTreeMap<u32, u64>,
    confirmed_bytes: u64,
    in_flight: BTreeMap<u32, u64>,
    high_water: u64,
    /// (time, bytes on the wire or confirmed) samples within the speed window.
    samples: VecDeque<(u64, u64)>,
}

impl Progress {
    pub fn new(total: u64) -> Self {
        Self { total, confirmed: BTreeMap::new(), confirmed_bytes: 0, in_flight: BTreeMap::new(), high_water: 0, samples: VecDeque::new() }
    }

    /// The browser reports `sent` bytes of part `number` on the wire at `now_ms`.
    pub fn sending(&mut self, number: u32, sent: u64, now_ms: u64) {
        self.in_flight.insert(number, sent);
        self.sample(now_ms);
    }

    pub fn confirmed(&mut self, number: u32, len: u64, now_ms: u64) {
        self.in_flight.remove(&number);
        self.confirmed_bytes += len;
        if let Some(before) = self.confirmed.insert(number, len) {
            self.confirmed_bytes -= before;
        }
        self.sample(now_ms);
    }

    /// A new upload: every part is to be confirmed again; what was reported as sent stays (`bytes_sent` never
    /// goes backwards).
    pub fn restart(&mut self) {
        self.confirmed.clear();
        self.confirmed_bytes = 0;
        self.in_flight.clear();
    }

    /// A part's attempt failed: its bytes on the wire no longer count.
    pub fn failed(&mut self, number: u32) {
        self.in_flight.remove(&number);
    }

    /// Confirmed bytes plus those on the wire of parts not confirmed yet.
    fn moved(&self) -> u64 {
        let sending = self.in_flight.iter().filter(|(number, _)| !self.confirmed.contains_key(number));
        self.confirmed_bytes + sending.map(|(_, sent)| sent).sum::<u64>()
    }

    fn sample(&mut self, now_ms: u64) {
        self.high_water = self.high_water.max(self.moved());
        self.samples.push_back((now_ms, self.moved()));
        while self.samples.front().is_some_and(|&(t, _)| t + SPEED_WINDOW_MS < now_ms) {
            self.samples.pop_front();
        }
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let speed = match (self.samples.front(), self.samples.back()) {
            // Bytes moved between the oldest and newest sample; a retry can make it negative for a while.
            (Some(&(t0, b0)), Some(&(t1, b1))) if t1 >= t0 + 1_000 => Some(b1.saturating_sub(b0) as f64 * 1000.0 / (t1 - t0) as f64),
            _ => None,
        };
        // Time left is for bytes not yet sent; sent but unconfirmed bytes wait only for the server's answer.
        let left = self.total.saturating_sub(self.moved());
        let eta_seconds = speed.filter(|s| *s > 0.0).map(|s| left as f64 / s);
        ProgressSnapshot { bytes_sent: self.high_water, bytes_confirmed: self.confirmed_bytes, total_bytes: self.total, speed, eta_seconds }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_sent_never_decreases_when_a_part_fails() {
        let mut p = Progress::new(100);
        p.sending(1, 40, 0);
        p.failed(1);
        assert_eq!((p.snapshot().bytes_sent, p.snapshot().bytes_confirmed), (40, 0));
        p.sending(1, 10, 100);
        assert_eq!(p.snapshot().bytes_sent, 40);
        p.sending(1, 50, 200);
        assert_eq!(p.snapshot().bytes_sent, 50);
    }

    #[test]
    fn a_part_confirmed_again_or_sent_again_after_its_confirmation_counts_once() {
        let mut p = Progress::new(100);
        p.confirmed(1, 60, 0);
        p.confirmed(2, 40, 0);
        p.sending(2, 30, 100);
        assert_eq!((p.snapshot().bytes_sent, p.snapshot().bytes_confirmed), (100, 100));
        p.confirmed(2, 40, 200);
        p.confirmed(1, 60, 200);
        assert_eq!((p.snapshot().bytes_sent, p.snapshot().bytes_confirmed), (100, 100));
    }

    #[test]
    fn speed_and_eta_come_from_the_recent_window() {
        let mut p = Progress::new(10_000_000);
        assert_eq!(p.snapshot().speed, None);
        for second in 0..=20 {
            p.sending(1, second * 100_000, second * 1000);
        }
        let s = p.snapshot();
        assert_eq!(s.speed, Some(100_000.0));
        assert_eq!(s.eta_seconds, Some(80.0), "2 MB of 10 MB sent at 100 kB/s");
    }
}
