//! Every kind of input error gives one clear message naming file, line, column and key,
//! and a nonzero exit; a valid pair passes `check`.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const LAB: &str = include_str!("../examples/demo/lab.toml");
const MANIFEST: &str = include_str!("../examples/demo/manifest.toml");
/// The demo lab's key file, which it names and a lab must have beside it.
const KEY: &str = include_str!("../examples/demo/demo_ed25519");

/// A folder with `lab` as lab.toml (and the key file it names).
fn lab_dir(lab: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    std::fs::write(dir.path().join("demo_ed25519"), KEY).unwrap();
    dir
}

/// Runs `switchlab check` on edited copies of the demo lab and manifest.
fn check(lab: &str, manifest: &str) -> assert_cmd::assert::Assert {
    let dir = lab_dir(lab);
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
            "manifest.toml:{line}:1: key `baseline.colour`: unknown field `colour`"
        )));
}

#[test]
fn wrong_type_names_the_value() {
    let l = LAB.replace("port = 2202,", "port = \"ssh\",");
    let line = line_of(&l, "port = \"ssh\"");
    check(&l, MANIFEST)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "lab.toml:{line}:36: key `device.ssh.port`: \"ssh\" is not a whole number"
        )));
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
            "manifest.toml:{line}:17: key `flaps.syslog_listen`: 'localhost' is not ADDRESS:PORT; write e.g. \"0.0.0.0:5514\""
        )));
    let m = MANIFEST.replace(
        "logging_host = \"127.0.0.1\"",
        "logging_host = \"127.0.0.1\"\nlogging_port = 70000",
    );
    let line = line_of(&m, "70000");
    check(LAB, &m)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "manifest.toml:{line}:16: key `baseline.logging_port`: 70000 is not a UDP port; write 1 to 65535"
        )));
}

