//! `switchlab run` against simulators: per device one session, the flap watch running from
//! before the push to the end, so a flap in the middle of a config push is counted — on
//! SSH and on a serial console — and the run folder holds what DESIGN.md lists.

mod common;

use std::time::Duration;

use common::*;
use nix::sys::signal::Signal;
use switchlab::format::manifest::FlapSource;
use switchlab::record::rows::FlapRow;
use switchlab::states::{FlapEvent, PortVerdict};
use switchlab_sim::Sim;
use switchlab_sim::link::Flap;

/// Flap `port` for 60 ms the moment the device is sent the config line `at` (the push
/// has begun; later lines, the save and the verify are still to come).
fn flap_mid_push(sim: &Sim, at: &str, port: &str) {
    sim.device.lock().unwrap().flap_on_command.push((
        at.into(),
        Flap {
            port: port.into(),
            at: Duration::ZERO,
            down: Duration::from_millis(60),
        },
    ));
}

const MANIFEST: &str = "name = \"mid-push\"\n[baseline]\nlogging_host = \"127.0.0.1\"\n[[device]]\nname = \"cisco\"\n[[device]]\nname = \"arista\"\n[flaps]\ninterval = \"500ms\"\nduration = \"2s\"\nsyslog_listen = \"127.0.0.1:0\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_flap_in_the_middle_of_a_push_is_counted_on_ssh_and_on_a_console() {
    let dir = tempfile::tempdir().unwrap();
    let (cisco, link) = console_sim(no_login(options("cisco_ios")), dir.path(), "cisco").await;
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    // Triggered at the first port's section: the rest of the config, the save and the verify
    // are still to come, so the flap lands well inside the push.
    flap_mid_push(&cisco, "interface GigabitEthernet0/1", "GigabitEthernet0/2");
    flap_mid_push(&arista, "interface Ethernet1", "Ethernet2");
    let lab = format!(
        "{}{}[[endpoint]]\nname = \"s1\"\naddress = \"10.0.0.1\"\n[[endpoint]]\nname = \"s2\"\naddress = \"10.0.0.2\"\n",
        serial_device(
            "cisco",
            "cisco_ios",
            &link,
            false,
            &["GigabitEthernet0/1", "GigabitEthernet0/2"]
        ),
        ssh_device("arista", "arista_eos", addr, &["Ethernet1", "Ethernet2"]),
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    std::fs::write(dir.path().join("m.toml"), MANIFEST).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "done, and a port failed: {t}");
    let folder = printed_folder(&out, dir.path());
    assert!(
        folder.starts_with(dir.path().join("runs"))
            && folder.to_string_lossy().ends_with("-mid-push"),
        "the run folder is printed last: {t}"
    );

    // Each device's flap during its push: counted once, against the ground truth.
    let flaps = read(&folder, "flaps.csv");
    for (device, port, sim) in [
        ("cisco", "GigabitEthernet0/2", &cisco),
        ("arista", "Ethernet2", &arista),
    ] {
        let truth: Vec<_> = sim.truth().into_iter().filter(|e| !e.up).collect();
        assert_eq!(truth.len(), 1, "{device}: one injected flap");
        let rows: Vec<FlapRow> = rows::<FlapRow>(&flaps)
            .into_iter()
            .filter(|r| r.device == device && r.port == port)
            .collect();
        assert_eq!(
            counted(&flaps, device, port),
            1,
            "{device}: the mid-push flap once:\n{flaps}\n{t}"
        );
        if device == "cisco" {
            // The console line the push met keeps its arrival time.
            let down = rows.iter().find(|r| r.event == FlapEvent::Down).unwrap();
            assert!(down.sources.0.contains(&FlapSource::Console), "{flaps}");
            let off = (ms(&down.time) - unix_ms(truth[0].time)).abs();
            assert!(off <= 100, "console time {off} ms off the ground truth");
        }
    }
    // The flaps did land inside the pushes (as each push's own start and end say: the
    // run's start plus the push's seconds misplaced the end on a loaded machine).
    let run = run_json(&folder);
    for (i, sim) in [&cisco, &arista].into_iter().enumerate() {
        let dev = &run["devices"][i];
        let started = ms(dev["push_started"].as_str().unwrap());
        let ended = ms(dev["push_ended"].as_str().unwrap());
        let down = unix_ms(sim.truth()[0].time);
        assert!(
            started <= down && down <= ended,
            "flap at {down}, push {started}..{ended}: {run}"
        );
    }
    let ports = read(&folder, "ports.csv");
    assert_port(&ports, "arista", "Ethernet2", Some(1), PortVerdict::Fail);
    assert_port(&ports, "arista", "Ethernet1", Some(0), PortVerdict::Pass);

    // The folder: inputs as run, rendered configs naming the receiver's port, redacted
    // transcripts, and a run.json that says the run completed.
    for f in ["manifest.toml", "lab.toml", "ports.csv", "run.json"] {
        assert!(folder.join(f).exists(), "{f} missing");
    }
    let port = t
        .split("syslog receiver on udp 127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("the receiver's address is printed: {t}"));
    let cfg = read(&folder, "configs/arista.cfg");
    assert!(
        cfg.contains(&format!("logging host 127.0.0.1 {port}\n")),
        "{cfg}"
    );
    let cfg = read(&folder, "configs/cisco.cfg");
    assert!(
        cfg.contains(&format!(
            "logging host 127.0.0.1 transport udp port {port}\n"
        )),
        "{cfg}"
    );
    for d in ["cisco", "arista"] {
        let log = read(&folder, &format!("transcripts/{d}.log"));
        assert!(
            log.contains("interface"),
            "{d}: the push is in the transcript"
        );
        assert!(!log.contains("enablepw"), "{d}: the enable secret leaked");
    }
    assert_eq!(run["outcome"], "complete", "{run}");
    assert_eq!(run["devices"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_line_fails_that_device_only_and_the_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, addr_a) = ssh_sim(options("arista_eos")).await;
    let (_b, addr_b) = ssh_sim(options("arista_eos")).await;
    let lab = format!(
        "{}{}",
        ssh_device("good", "arista_eos", addr_a, &["Ethernet1"]),
        ssh_device("bad", "arista_eos", addr_b, &["Ethernet1"])
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // The bad device gets a template with a line EOS refuses.
    std::fs::create_dir_all(dir.path().join("tpl/arista_eos")).unwrap();
    std::fs::write(
        dir.path().join("tpl/arista_eos/broken.j2"),
        "hostname {{ device.hostname }}\nswitchport frobnicate\n",
    )
    .unwrap();
    let manifest = "name = \"one-bad\"\n[[device]]\nname = \"good\"\n[[device]]\nname = \"bad\"\ntemplate = \"broken\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"300ms\"\nduration = \"600ms\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let args = [&RUN[..], &["--templates", "tpl"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("config line 2 rejected: `switchport frobnicate`"),
        "{t}"
    );
    let folder = printed_folder(&out, dir.path());
    let run = run_json(&folder);
    assert_eq!(run["outcome"], "errors", "{run}");
    let ports = read(&folder, "ports.csv");
    assert!(
        ports.lines().any(|l| l.starts_with("good,Ethernet1,0,")),
        "{ports}"
    );
    assert!(
        !ports.lines().any(|l| l.starts_with("bad,")),
        "a device whose baseline did not go in is not judged: {ports}"
    );
}

// Regression: a device lost after a good push showed `"ok": false` like a failed push,
// and its ports said `pass`.
#[tokio::test(flavor = "multi_thread")]
async fn a_device_lost_after_its_push_is_marked_pushed_then_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::write(
        dir.path().join("lab.toml"),
        ssh_device("a", "arista_eos", addr, &["Ethernet1"]),
    )
    .unwrap();
    let manifest = "name = \"lost\"\n[[device]]\nname = \"a\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"300ms\"\nduration = \"30s\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    // The switch goes away once its baseline is saved (its power cord pulled).
    tokio::spawn(async move {
        while sim.device.lock().unwrap().startup.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
        drop(sim);
    });
    let args = [&RUN[..], &["--timeout", "2s"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("FAILED a watch lost: "), "{t}");
    let folder = printed_folder(&out, dir.path());
    let run = run_json(&folder);
    let dev = &run["devices"][0];
    assert_eq!(dev["push"], "pushed", "{run}");
    assert_eq!(dev["watch"], "lost", "{run}");
    assert_eq!(run["outcome"], "errors", "{run}");
    assert_port(
        &read(&folder, "ports.csv"),
        "a",
        "Ethernet1",
        Some(0),
        PortVerdict::Lost,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_pushes_all_five_while_watching_and_names_the_short_dac() {
    let root = std::env::current_dir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let runs_arg = runs.path().display().to_string();
    let out = switchlab(&["demo", "--runs", &runs_arg, "--watch", "8s"], &[], &root).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("5 of 5 devices pushed and watched"), "{t}");
    for d in DEMO_DEVICES {
        assert!(t.contains(&format!("ok     {d}")), "{d}: {t}");
    }
    let folder = printed_folder(&out, &root);
    assert!(
        folder.starts_with(runs.path()),
        "the run folder is printed last: {t}"
    );
    // The bench's 0.5 m DAC to an Intel X520 flickers; its 3 m neighbour does not.
    let ports = read(&folder, "ports.csv");
    let dac = port_row(&ports, "arista-7048", "Ethernet49");
    assert_eq!(dac.verdict, PortVerdict::Fail, "{dac:?}");
    assert_eq!(
        dac.hint,
        "short SFP+ DAC: known to flicker, use 3 m or longer"
    );
    assert_port(
        &ports,
        "arista-7048",
        "Ethernet50",
        Some(0),
        PortVerdict::Pass,
    );
    // The demo ran as designed (exit 0), and says that a run of its bench exits 3.
    assert!(
        t.contains("`switchlab run` of this bench would exit 3"),
        "{t}"
    );
    // junit.xml: a test case per port; the DAC's is a failure carrying its hint.
    let xml = read(&folder, "junit.xml");
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    let cases: Vec<_> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    let dac = cases
        .iter()
        .find(|c| c.name.as_str() == "arista-7048 Ethernet49")
        .expect("a case for the DAC");
    match &dac.status {
        quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } => {
            assert_eq!(*kind, quick_junit::NonSuccessKind::Failure);
            let m = message.as_ref().map(|m| m.as_str()).unwrap_or("");
            assert!(m.contains("short SFP+ DAC"), "{m}");
        }
        other => panic!("the DAC's case passed: {other:?}\n{xml}"),
    }
    let passed = |name: &str| {
        cases.iter().any(|c| {
            c.name.as_str() == name
                && matches!(c.status, quick_junit::TestCaseStatus::Success { .. })
        })
    };
    assert!(passed("arista-7048 Ethernet50"), "{xml}");
    // The bench's throughput test ran (iperf3 between its two servers) while every port
    // was watched; without iperf3 the demo says it skipped it.
    let run = run_json(&folder);
    // Each device's software version, read with its profile's `commands.version_pattern`.
    let software: Vec<&str> = run["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["software"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        software,
        ["15.2(4)E10", "4.20.15M", "9.14(2.0)", "SPR08095", "6.6.1.4"],
        "{run}"
    );
    // With iperf3 where it is installed, else the built-in engine: the demo always runs its
    // traffic, once through each switch.
    let devices: Vec<&str> = run["throughput"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["outcome"], "measured", "{t}");
            t["device"].as_str().unwrap()
        })
        .collect();
    assert_eq!(devices, DEMO_DEVICES);
    let csv = read(&folder, "throughput.csv");
    assert!(
        csv.lines().any(|l| l.contains(
            ",server1-to-server2,arista-7048,server1,Ethernet49,server2,Ethernet50,received,"
        )),
        "{csv}"
    );
    // The configs point every switch at the run's own receiver, which heard the DAC.
    let flaps = read(&folder, "flaps.csv");
    assert!(
        rows::<FlapRow>(&flaps)
            .iter()
            .any(|r| r.device == "arista-7048"
                && r.port == "Ethernet49"
                && r.event == FlapEvent::Down
                && r.sources.0.contains(&FlapSource::Syslog)),
        "{flaps}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_ends_the_watch_of_a_run_early_and_still_writes_the_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    let o = flapping("arista_eos", "Ethernet1@100ms/50ms");
    let (_sim, addr) = ssh_sim(o).await;
    std::fs::write(
        dir.path().join("lab.toml"),
        ssh_device("a", "arista_eos", addr, &["Ethernet1"]),
    )
    .unwrap();
    let manifest = "name = \"long\"\n[[device]]\nname = \"a\"\n[flaps]\nsources = [\"counters\", \"state\", \"buffer\"]\ninterval = \"300ms\"\nduration = \"10m\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    // Regression: an interrupted run exited 0, and said `stopped`; SIGTERM killed it.
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        let (out, err) = signal_when(&RUN, dir.path(), "every push done", sig).await;
        assert_eq!(out.status.code(), Some(INTERRUPTED), "{sig}: {err}");
        assert!(err.contains("interrupted: a last poll"), "{err}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("interrupted: the watch ended early"),
            "{stdout}"
        );
        let folder = printed_folder(&out, dir.path());
        let run = run_json(&folder);
        assert_eq!(run["outcome"], "interrupted", "{sig}: {run}");
        let ports = read(&folder, "ports.csv");
        assert!(
            ports.lines().any(|l| l.starts_with("a,Ethernet1,")),
            "{ports}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_ends_a_watch_early_and_still_writes_the_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::write(
        dir.path().join("lab.toml"),
        ssh_device("a", "arista_eos", addr, &["Ethernet1"]),
    )
    .unwrap();
    let args = [
        "watch",
        "--lab",
        "lab.toml",
        "a",
        "--interval",
        "300ms",
        "--sources",
        "counters,state",
        "--accept-new-host-keys",
    ];
    let (out, err) = interrupt_when(&args, dir.path(), "Ctrl-C ends it early").await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("interrupted: the watch ended"), "{stdout}");
    let folder = printed_folder(&out, dir.path());
    let run = run_json(&folder);
    assert_eq!(run["outcome"], "interrupted", "{run}");
    // A watch keeps the session's transcript too, from the connect on.
    let transcript = read(&folder, "transcripts/a.log");
    assert!(
        transcript.contains("connecting to device 'a'"),
        "{transcript}"
    );
    let ports = read(&folder, "ports.csv");
    assert!(
        ports.lines().any(|l| l.starts_with("a,Ethernet1,0,")),
        "{ports}"
    );
}

