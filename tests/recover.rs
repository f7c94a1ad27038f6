//! A watch killed with SIGKILL mid-run: `report` and `compare` read its folder as it is,
//! rebuilt in memory and marked unfinished; `switchlab recover` writes ports.csv,
//! summary.csv, run.json and report.html from what reached the disk, checked against the
//! simulator's truth; then the folder reads like any run.

mod common;

use common::*;
use switchlab::record::read::RunData;
use switchlab::states::{PortVerdict, RunOutcome};

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_watch_is_recovered_from_its_events_and_then_reads_like_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // Three long flaps on Ethernet1 from the watch's first read on; Ethernet2 steady.
    // Reached with a key file next to the lab (regression: the folder's copy of the lab
    // was checked again, and its key file is not in the folder).
    let key =
        russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
    key.write_openssh_file(
        dir.join("lab_ed25519"),
        russh::keys::ssh_key::LineEnding::LF,
    )
    .unwrap();
    let mut o = flapping("arista_eos", "Ethernet1@1s/600ms*3+1500ms");
    o.authorized_keys.push(key.public_key().clone());
    let (sim, addr) = ssh_sim(o).await;
    let lab = ssh_device("sw", "arista_eos", addr, &["Ethernet1", "Ethernet2"])
        .replace("password_env = \"T_PASS\"", "key_file = \"lab_ed25519\"");
    assert!(lab.contains("key_file"));
    std::fs::write(dir.join("lab.toml"), lab).unwrap();
    let args = watch_args("sw", "10m", "200ms", "counters,state", &["--runs", "runs"]);
    let mut running = run_until(&args, dir, "watching").await;
    for _ in 0..3 {
        running.wait_for("sw Ethernet1 down").await;
        running.wait_for("sw Ethernet1 up").await;
    }
    // Killed: no last poll, no results.
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGKILL).unwrap();
    let (out, _) = running.finish().await;
    assert_eq!(out.status.code(), None, "killed by a signal");
    let folder = the_run_folder(&dir.join("runs"));
    let f = folder.display().to_string();

    // Read as it is: rebuilt in memory for the report and compare, marked unfinished
    // with the time it stopped, the folder untouched.
    let elsewhere = dir.join("look.html");
    let look = elsewhere.display().to_string();
    let out = switchlab(&["report", &f, "--output", &look], &[], dir).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let page = std::fs::read_to_string(&elsewhere).unwrap();
    assert!(
        page.contains("incomplete") && page.contains("unfinished: the run stopped"),
        "{page}"
    );
    let out = switchlab(&["compare", &f], &[], dir).await;
    let t = text(&out);
    assert!(out.status.success() && t.contains("is unfinished"), "{t}");
    assert!(!folder.join("ports.csv").exists(), "nothing written");
    // Copied to another place (another machine): read the same, needing nothing outside.
    let moved = tempfile::tempdir().unwrap();
    let copy = moved.path().join("run");
    copy_folder(&folder, &copy);
    let c = copy.display().to_string();
    let out = switchlab(&["compare", &c], &[], moved.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = switchlab(&["report", &c], &[], moved.path()).await;
    assert!(out.status.success(), "{}", text(&out));

    let out = switchlab(&["recover", &f], &[], dir).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("report.html"), "{t}");
    let data = RunData::read(&folder).unwrap();
    assert_eq!(data.run.outcome, RunOutcome::Recovered);
    assert!(
        data.run.errors[0].contains("killed"),
        "{:?}",
        data.run.errors
    );
    let truth = sim
        .truth()
        .iter()
        .filter(|e| !e.up && e.port == "Ethernet1")
        .count();
    assert_eq!(truth, 3);
    let port = |name: &str| data.ports.iter().find(|p| p.port == name).unwrap().clone();
    let p1 = port("Ethernet1");
    let on_disk = format!(
        "{}\n{}",
        read(&folder, "flaps.csv"),
        read(&folder, "events.jsonl")
    );
    assert_eq!(
        (p1.flaps, p1.verdict),
        (truth as u64, PortVerdict::Fail),
        "{p1:?}\n{on_disk}"
    );
    let p2 = port("Ethernet2");
    assert_eq!(
        (p2.flaps, p2.verdict),
        (0, PortVerdict::Lost),
        "nothing passes: {p2:?}"
    );
    assert!(folder.join("report.html").exists());

    // Read like any run from here on; recovering twice is refused.
    let out = switchlab(&["compare", &f], &[], dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = switchlab(&["recover", &f], &[], dir).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("nothing to recover"), "{}", text(&out));
}

fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_folder(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Regression: recover judged by its own count against max_flaps 0, whatever the watch
/// was given: a `watch --max-flaps 5` killed after 3 flaps failed the port. Replayed
/// through the live run's timeline and judge, by the settings run.json took at the start,
/// a port within its limit is `lost`, and a watch that had reached its end is judged as the
/// live run judged it.
#[tokio::test(flavor = "multi_thread")]
async fn recover_judges_a_killed_watch_by_the_settings_and_path_of_the_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet1@1s/600ms*3+1500ms")).await;
    let lab = ssh_device("sw", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.join("lab.toml"), lab).unwrap();
    let extra = ["--runs", "runs", "--max-flaps", "5"];
    let args = watch_args("sw", "10m", "200ms", "counters,state", &extra);
    let mut running = run_until(&args, dir, "watching").await;
    for _ in 0..3 {
        running.wait_for("sw Ethernet1 down").await;
        running.wait_for("sw Ethernet1 up").await;
    }
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGKILL).unwrap();
    running.finish().await;
    let folder = the_run_folder(&dir.join("runs"));
    let f = folder.display().to_string();
    let out = switchlab(&["recover", &f], &[], dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let data = RunData::read(&folder).unwrap();
    assert_eq!(data.run.flaps.max_flaps_per_port, 5, "taken at the start");
    let p1 = data.ports.iter().find(|p| p.port == "Ethernet1").unwrap();
    assert_eq!((p1.flaps, p1.verdict), (3, PortVerdict::Lost), "{p1:?}");
    drop(sim);

    // A watch that ran to its end, its results then lost as a kill would lose them:
    // recover gives the ports the live run gave.
    let dir2 = tempfile::tempdir().unwrap();
    let dir2 = dir2.path();
    let (_sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet1@500ms/400ms*2+1200ms")).await;
    let lab = ssh_device("sw", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir2.join("lab.toml"), lab).unwrap();
    let extra = ["--runs", "runs", "--max-flaps", "1"];
    let args = watch_args("sw", "4s", "200ms", "counters,state", &extra);
    let out = switchlab(&args, &ENV, dir2).await;
    assert_eq!(out.status.code(), Some(3), "a port failed: {}", text(&out));
    let folder = the_run_folder(&dir2.join("runs"));
    let live = RunData::read(&folder).unwrap();
    let placeholder = serde_json::json!({
        "format_version": live.run.format_version,
        "outcome": "incomplete",
        "flaps": live.run.flaps,
    });
    std::fs::write(folder.join("run.json"), placeholder.to_string()).unwrap();
    std::fs::remove_file(folder.join("ports.csv")).unwrap();
    let f = folder.display().to_string();
    let out = switchlab(&["recover", &f], &[], dir2).await;
    assert!(out.status.success(), "{}", text(&out));
    let recovered = RunData::read(&folder).unwrap();
    let key = |d: &RunData| -> Vec<_> {
        d.ports
            .iter()
            .map(|p| (p.port.clone(), p.flaps, p.unseen_flaps, p.verdict))
            .collect()
    };
    assert_eq!(key(&recovered), key(&live));
    let p1 = live.ports.iter().find(|p| p.port == "Ethernet1").unwrap();
    assert_eq!((p1.flaps, p1.verdict), (2, PortVerdict::Fail), "{p1:?}");
}
