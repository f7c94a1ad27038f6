//! An interface's own counters, for a trial's loss accounting: what the sending NIC sent
//! and dropped, what the receiving NIC dropped before any socket saw it. Read from
//! /proc/net/dev, which shows the network namespace of the process reading it (sysfs's
//! /sys/class/net shows the one that mounted it, not necessarily an endpoint's).

use std::net::IpAddr;

/// One interface's counters, 64-bit as the kernel keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NicCounts {
    pub(crate) rx_packets: u64,
    /// Frames the NIC or its driver dropped on the way in: rx_dropped with rx_missed
    /// (the kernel sums them in `drop`), and rx_fifo_errors.
    pub(crate) rx_dropped: u64,
    pub(crate) tx_packets: u64,
    /// Frames handed to the NIC that it did not send: tx_dropped, tx_fifo_errors and
    /// tx_errors.
    pub(crate) tx_dropped: u64,
}

impl NicCounts {
    /// What changed from `before` to `self` (a counter that went back reads 0).
    pub(crate) fn since(&self, before: &NicCounts) -> NicCounts {
        NicCounts {
            rx_packets: self.rx_packets.saturating_sub(before.rx_packets),
            rx_dropped: self.rx_dropped.saturating_sub(before.rx_dropped),
            tx_packets: self.tx_packets.saturating_sub(before.tx_packets),
            tx_dropped: self.tx_dropped.saturating_sub(before.tx_dropped),
        }
    }
}

/// The interface that holds `ip`, in this process's namespace.
pub(crate) fn interface_of(ip: IpAddr) -> Option<String> {
    let addrs = nix::ifaddrs::getifaddrs().ok()?;
    for a in addrs {
        let Some(addr) = a.address else { continue };
        let held = match ip {
            IpAddr::V4(v4) => addr.as_sockaddr_in().map(|s| s.ip() == v4),
            IpAddr::V6(v6) => addr.as_sockaddr_in6().map(|s| s.ip() == v6),
        };
        if held == Some(true) {
            return Some(a.interface_name);
        }
    }
    None
}

/// `name`'s counters now; None when it cannot be read.
pub(crate) fn read(name: &str) -> Option<NicCounts> {
    parse(&std::fs::read_to_string("/proc/net/dev").ok()?, name)
}

/// `name`'s line of /proc/net/dev: after `name:`, 8 receive columns (bytes packets errs
/// drop fifo frame compressed multicast), then 8 transmit (bytes packets errs drop fifo
/// colls carrier compressed).
fn parse(text: &str, name: &str) -> Option<NicCounts> {
    let line = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(name)?.strip_prefix(':'))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .map(|w| w.parse().ok())
        .collect::<Option<_>>()?;
    let at = |i: usize| v.get(i).copied();
    Some(NicCounts {
        rx_packets: at(1)?,
        rx_dropped: at(3)? + at(4)?,
        tx_packets: at(9)?,
        tx_dropped: at(10)? + at(11)? + at(12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:   12345      100    0    0    0     0          0         0    12345      100    0    0    0     0       0          0
  eth1: 9876543   200000    1   37    2     0          0         0  5550000   150000    3    4    5     0       0          0
";

    #[test]
    fn an_interface_s_line_reads_as_its_drops_in_and_out() {
        let c = parse(DEV, "eth1").unwrap();
        assert_eq!(
            c,
            NicCounts {
                rx_packets: 200_000,
                rx_dropped: 39,
                tx_packets: 150_000,
                tx_dropped: 12,
            }
        );
        assert_eq!(
            parse(DEV, "eth").map(|c| c.rx_packets),
            None,
            "a name, not a prefix"
        );
        assert_eq!(parse(DEV, "eth9"), None);
        let later = NicCounts {
            rx_dropped: 50,
            ..c
        };
        assert_eq!(later.since(&c).rx_dropped, 11);
        assert_eq!(c.since(&later).rx_dropped, 0, "a reset reads 0");
    }

    #[test]
    fn the_loopback_holds_127_0_0_1_and_reads() {
        let lo = interface_of(IpAddr::from([127, 0, 0, 1])).unwrap();
        assert!(read(&lo).is_some(), "{lo}");
    }
}
