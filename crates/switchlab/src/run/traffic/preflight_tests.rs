//! The preflight's judgement of made-up hosts and paths.

use super::*;

fn host(name: &str, rmem: u64, wmem: u64, ifaces: &[(&str, &str, u8)]) -> HostFacts {
    HostFacts {
        endpoint: name.into(),
        tcp_rmem_max: Some(rmem),
        tcp_wmem_max: Some(wmem),
        rmem_max: Some(212_992),
        rp_filter_all: Some(0),
        interfaces: ifaces
            .iter()
            .map(|(a, n, rp)| InterfaceFacts {
                address: a.to_string(),
                name: n.to_string(),
                speed_mbps: Some(10_000),
                rp_filter: Some(*rp),
                mtu: Some(1500),
            })
            .collect(),
        ..HostFacts::default()
    }
}

#[test]
fn small_windows_on_a_long_path_are_warned_with_the_sysctl_to_set() {
    // 10 Gbit/s at 80 ms needs 100 MB in flight; these hosts allow 6 MB and 4 MB.
    let a = host("s1", 6_291_456, 4_194_304, &[("198.18.0.1", "eth2", 0)]);
    let b = host("s2", 6_291_456, 4_194_304, &[("198.18.1.1", "eth2", 0)]);
    let w = warnings(&Path {
        test: "t1",
        device: Some("arista"),
        from: &a,
        from_address: "198.18.0.1",
        to: &b,
        to_address: "198.18.1.1",
        rtt: Some(Duration::from_millis(80)),
        window: Some(8 << 20),
        ports: Vec::new(),
    });
    assert_eq!(w.len(), 3, "{w:#?}");
    assert!(w[0].contains("needs 100.0 MB in flight") && w[0].contains("endpoint 's2'"));
    assert!(w[0].ends_with("sysctl -w net.ipv4.tcp_rmem=\"4096 131072 100000000\""));
    assert!(w[1].contains("endpoint 's1'") && w[1].contains("net.ipv4.tcp_wmem"));
    assert!(w[2].contains("sysctl -w net.core.rmem_max=8388608"));
    // A short path needs little: no warning.
    let near = Path {
        rtt: Some(Duration::from_micros(50)),
        window: None,
        ..Path {
            test: "t1",
            device: None,
            from: &a,
            from_address: "198.18.0.1",
            to: &b,
            to_address: "198.18.1.1",
            rtt: None,
            window: None,
            ports: Vec::new(),
        }
    };
    assert!(warnings(&near).is_empty());
}

#[test]
fn the_switch_ports_speed_sets_the_line_rate_the_buffers_are_judged_by() {
    // 1 Gbit/s at 32 ms needs 4 MB in flight: these hosts allow 3 MB, not 40.
    let a = host("nyc", 3_000_000, 3_000_000, &[("198.18.20.1", "eth1", 0)]);
    let b = host("sfo", 3_000_000, 3_000_000, &[("198.18.20.2", "eth1", 0)]);
    let unspeedy = |mut h: HostFacts| {
        h.interfaces[0].speed_mbps = None;
        h
    };
    let (a, b) = (unspeedy(a), unspeedy(b));
    let path = |ports| Path {
        test: "nyc-to-sfo",
        device: Some("lanes-switch"),
        from: &a,
        from_address: "198.18.20.1",
        to: &b,
        to_address: "198.18.20.2",
        rtt: Some(Duration::from_millis(32)),
        window: None,
        ports,
    };
    let w = warnings(&path(vec![(1000, "lanes-switch Ethernet2 says so".into())]));
    assert!(
        w[0].contains("1 Gbit/s at 32.0 ms round trip needs 4.0 MB"),
        "{w:?}"
    );
    assert!(
        w[0].contains("(1 Gbit/s: lanes-switch Ethernet2 says so)"),
        "{w:?}"
    );
    let w = warnings(&path(Vec::new()));
    assert!(w[0].contains("10 Gbit/s assumed"), "{w:?}");
}

#[test]
fn strict_rp_filter_with_several_interfaces_is_warned() {
    let two = host(
        "s1",
        1 << 30,
        1 << 30,
        &[("198.18.0.1", "eth2", 1), ("198.18.2.1", "eth3", 1)],
    );
    let one = host("s2", 1 << 30, 1 << 30, &[("198.18.1.1", "eth2", 1)]);
    let w = rp_filter_warnings(&[two, one]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("endpoint 's1' has 2 interfaces") && w[0].ends_with("rp_filter=2 (loose)")
    );
}

#[test]
fn the_facts_are_read_from_the_scripts_lines() {
    let f = parse(
        "s1",
        "net/ipv4/tcp_rmem=4096\t131072\t33554432\nnet/core/rmem_max=4194304\nnet/ipv4/tcp_congestion_control=bbr\nnet/ipv4/conf/all/rp_filter=0\naddr 127.0.0.1 lo 65536 0 -\n",
    );
    assert_eq!(f.tcp_rmem_max, Some(33_554_432));
    assert_eq!(f.rmem_max, Some(4_194_304));
    assert_eq!(f.congestion_control.as_deref(), Some("bbr"));
    assert_eq!(f.interfaces[0].mtu, Some(65536));
    assert_eq!(f.interfaces[0].speed_mbps, None);
}