// Two demo runs compared: one row per (run, device), the vendor, the short-DAC suspect and
// each device's own throughput, read back through the record types.
#[tokio::test(flavor = "multi_thread")]
async fn two_demo_runs_compare_side_by_side() {
    let root = std::env::current_dir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let runs_arg = runs.path().display().to_string();
    let mut folders = Vec::new();
    for _ in 0..2 {
        let out = switchlab(&["demo", "--runs", &runs_arg, "--watch", "4s"], &[], &root).await;
        assert!(out.status.success(), "{}", text(&out));
        folders.push(printed_folder(&out, &root));
    }
    for f in &folders {
        // Every file of the folder, read back through its record type.
        let data = switchlab::record::read::RunData::read(f).unwrap();
        assert_eq!(data.run.format_version, switchlab::record::FORMAT_VERSION);
        assert_eq!(
            data.run.outcome,
            switchlab::states::RunOutcome::Complete,
            "{:?}",
            data.run
        );
        assert_eq!(data.run.devices.len(), 5);
        assert_eq!(
            data.ports.len(),
            data.run.devices.len() * 2,
            "{:?}",
            data.ports
        );
        assert!(
            data.flaps
                .iter()
                .any(|r| r.port == "Ethernet49" && r.event == switchlab::states::FlapEvent::Down),
            "{:?}",
            data.flaps
        );
        assert!(!data.events.is_empty());
        let rows = &data.summary;
        assert_eq!(rows.len(), 5);
        let arista = rows.iter().find(|r| r.device == "arista-7048").unwrap();
        assert_eq!(
            (
                arista.vendor.as_str(),
                arista.software.as_str(),
                arista.verdict.as_str()
            ),
            ("arista_eos", "4.20.15M", "fail")
        );
        assert!(
            arista.suspects.starts_with("Ethernet49: short SFP+ DAC"),
            "{arista:?}"
        );
        // Each device's own figure, and the throughput.csv rows it came from.
        for r in rows {
            let g = r.gbit_s.unwrap_or(0.0);
            assert!(g > 0.0, "{r:?}");
            let received = data
                .throughput
                .iter()
                .find(|t| {
                    t.device == r.device && t.row == switchlab::states::ThroughputKind::Received
                })
                .unwrap();
            assert!((received.gbit_s - g).abs() < 0.002, "{received:?} {r:?}");
        }
        // The demo's RFC 2544 benchmark through every switch, where the data plane runs:
        // rfc2544.csv read back, and its no-drop rates in the summary.
        if common::netns::may_make_namespaces("the demo's RFC 2544 rows") {
            for r in rows {
                let own: Vec<_> = (data.rfc2544.iter())
                    .filter(|b| b.device == r.device)
                    .collect();
                assert!(own.len() >= 2, "{}: {:?}", r.device, data.rfc2544);
                assert!(r.no_drop_percent_smallest.is_some(), "{r:?}\n{own:#?}");
                assert!(r.latency_us_largest.is_some(), "{r:?}\n{own:#?}");
            }
        }
    }
    let (a, b) = (
        folders[0].display().to_string(),
        folders[1].display().to_string(),
    );
    let out = switchlab(&["compare", &a, &b], &[], &root).await;
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 10,
        "a header and 2 runs x 5 devices:\n{csv}"
    );
    assert!(
        lines[0].starts_with("run,device,vendor,")
            && lines[0].ends_with(",push_seconds_delta,no_drop_percent_smallest_delta,no_drop_percent_largest_delta,latency_us_largest_delta")
    );
    assert!(
        lines
            .iter()
            .filter(|l| l.contains(",arista-7048,arista_eos,"))
            .count()
            == 2,
        "{csv}"
    );
    // The RFC 2544 figures have deltas against the first run's, device by device.
    let out = switchlab(&["compare", "--json", &a, &b], &[], &root).await;
    assert!(out.status.success(), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second: Vec<&serde_json::Value> = doc["rows"].as_array().unwrap()[5..].iter().collect();
    for row in second {
        let measured = !row["no_drop_percent_smallest"].as_str().unwrap().is_empty();
        let delta = row["no_drop_percent_smallest_delta"].as_str().unwrap();
        assert_eq!(!delta.is_empty(), measured, "{row}");
        assert!(row.get("latency_us_largest_delta").is_some(), "{row}");
    }
    // A folder that is not a run, a damaged one, and one from before format_version are
    // each said so, naming the file.
    let out = switchlab(&["compare", &runs_arg], &[], &root).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not a run folder (no run.json)"),
        "{}",
        text(&out)
    );
    let ports = folders[1].join("ports.csv");
    let whole = std::fs::read_to_string(&ports).unwrap();
    std::fs::write(&ports, &whole[..whole.len() - 9]).unwrap();
    let out = switchlab(&["compare", &a, &b], &[], &root).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("ports.csv: row 10:"), "{}", text(&out));
    let run = folders[0].join("run.json");
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("format_version");
    std::fs::write(&run, old.to_string()).unwrap();
    let out = switchlab(&["compare", &a], &[], &root).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(
            "run.json: written by a switchlab from before run folders had a format_version"
        ),
        "{}",
        text(&out)
    );
    let out = switchlab(&["report", &a], &[], &root).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

