//! The parts of one multipart upload: each part's attempts, the ETag S3 gave it and its CRC; how many may be in
//! flight (the window); and the CRC read ahead of its turn.
use super::task::{Slot, Task};
use super::types::{OpId, Range};
use crate::core::checksum::Algorithm;
use crate::core::plan::{Part, PartPlan};
use crate::core::s3::complete_multipart_upload::CompletedPart;

#[derive(Clone, Debug)]
pub(super) struct PartTask {
    pub task: Task,
    pub etag: Option<String>,
    /// Its CRC once read: the bytes of a range do not change, so it stays right for every attempt.
    pub crc: Option<u64>,
}

/// What [`Parts::start`] found to do.
#[derive(Debug)]
pub(super) enum Due {
    /// Send attempt `id` of `part`, with its CRC when checksums are on.
    Send { part: Part, id: OpId, crc: Option<u64> },
    /// Read the CRC of `part`: before it is sent, ahead of its turn, or to check a part S3 holds.
    Checksum(Part),
}

/// What a CRC of a part's range meant.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Checked {
    /// A part S3 holds is this file's: kept.
    Kept(Part),
    /// A part S3 holds has other bytes, or the CRC is for a part to send: nothing more to tell.
    Noted,
    /// The range was read before and its bytes differ now: the file changed on disk.
    Changed,
}

#[derive(Debug)]
pub(super) struct Parts {
    plan: PartPlan,
    parts: Vec<PartTask>,
    concurrency: usize,
    /// Parts allowed in flight: halved on throttling, grows back by about one per round of successes (AIMD).
    window: f64,
    /// The part whose CRC is being read ahead (one at a time).
    reading_ahead: Option<u32>,
    /// Parts whose request failed in a way the file may explain: their range is read again, to learn whether the
    /// file can still be read and holds the same bytes.
    to_verify: Vec<u32>,
    /// How often the parts were listed again after Complete refused them (InvalidPart, BadDigest): parts checked
    /// from then on were this session's own, not resumed ones.
    pub relists: u32,
    /// Attempts of each part sent in this upload, kept when the parts are listed again: a part sent more than once
    /// has an attempt given up on that may still land and replace it.
    attempts: Vec<u32>,
    /// Each part's ETag and attempts when Complete was last refused as InvalidPart.
    refused: Option<Vec<(Option<String>, u32)>>,
    /// Parts to send again whatever the listing under way says; `resent` once some were (once an upload).
    distrusted: Vec<u32>,
    resent: bool,
}

impl Parts {
    pub fn new(plan: PartPlan, concurrency: usize, now_ms: u64) -> Self {
        let concurrency = concurrency.max(1);
        let mut parts = Self {
            plan,
            parts: vec![],
            concurrency,
            window: concurrency as f64,
            reading_ahead: None,
            to_verify: vec![],
            relists: 0,
            attempts: vec![],
            refused: None,
            distrusted: vec![],
            resent: false,
        };
        parts.renew(now_ms);
        parts
    }

    pub fn plan(&self) -> PartPlan {
        self.plan
    }

    /// Every part is to be sent (or found on S3) again, cut by `plan`.
    pub fn adopt(&mut self, plan: PartPlan, now_ms: u64) {
        self.plan = plan;
        self.renew(now_ms);
    }

    /// Every part is to be sent (or found on S3) again: its ETag and task are forgotten, not how often it was sent.
    pub fn reset(&mut self, now_ms: u64) {
        let fresh = PartTask { task: Task::due(now_ms), etag: None, crc: None };
        self.parts = vec![fresh; self.plan.count() as usize];
        self.reading_ahead = None;
        self.to_verify.clear();
        self.distrusted.clear();
    }

    /// A new upload: every part is to be sent, and what was sent to the old one no longer counts.
    pub fn renew(&mut self, now_ms: u64) {
        self.reset(now_ms);
        self.attempts = vec![0; self.plan.count() as usize];
        self.refused = None;
        self.resent = false;
    }

    /// Complete was refused as InvalidPart: true when it listed the same ETags as the Complete refused before it
    /// and no part was sent since, that is, the listing in between found every part as it was.
    pub fn refused_again(&mut self) -> bool {
        let now: Vec<(Option<String>, u32)> = self.parts.iter().map(|p| p.etag.clone()).zip(self.attempts.iter().copied()).collect();
        self.refused.replace(now.clone()).is_some_and(|before| before == now)
    }

