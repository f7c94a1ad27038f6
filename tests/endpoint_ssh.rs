//! Traffic engines on an endpoint over SSH, against a real OpenSSH sshd on loopback that the
//! test starts (its own config, host key and authorized key; key auth; strict known_hosts):
//! the built-in engine and iperf3 measure through it, the remote processes are gone after
//! Ctrl-C and after a dropped session, and a missing program is named with its host.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::sshd::{Sshd, client_key, sshd};
use common::*;

/// A lab: one Arista over SSH (simulated), Ethernet1 cabled to s1 (this machine, at
/// 127.0.0.71) and Ethernet2 to s2 (over SSH to sshd, at 127.0.0.72) whose switchlab is
/// `remote_bin`.
fn lab(arista: std::net::SocketAddr, sshd: &Sshd, remote_bin: &str, s2: &str) -> String {
    format!(
        "known_hosts = \"known_hosts\"\n{}{}[[endpoint]]\nname = \"s1\"\naddress = \"127.0.0.71\"\n[[endpoint]]\nname = \"s2\"\naddress = \"{s2}\"\nswitchlab = \"{remote_bin}\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"root\", key_file = \"client_key\" }}\n",
        ssh_device("arista", "arista_eos", arista, &[]),
        cabled(&[("Ethernet1", "s1"), ("Ethernet2", "s2")]),
        sshd.port
    )
}

fn manifest(engine: &str, duration: &str) -> String {
    format!(
        "name = \"remote\"\n[[device]]\nname = \"arista\"\n[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\nduration = \"{duration}\"\nstreams = 2\nengine = \"{engine}\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\nduration = \"1s\"\n[criteria]\nmin_gbps = 0.1\n"
    )
}

/// Processes whose command line holds `needle`.
fn running(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(needle) && !c.contains("sh -c"))
        .collect()
}

/// The processes below `root` (children, their children, …).
fn descendants(root: i32) -> Vec<i32> {
    let parent = |pid: i32| -> i32 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit(')')
            .next()
            .and_then(|s| s.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_string_lossy().parse::<i32>().ok())
        .filter(|&pid| {
            let mut p = parent(pid);
            while p > 1 {
                if p == root {
                    return true;
                }
                p = parent(p);
            }
            false
        })
        .collect()
}