// `rerun` repeats a run from its folder's copies, into a new folder, and says which of the
// bench's files changed since; a watch folder and a damaged one are refused by name.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_is_repeated_from_its_copies_and_changed_bench_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_arista, addr) = ssh_sim(options("arista_eos")).await;
    let lab = ssh_device("arista", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let manifest = "name = \"again\"\n[[device]]\nname = \"arista\"\n[flaps]\ninterval = \"300ms\"\nduration = \"600ms\"\nsources = [\"state\"]\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let first = printed_folder(&out, dir.path());
    let first_arg = first.display().to_string();

    // From elsewhere: the recorded folder is where the rerun starts from.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = switchlab(&["rerun", &first_arg], &ENV, elsewhere.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("rerun: the bench's files are the ones the run used"),
        "{t}"
    );
    let second = printed_folder(&out, dir.path());
    assert_ne!(second, first);
    assert_eq!(second.parent(), first.parent(), "beside the first: {t}");
    let (a, b) = (
        switchlab::record::read::RunData::read(&first).unwrap(),
        switchlab::record::read::RunData::read(&second).unwrap(),
    );
    assert_eq!(a.run.inputs, b.run.inputs, "the same inputs");
    assert_eq!(
        a.run.invocation, b.run.invocation,
        "a rerun records the run it repeats"
    );

    // The bench's manifest changes: the rerun says so, and still runs the copy.
    std::fs::write(
        dir.path().join("m.toml"),
        manifest.replace("600ms", "900ms"),
    )
    .unwrap();
    let out = switchlab(&["rerun", &first_arg], &ENV, elsewhere.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("the bench's files differ from what the run used: manifest ("),
        "{t}"
    );
    let third = printed_folder(&out, dir.path());
    assert_eq!(
        std::fs::read_to_string(third.join("manifest.toml")).unwrap(),
        manifest,
        "the run's copy, not the changed file"
    );

    // Refusals that name what is wrong.
    std::fs::remove_file(first.join("summary.csv")).unwrap();
    let out = switchlab(&["rerun", &first_arg], &ENV, elsewhere.path()).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("summary.csv: cannot read"),
        "{}",
        text(&out)
    );
}

