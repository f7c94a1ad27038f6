//! The virtual lab's data plane, for real: endpoints as network namespaces, frames through
//! the simulated switches (in this process, driven over real SSH by the switchlab binary),
//! measured from inside the namespaces. Needs root (CAP_NET_ADMIN): without it each test
//! says why it skips, and fails where `.ci/run` says every tool is there. Addresses are
//! 198.18.0.0/15's, only ever reached from inside a namespace the test made.

mod common;

use std::time::Duration;

use common::netns::*;
use common::*;
use switchlab::format::{Lab, Source};
use switchlab::sim::dataplane::{DataPlane, DataPlaneOptions};

#[tokio::test(flavor = "multi_thread")]
async fn a_vendor_whose_ports_start_shut_carries_nothing_before_the_baseline() {
    if !may_make_namespaces("no traffic before the baseline") {
        return;
    }
    let t = tag("shut");
    let ports = [
        ("TenGigabitEthernet 0/1", ""),
        ("TenGigabitEthernet 0/2", ""),
    ];
    let (_f10, lab, _plane) =
        two_ends("dell_force10", options("dell_force10"), ports, 11, &t).await;
    let s1 = format!("swl-{t}-s1");
    assert!(
        rtt(&s1, "198.18.11.1", "198.18.11.2").await.is_none(),
        "FTOS ports are shut until the baseline lands"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let manifest = "name = \"shut\"\n[baseline]\nvlan = 10\n[[device]]\nname = \"sw\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&PUSH, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        rtt(&s1, "198.18.11.1", "198.18.11.2").await.is_some(),
        "after the baseline"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_added_40_ms_each_way_measures_80_ms_round_trip() {
    if !may_make_namespaces("link delay") {
        return;
    }
    let t = tag("delay");
    let ports = [("Ethernet1", "delay = \"40ms\""), ("Ethernet2", "")];
    let _on = two_ends("arista_eos", options("arista_eos"), ports, 13, &t).await;
    let s1 = format!("swl-{t}-s1");
    // The first connect also waits for ARP (through the same delay): the median of three.
    let ms = rtt(&s1, "198.18.13.1", "198.18.13.2")
        .await
        .expect("a path");
    assert!((75.0..=85.0).contains(&ms), "{ms} ms");
    eprintln!("round trip through a 40 ms link: {ms:.1} ms");
}

// A flap under load: the simulated port goes down 1.2 s into the test (its schedule starts
// when traffic first crosses the switch) for a second; the throughput second containing
// it falls below half the test's median, and flaps.csv names the test.
#[tokio::test(flavor = "multi_thread")]
async fn a_flap_under_load_is_a_dip_in_the_throughput_and_names_the_test() {
    if !may_make_namespaces("a flap under load") {
        return;
    }
    let t = tag("dip");
    let mut o = options("arista_eos");
    o.flaps = switchlab::sim::parse_flaps("Ethernet1@1200ms/1s").unwrap();
    o.flaps_from = Some("traffic".into());
    let ports = [("Ethernet1", ""), ("Ethernet2", "")];
    let (arista, lab, _plane) = two_ends("arista_eos", o, ports, 14, &t).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let manifest = "name = \"dip\"\n[[device]]\nname = \"sw\"\n[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\nduration = \"6s\"\nengine = \"builtin\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\nduration = \"1s\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let t_out = text(&out);
    let folder = printed_folder(&out, dir.path());
    let data = switchlab::record::read::RunData::read(&folder).expect(&t_out);

    let down = arista
        .truth()
        .into_iter()
        .find(|e| !e.up && e.port == "Ethernet1")
        .expect("the injected flap happened");
    let down: jiff::Timestamp = down.time.try_into().unwrap();
    let seconds: Vec<_> = data
        .throughput
        .iter()
        .filter(|r| r.test == "t1" && r.row == switchlab::states::ThroughputKind::Interval)
        .collect();
    assert!(seconds.len() >= 5, "{seconds:?}\n{t_out}");
    let mut rates: Vec<f64> = seconds.iter().map(|r| r.gbit_s).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let hit = seconds
        .iter()
        .find(|r| {
            let end: jiff::Timestamp = r.time.parse().unwrap();
            let from = end - jiff::SignedDuration::from_secs_f64(r.end_s - r.start_s);
            from <= down && down <= end
        })
        .expect("a second of the test contains the flap");
    assert!(
        hit.gbit_s < median / 2.0,
        "the second with the flap: {} Gbit/s, the test's median {median}: {seconds:?}",
        hit.gbit_s
    );
    assert!(
        data.flaps.iter().any(|f| f.port == "Ethernet1"
            && f.event == switchlab::states::FlapEvent::Down
            && f.tests().any(|n| n == "t1")),
        "{:?}",
        data.flaps
    );
}

/// `switchlab sim --lab` on a lab whose endpoints have namespaces; its output lines until
/// the data plane is up (two links).
fn start_sim(dir: &std::path::Path) -> (std::process::Child, Vec<String>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args(["sim", "--lab", "lab.toml"])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    while lines
        .iter()
        .filter(|l: &&String| l.starts_with("data plane: link"))
        .count()
        < 2
    {
        let mut l = String::new();
        if out.read_line(&mut l).unwrap() == 0 {
            panic!("sim ended early: {lines:?}");
        }
        lines.push(l.trim_end().to_string());
    }
    (child, lines)
}

fn netns_exists(name: &str) -> bool {
    std::path::Path::new("/run/netns").join(name).exists()
}

// Namespaces and links go with the simulator on SIGTERM; after a SIGKILL, the next start
// removes what the killed one left (and only that).
#[tokio::test(flavor = "multi_thread")]
async fn namespaces_are_removed_on_sigterm_and_after_a_sigkill_at_the_next_start() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    if !may_make_namespaces("data plane cleanup") {
        return;
    }
    let t = tag("clean");
    let dir = tempfile::tempdir().unwrap();
    let lab = format!(
        "[[device]]\nname = \"sw\"\nvendor = \"arista_eos\"\nserial = {{ port = \"sw.console\" }}\nsim = {{ seed = 1 }}\n{}{}{}{}",
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        endpoint(&t, "s1", "198.18.15.1"),
        endpoint(&t, "s2", "198.18.15.2"),
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let ours = |pid: u32| {
        [
            format!("swl-{t}-s1"),
            format!("swl-{t}-s2"),
            format!("swl-fabric-{pid}"),
        ]
    };

    let (mut child, _) = start_sim(dir.path());
    let names = ours(child.id());
    assert!(names.iter().all(|n| netns_exists(n)), "{names:?}");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        names.iter().all(|n| !netns_exists(n)),
        "removed on SIGTERM: {names:?}"
    );

    let (mut child, _) = start_sim(dir.path());
    let killed = ours(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        killed.iter().all(|n| netns_exists(n)),
        "a SIGKILL leaves them: {killed:?}"
    );
    let (mut child, lines) = start_sim(dir.path());
    let said = lines.join("\n");
    assert!(
        said.contains("removed network namespaces a killed switchlab left")
            && said.contains(&killed[2]),
        "{said}"
    );
    let now = ours(child.id());
    assert!(now.iter().all(|n| netns_exists(n)) && !netns_exists(&killed[2]));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(now.iter().all(|n| !netns_exists(n)), "{now:?}");
}

// A namespace the lab names that no switchlab made is never taken over; a link the lab
// does not say enough about is refused naming device and port.
#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_it_did_not_make_is_left_alone_and_an_unaddressed_link_is_refused() {
    if !may_make_namespaces("namespaces that are not ours") {
        return;
    }
    let t = tag("taken");
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    let lab = format!(
        "{}{}{}{}{}",
        ssh_device("sw", "arista_eos", addr, &[]),
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        endpoint(&t, "s1", "198.18.16.1"),
        endpoint(&t, "s2", "198.18.16.2"),
    );
    let theirs = format!("swl-{t}-s2");
    let made = std::process::Command::new("ip")
        .args(["netns", "add", &theirs])
        .status()
        .unwrap();
    assert!(made.success());
    let src = Source::from_text("lab.toml", lab.as_str());
    let parsed = Lab::from_source(&src).unwrap();
    let devices = vec![("sw".to_string(), arista.device.clone())];
    let opts = DataPlaneOptions {
        tag: t.clone(),
        max_gbit_s: None,
        user_space: false,
    };
    let e = DataPlane::start(&parsed, &devices, &opts)
        .err()
        .map(|e| e.to_string());
    let still = netns_exists(&theirs);
    let _ = std::process::Command::new("ip")
        .args(["netns", "del", &theirs])
        .status();
    let e = e.expect("refused");
    assert!(
        e.contains(&format!(
            "'{theirs}' exists and was not made by a switchlab"
        )),
        "{e}"
    );
    assert!(still, "left alone");
    assert!(
        !netns_exists(&format!("swl-{t}-s1")),
        "what it had made is gone again"
    );

    let unaddressed = lab.replace(
        "interface = [{ name = \"eth1\", address = \"198.18.16.2\" }]\n",
        "",
    );
    let parsed = Lab::from_source(&Source::from_text("lab.toml", unaddressed.as_str())).unwrap();
    let e = DataPlane::start(&parsed, &devices, &opts)
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref().is_some_and(|e| e.contains(
            "device 'sw' port 'Ethernet2': endpoint 's2' has no [[endpoint.interface]] 'eth1'"
        )),
        "{e:?}"
    );
}

