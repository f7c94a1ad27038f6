//! Consoles through a console server, end to end against the simulators' console-server
//! front ends: reverse telnet (with option negotiation) and raw TCP, a console someone left
//! in config mode, one in the initial-configuration dialog, the flap watch on such a
//! console, an SSH console server that picks the port by user name, and a real ser2net
//! (telnet with RFC 2217, and raw TCP) in front of a simulator's pty console.

mod common;

use std::net::SocketAddr;
use std::path::Path;

use common::*;
use switchlab_sim::Sim;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A lab of one device `name` reached through `console`.
fn lab(name: &str, vendor: &str, console: &str, ports: &[&str]) -> String {
    let mut s = format!(
        "[[device]]\nname = \"{name}\"\nvendor = \"{vendor}\"\nsecret_env = \"T_SECRET\"\nconsole = {{ {console} }}\n"
    );
    for p in ports {
        s.push_str(&format!("[[device.port]]\nname = \"{p}\"\n"));
    }
    s
}

/// Start `sim`'s console on a TCP port: telnet or raw.
async fn console_port(sim: &mut Sim, telnet: bool) -> SocketAddr {
    sim.listen_console_tcp("127.0.0.1:0".parse().unwrap(), telnet)
        .await
        .unwrap()
}

/// Push the baseline to `sw`, a `vendor` with `ports` reached through `console`, keeping its
/// transcript; the push must succeed. What switchlab said, and the transcript.
async fn push_through(
    dir: &Path,
    vendor: &str,
    console: &str,
    ports: &[&str],
    extra: &[&str],
) -> (String, String) {
    std::fs::write(dir.join("lab.toml"), lab("sw", vendor, console, ports)).unwrap();
    std::fs::write(dir.join("m.toml"), MANIFEST).unwrap();
    let args = [&PUSH[..], &["--transcripts", "t"], extra].concat();
    let out = switchlab(&args, &ENV, dir).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let transcript = std::fs::read_to_string(dir.join("t/sw.log")).unwrap();
    (t, transcript)
}

/// A login-less Cisco whose flap (`spec`) is timed from the watch's first poll (`show
/// interfaces`, which the push before it never types): a slow push cannot use it up.
fn watched_flap(spec: &str) -> switchlab_sim::SimOptions {
    let mut o = no_login(flapping("cisco_ios", spec));
    o.flaps_from = Some("show interfaces".into());
    o
}

