//! The switch's own traffic counters (frames in and out, discards), read from each
//! simulator's interfaces output by its vendor profile: the simulators are written apart
//! from the profiles, so a wrong rule fails here instead of agreeing with itself.

use switchlab::parse::{Parsed, PortState, parse_output};
use switchlab::vendor::Registry;
use switchlab_sim::state::PortTraffic;
use switchlab_sim::{Sim, SimOptions};

/// Counters of a busy port: large and all different, so no field can pass for another.
const BUSY: PortTraffic = PortTraffic {
    in_packets: 123_456_789_012,
    in_bytes: 9_876_543_210_987,
    out_packets: 98_765_432_109,
    out_bytes: 8_765_432_109_876,
    in_discards: 4_321,
    out_discards: 765,
};

/// Counters of the next port: other values, so one port's lines cannot pass for the next's.
const NEXT: PortTraffic = PortTraffic {
    in_packets: 11,
    in_bytes: 1_100,
    out_packets: 22,
    out_bytes: 2_200,
    in_discards: 3,
    out_discards: 4,
};

/// The interfaces output of `vendor`'s simulator for its first three ports (the first
/// busy, the second with other counters, the third never used), parsed by the profile's
/// rule for its `interfaces` command.
fn read_back(vendor: &str) -> Vec<PortState> {
    let sim = Sim::start(SimOptions::new(vendor)).expect("simulator");
    let text = {
        let mut dev = sim.device.lock().expect("device");
        dev.ports[0].traffic = BUSY;
        dev.ports[1].traffic = NEXT;
        (0..3)
            .map(|i| (sim.dialect.show_interface)(&dev, &dev.ports[i]))
            .collect::<String>()
    };
    let reg = Registry::load(None, None).expect("built-in profiles");
    let v = reg.vendor(vendor).expect("vendor");
    match parse_output(v, &v.profile.commands.interfaces, &text).expect("rule") {
        Parsed::Ports(p) => p,
        other => panic!("{vendor}: expected ports, got {other:?}"),
    }
}

/// (in_packets, out_packets, in_discards, out_discards) of a port state.
fn counters(p: &PortState) -> [Option<u64>; 4] {
    [p.in_packets, p.out_packets, p.in_discards, p.out_discards]
}

fn all(t: PortTraffic) -> [Option<u64>; 4] {
    [
        Some(t.in_packets),
        Some(t.out_packets),
        Some(t.in_discards),
        Some(t.out_discards),
    ]
}

#[test]
fn every_profile_that_shows_discards_reads_all_four_counters_from_its_simulator() {
    for vendor in ["cisco_ios", "arista_eos", "dell_force10"] {
        let p = read_back(vendor);
        assert_eq!(p.len(), 3, "{vendor}: {p:?}");
        assert_eq!(counters(&p[0]), all(BUSY), "{vendor}: {}", p[0].port);
        assert_eq!(counters(&p[1]), all(NEXT), "{vendor}: {}", p[1].port);
        // A counter the output shows at 0 is a reading of 0, not unknown.
        let zero = all(PortTraffic::default());
        assert_eq!(counters(&p[2]), zero, "{vendor}: {}", p[2].port);
    }
}

// FastIron's `show interfaces` counts frames but shows no discard counter: unknown.
#[test]
fn fastiron_reads_frames_and_leaves_discards_unknown() {
    let p = read_back("brocade_fastiron");
    assert_eq!(p.len(), 3, "{p:?}");
    let frames = |t: PortTraffic| [Some(t.in_packets), Some(t.out_packets), None, None];
    assert_eq!(counters(&p[0]), frames(BUSY));
    assert_eq!(counters(&p[1]), frames(NEXT));
}

// FASTPATH's `show port all` (the Niagara profile's interfaces command) shows no counter:
// all four are unknown, never 0.
#[test]
fn niagara_port_table_leaves_every_counter_unknown() {
    let sim = Sim::start(SimOptions::new("interface_masters")).expect("simulator");
    let text = {
        let mut dev = sim.device.lock().expect("device");
        dev.ports[0].traffic = BUSY;
        (sim.dialect.show_status)(&dev)
    };
    let reg = Registry::load(None, None).expect("built-in profiles");
    let v = reg.vendor("interface_masters").expect("vendor");
    let Parsed::Ports(p) = parse_output(v, &v.profile.commands.interfaces, &text).expect("rule")
    else {
        panic!("expected ports");
    };
    assert!(!p.is_empty());
    assert!(p.iter().all(|p| counters(p) == [None; 4]), "{p:?}");
}

// `switchlab parse --json` prints the four counters; one the output does not show is null.
#[test]
fn cli_parse_json_prints_the_counters() {
    let out = assert_cmd::Command::cargo_bin("switchlab")
        .expect("binary")
        .args([
            "parse",
            "--vendor",
            "arista_eos",
            "--command",
            "show interfaces",
            "--json",
            "tests/fixtures/arista_eos/show_interfaces.txt",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let first = &v[0];
    assert_eq!(first["port"], "Ethernet49");
    assert_eq!(
        (&first["in_packets"], &first["in_discards"]),
        (&1200.into(), &0.into())
    );
    // The saved output holds no output counters: null, never 0.
    for k in ["out_packets", "out_discards"] {
        assert!(first[k].is_null(), "{k}: {first}");
    }
}
