//! What the watch's polls last read of each port, shared with the traffic and the
//! benchmarks: the speed a port showed with its link up (the traffic preflight's line
//! rate), and its traffic counters with the time of the poll (a benchmark trial's loss
//! account reads the switch's own discards before and after it, over the session the
//! watch already holds).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::locks::lock;

type Key = (String, String);

/// A port's traffic counters as one poll read them (None: the switch does not show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SwitchCounts {
    pub(crate) at: SystemTime,
    pub(crate) in_packets: Option<u64>,
    pub(crate) out_packets: Option<u64>,
    pub(crate) in_discards: Option<u64>,
    pub(crate) out_discards: Option<u64>,
}

impl SwitchCounts {
    /// A poll's reading of a port, taken at `at`.
    pub(crate) fn read(at: SystemTime, s: &crate::parse::PortState) -> SwitchCounts {
        SwitchCounts {
            at,
            in_packets: s.in_packets,
            out_packets: s.out_packets,
            in_discards: s.in_discards,
            out_discards: s.out_discards,
        }
    }
}

/// Every device's ports, shared by every device's watch.
#[derive(Debug, Clone, Default)]
pub struct PortSpeeds {
    speeds: Arc<Mutex<BTreeMap<Key, u64>>>,
    counts: Arc<Mutex<BTreeMap<Key, SwitchCounts>>>,
    polled: Arc<tokio::sync::Notify>,
}

fn key(device: &str, port: &str) -> Key {
    (device.to_string(), port.to_string())
}

impl PortSpeeds {
    pub(crate) fn set(&self, device: &str, port: &str, mbps: u64) {
        lock(&self.speeds).insert(key(device, port), mbps);
    }

    pub(crate) fn get(&self, device: &str, port: &str) -> Option<u64> {
        lock(&self.speeds).get(&key(device, port)).copied()
    }

    /// A poll's reading of a port's counters.
    pub(crate) fn counted(&self, device: &str, port: &str, c: SwitchCounts) {
        lock(&self.counts).insert(key(device, port), c);
    }

    /// A device's poll is done: whoever waits for a reading looks again.
    pub(crate) fn poll_done(&self) {
        self.polled.notify_waiters();
    }

    /// The last reading of a port's counters.
    pub(crate) fn counts(&self, device: &str, port: &str) -> Option<SwitchCounts> {
        lock(&self.counts).get(&key(device, port)).copied()
    }

    /// The first reading of a port's counters taken at or after `since`, waiting for the
    /// watch's next polls up to `wait`; None when none came (no watch of the device, or
    /// its polls do not show the port).
    pub(crate) async fn counts_after(
        &self,
        device: &str,
        port: &str,
        since: SystemTime,
        wait: Duration,
    ) -> Option<SwitchCounts> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Armed before looking, so a poll between the look and the wait is not missed.
            let next = self.polled.notified();
            tokio::pin!(next);
            next.as_mut().enable();
            if let Some(c) = self.counts(device, port).filter(|c| c.at >= since) {
                return Some(c);
            }
            if tokio::time::timeout_at(deadline, next).await.is_err() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }

    fn reading(ms: u64, discards: u64) -> SwitchCounts {
        SwitchCounts {
            at: at(ms),
            in_packets: None,
            out_packets: None,
            in_discards: None,
            out_discards: Some(discards),
        }
    }

    #[tokio::test]
    async fn a_reading_is_awaited_until_a_poll_after_the_time_asked() {
        let r = PortSpeeds::default();
        r.counted("sw", "Ethernet1", reading(1_000, 5));
        let asked = r.counts_after("sw", "Ethernet1", at(2_000), Duration::from_secs(5));
        let poller = r.clone();
        let poll = async move {
            tokio::task::yield_now().await;
            poller.counted("sw", "Ethernet1", reading(2_500, 9));
            poller.poll_done();
        };
        let (got, ()) = tokio::join!(asked, poll);
        assert_eq!(got.and_then(|c| c.out_discards), Some(9));
        // A port no poll shows: no reading, after the wait.
        let none = r.counts_after("sw", "Ethernet9", at(0), Duration::from_millis(20));
        assert_eq!(none.await, None);
    }
}
