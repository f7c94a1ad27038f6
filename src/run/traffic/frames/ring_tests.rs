use super::*;

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

/// As root: the ring hands its frames to the loopback (its transmit counter moves by
/// them, every slot comes back), and refuses to aim at a loopback address, whose frames
/// no socket would take; without CAP_NET_RAW the reason is said.
#[test]
fn the_ring_hands_its_frames_to_the_interface_and_its_slots_come_back() {
    let to: SocketAddrV4 = "127.0.0.1:9".parse().unwrap();
    assert!(matches!(
        super::to(to, to, 64).err(),
        Some(NoRing::Loopback { .. })
    ));
    let mut ring = match on_loopback(64) {
        Ok(r) => r,
        Err(NoRing::NotPermitted) => {
            eprintln!("SKIPPED the ring on the loopback: not root (CAP_NET_RAW)");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let headers: Vec<Header> = (0..5000)
        .map(|seq| Header {
            trial: 3,
            seq,
            sent_ns: 1,
            reflect: false,
            tagged: false,
        })
        .collect();
    let before = super::super::nic::read("lo").unwrap();
    let (mut sent, since) = (0, std::time::Instant::now());
    // 4096 slots: more than a ring's worth, each slot handed back once its frame is sent.
    while sent < headers.len() {
        sent += ring.send(&headers[sent..(sent + 64).min(headers.len())]);
        assert!(
            since.elapsed().as_secs() < 5,
            "slots came back: {sent} sent"
        );
        std::thread::yield_now();
    }
    let after = super::super::nic::read("lo").unwrap();
    // Other traffic on the loopback only adds.
    assert!(after.since(&before).tx_packets >= 5000);
    assert!((0..ring.slots).all(|i| ring.status(i) == TP_STATUS_AVAILABLE));
}