// Progress bars per push and per test on a terminal; none when the output is piped.
#[tokio::test(flavor = "multi_thread")]
async fn progress_bars_show_on_a_terminal_and_never_in_a_pipe() {
    let root = std::env::current_dir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let runs_arg = runs.path().display().to_string();
    let args = ["demo", "--runs", &runs_arg, "--watch", "2s"];
    let piped = switchlab(&args, &[], &root).await;
    assert!(piped.status.success(), "{}", text(&piped));
    assert!(
        !text(&piped).contains('\u{2588}'),
        "no bar glyphs in a pipe: {}",
        text(&piped)
    );

    let (status, bytes) = common::pty::on_pty(&args, &root, None, &[("COLUMNS", "120")]).await;
    let seen = String::from_utf8_lossy(&bytes).into_owned();
    assert!(status.success(), "{seen}");
    let bar = regex::Regex::new(r"push +\S+ +\[[^\]]*\] +\d+/\d+ lines").unwrap();
    assert!(bar.is_match(&seen), "a push bar: {seen}");
    let test = regex::Regex::new(r"traffic server1-to-server2 \S+ +\[[^\]]*\] +\d+/\d+ s").unwrap();
    assert!(test.is_match(&seen), "a test bar: {seen}");
}

// A demo's folder is rerun with the bench started again, from the folder's copies.
#[tokio::test(flavor = "multi_thread")]
async fn a_demo_folder_is_rerun_with_its_bench() {
    let root = std::env::current_dir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let runs_arg = runs.path().display().to_string();
    let out = switchlab(&["demo", "--runs", &runs_arg, "--watch", "2s"], &[], &root).await;
    assert!(out.status.success(), "{}", text(&out));
    let first = printed_folder(&out, &root);
    let first_arg = first.display().to_string();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = switchlab(&["rerun", &first_arg], &[], elsewhere.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("rerun: the bench's files are the ones the run used"),
        "{t}"
    );
    assert!(t.contains("5 of 5 devices pushed and watched"), "{t}");
    let second = printed_folder(&out, &root);
    assert_eq!(second.parent(), first.parent(), "{t}");
    let (a, b) = (
        switchlab::record::read::RunData::read(&first).unwrap(),
        switchlab::record::read::RunData::read(&second).unwrap(),
    );
    assert_eq!(a.run.inputs, b.run.inputs);
    assert_eq!(b.summary.len(), 5);
}