/// Wait (a few seconds at most) until no process holds `needle`.
async fn gone(needle: &str) -> Vec<String> {
    for _ in 0..100 {
        if running(needle).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running(needle)
}

/// A folder with the client key, sshd, the simulated Arista and the lab.
async fn bench(
    remote_bin: &str,
    s2: &str,
) -> Option<(tempfile::TempDir, Sshd, switchlab_sim::Sim)> {
    let dir = tempfile::tempdir().unwrap();
    let key = client_key(dir.path());
    let sshd = sshd(dir.path(), &key, None, "endpoint_ssh")?;
    let (sim, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::write(
        dir.path().join("lab.toml"),
        lab(addr, &sshd, remote_bin, s2),
    )
    .unwrap();
    Some((dir, sshd, sim))
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("switchlab")
}

#[tokio::test(flavor = "multi_thread")]
async fn engines_on_an_endpoint_over_ssh_measure_through_the_switch() {
    let bin = binary().display().to_string();
    let Some((dir, _sshd, _sim)) = bench(&bin, "127.0.0.72").await else {
        return;
    };
    let mut engines = vec!["builtin"];
    if have_tool("iperf3", "iperf3 on an endpoint over SSH") {
        engines.push("iperf3");
    }
    for engine in engines {
        std::fs::write(dir.path().join("m.toml"), manifest(engine, "2s")).unwrap();
        let out = switchlab(&RUN, &ENV, dir.path()).await;
        let t = text(&out);
        assert!(out.status.success(), "{engine}: {t}");
        let run = run_json(&printed_folder(&out, dir.path()));
        let m = &run["throughput"][0];
        assert_eq!(
            (&m["outcome"], &m["engine"], &m["to_address"]),
            (&"measured".into(), &engine.into(), &"127.0.0.72".into()),
            "{run}"
        );
        assert!(m["received_gbps"].as_f64().unwrap() > 0.1, "{run}");
        // The preflight read s2's kernel over SSH, and measured the round trip.
        let s2 = run["preflight"]["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["endpoint"] == "s2")
            .unwrap_or_else(|| panic!("{run}"));
        let own = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_rmem").unwrap();
        let own_max: u64 = own.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(s2["tcp_rmem_max"].as_u64(), Some(own_max), "{run}");
        assert_eq!(s2["interfaces"][0]["address"], "127.0.0.72", "{run}");
        assert!(run["preflight"]["rtt_ms"][0][2].as_f64().is_some(), "{run}");
        assert!(
            gone("127.0.0.72").await.is_empty(),
            "{engine}: nothing left there"
        );
    }

    // The other way: the client runs over SSH, and the preflight's round trip is measured
    // there (`switchlab traffic rtt`).
    let reversed = manifest("builtin", "1s")
        .replace("from = \"s1\"", "from = \"x\"")
        .replace("to = \"s2\"", "to = \"s1\"")
        .replace("from = \"x\"", "from = \"s2\"");
    std::fs::write(dir.path().join("m.toml"), reversed).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let run = run_json(&printed_folder(&out, dir.path()));
    assert_eq!(run["throughput"][0]["outcome"], "measured", "{run}");
    assert!(run["preflight"]["rtt_ms"][0][2].as_f64().is_some(), "{run}");

    // An address not on the host: what iperf3 said there, with the host and the command.
    if have_tool("iperf3", "an address not on an endpoint over SSH") {
        let lab_text = std::fs::read_to_string(dir.path().join("lab.toml")).unwrap();
        std::fs::write(
            dir.path().join("lab.toml"),
            lab_text.replace("\"127.0.0.72\"", "\"192.0.2.1\""),
        )
        .unwrap();
        std::fs::write(dir.path().join("m.toml"), manifest("iperf3", "1s")).unwrap();
        let out = switchlab(&RUN, &ENV, dir.path()).await;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(
            t.contains("endpoint 's2' (127.0.0.1:")
                && t.contains("`iperf3 -s -1 --forceflush -B 192.0.2.1")
                && t.contains("Cannot assign requested address"),
            "{t}"
        );
        std::fs::write(dir.path().join("lab.toml"), lab_text).unwrap();
    }

    // A program missing there is named with the host and the command.
    std::fs::write(
        dir.path().join("lab.toml"),
        std::fs::read_to_string(dir.path().join("lab.toml"))
            .unwrap()
            .replace(&bin, "/nonexistent/switchlab"),
    )
    .unwrap();
    std::fs::write(dir.path().join("m.toml"), manifest("builtin", "1s")).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("endpoint 's2' (127.0.0.1:")
            && t.contains("`/nonexistent/switchlab` is not installed there"),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_processes_end_with_ctrl_c_and_with_a_lost_session() {
    let bin = binary().display().to_string();
    let Some((dir, sshd, _sim)) = bench(&bin, "127.0.0.82").await else {
        return;
    };
    std::fs::write(dir.path().join("m.toml"), manifest("builtin", "60s")).unwrap();
    let (out, err) = interrupt_when(&RUN, dir.path(), "traffic t1").await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    assert!(
        gone("--bind 127.0.0.82").await.is_empty(),
        "the server over SSH ended"
    );

    // The session drops mid-test (sshd's session processes killed): the test says so, and
    // the remote server is gone with it.
    let child = spawn(&RUN, dir.path());
    while running("--bind 127.0.0.82").is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // As a dropped network would: this sshd's session processes go, its listener stays
    // (and other tests' sshd sessions are left alone).
    let listener = sshd.child.id() as i32;
    for pid in descendants(listener) {
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmd).starts_with("sshd: ") {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let run = run_json(&printed_folder(&out, dir.path()));
    assert_eq!(run["throughput"][0]["outcome"], "failed", "{run}");
    assert!(
        run["throughput"][0]["error"]
            .as_str()
            .unwrap()
            .contains("the SSH session was lost"),
        "{run}"
    );
    assert!(
        gone("--bind 127.0.0.82").await.is_empty(),
        "the server ended with its session"
    );
}
