//! One logical request (a part, or the phase's create/complete/…) and its attempts.
use super::types::OpId;
use crate::core::retry::ErrorClass;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    /// To be sent at `due_ms` (a part: its CRC is read first when it is not known yet).
    Waiting {
        due_ms: u64,
    },
    /// A part's CRC is being computed before it is sent: it holds its place in the window meanwhile.
    Reading,
    /// S3 holds this part from an earlier attempt: to be checked against the file (`checking` once asked).
    Listed {
        etag: String,
        crc: u64,
        checking: bool,
    },
    /// Handed to the shell. `last_progress_ms` is `None` until it goes out (a control request) or its bytes move (a
    /// part); `epoch` is the fix epoch it was made in (see [`super::recovery::Recovery`]).
    InFlight {
        id: OpId,
        last_progress_ms: Option<u64>,
        epoch: u64,
    },
    Done,
}

#[derive(Clone, Debug)]
pub(super) struct Task {
    pub slot: Slot,
    /// Failures so far: the backoff exponent.
    pub failures: u32,
    /// Failures that spend the retry budget (server errors; transport failures before the server ever answered).
    pub budget_spent: u32,
    pub last_error: Option<(ErrorClass, String)>,
}

impl Task {
    pub fn due(now_ms: u64) -> Self {
        Self { slot: Slot::Waiting { due_ms: now_ms }, failures: 0, budget_spent: 0, last_error: None }
    }

    pub fn done() -> Self {
        Self { slot: Slot::Done, ..Self::due(0) }
    }

    pub fn in_flight_id(&self) -> Option<OpId> {
        match self.slot {
            Slot::InFlight { id, .. } => Some(id),
            _ => None,
        }
    }

    pub fn signed_epoch(&self) -> u64 {
        match self.slot {
            Slot::InFlight { epoch, .. } => epoch,
            _ => 0,
        }
    }

    pub fn waits_for_network(&self) -> bool {
        matches!((&self.slot, &self.last_error), (Slot::Waiting { .. }, Some((ErrorClass::Network, _))))
    }

    /// Attempt `id` went out or moved bytes at `now_ms`: its stall watchdog (re)starts.
    pub fn heard_from(&mut self, id: OpId, now_ms: u64) {
        if let Slot::InFlight { id: current, last_progress_ms, .. } = &mut self.slot {
            if *current == id {
                *last_progress_ms = Some(now_ms);
            }
        }
    }

    /// When the attempt in flight counts as stalled, given how long it may go without progress.
    pub fn stalls_at(&self, timeout_ms: u64) -> Option<u64> {
        match self.slot {
            Slot::InFlight { last_progress_ms: Some(t), .. } => Some(t + timeout_ms),
            _ => None,
        }
    }
}
