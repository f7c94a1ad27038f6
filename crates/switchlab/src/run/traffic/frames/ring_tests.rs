use super::*;

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
