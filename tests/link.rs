//! A port with no link is not a pass: an uncabled port, one the baseline left shut, one
//! that went down for good, against ports expected down and ports that are well.

mod common;

use common::*;
use switchlab::record::read::RunData;
use switchlab::states::{DeviceVerdict, LinkState, PortVerdict};
use switchlab_sim::Cabling;

fn cabled(port: &str) -> Cabling {
    Cabling {
        port: port.into(),
        ..Default::default()
    }
}

fn port<'a>(run: &'a RunData, name: &str) -> &'a switchlab::record::rows::PortRow {
    run.ports
        .iter()
        .find(|p| p.port == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", run.ports))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uncabled_port_has_no_link_and_fails_its_device_while_the_cabled_one_passes() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("arista_eos");
    o.cabling = Some(vec![cabled("Ethernet1")]);
    let (_sim, addr) = ssh_sim(o).await;
    let lab = ssh_device("a", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let out = switchlab(
        &watch_args("a", "1s", "300ms", "counters,state", &[]),
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    // Everything was read, and a port has no link: a failed verdict (exit 3).
    assert_eq!(out.status.code(), Some(3), "{t}");
    let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
    let good = port(&run, "Ethernet1");
    assert_eq!(good.verdict, PortVerdict::Pass, "{good:?}");
    assert_eq!(good.oper_at_end, Some(LinkState::Up));
    assert_eq!(good.up_percent, Some(100.0));
    let dead = port(&run, "Ethernet2");
    assert_eq!(dead.verdict, PortVerdict::NoLink, "{dead:?}");
    assert_eq!(dead.oper_at_end, Some(LinkState::Down));
    assert_eq!(dead.up_percent, Some(0.0));
    assert_eq!(
        dead.hint,
        "no link: check the cable and the far end (NIC up?)"
    );
    let s = &run.summary[0];
    assert_eq!(s.verdict, DeviceVerdict::Fail);
    assert_eq!(
        (s.no_link_ports, s.failing_ports.as_str()),
        (1, "Ethernet2")
    );
    // The screen ends with the decision, and says which port and why.
    assert!(t.contains("no-link"), "{t}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let decision = stdout.lines().rev().nth(1).unwrap();
    assert!(
        decision.starts_with("a ") && decision.contains("Ethernet2"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_force10_port_the_baseline_left_shut_fails_and_its_hint_names_admin_down() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, addr) = ssh_sim(options("dell_force10")).await;
    let ports = ["TenGigabitEthernet 0/1", "TenGigabitEthernet 0/2"];
    let lab = ssh_device("f", "dell_force10", addr, &ports);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // A baseline that forgets `no shutdown` on the second port: Force10 ports start shut.
    let builtin = std::fs::read_to_string("templates/dell_force10/baseline.j2").unwrap();
    let forgetful = builtin.replace(
        " no shutdown\n switchport",
        "{% if not loop.last %}\n no shutdown{% endif %}\n switchport",
    );
    assert_ne!(forgetful, builtin);
    std::fs::create_dir_all(dir.path().join("tpl/dell_force10")).unwrap();
    std::fs::write(dir.path().join("tpl/dell_force10/baseline.j2"), forgetful).unwrap();
    let manifest = "name = \"shut\"\n[[device]]\nname = \"f\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"300ms\"\nduration = \"1500ms\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let args = [&["--templates", "tpl"][..], &RUN[..]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "all done, a port failed: {t}");
    let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
    assert_eq!(
        port(&run, "TenGigabitEthernet 0/1").verdict,
        PortVerdict::Pass
    );
    let shut = port(&run, "TenGigabitEthernet 0/2");
    assert_eq!(shut.verdict, PortVerdict::NoLink, "{shut:?}");
    assert!(shut.hint.contains("admin down"), "{shut:?}");
    // The simulator agrees: the port is shut.
    let dev = sim.device.lock().unwrap();
    let i = dev.port_index("TenGigabitEthernet 0/2").unwrap();
    assert!(!dev.ports[i].admin_up);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_that_goes_down_for_good_fails_and_says_when() {
    let dir = tempfile::tempdir().unwrap();
    // Down 600 ms after the watch's first read, for an hour.
    let (sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet1@600ms/1h")).await;
    let lab = ssh_device("a", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let out = switchlab(
        &watch_args("a", "2s", "300ms", "counters,state", &["--max-flaps", "3"]),
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "all done, a port failed: {t}");
    let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
    let gone = port(&run, "Ethernet1");
    assert_eq!(
        gone.verdict,
        PortVerdict::Fail,
        "one flap is allowed, a dead link is not: {gone:?}"
    );
    let down = sim.truth().into_iter().find(|e| !e.up).unwrap();
    let said = gone
        .hint
        .strip_prefix("link went down at ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{gone:?}"));
    // Seen by a state poll: within one poll interval (and its slack) of the truth.
    let error = (ms(said) - unix_ms(down.time)).abs();
    assert!(
        error <= 800,
        "said {said}, truth {:?}: {error} ms",
        down.time
    );
    assert_eq!(port(&run, "Ethernet2").verdict, PortVerdict::Pass);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_the_manifest_expects_down_passes_without_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("arista_eos");
    o.cabling = Some(vec![cabled("Ethernet1")]);
    let (_sim, addr) = ssh_sim(o).await;
    let lab = ssh_device(
        "a",
        "arista_eos",
        addr,
        &["Ethernet1", "Ethernet2", "Ethernet3"],
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // Both ways of saying it: a list, and a port entry.
    let manifest = "name = \"unplugged\"\n[[device]]\nname = \"a\"\nports = [\"Et1\", { name = \"Et2\", expect_down = true }, \"Et3\"]\nexpect_down = [\"Ethernet3\"]\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"300ms\"\nduration = \"1s\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
    for p in ["Ethernet1", "Ethernet2", "Ethernet3"] {
        assert_eq!(
            port(&run, p).verdict,
            PortVerdict::Pass,
            "{p}: {:?}",
            run.ports
        );
    }
    assert_eq!(port(&run, "Ethernet2").oper_at_end, Some(LinkState::Down));
    assert_eq!(run.summary[0].verdict, DeviceVerdict::Pass);
    // A port expected down that the lab does not have is named.
    std::fs::write(
        dir.path().join("m.toml"),
        manifest.replace(
            "expect_down = [\"Ethernet3\"]",
            "expect_down = [\"Ethernet9\"]",
        ),
    )
    .unwrap();
    let out = switchlab(
        &["check", "--lab", "lab.toml", "--manifest", "m.toml"],
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("m.toml:5:") && t.contains("device.expect_down") && t.contains("Ethernet9"),
        "{t}"
    );
}
