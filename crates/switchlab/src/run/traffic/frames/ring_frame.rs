//! What the ring path sends: each frame built once from its addresses (Ethernet, IPv4
//! with its checksum, UDP without one), and the next hop's MAC from the neighbour table.

use std::net::Ipv4Addr;

use super::ring::Addressing;

/// Frame `frame_size` bytes long (FCS counted, as RFC 2544 sizes are) from and to
/// `a`, its payload zero after the frame header.
pub(super) fn frame(a: &Addressing, frame_size: usize) -> Vec<u8> {
    let len = frame_size.saturating_sub(4).max(60);
    let mut f = vec![0u8; len];
    f[0..6].copy_from_slice(&a.dst_mac);
    f[6..12].copy_from_slice(&a.src_mac);
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip_len = (len - 14) as u16;
    let ip = &mut f[14..34];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64;
    ip[9] = 17;
    ip[12..16].copy_from_slice(&a.from.ip().octets());
    ip[16..20].copy_from_slice(&a.to.ip().octets());
    let sum = checksum(ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let udp = &mut f[34..42];
    udp[0..2].copy_from_slice(&a.from.port().to_be_bytes());
    udp[2..4].copy_from_slice(&a.to.port().to_be_bytes());
    udp[4..6].copy_from_slice(&(ip_len - 20).to_be_bytes());
    f
}

/// The internet checksum of `bytes` (an IPv4 header with its checksum field zero).
pub(super) fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Where the UDP payload (the frame header) starts in a frame.
pub(super) const PAYLOAD_AT: usize = 42;

/// An interface's MAC address and whether it is a loopback.
pub(super) fn link_of(interface: &str) -> ([u8; 6], bool) {
    let mut mac = [0; 6];
    let mut loopback = false;
    for a in nix::ifaddrs::getifaddrs().into_iter().flatten() {
        if a.interface_name != interface {
            continue;
        }
        loopback |= a
            .flags
            .contains(nix::net::if_::InterfaceFlags::IFF_LOOPBACK);
        if let Some(m) = a
            .address
            .as_ref()
            .and_then(|s| s.as_link_addr())
            .and_then(|l| l.addr())
        {
            mac = m;
        }
    }
    (mac, loopback)
}

/// `address`'s MAC on `interface`, from the kernel's neighbour table (/proc/net/arp).
pub(super) fn neighbour(address: Ipv4Addr, interface: &str) -> Option<[u8; 6]> {
    let table = std::fs::read_to_string("/proc/net/arp").ok()?;
    neighbour_in(&table, address, interface)
}

pub(super) fn neighbour_in(table: &str, address: Ipv4Addr, interface: &str) -> Option<[u8; 6]> {
    table.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let (ip, flags, mac, dev) = (f.first()?, f.get(2)?, f.get(3)?, f.get(5)?);
        // Flags 0x0: an entry still being resolved, or failed.
        if ip.parse::<Ipv4Addr>().ok()? != address || *dev != interface || *flags == "0x0" {
            return None;
        }
        let mut out = [0u8; 6];
        let parts: Vec<&str> = mac.split(':').collect();
        if parts.len() != 6 {
            return None;
        }
        for (o, p) in out.iter_mut().zip(parts) {
            *o = u8::from_str_radix(p, 16).ok()?;
        }
        Some(out)
    })
}

#[cfg(test)]
#[path = "ring_frame_tests.rs"]
mod tests;
