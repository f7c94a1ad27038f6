//! Shapes of real output that broke the parse rules (no fixture had them), through the
//! library and the CLI.

/// Parse `text` with the built-in profile of `vendor`.
fn parse_text(vendor: &str, command: &str, text: &str) -> Vec<switchlab::parse::PortState> {
    let reg = switchlab::vendor::Registry::load(None, None).unwrap();
    match switchlab::parse::parse_output(reg.vendor(vendor).unwrap(), command, text).unwrap() {
        switchlab::parse::Parsed::Ports(p) => p,
        other => panic!("{other:?}"),
    }
}

// Regression (output no fixture had): an indented header was dropped and its counters
// merged into the previous port; ANSI escapes stayed in port names; a counter line a pager
// overwrote with a bare CR was lost.
#[test]
fn indented_headers_escapes_and_overwritten_lines_are_read_as_a_terminal_shows_them() {
    let text = "Ethernet1 is up, line protocol is up (connected)\n  3 link status changes since last clear\n \
                \x1b[1mEthernet2\x1b[0m is up, line protocol is up (connected)\n\
                 --More--\r          \r  7 link status changes since last clear\n";
    let p = parse_text("arista_eos", "show interfaces", text);
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.port.as_str(), p.link_changes))
        .collect();
    assert_eq!(got, [("Ethernet1", Some(3)), ("Ethernet2", Some(7))]);
}

// Regression: a description holding a status word read as the port's status.
#[test]
fn status_tables_are_read_by_their_header_columns() {
    let text = "Port      Name               Status       Vlan       Duplex  Speed Type\n\
                Gi0/1     disabled link      connected    10         a-full a-1000 10/100/1000BaseTX\n\
                Gi0/2     up to core         notconnect   1            auto   auto 10/100/1000BaseTX\n";
    let p = parse_text("cisco_ios", "show interfaces status", text);
    let got: Vec<_> = p
        .iter()
        .map(|p| {
            (
                p.port.as_str(),
                p.oper.map(|s| s.as_str()),
                p.description.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Gi0/1", Some("up"), Some("disabled link")),
            ("Gi0/2", Some("down"), Some("up to core"))
        ]
    );
    let arista = "Port       Name                   Status       Vlan        Duplex  Speed Type\n\
                  Et1        connected to nothing   notconnect   1           auto    auto  10GBASE-T\n";
    let p = parse_text("arista_eos", "show interfaces status", arista);
    assert_eq!(
        (p[0].oper.map(|s| s.as_str()), p[0].description.as_deref()),
        (Some("down"), Some("connected to nothing"))
    );
}

// Regression: text that held no port (another command's output, an empty file) parsed to
// an empty list and exit 0: nothing read looked like a clean switch.
#[test]
fn text_that_holds_no_port_is_refused_saying_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("version.txt");
    std::fs::write(
        &file,
        "Arista DCS-7048T-A\nSoftware image version: 4.20.15M\n",
    )
    .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args([
            "parse",
            "--vendor",
            "arista_eos",
            "--command",
            "show interfaces",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("version.txt: no port in it"), "{t}");
}

// Regression: a switch with copper ports only lists no module in `show inventory`; that
// output was refused as not being the command's. It is an empty list, exit 0.
#[test]
fn an_inventory_without_optics_is_an_empty_list_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inventory.txt");
    std::fs::write(
        &file,
        "NAME: \"1\", DESCR: \"48-port copper access switch\"\n\
         PID: XX-48T-L          , VID: V03  , SN: ABC0001\n",
    )
    .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args([
            "parse",
            "--vendor",
            "cisco_ios",
            "--command",
            "show inventory",
            "--json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!([]));
}
