//! The built-in engine's frame mode, for RFC 2544 benchmarks: UDP datagrams sized so that
//! each Ethernet frame is exactly the size asked for, sent in batches (`sendmmsg`) paced to
//! a frame rate, each carrying a trial number, a sequence number and its send time. A sink
//! (`switchlab traffic sink`) counts per trial what arrives, out of order and twice, and
//! times every frame into a histogram: one-way where sender and sink share a clock (one
//! machine: two namespaces, two NICs), else the round trip through the sink reflecting
//! every frame, halved (said so).
//!
//! Layout: this file (the frame, the reports), `sender` (`traffic blast`), `control` (its
//! line to the sink), `sink`, `nic` (an interface's own counters, for the loss account).

mod ceiling;
mod control;
mod hw_clock;
pub mod nic;
pub(crate) mod ring;
mod ring_frame;
mod sender;
mod sink;
mod tagged;

use serde::{Deserialize, Serialize};

pub use ceiling::ceiling;
pub use sender::{Blast, blast};
pub use sink::{Sink, read_line as sink_line};

/// A sink's receive buffer unless told: 16 MiB, a trial's burst while its thread waits.
pub(crate) const SINK_BUFFER: usize = 16 << 20;

/// Bytes an Ethernet frame carries beyond a UDP payload over IPv4: Ethernet header 14,
/// IPv4 20, UDP 8, FCS 4.
pub(crate) const OVERHEAD: usize = 46;

pub use crate::states::FramePath;

/// What every frame's payload starts with: 17 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) trial: u16,
    pub(crate) seq: u32,
    /// CLOCK_REALTIME at sending, ns.
    pub(crate) sent_ns: u64,
    /// The sink sends it back (round-trip latency, for a sink on another machine).
    pub(crate) reflect: bool,
    /// A latency probe: sent on the tagging socket, whose sends the kernel stamps; the
    /// sink keeps its arrival time.
    pub(crate) tagged: bool,
}

const MAGIC: u16 = 0x5a1b;
pub(crate) const HEADER_LEN: usize = 17;

impl Header {
    pub(crate) fn write(&self, out: &mut [u8]) {
        out[..2].copy_from_slice(&MAGIC.to_be_bytes());
        out[2..4].copy_from_slice(&self.trial.to_be_bytes());
        out[4..8].copy_from_slice(&self.seq.to_be_bytes());
        out[8..16].copy_from_slice(&self.sent_ns.to_be_bytes());
        out[16] = u8::from(self.reflect) | (u8::from(self.tagged) << 1);
    }

    pub(crate) fn read(buf: &[u8]) -> Option<Header> {
        let b = buf.get(..HEADER_LEN)?;
        if u16::from_be_bytes([b[0], b[1]]) != MAGIC {
            return None;
        }
        Some(Header {
            trial: u16::from_be_bytes([b[2], b[3]]),
            seq: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            sent_ns: u64::from_be_bytes(b[8..16].try_into().ok()?),
            reflect: b[16] & 1 == 1,
            tagged: b[16] & 2 == 2,
        })
    }
}

/// The UDP payload length that makes an Ethernet frame of `frame` bytes.
pub(crate) fn payload_len(frame: usize) -> usize {
    frame.saturating_sub(OVERHEAD).max(HEADER_LEN)
}

/// CLOCK_REALTIME now, in ns: one clock for every process (and namespace) of a machine,
/// and the one the kernel stamps received frames with.
pub(crate) fn now_ns() -> u64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME)
        .map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64)
        .unwrap_or(0)
}

/// A socket buffer of `bytes`: past net.core's maximum where this process may (root, as in
/// the virtual lab's namespaces), else as large as allowed. A trial's burst waits in it
/// while the thread that empties it waits for a core.
fn big_buffer(sock: &std::net::UdpSocket, receive: bool, bytes: usize) {
    use nix::sys::socket::{setsockopt, sockopt};
    let forced = match receive {
        true => setsockopt(sock, sockopt::RcvBufForce, &bytes),
        false => setsockopt(sock, sockopt::SndBufForce, &bytes),
    };
    if forced.is_err() {
        let sock = socket2::SockRef::from(sock);
        let _ = match receive {
            true => sock.set_recv_buffer_size(bytes),
            false => sock.set_send_buffer_size(bytes),
        };
    }
}