// Regression: the demo read examples/demo/ from the working folder, so it failed anywhere
// but the repository's root (and after `cargo install`).
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_from_any_folder_and_so_does_a_copy_of_its_bench_the_user_edits() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchlab(
        &["demo", "--watch", "2s", "--runs", "runs"],
        &[],
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("5 of 5 devices pushed and watched"), "{t}");
    let out = switchlab(&["demo", "--export-bench", "bench"], &[], dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let manifest = dir.path().join("bench/manifest.toml");
    let edited = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("name = \"demo\"", "name = \"edited\"");
    std::fs::write(&manifest, edited).unwrap();
    let args = [
        "demo", "--bench", "bench", "--watch", "2s", "--runs", "runs",
    ];
    let out = switchlab(&args, &[], dir.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let folder = printed_folder(&out, dir.path());
    assert!(folder.display().to_string().ends_with("-edited"), "{t}");
    // The copy's devices keep their max_fps, forwarding and latency_us: its benchmark
    // runs through each of them, where the data plane does.
    if common::netns::may_make_namespaces("the edited bench's RFC 2544 rows") {
        let data = switchlab::record::read::RunData::read(&folder).unwrap();
        for d in DEMO_DEVICES {
            let rows = data.rfc2544.iter().filter(|r| r.device == d).count();
            assert!(rows >= 2, "{d}: {:?}", data.rfc2544);
        }
    }
}
