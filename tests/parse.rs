//! Parse rules of every built-in profile against the project's own sample outputs
//! (tests/fixtures/<vendor>/, written from VENDORS.md), through the library and the CLI.

use assert_cmd::Command;
use switchlab::parse::{LinkEvent, Parsed, PortState, parse_output};
use switchlab::vendor::Registry;

fn parse(vendor: &str, command: &str, fixture: &str) -> Parsed {
    let reg = Registry::load(None, None).expect("built-in profiles load");
    let v = reg.vendor(vendor).expect("vendor exists");
    let text =
        std::fs::read_to_string(format!("tests/fixtures/{vendor}/{fixture}")).expect("fixture");
    parse_output(v, command, &text).expect("rule exists")
}

fn ports(vendor: &str, command: &str, fixture: &str) -> Vec<PortState> {
    match parse(vendor, command, fixture) {
        Parsed::Ports(p) => p,
        _ => panic!("expected ports"),
    }
}

fn events(vendor: &str, command: &str, fixture: &str) -> Vec<(String, String)> {
    match parse(vendor, command, fixture) {
        Parsed::Events(e) => e
            .into_iter()
            .map(|LinkEvent { port, state, .. }| (port, state.to_string()))
            .collect(),
        _ => panic!("expected events"),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn cisco_show_interfaces_reads_state_errors_and_resets() {
    let p = ports("cisco_ios", "show interfaces", "show_interfaces.txt");
    assert_eq!(p.len(), 3);
    assert_eq!(
        p[0],
        PortState {
            port: "GigabitEthernet0/1".into(),
            admin: Some(switchlab::parse::LinkState::Up),
            oper: Some(switchlab::parse::LinkState::Up),
            link_changes: None, // Catalyst keeps no flap counter: unknown, not 0
            link_downs: None,
            link_ups: None,
            last_change_s: None,
            speed_mbps: Some(1000),
            in_errors: Some(3),
            crc: Some(2),
            resets: Some(4),
            description: s("server1 eno1"),
            err_disabled: Some(false),
            in_packets: Some(1204),
            out_packets: Some(2210),
            // No `Input queue` line in this sample: its drops are unknown, not 0.
            in_discards: None,
            out_discards: None,
        }
    );
    assert_eq!(
        (
            p[1].admin.map(|s| s.as_str()),
            p[1].oper.map(|s| s.as_str())
        ),
        (Some("down"), Some("down"))
    );
    assert_eq!(
        (
            p[2].admin.map(|s| s.as_str()),
            p[2].oper.map(|s| s.as_str())
        ),
        (Some("up"), Some("down"))
    );
}

#[test]
fn cisco_status_table_maps_connected_disabled_errdisabled() {
    let p = ports(
        "cisco_ios",
        "show interfaces status",
        "show_interfaces_status.txt",
    );
    let got: Vec<_> = p
        .iter()
        .map(|p| {
            (
                p.port.as_str(),
                p.admin.map(|s| s.as_str()),
                p.oper.map(|s| s.as_str()),
                p.description.as_deref(),
                p.err_disabled,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Gi0/1",
                Some("up"),
                Some("up"),
                Some("server1 eno1"),
                Some(false)
            ),
            ("Gi0/2", Some("down"), Some("down"), None, Some(false)),
            (
                "Gi0/3",
                Some("up"),
                Some("down"),
                Some("flaky link to s2"),
                Some(true)
            ),
            ("Te0/1", Some("up"), Some("down"), None, Some(false)),
        ]
    );
}

#[test]
fn cisco_logging_yields_link_and_lineproto_events_only() {
    let e = events("cisco_ios", "show logging", "show_logging.txt");
    let p = "GigabitEthernet0/1".to_string();
    assert_eq!(
        e,
        vec![
            (p.clone(), "down".into()),
            (p.clone(), "down".into()),
            (p, "up".into())
        ]
    );
}

#[test]
fn arista_reads_link_status_changes_and_uptime() {
    let p = ports("arista_eos", "show interfaces", "show_interfaces.txt");
    assert_eq!(p[0].link_changes, Some(17));
    assert_eq!(p[0].last_change_s, Some(131));
    assert_eq!(p[0].speed_mbps, Some(10_000));
    // Regression: the closing quote of a quoted description was lost.
    assert_eq!(
        p[0].description.as_deref(),
        Some("server1 eth2 \"0.5m dac\"")
    );
    assert_eq!(
        (
            p[1].admin.map(|s| s.as_str()),
            p[1].oper.map(|s| s.as_str())
        ),
        (Some("down"), Some("down"))
    );
    assert_eq!(p[1].last_change_s, Some(3 * 3600 + 120));
    assert_eq!(p[1].crc, Some(5));
    // The flap guard shut Ethernet51: down, and said so.
    assert_eq!(
        (p[2].oper.map(|s| s.as_str()), p[2].err_disabled),
        (Some("down"), Some(true))
    );
    assert_eq!(p[0].err_disabled, Some(false));
}

#[test]
fn vendors_whose_output_never_says_err_disabled_leave_it_unknown() {
    let p = ports("dell_force10", "show interfaces", "show_interfaces.txt");
    assert!(p.iter().all(|p| p.err_disabled.is_none()), "{p:?}");
}

#[test]
fn arista_logging_handles_descriptions_with_commas() {
    let e = events("arista_eos", "show logging", "show_logging.txt");
    assert_eq!(
        e,
        vec![
            ("Ethernet49".into(), "down".into()),
            ("Ethernet49".into(), "up".into())
        ]
    );
}

#[test]
fn force10_port_names_keep_their_space() {
    let p = ports("dell_force10", "show interfaces", "show_interfaces.txt");
    assert_eq!(p[0].port, "TenGigabitEthernet 0/1");
    assert_eq!(p[0].speed_mbps, Some(10_000));
    assert_eq!(p[0].last_change_s, Some(5 * 3600 + 18 * 60 + 35));
    assert_eq!(p[0].crc, Some(4));
    assert_eq!(p[0].description.as_deref(), Some("server1 eth3"));
    assert_eq!(p[1].oper.map(|s| s.as_str()), Some("down"));
    assert_eq!(p[1].last_change_s, Some(6 * 86400 + 23 * 3600 + 54 * 60));
    assert_eq!(p[1].speed_mbps, None);
}

#[test]
fn force10_ifmgr_events() {
    let e = events("dell_force10", "show logging", "show_logging.txt");
    assert_eq!(
        e,
        vec![
            ("Te 0/1".into(), "down".into()),
            ("Te 0/1".into(), "up".into())
        ]
    );
}

#[test]
fn fastiron_disabled_is_admin_down_and_port_uptime_is_read() {
    let p = ports("brocade_fastiron", "show interfaces", "show_interfaces.txt");
    assert_eq!(p[0].port, "10GigabitEthernet1/2/1");
    assert_eq!(
        (
            p[0].admin.map(|s| s.as_str()),
            p[0].oper.map(|s| s.as_str())
        ),
        (Some("up"), Some("up"))
    );
    assert_eq!(p[0].last_change_s, Some(2 * 86400 + 3 * 3600 + 4 * 60 + 5));
    assert_eq!((p[0].in_errors, p[0].crc), (Some(7), Some(3)));
    assert_eq!(p[0].link_changes, None);
    assert_eq!(
        (
            p[1].admin.map(|s| s.as_str()),
            p[1].oper.map(|s| s.as_str())
        ),
        (Some("down"), Some("down"))
    );
    let b = ports(
        "brocade_fastiron",
        "show interfaces brief",
        "show_interfaces_brief.txt",
    );
    let got: Vec<_> = b
        .iter()
        .map(|p| {
            (
                p.port.as_str(),
                p.admin.map(|s| s.as_str()),
                p.oper.map(|s| s.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("1/2/1", Some("up"), Some("up")),
            ("1/2/2", Some("down"), Some("down")),
            ("1/1/1", Some("up"), Some("down"))
        ]
    );
    assert_eq!(b[0].speed_mbps, Some(10_000));
}

#[test]
fn fastiron_system_interface_events() {
    let e = events("brocade_fastiron", "show logging", "show_logging.txt");
    assert_eq!(
        e,
        vec![
            ("1/2/1".into(), "down".into()),
            ("1/2/1".into(), "up".into())
        ]
    );
}

#[test]
fn niagara_port_table_and_link_traps() {
    let p = ports("interface_masters", "show port all", "show_port_all.txt");
    let got: Vec<_> = p
        .iter()
        .map(|p| {
            (
                p.port.as_str(),
                p.admin.map(|s| s.as_str()),
                p.oper.map(|s| s.as_str()),
                p.speed_mbps,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("0/1", Some("up"), Some("up"), Some(1000)),
            ("0/2", Some("down"), Some("down"), None),
            ("0/3", Some("up"), Some("down"), None)
        ]
    );
    let e = events(
        "interface_masters",
        "show logging buffered",
        "show_logging_buffered.txt",
    );
    assert_eq!(
        e,
        vec![("0/1".into(), "down".into()), ("0/1".into(), "up".into())]
    );
}

#[test]
fn cli_parse_json_prints_the_common_schema_with_nulls() {
    let out = Command::cargo_bin("switchlab")
        .unwrap()
        .args([
            "parse",
            "--vendor",
            "cisco_ios",
            "--command",
            "show interfaces",
            "--json",
            "tests/fixtures/cisco_ios/show_interfaces.txt",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let first = &v[0];
    assert_eq!(first["port"], "GigabitEthernet0/1");
    assert_eq!(first["crc"], 2);
    assert!(
        first["link_changes"].is_null(),
        "unknown must be null, never 0: {first}"
    );
    let keys: Vec<_> = first.as_object().unwrap().keys().cloned().collect();
    for k in [
        "port",
        "admin",
        "oper",
        "link_changes",
        "last_change_s",
        "speed_mbps",
        "in_errors",
        "crc",
        "resets",
        "description",
        "err_disabled",
    ] {
        assert!(keys.contains(&k.to_string()), "missing {k}");
    }
}

#[test]
fn cli_parse_table_and_unknown_command() {
    Command::cargo_bin("switchlab")
        .unwrap()
        .args([
            "parse",
            "--vendor",
            "brocade_fastiron",
            "--command",
            "show logging",
            "tests/fixtures/brocade_fastiron/show_logging.txt",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("1/2/1").and(predicates::str::contains("state down")));
    Command::cargo_bin("switchlab")
        .unwrap()
        .args([
            "parse",
            "--vendor",
            "arista_eos",
            "--command",
            "show clock",
            "tests/fixtures/arista_eos/show_logging.txt",
        ])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("no parse rule for 'show clock'")
                .and(predicates::str::contains("show interfaces")),
        );
}

use predicates::prelude::*;
