//! How often the app hears about upload progress. Browsers report part progress as often as they like (WebKit every
//! 8 KiB: thousands of events for one part, each a postMessage in worker mode); an app needs about ten a second to
//! draw a smooth bar. The pacer lets one value through per interval and holds the newest of the rest, to be sent
//! when the interval ends, so the last value is never lost.

/// At most this many milliseconds between two progress events (about ten a second).
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

    /// A value went out without pacing (a milestone the app must see at once): it also counts as the newest.
    pub fn sent(&mut self, now_ms: u64) {
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
    fn a_value_sent_without_pacing_takes_the_place_of_the_held_one() {
        let mut pacer = Pacer::new(100);
        assert!(pacer.offer(0));
        assert!(!pacer.offer(50));
        pacer.sent(70);
        assert_eq!(pacer.due_ms(), None, "the milestone carried the newest value");
        assert!(!pacer.offer(120));
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
