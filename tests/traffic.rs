//! The traffic phase of `switchlab run`: real iperf3 on loopback while the flap watch goes
//! on over real SSH and a real pty console to simulators. A flap during traffic is counted
//! once, on time, and names the test it fell in; the watch lasts as long as the traffic; a test that cannot run
//! is reported without losing the devices' results; Ctrl-C ends the traffic with the watch.

mod common;

use std::time::Duration;

use common::*;
use switchlab::format::manifest::FlapSource;
use switchlab::record::rows::{FlapRow, ThroughputRow};
use switchlab::states::{FlapEvent, Judged, PortVerdict, ThroughputKind};
use switchlab_sim::Sim;

/// A lab of one Arista over SSH, Ethernet1 cabled to endpoint `s1` and Ethernet2 to `s2`,
/// both on this machine at the addresses given.
fn lab(addr: std::net::SocketAddr, s1: &str, s2: &str) -> String {
    format!(
        "{}{}[[endpoint]]\nname = \"s1\"\naddress = \"{s1}\"\n[[endpoint]]\nname = \"s2\"\naddress = \"{s2}\"\n",
        ssh_device("arista", "arista_eos", addr, &[]),
        cabled(&[("Ethernet1", "s1"), ("Ethernet2", "s2")]),
    )
}

/// A run of the Arista with one throughput test `test` (TOML lines) and a 1 s watch after
/// the push, so that without the traffic the watch would be long over.
fn manifest(test: &str) -> String {
    format!(
        "name = \"traffic\"\n[baseline]\nlogging_host = \"127.0.0.1\"\n[[device]]\nname = \"arista\"\n[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\n{test}\n[flaps]\ninterval = \"500ms\"\nduration = \"1s\"\nsyslog_listen = \"127.0.0.1:0\"\n[criteria]\nmin_gbps = 0.1\n"
    )
}