/// Latency over a trial's frames, in µs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub min_us: f64,
    pub avg_us: f64,
    pub(crate) p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub(crate) frames: u64,
    /// The round trip through a reflecting sink, halved (the clocks are not shared).
    pub halved_round_trip: bool,
    /// Timed by the kernel's stamps at both ends (tagged frames); else by the stamp the
    /// sender wrote into each frame before handing its batch over.
    #[serde(default)]
    pub(crate) kernel_stamped: bool,
    /// Timed by one NIC hardware clock at both ends (tagged frames).
    #[serde(default)]
    pub(crate) hardware_stamped: bool,
}

/// What the sink counted of one trial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SinkCount {
    pub received: u64,
    pub(crate) duplicates: u64,
    pub(crate) reordered: u64,
    pub latency: Option<Latency>,
    /// Frames the sink's socket buffer overflowed with during the trial (the kernel's count);
    /// None where the kernel does not say.
    #[serde(default)]
    pub(crate) socket_dropped: Option<u64>,
    /// Frames the sink's NIC dropped during the trial (rx_dropped, rx_missed, rx_fifo);
    /// None where its counters cannot be read.
    #[serde(default)]
    pub(crate) nic_dropped: Option<u64>,
    /// The tagged frames that arrived: sequence number and the kernel's time of arrival.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tagged: Vec<(u32, u64)>,
    /// The same by the receiving NIC's hardware clock, where it stamps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tagged_hw: Vec<(u32, u64)>,
    /// The receiving NIC's hardware clock, or why it has none that stamps.
    #[serde(default)]
    pub(crate) hardware_clock: Option<Result<i32, String>>,
}

impl SinkCount {
    /// Frames the receiving tester lost itself, where it could tell.
    pub(crate) fn receiver_dropped(&self) -> Option<u64> {
        match (self.socket_dropped, self.nic_dropped) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        }
    }
}

/// One trial as `switchlab traffic blast --json` reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrialReport {
    pub frame_size: usize,
    pub sent: u64,
    /// The rate the sender kept over the trial, frames per second.
    pub sent_fps: f64,
    pub seconds: f64,
    /// Frames the sender owed but did not send: it fell behind (its thread kept from its
    /// core) and sent only a couple of milliseconds' frames at once, never a burst.
    #[serde(default)]
    pub behind: u64,
    pub count: SinkCount,
    /// Frames the sending NIC was handed in the trial but did not send (its tx drops, or
    /// fewer sent than handed); None where its counters cannot be read.
    #[serde(default)]
    pub(crate) sender_dropped: Option<u64>,
    /// Why the NICs' hardware clocks did not time the tagged frames, where they did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hardware_why_not: Option<String>,
    /// The path the frames took (`ring` or `udp`), and why not the ring where it was not.
    #[serde(default)]
    pub(crate) path: FramePath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path_why: Option<String>,
}

impl TrialReport {
    /// Frames sent that did not arrive, in percent (duplicates are not arrivals).
    pub fn loss_percent(&self) -> f64 {
        if self.sent == 0 {
            return 0.0;
        }
        let arrived = self
            .count
            .received
            .saturating_sub(self.count.duplicates)
            .min(self.sent);
        (self.sent - arrived) as f64 * 100.0 / self.sent as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_fits_the_smallest_frame_and_reads_back() {
        // The smallest Ethernet frame (64 B) leaves an 18-byte payload for the header.
        const { assert!(HEADER_LEN <= 64 - OVERHEAD) };
        assert_eq!(payload_len(64), 18);
        assert_eq!(payload_len(1518), 1472);
        let h = Header {
            trial: 7,
            seq: 123_456,
            sent_ns: 99,
            reflect: true,
            tagged: true,
        };
        let mut buf = [0u8; 18];
        h.write(&mut buf);
        assert_eq!(Header::read(&buf), Some(h));
        assert_eq!(Header::read(&[0u8; 18]), None, "not ours");
    }

    #[test]
    fn loss_counts_what_did_not_arrive_not_what_arrived_twice() {
        let mut r = TrialReport {
            sent: 1000,
            ..Default::default()
        };
        r.count.received = 990;
        assert_eq!(r.loss_percent(), 1.0);
        r.count.received = 1005;
        r.count.duplicates = 5;
        assert_eq!(r.loss_percent(), 0.0);
    }
}