#[test]
fn device_with_two_or_no_access_methods() {
    let l = LAB.replace(
        "serial = { port = \"/tmp/switchlab-demo/icx-7150.console\", baud = 9600 }",
        "serial = { port = \"/dev/ttyUSB0\" }\nssh = { host = \"127.0.0.1\", user = \"admin\" }",
    );
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "key `device.serial`: device 'icx-7150' has ssh and serial access; give one",
    ));
    let l = LAB.replace(
        "serial = { port = \"/tmp/switchlab-demo/icx-7150.console\", baud = 9600 }",
        "console = { host = \"cs1\" }",
    );
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "key `device.console.port`: give the console server's TCP port for this console",
    ));
    let l = LAB.replace(
        "serial = { port = \"/tmp/switchlab-demo/icx-7150.console\", baud = 9600 }",
        "console = { host = \"cs1\", protocol = \"ssh\" }",
    );
    check(&l, MANIFEST).code(1).stderr(predicate::str::contains(
        "key `device.console.user`: an SSH console server needs the user that names the port",
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
    std::fs::write(dir.path().join("demo_ed25519"), KEY).unwrap();
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
        predicate::str::contains(
            "device 'arista-7048': template t/arista_eos/baseline.j2:2: undefined value in `vars.site`; variables are",
        ),
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
    let dir = lab_dir(LAB);
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
    let dir = lab_dir(LAB);
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

/// Each bad value in the lab (L) or the manifest (M): (file, text to replace, its
/// replacement, what the one error line must say). Every one is refused by `check` with its
/// file, line, key and what is allowed.
const HOSTILE: &[(char, &str, &str, &str)] = &[
    (
        'L',
        "name = \"arista-7048\"",
        "name = \"../../etc/arista\"",
        "key `device.name`: '../../etc/arista' starts with '.'",
    ),
    (
        'L',
        "name = \"arista-7048\"",
        "name = \".arista\"",
        "key `device.name`: '.arista' starts with '.'",
    ),
    (
        'L',
        "name = \"server1\"\naddress",
        "name = \"server/1\"\naddress",
        "key `endpoint.name`: 'server/1' has '/'",
    ),
    (
        'L',
        "name = \"Ethernet49\"",
        "name = \"Ethernet49\\nshutdown\"",
        "key `device.port.name`: \"Ethernet49\\nshutdown\" holds the control character '\\n'",
    ),
    (
        'L',
        "name = \"Ethernet49\"",
        "name = \"\"",
        "key `device.port.name`: a port name cannot be empty",
    ),
    (
        'L',
        "name = \"Ethernet49\"",
        "name = \"Ethernet49\"\ndescription = \"uplink\\rreload\"",
        "key `device.port.description`",
    ),
    (
        'L',
        "model = \"DCS-7048T-A\"",
        "model = \"DCS\\u0007\"",
        "key `device.model`",
    ),
    (
        'L',
        "length_m = 0.5",
        "length_m = -0.5",
        "key `device.port.cable.length_m`: -0.5 is out of range",
    ),
    (
        'L',
        "baud = 9600 }",
        "baud = 0 }",
        "key `device.serial.baud`: 0 is out of range: a baud rate",
    ),
    (
        'L',
        "baud = 9600 }",
        "baud = 9600, data_bits = 9 }",
        "key `device.serial.data_bits`: 9 is out of range: use 5, 6, 7 or 8",
    ),
    (
        'L',
        "baud = 9600 }",
        "baud = 9600, stop_bits = 3 }",
        "key `device.serial.stop_bits`: 3 is out of range: use 1 or 2",
    ),
    (
        'L',
        "port = 2202,",
        "port = 0,",
        "key `device.ssh.port`: 0 is out of range: a TCP port is 1 to 65535",
    ),
    (
        'L',
        "key_file = \"demo_ed25519\" }",
        "key_file = \"demo_ed25519\", password_env = \"\" }",
        "key `device.ssh.password_env`: \"\" is not an environment variable name",
    ),
    (
        'L',
        "key_file = \"demo_ed25519\" }",
        "key_file = \"no_such_key\" }",
        "key `device.ssh.key_file`: ",
    ),
    (
        'L',
        "key_file = \"demo_ed25519\" }",
        "key_file = \"demo_ed25519\", jump = \"admin@bastion:ssh\" }",
        "key `device.ssh.jump`: 'admin@bastion:ssh' has no port 1 to 65535",
    ),
    (
        'L',
        "key_file = \"demo_ed25519\" }",
        "key_file = \"demo_ed25519\", jump = \"@\" }",
        "key `device.ssh.jump`: '@' has an empty user",
    ),
    (
        'M',
        "name = \"demo\"",
        "name = \"../../tmp/x\"",
        "key `name`: '../../tmp/x' starts with '.'",
    ),
    (
        'M',
        "vlan = 10",
        "vlan = 0",
        "key `baseline.vlan`: 0 is out of range: a VLAN ID is 1 to 4094",
    ),
    (
        'M',
        "vlan = 10",
        "vlan = 5000",
        "key `baseline.vlan`: 5000 is out of range: a VLAN ID is 1 to 4094",
    ),
    (
        'M',
        "vlan_name = \"switchlab\"",
        "vlan_name = \"a b\\nreload\"",
        "key `baseline.vlan_name`: \"a b\\nreload\" holds the control character",
    ),
    (
        'M',
        "vlan_name = \"switchlab\"",
        "vlan_name = \"x\"\nvars = { banner = \"hi\\nreload\" }",
        "key `baseline.vars`",
    ),
    (
        'M',
        "streams = 4",
        "streams = 0",
        "key `throughput.streams`: 0 is out of range: streams",
    ),
    (
        'M',
        "name = \"server1-to-server2\"",
        "name = \"a/b\"",
        "key `throughput.name`: 'a/b' has '/'",
    ),
    (
        'M',
        "duration = \"2s\"",
        "duration = \"0s\"",
        "key `throughput.duration`: '0s' is zero",
    ),
    (
        'M',
        "interval = \"1s\"",
        "interval = \"0s\"",
        "key `flaps.interval`: '0s' is zero",
    ),
    (
        'M',
        "min_gbps = 0.3",
        "min_gbps = -1.0",
        "key `criteria.min_gbps`: -1 is out of range",
    ),
    (
        'M',
        "name = \"f10-s4810\"",
        "name = \"arista-7048\"",
        "key `device.name`: device 'arista-7048' is listed twice",
    ),
];

// Regression (hostile input): each of these passed `check`, and some reached a config or
// a path outside the run folder.
#[test]
fn hostile_values_are_refused_with_file_line_key_and_range() {
    let mut wrong = Vec::new();
    for (file, from, to, says) in HOSTILE {
        assert!(
            if *file == 'L' { LAB } else { MANIFEST }.contains(from),
            "{from}"
        );
        let (lab, manifest) = match file {
            'L' => (LAB.replacen(from, to, 1), MANIFEST.to_string()),
            _ => (LAB.to_string(), MANIFEST.replacen(from, to, 1)),
        };
        let name = if *file == 'L' {
            "lab.toml:"
        } else {
            "manifest.toml:"
        };
        let out = check(&lab, &manifest).code(1).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        let one = err.trim_end().lines().count() == 1;
        if !(err.starts_with(&format!("error: {name}")) && err.contains(says) && one) {
            wrong.push(format!("{to}: wanted {says:?} in:\n{err}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn count_and_interval_flags_refuse_zero() {
    cli(&[
        "push",
        "--lab",
        "lab.toml",
        "--manifest",
        "manifest.toml",
        "--jobs",
        "0",
    ])
    .code(2)
    .stderr(predicate::str::contains(
        "--jobs <JOBS>': 0 is out of range: give 1 or more",
    ));
    cli(&[
        "watch",
        "--lab",
        "lab.toml",
        "arista-7048",
        "--interval",
        "0s",
    ])
    .code(2)
    .stderr(predicate::str::contains("'0s' is zero"));
}

// Regression: bare "Is a directory (os error 21)", "Not a typewriter": every file error
// names the path and what was expected there.
#[test]
fn file_errors_name_the_path_and_what_was_expected() {
    let dir = lab_dir(LAB);
    std::fs::write(dir.path().join("manifest.toml"), MANIFEST).unwrap();
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    std::fs::write(dir.path().join("afile"), "").unwrap();
    std::fs::write(
        dir.path().join("tty.toml"),
        "[[device]]\nname = \"c\"\nvendor = \"cisco_ios\"\nserial = { port = \"afile\" }\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("switchlab")
            .unwrap()
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = run(&["check", "--lab", "adir", "--manifest", "manifest.toml"]);
    assert!(
        e.contains("adir: cannot read: ") && e.contains("a folder where a file was expected"),
        "{e}"
    );
    let e = run(&[
        "watch",
        "--lab",
        "lab.toml",
        "arista-7048",
        "--runs",
        "afile",
    ]);
    assert!(
        e.contains("run folder under afile: ") && e.contains("a file where a folder was expected"),
        "{e}"
    );
    let e = run(&["show", "--lab", "tty.toml", "c", "show version"]);
    assert!(e.contains("serial port afile: not a serial device"), "{e}");
    let e = run(&["--vendors", "afile", "vendors"]);
    assert!(
        e.contains("afile: cannot read: ") && e.contains("where a folder was expected"),
        "{e}"
    );
}
