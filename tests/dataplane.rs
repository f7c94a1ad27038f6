//! The virtual lab's data plane, for real: endpoints as network namespaces, frames through
//! the simulated switches (in this process, driven over real SSH by the switchlab binary),
//! measured from inside the namespaces. Needs root (CAP_NET_ADMIN): without it each test
//! says why it skips, and fails where `.ci/run` says every tool is there. Addresses are
//! 198.18.0.0/15's, only ever reached from inside a namespace the test made.

mod common;

use std::time::Duration;

use common::netns::*;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_vendor_whose_ports_start_shut_carries_nothing_before_the_baseline() {
    if !may_make_namespaces("no traffic before the baseline") {
        return;
    }
    let t = tag("shut");
    let ports = [
        ("TenGigabitEthernet 0/1", ""),
        ("TenGigabitEthernet 0/2", ""),
    ];
    let (_f10, lab, _plane) =
        two_ends("dell_force10", options("dell_force10"), ports, 11, &t).await;
    let s1 = format!("swl-{t}-s1");
    assert!(
        rtt(&s1, "198.18.11.1", "198.18.11.2").await.is_none(),
        "FTOS ports are shut until the baseline lands"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let manifest = "name = \"shut\"\n[baseline]\nvlan = 10\n[[device]]\nname = \"sw\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&PUSH, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        rtt(&s1, "198.18.11.1", "198.18.11.2").await.is_some(),
        "after the baseline"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_added_40_ms_each_way_measures_80_ms_round_trip() {
    if !may_make_namespaces("link delay") {
        return;
    }
    let t = tag("delay");
    let ports = [("Ethernet1", "delay = \"40ms\""), ("Ethernet2", "")];
    let _on = two_ends("arista_eos", options("arista_eos"), ports, 13, &t).await;
    let s1 = format!("swl-{t}-s1");
    // The first connect also waits for ARP (through the same delay): the median of three.
    let ms = rtt(&s1, "198.18.13.1", "198.18.13.2")
        .await
        .expect("a path");
    assert!((75.0..=85.0).contains(&ms), "{ms} ms");
    eprintln!("round trip through a 40 ms link: {ms:.1} ms");
}

// A flap under load: the simulated port goes down 1.2 s into the test (its schedule starts
// when traffic first crosses the switch) for a second; the throughput second containing
// it falls below half the test's median, and flaps.csv names the test.
#[tokio::test(flavor = "multi_thread")]
async fn a_flap_under_load_is_a_dip_in_the_throughput_and_names_the_test() {
    if !may_make_namespaces("a flap under load") {
        return;
    }
    let t = tag("dip");
    let mut o = options("arista_eos");
    o.flaps = switchlab_sim::parse_flaps("Ethernet1@1200ms/1s").unwrap();
    o.flaps_from = Some("traffic".into());
    let ports = [("Ethernet1", ""), ("Ethernet2", "")];
    let (arista, lab, _plane) = two_ends("arista_eos", o, ports, 14, &t).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let manifest = "name = \"dip\"\n[[device]]\nname = \"sw\"\n[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\nduration = \"6s\"\nengine = \"builtin\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\nduration = \"1s\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t_out = text(&out);
    let folder = printed_folder(&out, dir.path());
    let data = switchlab::record::read::RunData::read(&folder).expect(&t_out);

    let down = arista
        .truth()
        .into_iter()
        .find(|e| !e.up && e.port == "Ethernet1")
        .expect("the injected flap happened");
    let down: jiff::Timestamp = down.time.try_into().unwrap();
    let seconds: Vec<_> = data
        .throughput
        .iter()
        .filter(|r| r.test == "t1" && r.row == switchlab::states::ThroughputKind::Interval)
        .collect();
    assert!(seconds.len() >= 5, "{seconds:?}\n{t_out}");
    let mut rates: Vec<f64> = seconds.iter().map(|r| r.gbit_s).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let hit = seconds
        .iter()
        .find(|r| {
            let end: jiff::Timestamp = r.time.parse().unwrap();
            let from = end - jiff::SignedDuration::from_secs_f64(r.end_s - r.start_s);
            from <= down && down <= end
        })
        .expect("a second of the test contains the flap");
    assert!(
        hit.gbit_s < median / 2.0,
        "the second with the flap: {} Gbit/s, the test's median {median}: {seconds:?}",
        hit.gbit_s
    );
    assert!(
        data.flaps.iter().any(|f| f.port == "Ethernet1"
            && f.event == switchlab::states::FlapEvent::Down
            && f.tests().any(|n| n == "t1")),
        "{:?}",
        data.flaps
    );
}

// CRC errors injected on a port drop that many frames coming in on it (the switch leaves
// the kernel's path for user space, its counters carried over): the switch's own
// counters show the frames in on Ethernet1 and out on Ethernet2 apart by exactly that.
#[tokio::test(flavor = "multi_thread")]
async fn crc_errors_on_a_port_drop_frames_in_step_with_the_counter() {
    if !may_make_namespaces("CRC errors") {
        return;
    }
    let t = tag("crc");
    let ports = [("Ethernet1", ""), ("Ethernet2", "")];
    let (arista, _lab, plane) = two_ends("arista_eos", options("arista_eos"), ports, 18, &t).await;
    // It starts in the kernel's path; the first CRC error takes it to user space.
    assert!(
        plane
            .lines
            .iter()
            .any(|l| l == "sw forwards in the kernel (a bridge per VLAN)"),
        "{:?}",
        plane.lines
    );
    let s1 = format!("swl-{t}-s1");
    // A path first (ARP learnt), then 3 CRC errors on the way in.
    assert!(rtt(&s1, "198.18.18.1", "198.18.18.2").await.is_some());
    let (one, two) = {
        let dev = arista.device.lock().unwrap();
        (
            dev.port_index("Ethernet1").unwrap(),
            dev.port_index("Ethernet2").unwrap(),
        )
    };
    // Settled: every frame in on Ethernet1 is out on Ethernet2, or counted as dropped for
    // another cause (a forwarding thread this loaded machine kept from its core too long
    // drops a frame as the host's: not a CRC error's).
    let drops = plane.drop_counts();
    let apart = || {
        let dev = arista.device.lock().unwrap();
        let other = drops.drops("sw").map_or(0, |d| d.switch + d.host) as i64;
        dev.ports[one].traffic.in_packets as i64 - dev.ports[two].traffic.out_packets as i64 - other
    };
    let mut before = apart();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = apart();
        if now == before {
            break;
        }
        before = now;
    }
    arista.device.lock().unwrap().ports[one].crc += 3;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Three connects, three SYNs through Ethernet1 (and their ARP where needed): the
    // first three frames in are dropped; the connects still get through on retry.
    let _ = rtt(&s1, "198.18.18.1", "198.18.18.2").await;
    let mut seen = apart();
    for _ in 0..50 {
        if seen - before == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = apart();
    }
    let d = drops.drops("sw");
    assert_eq!(
        seen - before,
        3,
        "frames in on Ethernet1 not out on Ethernet2 (drops {:?})",
        d.map(|d| (d.switch, d.host))
    );
}
