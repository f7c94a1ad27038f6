//! FRRouting, a real network OS nobody here wrote, driven unchanged as a sixth vendor kept
//! as data (examples/vendors/frr.toml, examples/templates/frr): zebra runs in a network
//! namespace whose ports are veth links, behind a real OpenSSH sshd on loopback whose
//! `ForceCommand` is vtysh (its own config and keys, strict known_hosts). A pushed
//! `shutdown` takes the kernel link down; carrier flaps made by the test on the far end
//! of a veth are each counted by the watch. Needs root, frr and sshd; SKIPPED otherwise,
//! unless SWITCHLAB_REQUIRE_TOOLS says they must be there.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::sshd::{Sshd, client_key, sshd};
use common::*;
use switchlab::format::manifest::FlapSource;
use switchlab::record::rows::{FlapRow, PortRow};
use switchlab::states::FlapEvent;

const ZEBRA: &str = "/usr/lib/frr/zebra";

/// zebra in a namespace of its own with ports p1 and p2, each a veth whose far end (far1,
/// far2) is in the same namespace; ended and removed when dropped.
struct Frr {
    ns: String,
    run: PathBuf,
}

impl Drop for Frr {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.run.join("zebra.pid"))
            && let Ok(pid) = pid.trim().parse::<i32>()
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = ip(&["netns", "del", &self.ns]);
    }
}

fn ip(args: &[&str]) -> std::process::Output {
    std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap()
}

/// Whether FRR can run here: root for namespaces, frr's zebra and vtysh installed.
fn can_run_frr(check: &str) -> bool {
    if !common::netns::may_make_namespaces(check) {
        return false;
    }
    if !Path::new(ZEBRA).exists() || !have_tool("vtysh", check) {
        assert!(
            std::env::var_os("SWITCHLAB_REQUIRE_TOOLS").is_none(),
            "FRRouting (package frr) is not installed, and SWITCHLAB_REQUIRE_TOOLS says it must be ({check})"
        );
        eprintln!(
            "SKIPPED {check}: FRRouting is not installed (apt-get install frr; .ci/run does)"
        );
        return false;
    }
    true
}