/// A folder with the lab of one simulated Arista (endpoint `s2` at `s2`) and a manifest
/// with the test `test`; the simulator runs until dropped.
async fn one_arista(s2: &str, test: &str) -> (tempfile::TempDir, Sim) {
    let dir = tempfile::tempdir().unwrap();
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::write(dir.path().join("lab.toml"), lab(addr, "127.0.0.1", s2)).unwrap();
    std::fs::write(dir.path().join("m.toml"), manifest(test)).unwrap();
    (dir, arista)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flap_during_traffic_is_counted_once_on_time_and_names_the_test() {
    flap_during_traffic("builtin").await;
    if have_tool(
        "iperf3",
        "a_flap_during_traffic_is_counted_once_on_time_and_names_the_test with iperf3",
    ) {
        flap_during_traffic("iperf3").await;
    }
}

/// A flap 1.5 s into the 4 s test (using `engine`) of a run.
async fn flap_during_traffic(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    let (cisco, link) = console_sim(no_login(options("cisco_ios")), dir.path(), "cisco").await;
    let ports = ["GigabitEthernet0/1", "GigabitEthernet0/2"];
    let lab_text = serial_device("cisco", "cisco_ios", &link, false, &ports)
        + &lab(addr, "127.0.0.1", "127.0.0.1");
    std::fs::write(dir.path().join("lab.toml"), lab_text).unwrap();
    let m = manifest(&format!(
        "duration = \"4s\"\nstreams = 2\nengine = \"{engine}\""
    ))
    .replace(
        "[[device]]\nname = \"arista\"\n",
        "[[device]]\nname = \"arista\"\n[[device]]\nname = \"cisco\"\n",
    );
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    // When the run says the test starts, both devices get a flap 1.5 s later: inside the
    // 4 s test, and past the 1 s watch the push alone would get.
    let running = run_until(&RUN, dir.path(), "traffic t1").await;
    for (sim, port) in [(&arista, "Ethernet2"), (&cisco, "GigabitEthernet0/2")] {
        sim.flap(
            port,
            Duration::from_millis(1500),
            Duration::from_millis(100),
        );
    }
    let (out, err) = running.finish().await;
    let t = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        out.status.code(),
        Some(3),
        "all done, the flapped ports fail: {t}"
    );
    let folder = printed_folder(&out, dir.path());
    let run = run_json(&folder);
    let test = &run["throughput"][0];
    assert_eq!(test["outcome"], "measured", "{run}");
    assert_eq!(test["engine"], engine, "{run}");
    assert_eq!(test["verdict"], "pass", "{run}");
    assert!(test["received_gbps"].as_f64().unwrap() > 0.1, "{run}");
    let (from, to) = (
        ms(test["started"].as_str().unwrap()),
        ms(test["ended"].as_str().unwrap()),
    );

    // Per device, the ground truth is one flap inside the test's time; switchlab counts it
    // once, by syslog (SSH) or the console line, within 100 ms. The test's traffic crossed
    // the Arista's Ethernet2 and not the Catalyst (no cabling of its ports), so only the
    // Arista's flap names it: the Catalyst's fell outside every measurement of its own.
    let flaps = read(&folder, "flaps.csv");
    assert!(
        flaps.starts_with("time,device,port,event,flaps,sources,window_from,window_to,traffic\n")
    );
    for (device, port, sim, source, tests) in [
        (
            "arista",
            "Ethernet2",
            &arista,
            FlapSource::Syslog,
            &["t1"][..],
        ),
        (
            "cisco",
            "GigabitEthernet0/2",
            &cisco,
            FlapSource::Console,
            &[][..],
        ),
    ] {
        let truth: Vec<_> = sim.truth().into_iter().filter(|e| !e.up).collect();
        assert_eq!(truth.len(), 1, "{device}");
        let down = unix_ms(truth[0].time);
        assert!(
            from < down && down < to,
            "{device}: flap {down}, test {from}..{to}"
        );
        let rows: Vec<FlapRow> = rows::<FlapRow>(&flaps)
            .into_iter()
            .filter(|r| r.device == device && r.port == port)
            .filter(|r| matches!(r.event, FlapEvent::Down | FlapEvent::Unseen))
            .collect();
        assert_eq!(rows.len(), 1, "{device}: {flaps}");
        let row = &rows[0];
        assert_eq!((row.event, row.flaps), (FlapEvent::Down, 1), "{flaps}");
        assert_eq!(row.tests().collect::<Vec<_>>(), tests, "{device}: {flaps}");
        assert!(row.sources.0.contains(&source), "{device}: {flaps}");
        let off = (ms(&row.time) - down).abs();
        println!("{device}: flap during traffic seen by {source}, {off} ms off the ground truth");
        assert!(off <= 100, "{device}: {off} ms off: {flaps}");
        let ports = read(&folder, "ports.csv");
        assert_port(&ports, device, port, Some(1), PortVerdict::Fail);
    }

    // throughput.csv: a row per second of the test, then the totals with the verdict.
    let csv = read(&folder, "throughput.csv");
    let rows: Vec<ThroughputRow> = rows::<ThroughputRow>(&csv);
    let intervals: Vec<_> = rows
        .iter()
        .filter(|r| r.row == ThroughputKind::Interval)
        .collect();
    assert!(intervals.len() >= 4, "{csv}");
    for r in &intervals {
        // test, the device crossed, and each end with the port it is cabled to
        let path = (
            &*r.test,
            &*r.device,
            &*r.from,
            &*r.from_port,
            &*r.to,
            &*r.to_port,
        );
        assert_eq!(
            path,
            ("t1", "arista", "s1", "Ethernet1", "s2", "Ethernet2"),
            "{csv}"
        );
        assert!(r.gbit_s > 0.0, "{csv}");
        let at = ms(&r.time);
        assert!(
            from <= at && at <= to + 100,
            "interval at {at}, test {from}..{to}: {csv}"
        );
    }
    let received = rows
        .iter()
        .find(|r| r.row == ThroughputKind::Received)
        .unwrap();
    assert_eq!(received.verdict, Some(Judged::Pass), "{csv}");
    assert!(t.contains("t1"), "the console names the test: {t}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_that_cannot_run_is_reported_and_the_device_is_still_pushed_and_watched() {
    if !have_tool(
        "iperf3",
        "a_test_that_cannot_run_is_reported_and_the_device_is_still_pushed_and_watched",
    ) {
        return;
    }
    // 192.0.2.1 (TEST-NET-1) is on no interface here: iperf3 cannot listen on it.
    let (dir, _arista) = one_arista("192.0.2.1", "duration = \"2s\"").await;
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let said = "endpoint 's2': cannot listen on its address 192.0.2.1";
    assert!(t.contains("FAILED traffic t1") && t.contains(said), "{t}");
    let folder = printed_folder(&out, dir.path());
    let run = run_json(&folder);
    assert_eq!(run["outcome"], "errors", "{run}");
    assert_eq!(run["throughput"][0]["outcome"], "failed", "{run}");
    assert!(run["errors"][0].as_str().unwrap().contains(said), "{run}");
    assert_eq!(run["devices"][0]["ok"], true, "{run}");
    let ports = read(&folder, "ports.csv");
    assert_port(&ports, "arista", "Ethernet1", Some(0), PortVerdict::Pass);
    assert_eq!(
        read(&folder, "throughput.csv").lines().count(),
        1,
        "header only"
    );
    // Its summary row does not pass a device whose test could not run.
    let summary = switchlab::record::summary::read(&folder.join("summary.csv")).unwrap();
    assert_eq!(
        (
            summary[0].verdict.as_str(),
            summary[0].gbit_s_by_test.as_str()
        ),
        ("error", "t1=failed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_window_is_refused_before_any_push_and_no_traffic_skips_the_tests() {
    let dir = tempfile::tempdir().unwrap();
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    for (lab_text, test, says) in [(
        lab(addr, "127.0.0.1", "127.0.0.1"),
        "window = \"4 MB\"",
        "window '4 MB' is not a size iperf3 takes",
    )] {
        std::fs::write(dir.path().join("lab.toml"), lab_text).unwrap();
        std::fs::write(dir.path().join("m.toml"), manifest(test)).unwrap();
        let out = switchlab(&RUN, &ENV, dir.path()).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{err}");
        assert!(
            err.contains("m.toml: throughput test 't1': ") && err.contains(says),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "one message: {err}");
        assert!(
            !dir.path().join("runs").exists(),
            "nothing run, no run folder"
        );
        // `check` refuses the same, touching no device.
        let check = ["check", "--lab", "lab.toml", "--manifest", "m.toml"];
        let out = switchlab(&check, &ENV, dir.path()).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "check: {err}");
    }
    assert!(
        arista.device.lock().unwrap().syslog_targets.is_empty(),
        "nothing pushed"
    );

    let mut args = RUN.to_vec();
    args.push("--no-traffic");
    let out = switchlab(&args, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let folder = printed_folder(&out, dir.path());
    assert_eq!(run_json(&folder)["throughput_planned"], 0);
    assert!(!folder.join("throughput.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_traffic_ends_the_test_and_the_watch_and_leaves_no_iperf3_behind() {
    if !have_tool(
        "iperf3",
        "ctrl_c_during_traffic_ends_the_test_and_the_watch_and_leaves_no_iperf3_behind",
    ) {
        return;
    }
    // An address of this test's own on loopback, to find its iperf3 processes by.
    let (dir, _arista) = one_arista("127.0.0.93", "duration = \"10m\"").await;
    // Regression: SIGTERM (systemd, `timeout`, CI runners) killed switchlab at once and
    // left iperf3 running; it is handled like Ctrl-C.
    for sig in [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGTERM,
    ] {
        let (out, err) = signal_when(&RUN, dir.path(), "traffic t1", sig).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(INTERRUPTED), "{sig}: {err}{stdout}");
        assert!(stdout.contains("interrupted traffic t1"), "{stdout}");
        let folder = printed_folder(&out, dir.path());
        let run = run_json(&folder);
        assert_eq!(run["outcome"], "interrupted", "{run}");
        assert_eq!(run["throughput"][0]["outcome"], "interrupted", "{run}");
        // A test cut short measured nothing: the device is not a pass.
        let summary = switchlab::record::summary::read(&folder.join("summary.csv")).unwrap();
        assert_eq!(
            summary[0].verdict,
            switchlab::states::DeviceVerdict::Unknown,
            "{sig}"
        );
        let left: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.starts_with("iperf3") && c.contains("127.0.0.93"))
            .collect();
        assert!(left.is_empty(), "{sig}: iperf3 left running: {left:?}");
    }
}

/// Two Aristas, each with Ethernet1 cabled to a NIC of s1 and Ethernet2 to a NIC of s2;
/// each NIC has an address of its own on loopback.
async fn two_switches(dir: &std::path::Path) -> (Sim, Sim) {
    let (a1, addr1) = ssh_sim(options("arista_eos")).await;
    let (a2, addr2) = ssh_sim(options("arista_eos")).await;
    let port = |p: &str, e: &str, nic: &str| {
        format!(
            "[[device.port]]\nname = \"{p}\"\npeer = {{ endpoint = \"{e}\", interface = \"{nic}\" }}\n"
        )
    };
    let endpoint = |e: &str, a: &str, b: &str| {
        format!(
            "[[endpoint]]\nname = \"{e}\"\naddress = \"127.0.0.1\"\n[[endpoint.interface]]\nname = \"eth1\"\naddress = \"{a}\"\n[[endpoint.interface]]\nname = \"eth2\"\naddress = \"{b}\"\n"
        )
    };
    let lab = [
        ssh_device("a1", "arista_eos", addr1, &[]),
        port("Ethernet1", "s1", "eth1"),
        port("Ethernet2", "s2", "eth1"),
        ssh_device("a2", "arista_eos", addr2, &[]),
        port("Ethernet1", "s1", "eth2"),
        port("Ethernet2", "s2", "eth2"),
        endpoint("s1", "127.0.0.51", "127.0.0.61"),
        endpoint("s2", "127.0.0.52", "127.0.0.62"),
        "[[endpoint]]\nname = \"s3\"\naddress = \"127.0.0.53\"\n".to_string(),
    ]
    .concat();
    std::fs::write(dir.join("lab.toml"), lab).unwrap();
    (a1, a2)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_is_measured_through_each_device_between_the_nics_cabled_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let _sims = two_switches(dir.path()).await;
    let m = "name = \"per-device\"\n[[device]]\nname = \"a1\"\n[[device]]\nname = \"a2\"\n[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\nduration = \"1s\"\nengine = \"builtin\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\nduration = \"1s\"\n[criteria]\nmin_gbps = 0.1\n";
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let run = run_json(&printed_folder(&out, dir.path()));
    let got: Vec<(String, String, String, String)> = run["throughput"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(
                (&m["outcome"], &m["verdict"]),
                (&"measured".into(), &"pass".into()),
                "{m}"
            );
            let s = |k: &str| m[k].as_str().unwrap().to_string();
            (
                s("device"),
                s("from_address"),
                s("to_address"),
                s("to_port"),
            )
        })
        .collect();
    let want = |d: &str, a: &str, b: &str| (d.into(), a.into(), b.into(), "Ethernet2".into());
    assert_eq!(
        got,
        [
            want("a1", "127.0.0.51", "127.0.0.52"),
            want("a2", "127.0.0.61", "127.0.0.62")
        ]
    );

    // A test no device under test can carry is an error of `check`, naming the cabling.
    let m = m.replace("to = \"s2\"", "to = \"s3\"");
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    let check = ["check", "--lab", "lab.toml", "--manifest", "m.toml"];
    let out = switchlab(&check, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("throughput test 't1': no device under test cables both 's1' and 's3'"),
        "{t}"
    );

    // An RFC 2544 benchmark between ends on loopback would measure this host's kernel,
    // not the switch: `check` (and `run`) refuse it, naming the device and the address.
    let m = "name = \"b\"\n[[device]]\nname = \"a1\"\n[[benchmark]]\nname = \"rfc\"\nfrom = \"s1\"\nto = \"s2\"\n";
    std::fs::write(dir.path().join("m.toml"), m).unwrap();
    let out = switchlab(&check, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("benchmark 'rfc' through a1: an end is on 127.0.0.51, so its frames would not leave the host"),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_udp_test_reports_loss_and_jitter_per_device() {
    let mut engines = vec!["builtin"];
    if have_tool("iperf3", "a UDP test with iperf3") {
        engines.push("iperf3");
    }
    for engine in engines {
        let udp = format!(
            "duration = \"1s\"\nprotocol = \"udp\"\nrate = \"200M\"\nengine = \"{engine}\""
        );
        let (dir, _arista) = one_arista("127.0.0.1", &udp).await;
        let out = switchlab(&RUN, &ENV, dir.path()).await;
        let t = text(&out);
        assert!(out.status.success(), "{engine}: {t}");
        assert!(t.contains("% lost, jitter "), "{t}");
        let folder = printed_folder(&out, dir.path());
        let run = run_json(&folder);
        let m = &run["throughput"][0];
        assert_eq!(
            (&m["protocol"], &m["device"]),
            (&"udp".into(), &"arista".into()),
            "{run}"
        );
        let lost = m["lost_percent"].as_f64().unwrap();
        assert!(
            (0.0..=100.0).contains(&lost) && m["jitter_ms"].as_f64().is_some(),
            "{run}"
        );
        assert!(m["packets"].as_u64().unwrap() > 100, "{run}");
        let received = m["received_gbps"].as_f64().unwrap();
        assert!(received <= 0.2 * 1.1, "paced at its rate: {received}");
        let csv = read(&folder, "throughput.csv");
        let row = csv.lines().find(|l| l.contains(",received,")).unwrap();
        assert!(
            row.split(',').nth(14).unwrap().parse::<f64>().is_ok(),
            "{csv}"
        );

        // A UDP test without a rate, or with one that is not a rate, is refused by check.
        let check = ["check", "--lab", "lab.toml", "--manifest", "m.toml"];
        for (bad, says) in [
            ("rate = \"200M\"\n", "UDP test 't1' needs a target `rate`"),
            ("rate = \"200M\"\n", "'fast' is not a rate"),
        ] {
            let text_m = std::fs::read_to_string(dir.path().join("m.toml")).unwrap();
            let edited = if says.contains("fast") {
                text_m.replace(bad, "rate = \"fast\"\n")
            } else {
                text_m.replace(bad, "")
            };
            std::fs::write(dir.path().join("m2.toml"), edited).unwrap();
            let args = [&check[..4], &["m2.toml"]].concat();
            let out = switchlab(&args, &ENV, dir.path()).await;
            assert!(text(&out).contains(says), "{}", text(&out));
        }
    }
}

// Rows are on disk as the test runs, not at its end: a crash mid-test keeps what was
// measured.
#[tokio::test(flavor = "multi_thread")]
async fn each_seconds_row_is_on_disk_while_the_test_still_runs() {
    let mut engines = vec!["builtin"];
    if have_tool("iperf3", "iperf3's rows as the test runs") {
        engines.push("iperf3");
    }
    for engine in engines {
        let test = format!("duration = \"4s\"\nengine = \"{engine}\"");
        let (dir, _arista) = one_arista("127.0.0.1", &test).await;
        let mut child = spawn(&RUN, dir.path());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let rows_mid_test = loop {
            assert!(
                std::time::Instant::now() < deadline,
                "{engine}: no interval row"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
            let Some(folder) = std::fs::read_dir(dir.path().join("runs"))
                .ok()
                .and_then(|mut d| d.next())
                .and_then(|e| e.ok())
                .map(|e| e.path())
            else {
                continue;
            };
            let csv = std::fs::read_to_string(folder.join("throughput.csv")).unwrap_or_default();
            if csv.contains(",interval,") {
                break csv;
            }
        };
        assert!(
            !rows_mid_test.contains(",received,"),
            "{engine}: the test was still running: {rows_mid_test}"
        );
        assert!(child.wait().unwrap().success(), "{engine}");
    }
}