/// `switchlab show` of `show version` on a Cisco whose pty console a real ser2net serves
/// by `protocol` (telnet with RFC 2217, or raw TCP).
async fn show_through_ser2net(protocol: &str) {
    let check = format!("a console through ser2net by {protocol}");
    let dir = tempfile::tempdir().unwrap();
    let (_sim, link) = console_sim(no_login(options("cisco_ios")), dir.path(), "sw").await;
    let tty = std::fs::canonicalize(&link).unwrap();
    let telnet = protocol == "telnet";
    let Some(s2n) = common::ser2net::ser2net(dir.path(), &tty, telnet, &check) else {
        return;
    };
    let console = format!(
        "host = \"127.0.0.1\", port = {}, protocol = \"{protocol}\"",
        s2n.port
    );
    let lab = lab("sw", "cisco_ios", &console, &["GigabitEthernet0/1"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let args = ["show", "--lab", "lab.toml", "sw", "show version"];
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    let log = std::fs::read_to_string(dir.path().join("ser2net.log")).unwrap_or_default();
    assert!(out.status.success(), "{t}\nser2net: {log}");
    assert!(t.contains("Cisco IOS Software"), "{t}");
    assert!(!t.contains('\u{ff}'), "no telnet bytes in the output: {t}");
    drop(s2n);
}

#[tokio::test(flavor = "multi_thread")]
async fn show_through_a_real_ser2net_by_telnet() {
    show_through_ser2net("telnet").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn show_through_a_real_ser2net_by_raw_tcp() {
    show_through_ser2net("raw").await;
}

const MANIFEST: &str = "name = \"cs\"\n[baseline]\nvlan = 10\n[[device]]\nname = \"sw\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_telnet_console_left_in_config_mode_is_pushed_and_watched() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::start(watched_flap("GigabitEthernet0/2@1500ms/200ms")).unwrap();
    let addr = console_port(&mut sim, true).await;
    // Someone was here before: enable, configure terminal, gone without a word.
    {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        for line in ["\r", "enable\r", "enablepw\r", "configure terminal\r"] {
            s.write_all(line.as_bytes()).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // (Telnet negotiation bytes and all: only the prompt matters here.)
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !String::from_utf8_lossy(&seen).contains("(config)#") {
            let mut buf = [0u8; 4096];
            let n = tokio::time::timeout_at(deadline, s.read(&mut buf))
                .await
                .expect("the console reached config mode")
                .unwrap();
            assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
    }
    let console = format!(
        "host = \"127.0.0.1\", port = {}, protocol = \"telnet\"",
        addr.port()
    );
    let ports = ["GigabitEthernet0/1", "GigabitEthernet0/2"];
    let (t, _) = push_through(
        dir.path(),
        "cisco_ios",
        &console,
        &ports,
        &["--timeout", "5s"],
    )
    .await;
    assert!(t.contains("lines pushed, verified, saved"), "{t}");

    // The flap watch on the same console: the injected flap, counted once.
    let args = watch_args("sw", "4s", "500ms", "counters,state,console", &[]);
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    let folder = printed_folder(&out, dir.path());
    let flaps = read(&folder, "flaps.csv");
    assert_eq!(
        counted(&flaps, "sw", "GigabitEthernet0/2"),
        1,
        "{flaps}\n{t}"
    );
    let truth: Vec<_> = sim.truth().into_iter().filter(|e| !e.up).collect();
    assert_eq!(truth.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_raw_console_in_the_initial_configuration_dialog_is_pushed_and_watched() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = watched_flap("GigabitEthernet0/1@1500ms/200ms");
    o.factory = true;
    let mut sim = Sim::start(o).unwrap();
    let addr = console_port(&mut sim, false).await;
    let console = format!(
        "host = \"127.0.0.1\", port = {}, protocol = \"raw\"",
        addr.port()
    );
    let ports = ["GigabitEthernet0/1"];
    let (_, transcript) = push_through(dir.path(), "cisco_ios", &console, &ports, &[]).await;
    assert!(
        transcript.contains("initial configuration dialog"),
        "the dialog was met and answered:\n{transcript}"
    );
    // The flap watch on the raw console: the injected flap, counted once.
    let args = watch_args("sw", "4s", "500ms", "counters,state,console", &[]);
    let out = switchlab(&args, &ENV, dir.path()).await;
    let folder = printed_folder(&out, dir.path());
    let flaps = read(&folder, "flaps.csv");
    assert_eq!(
        counted(&flaps, "sw", "GigabitEthernet0/1"),
        1,
        "{flaps}\n{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ssh_console_server_picks_the_port_by_user_name() {
    let dir = tempfile::tempdir().unwrap();
    // The simulator's SSH front end stands in for the console server: `admin:7001` gets
    // the switch's console, where the switch asks for its own login.
    let (_arista, addr) = ssh_sim(options("arista_eos")).await;
    let console = format!(
        "host = \"127.0.0.1\", port = {}, protocol = \"ssh\", user = \"admin:7001\", password_env = \"T_PASS\", login_user = \"admin\", login_password_env = \"T_PASS\"",
        addr.port()
    );
    let (_, transcript) =
        push_through(dir.path(), "arista_eos", &console, &["Ethernet1"], &[]).await;
    assert!(
        transcript.contains("login:"),
        "the console's own login:\n{transcript}"
    );
    assert!(!transcript.contains("admin\r\nadmin"), "{transcript}");
}