impl Frr {
    /// Start zebra in a fresh namespace, its sockets and config in `dir/frr`.
    fn start(dir: &Path, tag: &str) -> Frr {
        let ns = format!("swl-{tag}-frr");
        let run = dir.join("frr");
        std::fs::create_dir_all(&run).unwrap();
        // zebra runs as the frr user: it must reach and write its folder.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(run.join("zebra.conf"), "hostname frr1\n").unwrap();
        std::fs::write(run.join("vtysh.conf"), "").unwrap();
        let owned = std::process::Command::new("chown")
            .args(["-R", "frr:frr"])
            .arg(&run)
            .status()
            .unwrap();
        assert!(owned.success());
        let _ = ip(&["netns", "del", &ns]);
        let frr = Frr { ns, run };
        let ns = frr.ns.as_str();
        assert!(ip(&["netns", "add", ns]).status.success());
        for (p, far) in [("p1", "far1"), ("p2", "far2")] {
            let made = ip(&[
                "-n", ns, "link", "add", p, "type", "veth", "peer", "name", far,
            ]);
            assert!(made.status.success(), "{made:?}");
            for l in [p, far] {
                assert!(ip(&["-n", ns, "link", "set", l, "up"]).status.success());
            }
        }
        let d = frr.run.display().to_string();
        let started = std::process::Command::new("ip")
            .args(["netns", "exec", ns, ZEBRA, "-d", "-u", "frr", "-g", "frr"])
            .args([
                "-f",
                &format!("{d}/zebra.conf"),
                "-i",
                &format!("{d}/zebra.pid"),
            ])
            .args(["-z", &format!("{d}/zserv.api"), "--vty_socket", &d])
            .args(["--log", &format!("file:{d}/zebra.log")])
            .output()
            .unwrap();
        assert!(started.status.success(), "zebra: {started:?}");
        // zebra daemonizes before it listens: its vty socket says it is ready.
        let since = Instant::now();
        while !frr.run.join("zebra.vty").exists() {
            assert!(
                since.elapsed() < Duration::from_secs(10),
                "zebra made no vty socket in {d} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        frr
    }

    /// vtysh as the sshd runs it for every session.
    fn vtysh(&self) -> String {
        let d = self.run.display();
        format!("/usr/bin/vtysh --vty_socket {d} --config_dir {d}")
    }

    /// `ip -br link show PORT` in the namespace: its flags say whether it is up.
    fn link(&self, port: &str) -> String {
        let out = ip(&["-n", &self.ns, "-br", "link", "show", port]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The far end of `port`'s veth set down or up: the carrier of `port` follows.
    fn far_end(&self, port: &str, up: bool) {
        let far = port.replace('p', "far");
        let state = if up { "up" } else { "down" };
        assert!(
            ip(&["-n", &self.ns, "link", "set", &far, state])
                .status
                .success()
        );
    }
}

/// The bench: zebra, sshd in front of vtysh, a lab naming FRR's profile, templates.
struct Bench {
    dir: tempfile::TempDir,
    frr: Frr,
    _sshd: Sshd,
}

fn bench(check: &str) -> Option<Bench> {
    if !can_run_frr(check) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let frr = Frr::start(dir.path(), &common::netns::tag(check));
    let key = client_key(dir.path());
    let sshd = sshd(dir.path(), &key, Some(&frr.vtysh()), check)?;
    let lab = format!(
        "known_hosts = \"known_hosts\"\n[[device]]\nname = \"frr1\"\nvendor = \"frr\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"root\", key_file = \"client_key\" }}\n[[device.port]]\nname = \"p1\"\n[[device.port]]\nname = \"p2\"\n",
        sshd.port
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // The example templates, and two of the test's own: one that shuts p2, one that a
    // real vtysh rejects halfway.
    let templates = dir.path().join("templates/frr");
    std::fs::create_dir_all(&templates).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("examples/templates/frr/baseline.j2"),
        templates.join("baseline.j2"),
    )
    .unwrap();
    std::fs::write(
        templates.join("shut.j2"),
        "interface p2\n description parked by switchlab\n shutdown\n exit\n",
    )
    .unwrap();
    std::fs::write(
        templates.join("rejected.j2"),
        "interface p1\n description half\n switchport mode access\n no shutdown\n exit\n",
    )
    .unwrap();
    Some(Bench {
        dir,
        frr,
        _sshd: sshd,
    })
}

/// switchlab with FRR's profile and the bench's templates, as a user types it.
fn args<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let vendors: &'static str = Box::leak(format!("{repo}/examples/vendors").into_boxed_str());
    let mut a = vec!["--vendors", vendors, "--templates", "templates"];
    a.extend_from_slice(rest);
    a
}

fn manifest(dir: &Path, template: &str) {
    let m = format!(
        "name = \"frr\"\n[[device]]\nname = \"frr1\"\ntemplate = \"{template}\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\n"
    );
    std::fs::write(dir.join("m.toml"), m).unwrap();
}

const PUSH_FILES: [&str; 5] = ["push", "--lab", "lab.toml", "--manifest", "m.toml"];

#[tokio::test(flavor = "multi_thread")]
async fn frr_takes_a_pushed_baseline_its_shutdown_reaches_the_kernel_and_a_bad_line_stops_it() {
    let Some(b) = bench("frr push") else { return };
    let dir = b.dir.path();

    // What the baseline would change, read from FRR's own running config.
    manifest(dir, "baseline");
    let diff = [&PUSH_FILES[..], &["--diff"]].concat();
    let out = switchlab(&args(&diff), &[], dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("+interface p1") && t.contains("+ description "),
        "{t}"
    );
    let found = running_config(&b.frr);

    // The baseline: pushed, verified against FRR's running config, saved.
    let push = [&PUSH_FILES[..], &["--snapshots", "snap"]].concat();
    let out = switchlab(&args(&push), &[], dir).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("frr1") && t.contains("verified"), "{t}");
    // In place, it changes nothing more: the diff's model of the config is FRR's.
    let out = switchlab(&args(&diff), &[], dir).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let saved = std::fs::read_to_string(b.frr.run.join("zebra.conf")).unwrap();
    assert!(
        saved.contains("interface p1") && saved.contains(" description "),
        "write memory saved the baseline: {saved}"
    );

    // A pushed `shutdown` takes the kernel's link down, as the switch's own would.
    assert!(b.frr.link("p2").contains("UP"), "{}", b.frr.link("p2"));
    manifest(dir, "shut");
    let out = switchlab(&args(&PUSH_FILES), &[], dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let link = b.frr.link("p2");
    assert!(
        link.contains("DOWN") && !link.contains(",UP"),
        "p2 shut: {link}"
    );

    // A line the real vtysh rejects stops the push there, named with FRR's answer.
    manifest(dir, "rejected");
    let out = switchlab(&args(&PUSH_FILES), &[], dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("switchport mode access") && t.contains("% Unknown command"),
        "{t}"
    );
    // vtysh reads lines typed ahead in turn, each echoed after its prompt: the line sent
    // behind the refused one was answered, and taken.
    assert!(
        t.contains("line 4 had been typed ahead of its answer, and the device took all of them"),
        "{t}"
    );
    let running = running_config(&b.frr);
    assert!(
        running.contains(" description half"),
        "the lines before it went in: {running}"
    );

    // Everything since the first push undone: FRR's config is the one it was found with,
    // and p2's kernel link is up again.
    let restore = ["restore", "snap", "--lab", "lab.toml"];
    let out = switchlab(&args(&restore), &[], dir).await;
    let t = text(&out);
    assert!(
        out.status.success() && t.contains("1 of 1 devices restored"),
        "{t}"
    );
    assert_eq!(running_config(&b.frr), found, "{t}");
    assert!(b.frr.link("p2").contains(",UP"), "{}", b.frr.link("p2"));
}

/// FRR's running config as vtysh prints it, outside switchlab.
fn running_config(frr: &Frr) -> String {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} -c 'show running-config'", frr.vtysh()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn show_and_parse_read_frr_s_interfaces() {
    let Some(b) = bench("frr show and parse") else {
        return;
    };
    let dir = b.dir.path();
    let show = ["show", "--lab", "lab.toml", "frr1", "show interface"];
    let out = switchlab(&args(&show), &[], dir).await;
    let t = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        t.contains("Interface p1 is up") && t.contains("Link downs:"),
        "{t}"
    );
    std::fs::write(dir.join("show.txt"), &t).unwrap();
    let parse = [
        "parse",
        "--vendor",
        "frr",
        "--command",
        "show interface",
        "--json",
        "show.txt",
    ];
    let out = switchlab(&args(&parse), &[], dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let ports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p1 = (ports.as_array().unwrap().iter())
        .find(|p| p["port"] == "p1")
        .unwrap_or_else(|| panic!("{ports}"));
    assert_eq!(
        (
            &p1["admin"],
            &p1["oper"],
            &p1["link_downs"],
            &p1["speed_mbps"]
        ),
        (&"up".into(), &"up".into(), &0.into(), &10_000.into()),
        "{p1}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_carrier_flap_of_a_veth_is_counted_by_state_or_by_frr_s_counter() {
    let Some(b) = bench("frr flap watch") else {
        return;
    };
    let dir = b.dir.path();
    let watch = [
        "watch",
        "--lab",
        "lab.toml",
        "--duration",
        "10m",
        "--interval",
        "500ms",
        "--sources",
        "counters,state",
        "frr1",
    ];
    let mut running = run_until(&args(&watch), dir, "frr1: watching").await;
    // Two long downs, each held until the watch has said it (seen by state)...
    let mut downs = Vec::new();
    for _ in 0..2 {
        downs.push(SystemTime::now());
        b.frr.far_end("p1", false);
        running.wait_for("frr1 p1 down").await;
        b.frr.far_end("p1", true);
        running.wait_for("frr1 p1 up").await;
    }
    // ...then three of 20 ms inside one poll: only FRR's `Link downs` proves them.
    for _ in 0..3 {
        b.frr.far_end("p1", false);
        std::thread::sleep(Duration::from_millis(20));
        b.frr.far_end("p1", true);
        std::thread::sleep(Duration::from_millis(20));
    }
    running.wait_for("unseen flap(s)").await;
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGINT).unwrap();
    let (out, err) = running.finish().await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    let folder = printed_folder(&out, dir);
    let flaps = read(&folder, "flaps.csv");
    assert_eq!(counted(&flaps, "frr1", "p1"), 5, "{flaps}");
    assert_eq!(counted(&flaps, "frr1", "p2"), 0, "{flaps}");
    let rows: Vec<FlapRow> = rows(&flaps);
    let seen: Vec<&FlapRow> = (rows.iter())
        .filter(|r| r.port == "p1" && r.event == FlapEvent::Down)
        .filter(|r| r.sources.0.contains(&FlapSource::State))
        .collect();
    assert!(seen.len() >= 2, "{flaps}");
    // Those seen by state are timed within a poll interval (and a command) of the change.
    for (row, at) in seen.iter().zip(&downs) {
        let late = ms(&row.time) - unix_ms(*at);
        assert!((-50..=1000).contains(&late), "{late} ms: {row:?}");
    }
    let unseen: u64 = (rows.iter())
        .filter(|r| r.port == "p1" && r.event == FlapEvent::Unseen)
        .inspect(|r| assert!(r.sources.0.contains(&FlapSource::Counters), "{r:?}"))
        .map(|r| r.flaps)
        .sum();
    assert_eq!(unseen + seen.len() as u64, 5, "{flaps}");
    // The three short flaps fell within 10 s: the worst burst counts them, unseen or not.
    let ports: Vec<PortRow> = common::rows(&read(&folder, "ports.csv"));
    let p1 = ports.iter().find(|p| p.port == "p1").unwrap();
    assert!(p1.worst_burst_10s >= 3, "{p1:?}");
    assert_eq!((p1.flaps, p1.unseen_flaps), (5, unseen), "{p1:?}");
}
