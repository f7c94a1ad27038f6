//! Every kind of input error gives one clear message naming file, line, column and key,
//! and a nonzero exit; a valid pair passes `check`.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const LAB: &str = include_str!("../examples/demo/lab.toml");
const MANIFEST: &str = include_str!("../examples/demo/manifest.toml");

/// Runs `switchlab check` on edited copies of the demo lab and manifest.
fn check(lab: &str, manifest: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    std::fs::write(dir.path().join("manifest.toml"), manifest).unwrap();
    Command::cargo_bin("switchlab")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--lab", "lab.toml", "--manifest", "manifest.toml"])
        .assert()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in text")
        + 1
}

#[test]
fn demo_inputs_are_valid() {
    check(LAB, MANIFEST)
        .success()
        .stdout(predicate::str::contains("5 devices under test"));
}

#[test]
fn unknown_device_names_line_column_and_known_devices() {
    let m = MANIFEST.replace("name = \"f10-s4810\"", "name = \"f10\"");
    let line = line_of(&m, "name = \"f10\"");
    check(LAB, &m).code(1).stderr(predicate::str::contains(format!("manifest.toml:{line}:8: key `device.name`: device 'f10' not in lab.toml; known: cisco-3560x, arista-7048, f10-s4810")));
}

#[test]
fn unknown_key_is_rejected_with_its_position() {
    let m = MANIFEST.replace("vlan = 10", "vlan = 10\ncolour = \"red\"");
    let line = line_of(&m, "colour");
    check(LAB, &m)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "manifest.toml:{line}:1: unknown field `colour`"
        )));
}

#[test]
fn wrong_type_names_the_value() {
    let l = LAB.replace("port = 2202,", "port = \"ssh\",");
    let line = line_of(&l, "port = \"ssh\"");
    check(&l, MANIFEST).code(1).stderr(
        predicate::str::contains(format!("lab.toml:{line}:"))
            .and(predicate::str::contains("expected u16")),
    );
}

#[test]
fn syntax_error_is_located() {
    let l = LAB.replace("vendor = \"cisco_ios\"", "vendor = \"cisco_ios");
    let line = line_of(&l, "vendor = \"cisco_ios");
    check(&l, MANIFEST)
        .code(1)
        .stderr(predicate::str::contains(format!("lab.toml:{line}:")));
}

#[test]
fn unknown_vendor_lists_the_profiles() {
    let l = LAB.replace("vendor = \"arista_eos\"", "vendor = \"arista\"");
    let line = line_of(&l, "vendor = \"arista\"");
    check(&l, MANIFEST)
        .code(1)
        .stderr(predicate::str::contains(format!("lab.toml:{line}:10: key `device.vendor`: vendor 'arista' not in the vendor profiles; known: arista_eos, brocade_fastiron")));
}

#[test]
fn unknown_port_in_manifest_lists_the_devices_ports() {
    let m = MANIFEST.replace(
        "name = \"arista-7048\"",
        "name = \"arista-7048\"\nports = [\"Ethernet9\"]",
    );
    let line = line_of(&m, "Ethernet9");
    check(LAB, &m).code(1).stderr(predicate::str::contains(format!("manifest.toml:{line}:10: key `device.ports`: port 'Ethernet9' not in lab.toml device 'arista-7048'; known: Ethernet49, Ethernet50")));
}

#[test]
fn unknown_endpoint_in_cabling_and_in_tests() {
    let l = LAB.replacen("endpoint = \"server2\"", "endpoint = \"server9\"", 1);
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains("key `device.port.peer.endpoint`: endpoint 'server9' not in the lab's [[endpoint]] list; known: server1, server2"));
    let m = MANIFEST.replace("to = \"server2\"", "to = \"backup\"");
    let line = line_of(&m, "to = \"backup\"");
    check(LAB, &m)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "manifest.toml:{line}:6: key `throughput.to`: endpoint 'backup' not in lab.toml"
        )));
}

#[test]
fn bad_duration_says_what_a_duration_looks_like() {
    let m = MANIFEST.replace("interval = \"1s\"", "interval = \"every second\"");
    let line = line_of(&m, "every second");
    check(LAB, &m).code(1).stderr(
        predicate::str::contains(format!(
            "manifest.toml:{line}:12: key `flaps.interval`: 'every second' is not a duration"
        ))
        .and(predicate::str::contains("\"30s\"")),
    );
}

#[test]
fn bad_syslog_address_and_port_say_what_is_expected() {
    let m = MANIFEST.replace(
        "syslog_listen = \"127.0.0.1:5514\"",
        "syslog_listen = \"localhost\"",
    );
    let line = line_of(&m, "\"localhost\"");
    check(LAB, &m)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "manifest.toml:{line}:17: 'localhost' is not ADDRESS:PORT; write e.g. \"0.0.0.0:5514\""
        )));
    let m = MANIFEST.replace(
        "logging_host = \"127.0.0.1\"",
        "logging_host = \"127.0.0.1\"\nlogging_port = 70000",
    );
    let line = line_of(&m, "70000");
    check(LAB, &m)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "manifest.toml:{line}:16: 70000 is not a UDP port; write 1 to 65535"
        )));
}

