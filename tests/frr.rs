//! FRRouting, a real network OS nobody here wrote, driven unchanged as a sixth vendor kept
//! as data (examples/vendors/frr.toml, examples/templates/frr): zebra runs in a network
//! namespace whose ports are veth links, behind a real OpenSSH sshd on loopback whose
//! `ForceCommand` is vtysh (its own config and keys, strict known_hosts). A pushed
//! `shutdown` takes the kernel link down; carrier flaps made by the test on the far end
//! of a veth are each counted by the watch. Needs root, frr and sshd; SKIPPED otherwise,
//! unless SWITCHLAB_REQUIRE_TOOLS says they must be there.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::frr::*;
use common::*;
use switchlab::format::manifest::FlapSource;
use switchlab::record::rows::{FlapRow, PortRow};
use switchlab::states::FlapEvent;

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

/// zebra's `Link ups` and `Link downs` of `port`.
fn zebra_counts(frr: &Frr, port: &str) -> (u64, u64) {
    let shown = frr.vtysh_says(&format!("show interface {port}"));
    let count = |label: &str| {
        let line = (shown.lines())
            .find_map(|l| l.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("no `{label}`: {shown}"));
        let n = line.split_whitespace().next().unwrap_or_default();
        n.parse::<u64>().unwrap_or_else(|_| panic!("{line}"))
    };
    (count("Link ups:"), count("Link downs:"))
}

/// Until zebra has taken in the kernel's last change of `port`: its link up again.
fn until_zebra_sees_up(frr: &Frr, port: &str) {
    let since = Instant::now();
    while !(frr.vtysh_says(&format!("show interface {port}")))
        .contains(&format!("Interface {port} is up, line protocol is up"))
    {
        assert!(since.elapsed() < Duration::from_secs(10), "{port} never up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// Carrier losses under 200 ms: zebra can miss one in `Link downs` that `Link ups` caught
// (VENDORS.md), so the watch proves flaps by whichever moved more.
#[tokio::test(flavor = "multi_thread")]
async fn short_carrier_losses_are_all_counted_as_the_kernel_counts_them() {
    let Some(b) = bench("frr short flaps") else {
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
    let running = run_until(&args(&watch), dir, "frr1: watching").await;
    let kernel_before = b.frr.carrier_changes("p1");
    let zebra_before = zebra_counts(&b.frr, "p1");
    // Six losses of 120 to 190 ms, the link up between for 30 to 300 ms.
    for (down, up) in [
        (150, 30),
        (180, 250),
        (120, 40),
        (190, 300),
        (160, 60),
        (170, 0),
    ] {
        b.frr.far_end("p1", false);
        std::thread::sleep(Duration::from_millis(down));
        b.frr.far_end("p1", true);
        std::thread::sleep(Duration::from_millis(up));
    }
    until_zebra_sees_up(&b.frr, "p1");
    let changes = b.frr.carrier_changes("p1") - kernel_before;
    let zebra = zebra_counts(&b.frr, "p1");
    // The watch's last poll, after Ctrl-C, reads the counters as they now stand.
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGINT).unwrap();
    let (out, err) = running.finish().await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    let folder = printed_folder(&out, dir);
    let flaps = read(&folder, "flaps.csv");
    let ports: Vec<PortRow> = common::rows(&read(&folder, "ports.csv"));
    let p1 = ports.iter().find(|p| p.port == "p1").unwrap();
    let said = format!(
        "kernel carrier_changes +{changes}; zebra Link ups +{}, Link downs +{}; watch {} flaps\n{flaps}",
        zebra.0 - zebra_before.0,
        zebra.1 - zebra_before.1,
        p1.flaps
    );
    eprintln!("{said}");
    assert_eq!(changes, 12, "{said}");
    assert_eq!(p1.flaps, changes / 2, "{said}");
    assert_eq!(counted(&flaps, "frr1", "p1"), changes / 2, "{said}");
}
