//! One wired port of a simulated switch as the data plane starts it, and what its model
//! says about any frame on it: used alike by the user-space path (`forward`) and the
//! kernel's (`kernel`).

use std::time::Duration;

use super::packet::PacketSocket;

/// One wired port as the data plane starts it.
pub struct Wire {
    /// Index of the port in the simulated device.
    pub port: usize,
    /// The switch side's interface in the fabric namespace.
    pub fabric_if: String,
    pub rate_bps: f64,
    pub delay: Duration,
    /// Loss, 0 to 1.
    pub loss: f64,
    /// How the switch forwards out of this port (`max_fps`, store-and-forward, latency,
    /// buffer).
    pub forwarding: switchlab::format::lab::Forwarding,
    pub socket: PacketSocket,
}

/// Bytes a frame takes on the wire beyond what a packet socket reads: FCS 4, preamble
/// and start delimiter 8, inter-frame gap 12.
pub(super) const WIRE_EXTRA: usize = 24;

/// How long a port's buffer holds at its speed: `buffer_kb`, else 10 ms.
pub(super) fn buffer_time(wire: &Wire) -> Duration {
    match wire.forwarding.buffer_kb {
        Some(kb) => Duration::from_secs_f64(kb as f64 * 8192.0 / wire.rate_bps.max(1.0)),
        None => Duration::from_millis(10),
    }
}