    /// The parts sent more than once are sent again whatever the listing under way says (the newest attempt S3 took
    /// of each may be a stale one that never finished: listings show the part before it, Complete refuses it). Once
    /// an upload.
    pub fn distrust_resent(&mut self) {
        if !self.resent {
            self.distrusted = (1..).zip(&self.attempts).filter(|(_, &sent)| sent > 1).map(|(number, _)| number).collect();
            self.resent = !self.distrusted.is_empty();
        }
    }

    /// Part `number`'s range is to be read again (see `to_verify`).
    pub fn verify(&mut self, number: u32) {
        if !self.to_verify.contains(&number) {
            self.to_verify.push(number);
        }
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn get_mut(&mut self, number: u32) -> Option<&mut PartTask> {
        self.parts.get_mut(number.checked_sub(1)? as usize)
    }

    pub fn tasks(&self) -> impl Iterator<Item = &Task> + Clone {
        self.parts.iter().map(|p| &p.task)
    }

    pub fn tasks_mut(&mut self) -> impl Iterator<Item = &mut Task> {
        self.parts.iter_mut().map(|p| &mut p.task)
    }

    pub fn all_done(&self) -> bool {
        self.tasks().all(|t| t.slot == Slot::Done)
    }

    pub fn done_count(&self) -> u32 {
        self.tasks().filter(|t| t.slot == Slot::Done).count() as u32
    }

    /// S3 holds part `number` from an earlier attempt, with this ETag and CRC: to be checked against the file
    /// (unless it is to be sent again anyway).
    pub fn listed(&mut self, number: u32, etag: String, crc: u64) {
        if self.distrusted.contains(&number) {
            return;
        }
        if let Some(part) = self.get_mut(number) {
            part.task.slot = Slot::Listed { etag, crc, checking: false };
        }
    }

    /// What to start at `now_ms`: parts that fall due, while the window has room, and the next part's CRC read
    /// ahead when it has none (then that part goes out the moment a slot frees, without reading the file first).
    pub fn start(&mut self, now_ms: u64, checksums: bool, epoch: u64, mut take_id: impl FnMut() -> OpId) -> Vec<Due> {
        let limit = (self.window as usize).clamp(1, self.concurrency);
        // Local reads that hold no place in the window.
        let mut due: Vec<Due> = self.to_verify.drain(..).map(|number| Due::Checksum(self.plan.part(number))).collect();
        // Parts whose CRC has come in already hold their place in the window.
        for (index, entry) in self.parts.iter_mut().enumerate() {
            if let (Slot::Reading, Some(crc)) = (&entry.task.slot, entry.crc) {
                let id = take_id();
                self.attempts[index] += 1;
                entry.task.slot = Slot::InFlight { id, last_progress_ms: None, epoch };
                due.push(Due::Send { part: self.plan.part(index as u32 + 1), id, crc: Some(crc) });
            }
        }
        let holds_place = |t: &Task| matches!(t.slot, Slot::InFlight { .. } | Slot::Reading | Slot::Listed { checking: true, .. });
        let mut busy = self.tasks().filter(|t| holds_place(t)).count();
        for (index, entry) in self.parts.iter_mut().enumerate() {
            if busy >= limit {
                break;
            }
            let part = self.plan.part(index as u32 + 1);
            match &mut entry.task.slot {
                Slot::Waiting { due_ms } if *due_ms <= now_ms => {
                    if checksums && entry.crc.is_none() {
                        entry.task.slot = Slot::Reading;
                        // A CRC already being read ahead serves this part too.
                        if self.reading_ahead != Some(part.number) {
                            due.push(Due::Checksum(part));
                        }
                    } else {
                        let id = take_id();
                        self.attempts[index] += 1;
                        entry.task.slot = Slot::InFlight { id, last_progress_ms: None, epoch };
                        // Without checksums (or after they were turned off) a CRC read to check the file is not sent.
                        due.push(Due::Send { part, id, crc: entry.crc.filter(|_| checksums) });
                    }
                }
                Slot::Listed { checking: checking @ false, .. } => {
                    *checking = true;
                    due.push(Due::Checksum(part));
                }
                _ => continue,
            }
            busy += 1;
        }
        if checksums && busy >= limit && self.reading_ahead.is_none() {
            let next = self.parts.iter().position(|p| matches!(p.task.slot, Slot::Waiting { .. }) && p.crc.is_none());
            if let Some(index) = next {
                let part = self.plan.part(index as u32 + 1);
                self.reading_ahead = Some(part.number);
                due.push(Due::Checksum(part));
            }
        }
        due
    }

    /// The CRC of `range` of the file: a part S3 holds that matches is kept (any other is sent again); a part to
    /// send has it from now on; a part read before with other bytes means the file changed. `None` when the range
    /// is no part of the current plan.
    pub fn on_checksum(&mut self, range: Range, crc: u64, now_ms: u64) -> Option<Checked> {
        let number = u32::try_from(range.offset / self.plan.part_size + 1).ok()?;
        if number > self.plan.count() || Range::from(self.plan.part(number)) != range {
            return None;
        }
        if self.reading_ahead == Some(number) {
            self.reading_ahead = None;
        }
        let part = self.plan.part(number);
        let entry = &mut self.parts[number as usize - 1];
        if entry.crc.is_some_and(|known| known != crc) {
            return Some(Checked::Changed);
        }
        let checked = match &entry.task.slot {
            Slot::Listed { etag, crc: listed, checking: true } if *listed == crc => {
                entry.etag = Some(etag.clone());
                entry.task.slot = Slot::Done;
                Checked::Kept(part)
            }
            Slot::Listed { checking: true, .. } => {
                entry.task.slot = Slot::Waiting { due_ms: now_ms };
                Checked::Noted
            }
            _ => Checked::Noted,
        };
        entry.crc.get_or_insert(crc);
        Some(checked)
    }

    /// S3 stored attempt `id` of part `number` with this ETag; false for an attempt already given up on.
    pub fn confirmed(&mut self, number: u32, id: OpId, etag: String) -> bool {
        match self.get_mut(number) {
            Some(entry) if entry.task.in_flight_id() == Some(id) => {
                entry.task.slot = Slot::Done;
                entry.etag = Some(etag);
                true
            }
            _ => false,
        }
    }

    /// Stops every part in flight or being read to be sent: they wait from `now_ms`. Returns the attempts stopped.
    pub fn stop_all(&mut self, now_ms: u64) -> Vec<(u32, OpId)> {
        let mut stopped = vec![];
        for (index, entry) in self.parts.iter_mut().enumerate() {
            match entry.task.slot {
                Slot::InFlight { id, .. } => stopped.push((index as u32 + 1, id)),
                Slot::Reading => {}
                _ => continue,
            }
            entry.task.slot = Slot::Waiting { due_ms: now_ms };
        }
        stopped
    }

    /// Parts in flight with no progress for `timeout_ms`: their numbers and attempts.
    pub fn stalled(&self, now_ms: u64, timeout_ms: u64) -> Vec<(u32, OpId)> {
        let stalled = self.parts.iter().enumerate().filter(|(_, p)| p.task.stalls_at(timeout_ms).is_some_and(|t| now_ms >= t));
        stalled.filter_map(|(index, p)| Some((index as u32 + 1, p.task.in_flight_id()?))).collect()
    }

    pub fn throttled(&mut self) {
        self.window = (self.window / 2.0).max(1.0);
    }

    pub fn succeeded(&mut self) {
        self.window = (self.window + 1.0 / self.window).min(self.concurrency as f64);
    }

    /// Every part's ETag (and, with `checksums`, CRC) in ascending part order (the order S3 requires).
    pub fn completed(&self, checksums: bool) -> Vec<CompletedPart> {
        let parts = self.parts.iter().enumerate();
        let crc = |p: &PartTask| p.crc.filter(|_| checksums);
        parts.filter_map(|(i, p)| Some(CompletedPart { number: i as u32 + 1, etag: p.etag.clone()?, crc: crc(p) })).collect()
    }

    /// The whole file's CRC, combined from the parts' in order.
    pub fn object_crc(&self, algorithm: Algorithm) -> u64 {
        let parts = self.plan.parts().zip(&self.parts);
        parts.fold(0, |acc, (part, p)| algorithm.combine(acc, p.crc.unwrap_or_default(), part.len))
    }
}
