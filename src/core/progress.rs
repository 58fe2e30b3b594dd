//! Upload progress: bytes S3 has confirmed, plus bytes of parts still on the wire.
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressSnapshot {
    /// Confirmed bytes plus what the browser has sent of the parts in flight.
    pub bytes_sent: u64,
    /// Bytes in parts S3 has confirmed.
    pub bytes_confirmed: u64,
    pub total_bytes: u64,
}

#[derive(Debug)]
pub struct Progress {
    total: u64,
    confirmed: u64,
    in_flight: BTreeMap<u32, u64>,
}

impl Progress {
    pub fn new(total: u64) -> Self {
        Self { total, confirmed: 0, in_flight: BTreeMap::new() }
    }

    /// The browser reports `sent` bytes of part `number` on the wire.
    pub fn sending(&mut self, number: u32, sent: u64) {
        self.in_flight.insert(number, sent);
    }

    pub fn confirmed(&mut self, number: u32, len: u64) {
        self.in_flight.remove(&number);
        self.confirmed += len;
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let on_wire: u64 = self.in_flight.values().sum();
        ProgressSnapshot { bytes_sent: self.confirmed + on_wire, bytes_confirmed: self.confirmed, total_bytes: self.total }
    }
}
