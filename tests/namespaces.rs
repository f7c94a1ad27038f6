//! The virtual lab's network namespaces over their life: removed with the simulator on
//! SIGTERM and after a SIGKILL at the next start, never one it did not make, and without
//! the privileges to make them the control plane alone, said once. Needs root
//! (CAP_NET_ADMIN): without it each test says why it skips, and fails where `.ci/run` says
//! every tool is there.

mod common;

use common::netns::*;
use common::*;
use switchlab::format::{Lab, Source};
use switchlab_sim::dataplane::{DataPlane, DataPlaneOptions};

/// `switchlab sim --lab` on a lab whose endpoints have namespaces; its output lines until
/// the data plane is up (its last line says the path the one switch forwards on: the
/// simulator's stdout is closed after it, and a line written to a closed pipe ends it).
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
    while !lines
        .iter()
        .any(|l: &String| l.starts_with("data plane: sw forwards in"))
    {
        let mut l = String::new();
        if out.read_line(&mut l).unwrap() == 0 {
            panic!("sim ended early: {lines:?}");
        }
        lines.push(l.trim_end().to_string());
    }
    (child, lines)
}

/// A simulated Arista on a console whose Ethernet1 and 2 cable endpoints s1 and s2 at
/// 198.18.`net`.1 and .2.
fn console_lab(t: &str, net: u8) -> String {
    format!(
        "[[device]]\nname = \"sw\"\nvendor = \"arista_eos\"\nserial = {{ port = \"sw.console\" }}\nsim = {{ seed = 1 }}\n{}{}{}{}",
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        endpoint(t, "s1", &format!("198.18.{net}.1")),
        endpoint(t, "s2", &format!("198.18.{net}.2")),
    )
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
    std::fs::write(dir.path().join("lab.toml"), console_lab(&t, 15)).unwrap();
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
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
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
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
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
    std::fs::write(dir.path().join("lab.toml"), console_lab(&t, 17)).unwrap();
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

// #45: a `switchlab run` in another process than `switchlab sim --lab` takes the data
// plane's own count of each switch's drops (the model's, the host's) from what the
// simulator publishes, as the demo does in one process: a capped switch's loss is the
// switch's by that count, never above its cap.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_beside_sim_lab_reads_the_data_plane_s_drop_counts() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    if !may_make_namespaces("drop counts across processes") {
        return;
    }
    let t = tag("shared");
    let dir = tempfile::tempdir().unwrap();
    let lab = format!(
        "[[device]]\nname = \"sw\"\nvendor = \"arista_eos\"\nserial = {{ port = \"sw.console\" }}\nsim = {{ seed = 1, max_fps = 20000, buffer_kb = 16 }}\n{}{}{}{}",
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        endpoint(&t, "s1", "198.18.18.1"),
        endpoint(&t, "s2", "198.18.18.2"),
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let manifest = "name = \"shared\"\n[[device]]\nname = \"sw\"\n[[benchmark]]\nname = \"rfc2544\"\nfrom = \"s1\"\nto = \"s2\"\nframe_sizes = [64]\ntests = [\"throughput\"]\ntrial = \"1s\"\nsearch_trial = \"1s\"\nresolution_percent = 0.5\ndrain = \"300ms\"\nsettle = \"100ms\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\nduration = \"1s\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let (mut sim, _) = start_sim(dir.path());
    let out = switchlab(&RUN, &ENV, dir.path()).await;
    let said = text(&out);
    let _ = kill(Pid::from_raw(sim.id() as i32), Signal::SIGTERM);
    let _ = sim.wait();
    assert!(
        said.contains(&format!(
            "benchmarks: the virtual lab's drop counts from switchlab sim (pid {})",
            sim.id()
        )),
        "{said}"
    );
    let folder = printed_folder(&out, dir.path());
    let rows: Vec<switchlab::record::rfc2544::Rfc2544Row> = rows(&read(&folder, "rfc2544.csv"));
    let r = &rows[0];
    assert_eq!(
        r.limited_by,
        Some(switchlab::states::LimitedBy::Switch),
        "{r:?}\n{said}"
    );
    // This file's other tests run beside it (a demo among them): the rate found may sit
    // below the cap on a loaded machine (tests/bench.rs measures the cap alone), never
    // above it.
    let found = r.forwarded_fps.unwrap();
    assert!((10_000.0..=21_000.0).contains(&found), "{found}: {r:?}");
}
