//! What a traffic engine measures, whichever engine it was.

use std::time::SystemTime;

/// One reporting interval, summed over the streams, as the sender saw it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub start_s: f64,
    pub end_s: f64,
    pub(crate) bytes: u64,
    pub bits_per_second: f64,
    pub retransmits: Option<u64>,
}

/// What an engine measured.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// When the client started (interval times count from here).
    pub(crate) started: SystemTime,
    pub(crate) intervals: Vec<Interval>,
    /// The whole test, sender side (retransmits counted) and receiver side.
    pub(crate) sent: Interval,
    pub(crate) received: Interval,
    /// A UDP test: what the receiver counted (loss, jitter).
    pub(crate) udp: Option<super::udp::UdpStats>,
}
