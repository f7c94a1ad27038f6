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

/// The drops of the UDP socket with inode `inode` in this process's namespace (the last
/// column of /proc/net/udp or udp6: frames its full buffer refused).
pub(crate) fn socket_drops(inode: u64) -> Option<u64> {
    ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .find_map(|p| udp_drops(&std::fs::read_to_string(p).ok()?, inode))
}

/// The socket's line of a /proc/net/udp table: its inode is the 10th column, its drops
/// the 13th.
fn udp_drops(text: &str, inode: u64) -> Option<u64> {
    text.lines().skip(1).find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        (cols.get(9)?.parse::<u64>().ok()? == inode).then(|| cols.get(12)?.parse().ok())?
    })
}

/// `name`'s row of /proc/net/dev, its 16 numbers: 8 receive columns (bytes packets errs
/// drop fifo frame compressed multicast), then 8 transmit (bytes packets errs drop fifo
/// colls carrier compressed).
pub fn dev_row(text: &str, name: &str) -> Option<Vec<u64>> {
    let row = text.lines().find_map(|l| {
        let (dev, rest) = l.split_once(':')?;
        (dev.trim() == name).then_some(rest)
    })?;
    row.split_whitespace().map(|w| w.parse().ok()).collect()
}

fn parse(text: &str, name: &str) -> Option<NicCounts> {
    let v = dev_row(text, name)?;
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
    fn a_socket_s_drops_are_read_by_its_inode() {
        let udp = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 2854: 02FA13C6:D544 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 881866 2 00000000df3f09c6 0
16020: 02FA13C6:88B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 882230 2 0000000081eec90d 3680
";
        assert_eq!(udp_drops(udp, 882230), Some(3680));
        assert_eq!(udp_drops(udp, 881866), Some(0));
        assert_eq!(udp_drops(udp, 1), None);
        // This process's own socket is listed.
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let ino = nix::sys::stat::fstat(&s).unwrap().st_ino as u64;
        assert_eq!(socket_drops(ino), Some(0));
    }

    #[test]
    fn the_loopback_holds_127_0_0_1_and_reads() {
        let lo = interface_of(IpAddr::from([127, 0, 0, 1])).unwrap();
        assert!(read(&lo).is_some(), "{lo}");
    }
}
