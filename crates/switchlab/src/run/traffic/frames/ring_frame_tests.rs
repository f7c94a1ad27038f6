use super::*;
use crate::run::traffic::frames::ring::Addressing;

#[test]
fn a_built_frame_is_the_size_asked_with_a_valid_ipv4_header() {
    let a = Addressing {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        from: "198.18.1.1:40000".parse().unwrap(),
        to: "198.18.1.2:5000".parse().unwrap(),
    };
    let f = frame(&a, 64);
    assert_eq!(f.len(), 60, "64 B on the wire with its FCS");
    assert_eq!(&f[0..6], &a.dst_mac);
    assert_eq!(
        checksum(&f[14..34]),
        0,
        "a header with its checksum sums to zero"
    );
    assert_eq!(u16::from_be_bytes([f[16], f[17]]), 46, "IPv4 total length");
    assert_eq!(u16::from_be_bytes([f[38], f[39]]), 26, "UDP length: 8 + 18");
    assert_eq!(f.len() - PAYLOAD_AT, super::super::payload_len(64));
    assert_eq!(frame(&a, 1518).len(), 1514);
}

#[test]
fn the_neighbour_table_gives_a_resolved_entry_on_its_interface_only() {
    let table = "IP address       HW type     Flags       HW address            Mask     Device
198.18.1.2       0x1         0x2         0a:1b:2c:3d:4e:5f     *        eth1
198.18.1.3       0x1         0x0         00:00:00:00:00:00     *        eth1
";
    let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
    assert_eq!(
        neighbour_in(table, ip("198.18.1.2"), "eth1"),
        Some([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])
    );
    assert_eq!(neighbour_in(table, ip("198.18.1.2"), "eth2"), None);
    assert_eq!(
        neighbour_in(table, ip("198.18.1.3"), "eth1"),
        None,
        "unresolved"
    );
}
