//! UDP for the built-in engine: the client sends numbered, time-stamped datagrams at the
//! test's target rate; the server counts them, and from the numbers and stamps works out
//! lost datagrams and jitter (RFC 3550's running estimate, as iperf3 reports it).

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::measure::Interval;

/// Payload bytes per datagram (under a 1500-byte MTU with IP and UDP headers).
pub(crate) const DATAGRAM: usize = 1400;
/// The number that says "the test is over".
const FIN: u64 = u64::MAX;

/// What the receiver of a UDP test counted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UdpStats {
    pub packets: u64,
    pub(crate) lost_packets: u64,
    pub lost_percent: f64,
    pub jitter_ms: f64,
}

impl UdpStats {
    /// `lost` of `packets` datagrams lost, with this jitter.
    pub(crate) fn new(lost: u64, packets: u64, jitter_ms: f64) -> UdpStats {
        UdpStats {
            packets,
            lost_packets: lost,
            lost_percent: if packets == 0 {
                0.0
            } else {
                lost as f64 * 100.0 / packets as f64
            },
            jitter_ms,
        }
    }
}

/// The receiver's running count: datagrams seen, the highest number, jitter.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    received: u64,
    highest: Option<u64>,
    jitter_s: f64,
    last_transit: Option<f64>,
}

impl Tally {
    /// A datagram numbered `seq`, sent at `sent_s` (the sender's clock) and received at
    /// `arrived_s` (ours): transit times differ by a constant clock offset, which the
    /// jitter's differences cancel.
    pub(crate) fn datagram(&mut self, seq: u64, sent_s: f64, arrived_s: f64) {
        self.received += 1;
        self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
        let transit = arrived_s - sent_s;
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs();
            self.jitter_s += (d - self.jitter_s) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    /// Sent = the highest number + 1 (numbers start at 0); lost = sent − received.
    pub(crate) fn stats(&self) -> UdpStats {
        let sent = self.highest.map_or(0, |h| h + 1);
        UdpStats::new(
            sent.saturating_sub(self.received),
            sent,
            self.jitter_s * 1000.0,
        )
    }
}

fn stamp(seq: u64, since: Instant) -> [u8; DATAGRAM] {
    let mut d = [0u8; DATAGRAM];
    d[..8].copy_from_slice(&seq.to_be_bytes());
    d[8..16].copy_from_slice(&(since.elapsed().as_nanos() as u64).to_be_bytes());
    d
}

/// Send to `to` at `rate_bps` for `duration` (or until `stop`), telling `tick` each
/// second's interval; then the end marker. Returns (bytes sent, seconds).
pub(crate) fn send(
    sock: &UdpSocket,
    to: SocketAddr,
    rate_bps: u64,
    duration: Duration,
    stop: &AtomicBool,
    mut tick: impl FnMut(&Interval),
) -> std::io::Result<(u64, f64)> {
    let start = Instant::now();
    let per_second = (rate_bps as f64 / (DATAGRAM as f64 * 8.0)).max(1.0);
    let (mut seq, mut bytes, mut second_bytes, mut second) = (0u64, 0u64, 0u64, 0u64);
    while start.elapsed() < duration && !stop.load(Ordering::Relaxed) {
        let due = (start.elapsed().as_secs_f64() * per_second) as u64;
        while seq < due {
            if sock.send_to(&stamp(seq, start), to).is_ok() {
                bytes += DATAGRAM as u64;
                second_bytes += DATAGRAM as u64;
            }
            seq += 1;
        }
        let now = start.elapsed();
        if now.as_secs() > second {
            tick(&Interval {
                start_s: second as f64,
                end_s: (second + 1) as f64,
                bytes: second_bytes,
                bits_per_second: second_bytes as f64 * 8.0,
                retransmits: None,
            });
            second += 1;
            second_bytes = 0;
        }
        // Pacing to the target rate: the next datagram is due within a few hundred µs.
        std::thread::sleep(Duration::from_micros(200));
    }
    let seconds = start.elapsed().as_secs_f64().min(duration.as_secs_f64());
    if second_bytes > 0 {
        tick(&Interval {
            start_s: second as f64,
            end_s: seconds,
            bytes: second_bytes,
            bits_per_second: second_bytes as f64 * 8.0 / (seconds - second as f64).max(0.001),
            retransmits: None,
        });
    }
    for _ in 0..3 {
        let _ = sock.send_to(&FIN.to_be_bytes(), to);
    }
    Ok((bytes, seconds))
}

/// Receive until the end marker (or `duration` + `grace` passed): bytes, seconds, stats.
pub(crate) fn receive(
    sock: &UdpSocket,
    duration: Duration,
    grace: Duration,
) -> (u64, f64, UdpStats) {
    let start = Instant::now();
    let mut first: Option<(Instant, f64)> = None;
    let mut tally = Tally::default();
    let mut bytes = 0u64;
    let mut buf = [0u8; 2048];
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    while start.elapsed() < duration + grace {
        let Ok(n) = sock.recv(&mut buf) else {
            continue;
        };
        if n < 16 {
            if n >= 8 && buf[..8] == FIN.to_be_bytes() {
                break;
            }
            continue;
        }
        let arrived = Instant::now();
        let (t0, s0) = *first.get_or_insert((arrived, 0.0));
        let seq = u64::from_be_bytes(buf[..8].try_into().unwrap_or_default());
        let sent_ns = u64::from_be_bytes(buf[8..16].try_into().unwrap_or_default());
        let arrived_s = s0 + arrived.duration_since(t0).as_secs_f64();
        tally.datagram(seq, sent_ns as f64 / 1e9, arrived_s);
        bytes += n as u64;
    }
    let seconds = first.map_or(0.0, |(t, _)| {
        t.elapsed().as_secs_f64().min(duration.as_secs_f64())
    });
    (bytes, seconds.max(0.001), tally.stats())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_come_from_the_gaps_in_the_numbers_and_jitter_from_transit_changes() {
        let mut t = Tally::default();
        // 10 sent, numbers 3 and 7 never arrive, every transit 1 ms except one of 3 ms.
        for seq in [0u64, 1, 2, 4, 5, 6, 8, 9] {
            let transit = if seq == 5 { 0.003 } else { 0.001 };
            t.datagram(seq, seq as f64 * 0.01, seq as f64 * 0.01 + transit + 100.0);
        }
        let s = t.stats();
        assert_eq!((s.packets, s.lost_packets), (10, 2));
        assert!((s.lost_percent - 20.0).abs() < 1e-9);
        assert!(s.jitter_ms > 0.1 && s.jitter_ms < 1.0, "{s:?}");
    }

    #[test]
    fn a_paced_test_on_loopback_arrives_at_its_rate() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = rx.local_addr().unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let d = Duration::from_millis(1000);
        let stop = AtomicBool::new(false);
        let (sent, (got, _, stats)) = std::thread::scope(|s| {
            let r = s.spawn(|| receive(&rx, d, Duration::from_secs(2)));
            let sent = send(&tx, to, 50_000_000, d, &stop, |_| {}).unwrap();
            (sent, r.join().unwrap())
        });
        let rate = sent.0 as f64 * 8.0 / sent.1;
        assert!(rate > 40e6 && rate < 55e6, "paced near 50 Mbit/s: {rate}");
        assert!(
            got > 0 && stats.packets > 0 && stats.lost_percent < 50.0,
            "{stats:?}"
        );
    }
}
