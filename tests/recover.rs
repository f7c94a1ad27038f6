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
    let (sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet1@1s/600ms*3+1500ms")).await;
    let lab = ssh_device("sw", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
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
