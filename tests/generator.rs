//! The RFC 2544 generator's paths: whole frames through a PACKET_MMAP ring where the
//! sender may open one (root), UDP datagrams otherwise, each report saying which path ran
//! and why not the faster one. Over a bare veth pair between two network namespaces the
//! test makes (198.18.0.0/15, reached only from inside them); needs root for that, and
//! says why it skips without.

mod common;

use std::time::Duration;

use common::netns::*;
use common::*;

/// Two namespaces joined by a veth pair, removed when dropped.
struct Pair {
    a: String,
    b: String,
}

impl Pair {
    fn new(t: &str, net: u8) -> Pair {
        let (a, b) = (format!("swl-{t}-a"), format!("swl-{t}-b"));
        let ip = |args: &[&str]| {
            let out = std::process::Command::new("ip")
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "ip {args:?}: {}", text(&out));
        };
        ip(&["netns", "add", &a]);
        ip(&["netns", "add", &b]);
        ip(&[
            "-n", &a, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", &b,
        ]);
        ip(&[
            "-n",
            &a,
            "addr",
            "add",
            &format!("198.18.{net}.1/24"),
            "dev",
            "eth1",
        ]);
        ip(&[
            "-n",
            &b,
            "addr",
            "add",
            &format!("198.18.{net}.2/24"),
            "dev",
            "eth1",
        ]);
        for n in [&a, &b] {
            ip(&["-n", n, "link", "set", "eth1", "up"]);
            ip(&["-n", n, "link", "set", "lo", "up"]);
        }
        Pair { a, b }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for n in [&self.a, &self.b] {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", n])
                .output();
        }
    }
}

/// `traffic blast --json` from namespace `ns` with `args`: its report.
async fn blast(ns: &str, args: &[&str]) -> serde_json::Value {
    let all = [&["traffic", "blast"][..], args, &["--json"]].concat();
    let out = in_ns(ns, &all, Duration::from_secs(30)).await;
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ring_path_sends_every_frame_at_its_rate_and_each_report_names_its_path() {
    if !may_make_namespaces("the generator's ring path") {
        return;
    }
    let pair = Pair::new(&tag("ring"), 34);
    let (_sink, udp, control) = frame_sink(&pair.b, "198.18.34.2").await;
    let (udp, control) = (udp.as_str(), control.as_str());
    let trial = |path: &'static str, fps: &'static str| {
        let from = [
            "--control",
            control,
            "--from",
            "198.18.34.1",
            "--frame-size",
            "64",
        ];
        let rest = [
            "--fps",
            fps,
            "--duration",
            "1s",
            "--drain",
            "300ms",
            "--frame-path",
            path,
        ];
        [&[udp][..], &from[..], &rest[..]].concat()
    };

    for path in ["ring", "auto"] {
        let r = blast(&pair.a, &trial(path, "50000")).await;
        assert_eq!(r["path"], "ring", "{path}: {r}");
        let (sent, got) = (
            r["sent"].as_u64().unwrap(),
            r["count"]["received"].as_u64().unwrap(),
        );
        assert_eq!(got, sent, "every frame through the veth: {r}");
        // Paced within 1 % of 50,000 frames/s, counting what it owed and did not send when
        // this loaded machine kept its thread from its core (it never sends a burst).
        let (seconds, behind) = (
            r["seconds"].as_f64().unwrap(),
            r["behind"].as_u64().unwrap(),
        );
        let paced = (sent + behind) as f64 / seconds;
        assert!(
            (paced - 50_000.0).abs() < 500.0,
            "within 1 % of 50,000 frames/s: {r}"
        );
        assert_eq!(r["count"]["latency"]["kernel_stamped"], true, "{r}");
    }
    let r = blast(&pair.a, &trial("udp", "50000")).await;
    assert_eq!(
        (r["path"].as_str(), r["path_why"].as_str()),
        (Some("udp"), Some("--frame-path udp")),
        "{r}"
    );
    // The ceiling is measured on the path trials take.
    let r = blast(
        &pair.a,
        &["--loopback", "--frame-size", "64", "--duration", "300ms"],
    )
    .await;
    assert_eq!(r["path"], "ring", "{r}");
    assert!(r["sent_fps"].as_f64().unwrap() > 50_000.0, "{r}");
}

// Without CAP_NET_RAW the ring cannot open: the UDP path runs and the report says why.
#[tokio::test(flavor = "multi_thread")]
async fn without_the_privilege_for_a_ring_the_udp_path_runs_and_says_why() {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let mut cmd = match root {
        true => {
            if !have_tool("setpriv", "the generator without privileges") {
                return;
            }
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
            c.arg(assert_cmd::cargo::cargo_bin("switchlab"));
            c
        }
        false => std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab")),
    };
    cmd.args([
        "traffic",
        "blast",
        "--loopback",
        "--frame-size",
        "64",
        "--duration",
        "200ms",
        "--json",
    ]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["path"], "udp", "{r}");
    let why = r["path_why"].as_str().unwrap_or_default();
    assert!(why.contains("CAP_NET_RAW"), "{r}");
}
