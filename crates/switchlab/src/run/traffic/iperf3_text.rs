//! iperf3's text report, read line by line as `--forceflush` prints it: each second's
//! interval the moment it ends (iperf3 3.12 has no `--json-stream`), then the sender and
//! receiver totals, and for UDP the receiver's loss and jitter.

use std::sync::LazyLock;

use regex::Regex;

use super::measure::Interval;
use super::udp::UdpStats;

/// `[SUM]   0.00-1.00   sec  2.62 GBytes  22.5 Gbits/sec    0   …  sender`
// The pattern is a literal that compiles (checked by the tests below).
static LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^\[\s*(?P<id>SUM|\d+)\]\s+(?P<a>[\d.]+)-(?P<b>[\d.]+)\s+sec\s+(?P<n>[\d.]+)\s+(?P<nu>[KMGT]?)Bytes\s+(?P<r>[\d.]+)\s+(?P<ru>[KMGT]?)bits/sec(?P<rest>.*)$",
    )
    .ok()
});

/// A line of the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Line {
    /// One second (the sum over the streams when there are several).
    Interval(Interval),
    /// The whole test, sender side.
    Sent(Interval),
    /// The whole test, receiver side (UDP: with loss and jitter).
    Received(Interval, Option<UdpStats>),
    /// `iperf3: error - …`
    Error(String),
}

fn scale(unit: &str, base: f64) -> f64 {
    match unit {
        "K" => base,
        "M" => base * base,
        "G" => base * base * base,
        "T" => base * base * base * base,
        _ => 1.0,
    }
}

/// The line's meaning for a test of `streams` streams (a single stream has no `[SUM]`);
/// `udp`: the column after the bitrate counts datagrams, not retransmits.
pub(crate) fn read(line: &str, streams: u32, udp: bool) -> Option<Line> {
    if let Some(e) = line.trim().strip_prefix("iperf3: error - ") {
        return Some(Line::Error(e.to_string()));
    }
    let c = LINE.as_ref()?.captures(line.trim_end())?;
    let summed = &c["id"] == "SUM";
    if summed != (streams > 1) {
        return None;
    }
    let f = |k: &str| c[k].parse::<f64>().ok();
    let rest = c["rest"].trim();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let interval = Interval {
        start_s: f("a")?,
        end_s: f("b")?,
        bytes: (f("n")? * scale(&c["nu"], 1024.0)) as u64,
        bits_per_second: f("r")? * scale(&c["ru"], 1000.0),
        // TCP: the retransmits column (sender lines); UDP prints datagram counts there.
        retransmits: None,
    };
    let tcp_retr = |i: Interval| Interval {
        retransmits: words.first().and_then(|w| w.parse().ok()).filter(|_| !udp),
        ..i
    };
    Some(match words.last().copied() {
        Some("sender") => Line::Sent(tcp_retr(interval)),
        Some("receiver") => Line::Received(interval, udp_stats(rest)),
        _ => Line::Interval(tcp_retr(interval)),
    })
}

/// `0.011 ms  3/8633 (0.035%)  receiver` → loss and jitter.
fn udp_stats(rest: &str) -> Option<UdpStats> {
    let w: Vec<&str> = rest.split_whitespace().collect();
    let ms = w.iter().position(|x| *x == "ms")?;
    let jitter_ms: f64 = w.get(ms.checked_sub(1)?)?.parse().ok()?;
    let (lost, total) = w.get(ms + 1)?.split_once('/')?;
    let (lost, total): (u64, u64) = (lost.parse().ok()?, total.parse().ok()?);
    Some(UdpStats::new(lost, total, jitter_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_totals_and_errors_of_tcp_reports() {
        assert!(LINE.is_some());
        let i = read(
            "[SUM]   0.00-1.00   sec  2.62 GBytes  22.5 Gbits/sec    3             ",
            2,
            false,
        );
        let Some(Line::Interval(i)) = i else {
            panic!("{i:?}")
        };
        assert_eq!((i.end_s, i.retransmits), (1.0, Some(3)));
        assert_eq!(i.bytes, (2.62 * 1024.0 * 1024.0 * 1024.0) as u64);
        assert!((i.bits_per_second - 22.5e9).abs() < 1.0);
        // With several streams a stream's own line is not the interval.
        assert_eq!(
            read(
                "[  5]   0.00-1.00   sec  1.31 GBytes  11.3 Gbits/sec    0   3.18 MBytes",
                2,
                false
            ),
            None
        );
        let s = read(
            "[  5]   0.00-2.00   sec  2.62 GBytes  11.3 Gbits/sec    7             sender",
            1,
            false,
        );
        assert!(
            matches!(s, Some(Line::Sent(ref i)) if i.retransmits == Some(7)),
            "{s:?}"
        );
        let r = read(
            "[  5]   0.00-2.04   sec  2.62 GBytes  11.0 Gbits/sec                  receiver",
            1,
            false,
        );
        assert!(matches!(r, Some(Line::Received(_, None))), "{r:?}");
        assert_eq!(
            read(
                "iperf3: error - unable to connect to server: Connection refused",
                1,
                false
            ),
            Some(Line::Error(
                "unable to connect to server: Connection refused".into()
            ))
        );
    }

    #[test]
    fn udp_totals_carry_loss_and_jitter() {
        let r = read(
            "[  5]   0.00-1.00   sec  11.9 MBytes   100 Mbits/sec  0.011 ms  3/8633 (0.035%)  receiver",
            1,
            true,
        );
        let Some(Line::Received(i, Some(u))) = r else {
            panic!("{r:?}")
        };
        assert!((i.bits_per_second - 100e6).abs() < 1.0);
        assert_eq!((u.lost_packets, u.packets), (3, 8633));
        assert!((u.jitter_ms - 0.011).abs() < 1e-9);
        let i = read(
            "[  5]   0.00-1.00   sec  11.9 MBytes   100 Mbits/sec  8633  ",
            1,
            true,
        );
        assert!(
            matches!(i, Some(Line::Interval(ref x)) if x.retransmits.is_none()),
            "{i:?}"
        );
    }
}
