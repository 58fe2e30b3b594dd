//! How often the app hears about upload progress. Browsers report part progress as often as they like (WebKit every
//! 8 KiB: thousands of events for one part, each a postMessage in worker mode); an app needs about ten a second to
//! draw a smooth bar. The pacer lets one value through per interval and holds the newest of the rest, to be sent
//! when the interval ends, so the last value is never lost.

/// Two progress events are at least this many milliseconds apart (about ten a second).
pub const PROGRESS_INTERVAL_MS: u64 = 100;

#[derive(Debug)]
pub struct Pacer {
    every_ms: u64,
    last_sent_ms: Option<u64>,
    /// A newer value than the last one sent is waiting.
    held: bool,
}

impl Pacer {
    pub fn new(every_ms: u64) -> Self {
        Self { every_ms, last_sent_ms: None, held: false }
    }

    /// A new value at `now_ms`: true if it goes out now; otherwise it is held until [`Pacer::due_ms`].
    pub fn offer(&mut self, now_ms: u64) -> bool {
        match self.last_sent_ms {
            Some(last) if now_ms < last + self.every_ms => {
                self.held = true;
                false
            }
            _ => {
                self.sent(now_ms);
                true
            }
        }
    }

    /// Before a state change: true if a value is held, which then goes out at once.
    pub fn flush(&mut self, now_ms: u64) -> bool {
        let held = self.held;
        if held {
            self.sent(now_ms);
        }
        held
    }

    fn sent(&mut self, now_ms: u64) {
        self.last_sent_ms = Some(now_ms);
        self.held = false;
    }

    /// When the held value is to be sent, if one is held.
    pub fn due_ms(&self) -> Option<u64> {
        self.held.then(|| self.last_sent_ms.map_or(0, |last| last + self.every_ms))
    }

    /// At `now_ms`, after waiting for [`Pacer::due_ms`]: true if the held value goes out now.
    pub fn release(&mut self, now_ms: u64) -> bool {
        match self.due_ms() {
            Some(due) if now_ms >= due => {
                self.sent(now_ms);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_interval_goes_out_and_the_newest_of_the_rest_is_held() {
        let mut pacer = Pacer::new(100);
        assert!(pacer.offer(0));
        assert_eq!(pacer.due_ms(), None);
        assert!(!pacer.offer(10));
        assert!(!pacer.offer(99));
        assert_eq!(pacer.due_ms(), Some(100));
        assert!(!pacer.release(60), "not before it is due");
        assert!(pacer.release(100));
        assert_eq!(pacer.due_ms(), None);
        assert!(!pacer.release(300), "nothing is held: nothing to send");
        assert!(pacer.offer(200), "an interval after the last one sent");
    }

    #[test]
    fn a_flush_sends_the_held_value_at_once_and_starts_a_new_interval() {
        let mut pacer = Pacer::new(100);
        assert!(!pacer.flush(0), "nothing held: nothing to send");
        assert!(pacer.offer(0));
        assert!(!pacer.offer(50));
        assert!(pacer.flush(70));
        assert_eq!(pacer.due_ms(), None, "the held value went out");
        assert!(!pacer.release(100));
        assert!(!pacer.offer(120), "within an interval of the flush");
        assert_eq!(pacer.due_ms(), Some(170));
    }

    #[test]
    fn ten_thousand_browser_events_in_a_second_are_ten_app_events() {
        let mut pacer = Pacer::new(PROGRESS_INTERVAL_MS);
        let mut sent = 0;
        for t in 0..10_000u64 {
            let now = t / 10;
            if pacer.release(now) || pacer.offer(now) {
                sent += 1;
            }
        }
        assert_eq!(sent, 10);
        assert_eq!(pacer.due_ms(), Some(1_000), "the last value is still to be sent");
    }
}