/// Whether this process runs as root (/proc/self belongs to the effective user).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `switchlab ARGS` as a user without CAP_NET_ADMIN: as root, dropped to nobody with
/// setpriv; already unprivileged, as is.
fn unprivileged(
    args: &[String],
    cwd: &std::path::Path,
    home: &std::path::Path,
) -> std::process::Command {
    let bin = assert_cmd::cargo::cargo_bin("switchlab");
    let mut cmd = if is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.args(args).current_dir(cwd).env("HOME", home);
    cmd
}

// Without the privileges for namespaces: `sim --lab` says so once and serves the control
// plane; the demo sends its traffic over loopback, saying so, and still completes.
#[tokio::test(flavor = "multi_thread")]
async fn without_privileges_the_sim_serves_the_control_plane_and_the_demo_uses_loopback() {
    use std::io::BufRead;
    use std::os::unix::fs::PermissionsExt;
    if is_root() && !have_tool("setpriv", "dropping root") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let t = tag("unpriv");
    let lab = format!(
        "[[device]]\nname = \"sw\"\nvendor = \"arista_eos\"\nserial = {{ port = \"sw.console\" }}\nsim = {{ seed = 1 }}\n{}{}{}{}",
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        endpoint(&t, "s1", "198.18.17.1"),
        endpoint(&t, "s2", "198.18.17.2"),
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let sim_args = ["sim", "--lab", "lab.toml"].map(String::from);
    let mut sim = unprivileged(&sim_args, dir.path(), dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(sim.stdout.take().unwrap()).lines();
    let said = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    let said = if said.starts_with("data plane") {
        said
    } else {
        lines.next().and_then(|l| l.ok()).unwrap_or_default()
    };
    let _ = sim.kill();
    let _ = sim.wait();
    assert!(
        said.starts_with("data plane: not started (") && said.contains("control plane only"),
        "{said}"
    );
    assert!(!netns_exists(&format!("swl-{t}-s1")));

    let root = std::env::current_dir().unwrap();
    let runs = dir.path().join("runs").display().to_string();
    let demo = ["demo", "--runs", &runs, "--watch", "2s"].map(String::from);
    let out = tokio::task::spawn_blocking({
        let (root, home) = (root.clone(), dir.path().to_path_buf());
        move || unprivileged(&demo, &root, &home).output().unwrap()
    })
    .await
    .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("data plane: not available ("), "{t}");
    assert!(t.contains("goes over this machine's loopback"), "{t}");
    assert!(t.contains("5 of 5 devices pushed and watched"), "{t}");
}

// CRC errors injected on a port drop that many frames coming in on it (the switch leaves
// the kernel's path for user space, its counters carried over): the switch's own
// counters show the frames in on Ethernet1 and out on Ethernet2 apart by exactly that.
#[tokio::test(flavor = "multi_thread")]
async fn crc_errors_on_a_port_drop_frames_in_step_with_the_counter() {
    if !may_make_namespaces("CRC errors") {
        return;
    }
    let t = tag("crc");
    let ports = [("Ethernet1", ""), ("Ethernet2", "")];
    let (arista, _lab, plane) = two_ends("arista_eos", options("arista_eos"), ports, 18, &t).await;
    // It starts in the kernel's path; the first CRC error takes it to user space.
    assert!(
        plane
            .lines
            .iter()
            .any(|l| l == "sw forwards in the kernel (a bridge per VLAN)"),
        "{:?}",
        plane.lines
    );
    let s1 = format!("swl-{t}-s1");
    // A path first (ARP learnt), then 3 CRC errors on the way in.
    assert!(rtt(&s1, "198.18.18.1", "198.18.18.2").await.is_some());
    let (one, two) = {
        let dev = arista.device.lock().unwrap();
        (
            dev.port_index("Ethernet1").unwrap(),
            dev.port_index("Ethernet2").unwrap(),
        )
    };
    // Settled: every frame in on Ethernet1 is out on Ethernet2.
    let apart = || {
        let dev = arista.device.lock().unwrap();
        dev.ports[one].traffic.in_packets as i64 - dev.ports[two].traffic.out_packets as i64
    };
    let mut before = apart();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = apart();
        if now == before {
            break;
        }
        before = now;
    }
    arista.device.lock().unwrap().ports[one].crc += 3;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Three connects, three SYNs through Ethernet1 (and their ARP where needed): the
    // first three frames in are dropped; the connects still get through on retry.
    let _ = rtt(&s1, "198.18.18.1", "198.18.18.2").await;
    let mut seen = apart();
    for _ in 0..50 {
        if seen - before == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = apart();
    }
    assert_eq!(
        seen - before,
        3,
        "frames in on Ethernet1 not out on Ethernet2"
    );
}
