//! Every built-in baseline template renders for the demo lab in its vendor's idiom.

use std::path::Path;

use switchlab::inputs::RunInputs;
use switchlab::vendor::Registry;

fn configs() -> RunInputs {
    let reg = Registry::load(None, None).unwrap();
    RunInputs::load(
        Path::new("examples/demo/lab.toml"),
        Path::new("examples/demo/manifest.toml"),
        None,
        &reg,
    )
    .expect("demo inputs are valid")
}

fn lines(device: &str) -> Vec<String> {
    configs()
        .config(device)
        .unwrap_or_else(|| panic!("{device} rendered"))
        .lines
        .clone()
}

fn pos(lines: &[String], line: &str) -> usize {
    lines
        .iter()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("{line:?} not in {lines:#?}"))
}

#[test]
fn every_vendor_renders_for_the_demo_lab() {
    let c = configs();
    assert_eq!(c.configs.len(), 5);
    for cfg in &c.configs {
        assert!(cfg.lines.len() >= 8, "{}: {:?}", cfg.device, cfg.lines);
        assert_eq!(
            cfg.lines[0],
            format!("hostname {}", cfg.device),
            "hostname first"
        );
    }
}

#[test]
fn cisco_access_ports_with_cabling_descriptions() {
    let l = lines("cisco-3560x");
    assert_eq!(
        l[3..8],
        [
            "interface GigabitEthernet0/1",
            " description server1 eno1 Intel I350 2m copper",
            " switchport mode access",
            " switchport access vlan 10",
            " no shutdown"
        ]
    );
}

#[test]
fn arista_switchport_then_vlan() {
    let l = lines("arista-7048");
    let i = pos(&l, "interface Ethernet49");
    assert_eq!(l[i + 1], " description server1 eth2 Intel X520 0.5m dac");
    assert_eq!(
        l[i + 2..i + 5],
        [" switchport", " switchport access vlan 10", " no shutdown"]
    );
}

#[test]
fn force10_no_shutdown_before_switchport_and_membership_from_the_vlan() {
    let l = lines("f10-s4810");
    let i = pos(&l, "interface TenGigabitEthernet 0/1");
    assert_eq!(l[i + 2..i + 4], [" no shutdown", " switchport"]);
    let v = pos(&l, "interface Vlan 10");
    assert!(pos(&l, " untagged TenGigabitEthernet 0/2") > v);
    assert!(
        !l.iter().any(|x| x.contains("switchport access")),
        "FTOS has no switchport access vlan"
    );
}

#[test]
fn fastiron_enables_ports_and_sets_untagged_under_the_vlan() {
    let l = lines("icx-7150");
    assert!(
        !l.iter()
            .any(|x| x.contains("shutdown") || x.contains("switchport")),
        "FastIron knows neither: {l:#?}"
    );
    let v = pos(&l, "vlan 10 name switchlab by port");
    assert!(pos(&l, " untagged ethernet 1/2/1") > v);
    let i = pos(&l, "interface ethernet 1/2/2");
    assert_eq!(l[i + 2], " enable");
}

#[test]
fn niagara_ports_come_out_of_shutdown() {
    let l = lines("niagara-2924");
    let i = pos(&l, "interface 0/1");
    assert!(l[i..i + 6].contains(&" no shutdown".to_string()));
    assert!(l.contains(&" vlan pvid 10".to_string()));
    assert!(
        !l.iter().any(|x| x.trim() == "exit"),
        "`exit` would leave configuration mode on this CLI"
    );
}

/// The demo manifest's configs with its `logging_host` line replaced by `logging`.
fn configs_with_logging(logging: &str) -> RunInputs {
    let reg = Registry::load(None, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = std::fs::read_to_string("examples/demo/manifest.toml").unwrap();
    assert!(m.contains("logging_host = \"127.0.0.1\"\n"));
    let m = m.replace("logging_host = \"127.0.0.1\"\n", logging);
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    RunInputs::load(
        Path::new("examples/demo/lab.toml"),
        &dir.path().join("m.toml"),
        None,
        &reg,
    )
    .unwrap()
}

#[test]
fn logging_host_appears_only_when_set() {
    let c = configs_with_logging("");
    for cfg in &c.configs {
        assert!(
            !cfg.lines.iter().any(|l| l.starts_with("logging")),
            "{}: {:?}",
            cfg.device,
            cfg.lines
        );
    }
}

#[test]
fn devices_are_pointed_at_the_watch_receivers_port_in_their_own_syntax() {
    // The demo's [flaps] syslog_listen is 127.0.0.1:5514: every device must name that port.
    let c = configs_with_logging("logging_host = \"127.0.0.1\"\n");
    let want = [
        (
            "cisco-3560x",
            "logging host 127.0.0.1 transport udp port 5514",
        ),
        ("arista-7048", "logging host 127.0.0.1 5514"),
        ("f10-s4810", "logging 127.0.0.1 udp 5514"),
        ("icx-7150", "logging host 127.0.0.1 udp-port 5514"),
        ("niagara-2924", "logging host 127.0.0.1 ipv4 5514"),
    ];
    for (dev, line) in want {
        let lines = &c.config(dev).unwrap().lines;
        assert!(
            lines.iter().any(|l| l == line),
            "{dev} lacks {line}: {lines:?}"
        );
    }
    // On the standard port the plain form is enough.
    let c = configs_with_logging("logging_host = \"10.0.0.9\"\nlogging_port = 514\n");
    let want = [
        ("cisco-3560x", "logging host 10.0.0.9"),
        ("arista-7048", "logging host 10.0.0.9"),
        ("f10-s4810", "logging 10.0.0.9"),
        ("icx-7150", "logging host 10.0.0.9"),
        ("niagara-2924", "logging host 10.0.0.9"),
    ];
    for (dev, line) in want {
        let lines = &c.config(dev).unwrap().lines;
        assert!(
            lines.iter().any(|l| l == line),
            "{dev} lacks {line}: {lines:?}"
        );
    }
}

#[test]
fn manifest_port_subset_limits_the_config() {
    let reg = Registry::load(None, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = std::fs::read_to_string("examples/demo/manifest.toml")
        .unwrap()
        .replace(
            "name = \"arista-7048\"",
            "name = \"arista-7048\"\nports = [\"Ethernet50\"]",
        );
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    let c = RunInputs::load(
        Path::new("examples/demo/lab.toml"),
        &dir.path().join("m.toml"),
        None,
        &reg,
    )
    .unwrap();
    let l = &c.config("arista-7048").unwrap().lines;
    assert!(l.contains(&"interface Ethernet50".to_string()));
    assert!(!l.contains(&"interface Ethernet49".to_string()));
}

// Defence in depth: a value with a line break that got past the loaders (a library caller
// building a lab in code) still cannot add config lines of its own.
#[test]
fn the_renderer_refuses_a_value_that_would_add_config_lines() {
    let reg = Registry::load(None, None).unwrap();
    let mut inputs = configs();
    let dev = inputs
        .lab
        .lab
        .devices
        .iter_mut()
        .find(|d| d.name() == "arista-7048")
        .unwrap();
    dev.ports[0].description = Some("uplink\nshutdown".into());
    let e = inputs.render(&reg).unwrap_err().to_string();
    assert!(
        e.contains("device 'arista-7048': template templates/arista_eos/baseline.j2:")
            && e.contains("\"uplink\\nshutdown\" would add config lines of its own"),
        "{e}"
    );
}