#[test]
fn device_with_two_or_no_access_methods() {
    let l = LAB.replace(
        "serial = { port = \"/tmp/switchlab-demo/icx-7150.console\", baud = 9600 }",
        "serial = { port = \"/dev/ttyUSB0\" }\nssh = { host = \"127.0.0.1\", user = \"admin\" }",
    );
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "key `device.ssh`: device 'icx-7150' has both ssh and serial access",
    ));
    let l = LAB.replace(
        "serial = { port = \"/tmp/switchlab-demo/icx-7150.console\", baud = 9600 }",
        "",
    );
    check(&l, MANIFEST)
        .code(1)
        .stderr(predicate::str::contains("device 'icx-7150' has no access"));
}

#[test]
fn duplicate_device_and_port() {
    let l = LAB.replace("name = \"icx-7150\"", "name = \"f10-s4810\"");
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "device 'f10-s4810' is defined twice",
    ));
    let l = LAB.replace("name = \"Ethernet50\"", "name = \"Ethernet49\"");
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "port 'Ethernet49' is listed twice on device 'arista-7048'",
    ));
}

#[test]
fn undefined_template_variable_names_template_line_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    let tdir = dir.path().join("t/arista_eos");
    std::fs::create_dir_all(&tdir).unwrap();
    std::fs::write(
        tdir.join("baseline.j2"),
        "hostname {{ device.hostname }}\nsnmp-server location {{ vars.site }}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("lab.toml"), LAB).unwrap();
    std::fs::write(dir.path().join("manifest.toml"), MANIFEST).unwrap();
    let run = |manifest: &str| {
        std::fs::write(dir.path().join("manifest.toml"), manifest).unwrap();
        Command::cargo_bin("switchlab")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "--templates",
                "t",
                "check",
                "--lab",
                "lab.toml",
                "--manifest",
                "manifest.toml",
            ])
            .assert()
    };
    run(MANIFEST).code(1).stderr(
        predicate::str::contains("device 'arista-7048': template t/arista_eos/baseline.j2:2: ")
            .and(predicate::str::contains("vars.site")),
    );
    run(&MANIFEST.replace(
        "vlan_name = \"switchlab\"",
        "vlan_name = \"switchlab\"\nvars = { site = \"lab 3\" }",
    ))
    .success();
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("switchlab")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--lab", "nope.toml", "--manifest", "m.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.toml: cannot read"));
    assert!(!Path::new("nope.toml").exists());
}

/// Runs switchlab with `args` in a folder holding the demo lab and manifest.
fn cli(args: &[&str]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), LAB).unwrap();
    std::fs::write(dir.path().join("manifest.toml"), MANIFEST).unwrap();
    Command::cargo_bin("switchlab")
        .unwrap()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
}

// Regression: `watch --ports Ethernet99` (or an empty list) watched nothing and exited 0.
#[test]
fn watch_ports_the_lab_does_not_have_are_refused_before_any_device_is_reached() {
    for ports in ["Ethernet99", "", "Ethernet49,Ethernt50"] {
        let bad = ports.split(',').find(|p| *p != "Ethernet49").unwrap();
        cli(&["watch", "--lab", "lab.toml", "arista-7048", "--ports", ports])
            .code(1)
            .stderr(predicate::str::contains(format!(
                "--ports on the command line: port '{bad}' not in lab.toml for arista-7048; known: Ethernet49, Ethernet50"
            )))
            .stdout(predicate::str::is_empty());
    }
}

#[test]
fn a_short_port_form_is_one_port_in_the_manifest_as_on_the_command_line() {
    let m = MANIFEST.replace(
        "name = \"arista-7048\"",
        "name = \"arista-7048\"\nports = [\"Et49\"]",
    );
    check(LAB, &m).success();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), LAB).unwrap();
    std::fs::write(dir.path().join("m.toml"), &m).unwrap();
    Command::cargo_bin("switchlab")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "render",
            "--lab",
            "lab.toml",
            "--manifest",
            "m.toml",
            "arista-7048",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("interface Ethernet49"))
        .stdout(predicate::str::contains("interface Ethernet50").not());
}

// Regression: a device named on the command line was reported at `lab.toml:1:1`.
#[test]
fn a_device_not_in_the_lab_is_said_to_come_from_the_command_line() {
    cli(&["show", "--lab", "lab.toml", "arista", "show version"])
        .code(1)
        .stderr(predicate::str::contains(
            "DEVICE on the command line: device 'arista' not in lab.toml; known: cisco-3560x",
        ))
        .stderr(predicate::str::contains("lab.toml:1:1").not());
}
