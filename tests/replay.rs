//! Record and replay: a device's session recorded once (`switchlab record`, or a watch's
//! transcript with every poll) and served again by `switchlab sim --replay`'s library over
//! real SSH and a pty gives the same readings as the device it recorded: `show`, `show
//! --parse`, `push --diff` and `cables` on all five simulators and on FRRouting's real
//! vtysh, and a watch the same flaps. Secrets stay masked; a command never recorded gets
//! the vendor's own answer.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use switchlab::vendor::Registry;
use switchlab_cli::cli::sim_replay::{How, load};
use switchlab_sim::replay::{Replay, ReplayServer, Speed, serve_console, serve_ssh};

fn how(speed: Speed) -> How {
    How {
        vendor: None,
        speed,
        password: None,
        secret: None,
        strict: false,
    }
}

/// `files` replayed over SSH on an ephemeral loopback port.
async fn replay_ssh(
    files: &[PathBuf],
    reg: &Registry,
    how: &How,
) -> (ReplayServer, Arc<Replay>, SocketAddr) {
    let replay = Arc::new(load(files, reg, how).expect("the recording loads"));
    let mut server = ReplayServer::new();
    let addr = serve_ssh(replay.clone(), "127.0.0.1:0".parse().unwrap(), &mut server)
        .await
        .expect("the replay listens");
    (server, replay, addr)
}

/// The lab's text with every SSH port made `port`.
fn at_port(lab: &str, port: u16) -> String {
    let re = regex::Regex::new(r"port = \d+").unwrap();
    re.replace_all(lab, format!("port = {port}").as_str())
        .into_owned()
}

/// What a user reads from `device` with the lab in `dir`: the running config, the parsed
/// interfaces, what the baseline would change, the cable audit (exit code and stdout each).
async fn readings(
    dir: &Path,
    device: &str,
    pre: &[&str],
    interfaces: &str,
) -> Vec<(Option<i32>, String)> {
    let runs: [&[&str]; 4] = [
        &["show", "--lab", "lab.toml", device, "show running-config"],
        &["show", "--lab", "lab.toml", device, interfaces, "--json"],
        &[
            "push",
            "--lab",
            "lab.toml",
            "--manifest",
            "m.toml",
            "--diff",
        ],
        &["cables", "--lab", "lab.toml", "--json"],
    ];
    // How long a device took is the one thing a replay at full speed changes.
    let took = regex::Regex::new(r" \d+\.\d+s ").unwrap();
    let mut out = Vec::new();
    for run in runs {
        let args = [pre, run, &["--accept-new-host-keys"]].concat();
        let o = switchlab(&args, &ENV, dir).await;
        let stdout = String::from_utf8_lossy(&o.stdout);
        out.push((
            o.status.code(),
            took.replace_all(&stdout, " _s ").into_owned(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_simulator_recorded_once_reads_alike_from_its_replay() {
    let reg = Registry::load(None, None).unwrap();
    for v in VENDORS {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let mut o = options(v);
        o.hostname = Some("lab-old".into());
        let (_sim, addr) = ssh_sim(o).await;
        let lab = ssh_device("sw", v, addr, &[first_port(v)]);
        std::fs::write(dir.join("lab.toml"), &lab).unwrap();
        let m = "name = \"t\"\n[[device]]\nname = \"sw\"\ntemplate = \"baseline\"\n";
        std::fs::write(dir.join("m.toml"), m).unwrap();

        let rec = [
            "record",
            "--lab",
            "lab.toml",
            "sw",
            "-o",
            "sw.log",
            "--accept-new-host-keys",
        ];
        let out = switchlab(&rec, &ENV, dir).await;
        assert!(out.status.success(), "{v}: {}", text(&out));
        let interfaces = &reg.vendor(v).unwrap().profile.commands.interfaces;
        let original = readings(dir, "sw", &[], interfaces).await;
        assert_eq!(
            original[2].0,
            Some(1),
            "{v}: the baseline changes the hostname"
        );

        let (_server, replay, raddr) =
            replay_ssh(&[dir.join("sw.log")], &reg, &how(Speed::Max)).await;
        std::fs::write(dir.join("lab.toml"), at_port(&lab, raddr.port())).unwrap();
        let replayed = readings(dir, "sw", &[], interfaces).await;
        assert_eq!(replayed[1].0, Some(0), "{v}: {}", replayed[1].1);
        for (i, (a, b)) in original.iter().zip(&replayed).enumerate() {
            assert_eq!(
                a, b,
                "{v}: reading {i} differs between the device and its replay"
            );
        }
        assert!(
            replay.asked_unrecorded().is_empty(),
            "{v}: every command was recorded: {:?}",
            replay.asked_unrecorded()
        );
        assert!(original[0].1.contains("lab-old"), "{v}: {}", original[0].1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_replayed_finds_the_flaps_the_recorded_watch_found_on_every_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut lab = String::new();
    let mut sims = Vec::new();
    for v in VENDORS {
        let p = first_port(v);
        // Three flaps from the watch's first read: events, not clock offsets.
        let mut o = flapping(v, &format!("{p}@300ms/100ms*3+400ms"));
        o.name = v.into();
        let (sim, addr) = ssh_sim(o).await;
        {
            let mut dev = sim.device.lock().unwrap();
            let i = dev.port_index(p).unwrap();
            dev.bring_up(i);
            dev.ports[i].oper_up = true;
        }
        lab.push_str(&ssh_device(v, v, addr, &[p]));
        sims.push(sim);
    }
    std::fs::write(dir.join("lab.toml"), &lab).unwrap();
    let mut args = watch_args(
        "",
        "3s",
        "250ms",
        "counters,state,buffer",
        &["--transcript-every-poll"],
    );
    args.pop();
    args.extend(VENDORS);
    let out = switchlab(&args, &ENV, dir).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let recorded = printed_folder(&out, dir);
    let flaps = read(&recorded, "flaps.csv");
    for (v, sim) in VENDORS.iter().zip(&sims) {
        let truth = sim.truth().iter().filter(|e| !e.up).count() as u64;
        assert_eq!(counted(&flaps, v, first_port(v)), truth, "{v}: {flaps}");
    }
    drop(sims);

    // Each device replaced by its replay, at the recorded pace.
    let reg = Registry::load(None, None).unwrap();
    let mut replays = Vec::new();
    let mut replay_lab = String::new();
    for v in VENDORS {
        let file = recorded.join(format!("transcripts/{v}.log"));
        let (server, replay, addr) = replay_ssh(&[file], &reg, &how(Speed::Times(1.0))).await;
        replay_lab.push_str(&ssh_device(v, v, addr, &[first_port(v)]));
        replays.push((server, replay));
    }
    std::fs::write(dir.join("lab.toml"), &replay_lab).unwrap();
    let out = switchlab(&args, &ENV, dir).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let again = read(&printed_folder(&out, dir), "flaps.csv");
    for v in VENDORS {
        let p = first_port(v);
        assert_eq!(
            counted(&again, v, p),
            counted(&flaps, v, p),
            "{v}:\n{flaps}\nreplayed:\n{again}"
        );
    }
    for (_, replay) in &replays {
        assert!(
            replay.asked_unrecorded().is_empty(),
            "{:?}",
            replay.asked_unrecorded()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_recording_replays_on_a_pty_with_its_login_and_its_flaps() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let v = "cisco_ios";
    let p = first_port(v);
    let (sim, link) =
        console_sim(flapping(v, &format!("{p}@300ms/100ms*2+400ms")), dir, "sw").await;
    let lab = serial_device("sw", v, &link, true, &[p]);
    std::fs::write(dir.join("lab.toml"), &lab).unwrap();
    let args = watch_args(
        "sw",
        "2500ms",
        "250ms",
        "counters,state,console",
        &["--transcript-every-poll"],
    );
    let out = switchlab(&args, &ENV, dir).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let recorded = printed_folder(&out, dir);
    let flaps = read(&recorded, "flaps.csv");
    assert_eq!(counted(&flaps, "sw", p), 2, "{flaps}");
    let transcript = std::fs::read_to_string(recorded.join("transcripts/sw.log")).unwrap();
    assert!(
        transcript.contains("Username:"),
        "a console login: {transcript}"
    );
    drop(sim);

    let reg = Registry::load(None, None).unwrap();
    let files = [recorded.join("transcripts/sw.log")];
    let replay = Arc::new(load(&files, &reg, &how(Speed::Times(1.0))).unwrap());
    let mut server = ReplayServer::new();
    let replayed = dir.join("replayed.console");
    serve_console(replay.clone(), &replayed, &mut server).unwrap();
    let lab = serial_device("sw", v, &replayed, true, &[p]);
    std::fs::write(dir.join("lab.toml"), &lab).unwrap();
    let out = switchlab(&args, &ENV, dir).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let again = read(&printed_folder(&out, dir), "flaps.csv");
    assert_eq!(counted(&again, "sw", p), 2, "{again}");
    assert!(
        replay.asked_unrecorded().is_empty(),
        "{:?}",
        replay.asked_unrecorded()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_masked_secret_never_leaves_a_replay_which_takes_any_password_unless_given_one() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let v = "arista_eos";
    let mut o = options(v);
    o.password = "login-s3cret".into();
    o.secret = Some("enable-s3cret".into());
    let (_sim, addr) = ssh_sim(o).await;
    let lab = ssh_device("sw", v, addr, &[first_port(v)]);
    std::fs::write(dir.join("lab.toml"), &lab).unwrap();
    let secrets = [("T_PASS", "login-s3cret"), ("T_SECRET", "enable-s3cret")];
    let rec = [
        "record",
        "--lab",
        "lab.toml",
        "sw",
        "show version",
        "-o",
        "sw.log",
        "--accept-new-host-keys",
    ];
    let out = switchlab(&rec, &secrets, dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let recording = std::fs::read_to_string(dir.join("sw.log")).unwrap();
    assert!(!recording.contains("s3cret"), "{recording}");
    assert!(recording.contains("********"), "{recording}");

    // Any password logs in, and any enable secret; nothing typed is echoed at a password.
    let reg = Registry::load(None, None).unwrap();
    let (_server, _replay, raddr) = replay_ssh(&[dir.join("sw.log")], &reg, &how(Speed::Max)).await;
    std::fs::write(dir.join("lab.toml"), at_port(&lab, raddr.port())).unwrap();
    let other = [("T_PASS", "not-it"), ("T_SECRET", "nor-this")];
    let show = [
        "show",
        "--lab",
        "lab.toml",
        "sw",
        "show version",
        "--accept-new-host-keys",
    ];
    let out = switchlab(&show, &other, dir).await;
    assert!(
        out.status.success() && text(&out).contains("Arista"),
        "{}",
        text(&out)
    );
    let mut term = Term::ssh(raddr, "admin", "anything").await;
    term.cmd("", ">").await;
    term.cmd("enable", "Password:").await;
    let after = term.cmd("typed-secret", "#").await;
    assert!(
        !after.contains("typed-secret"),
        "a secret is not echoed: {after:?}"
    );

    // Given a password, the replay takes that one only.
    let mut strict = how(Speed::Max);
    strict.password = Some("right".into());
    strict.secret = Some("also-right".into());
    let (_server, _replay, raddr) = replay_ssh(&[dir.join("sw.log")], &reg, &strict).await;
    std::fs::write(dir.join("lab.toml"), at_port(&lab, raddr.port())).unwrap();
    let out = switchlab(&show, &other, dir).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = switchlab(&show, &[("T_PASS", "right"), ("T_SECRET", "not-it")], dir).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a wrong enable secret: {}",
        text(&out)
    );
    let out = switchlab(
        &show,
        &[("T_PASS", "right"), ("T_SECRET", "also-right")],
        dir,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_never_recorded_gets_the_vendor_s_answer_is_listed_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let v = "cisco_ios";
    let (_sim, addr) = ssh_sim(options(v)).await;
    let lab = ssh_device("sw", v, addr, &[first_port(v)]);
    std::fs::write(dir.join("lab.toml"), &lab).unwrap();
    // `show vlan` typed wrong once, so the recording holds the device's own answer to it.
    let rec = [
        "record",
        "--lab",
        "lab.toml",
        "sw",
        "show version",
        "show vlna",
        "-o",
        "sw.log",
        "--accept-new-host-keys",
    ];
    let out = switchlab(&rec, &ENV, dir).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused command: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("recorded 1 of 2 commands"),
        "{}",
        text(&out)
    );

    let (server, port) = replay_process(dir, &["sim", "--replay", "sw.log", "--speed", "max"]);
    std::fs::write(dir.join("lab.toml"), at_port(&lab, port)).unwrap();
    let ask = |cmd: &'static str| {
        [
            "show",
            "--lab",
            "lab.toml",
            "sw",
            cmd,
            "--accept-new-host-keys",
        ]
    };
    let out = switchlab(&ask("sh ver"), &ENV, dir).await;
    assert!(out.status.success(), "an abbreviation: {}", text(&out));
    let out = switchlab(&ask("show ip route"), &ENV, dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("rejected `show ip route`: % Invalid input detected at '^' marker."),
        "the recorded answer: {t}"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = server.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("1 command(s) no recording answers") && said.contains("show ip route"),
        "{said}"
    );

    // --strict: the first such command ends the replay, exit 1.
    let (server, port) = replay_process(
        dir,
        &["sim", "--replay", "sw.log", "--speed", "max", "--strict"],
    );
    std::fs::write(dir.join("lab.toml"), at_port(&lab, port)).unwrap();
    let _ = switchlab(&ask("show ip route"), &ENV, dir).await;
    let out = tokio::task::spawn_blocking(move || server.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("show ip route"));
}

/// `switchlab sim --replay …` as a process, with stderr kept; its SSH port from the line
/// it prints once listening.
fn replay_process(dir: &Path, args: &[&str]) -> (std::process::Child, u16) {
    use std::io::BufRead;
    let mut all = args.to_vec();
    all.extend(["--ssh", "127.0.0.1:0"]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args(&all)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("ssh ")
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    (child, addr.port())
}

#[tokio::test(flavor = "multi_thread")]
async fn frr_recorded_once_reads_alike_from_its_replay() {
    let Some(b) = common::frr::bench("frr replay") else {
        return;
    };
    let dir = b.dir.path();
    common::frr::manifest(dir, "baseline");
    let pre = common::frr::args(&[]);
    let rec = [
        &pre[..],
        &["record", "--lab", "lab.toml", "frr1", "-o", "frr1.log"],
    ]
    .concat();
    let out = switchlab(&rec, &[], dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let original = readings(dir, "frr1", &pre, "show interface").await;
    assert!(original[0].1.contains("hostname frr1"), "{:?}", original[0]);

    let mut reg_how = how(Speed::Max);
    reg_how.vendor = None;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reg = Registry::load(Some(&repo.join("examples/vendors")), None).unwrap();
    let (_server, replay, raddr) = replay_ssh(&[dir.join("frr1.log")], &reg, &reg_how).await;
    let lab = std::fs::read_to_string(dir.join("lab.toml")).unwrap();
    std::fs::write(dir.join("lab.toml"), at_port(&lab, raddr.port())).unwrap();
    let replayed = readings(dir, "frr1", &pre, "show interface").await;
    for (i, (a, b)) in original.iter().zip(&replayed).enumerate() {
        assert_eq!(a, b, "frr: reading {i} differs between FRR and its replay");
    }
    assert!(
        replay.asked_unrecorded().is_empty(),
        "{:?}",
        replay.asked_unrecorded()
    );
}

/// Every recording in tests/fixtures/replay (a run folder's transcript or a `switchlab
/// record` file, added as README's "Report a device" says) replayed: each `show` command
/// it holds gives, through the whole client (login, prompts, echo), the output recorded.
#[tokio::test(flavor = "multi_thread")]
async fn every_recording_in_the_fixtures_answers_each_show_as_recorded() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vendors = repo.join("examples/vendors");
    let reg = Registry::load(Some(&vendors), None).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo.join("tests/fixtures/replay"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the fixtures hold recordings");
    let mut checked = 0;
    for file in &files {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let (_server, replay, addr) =
            replay_ssh(std::slice::from_ref(file), &reg, &how(Speed::Max)).await;
        let recorded = std::fs::read_to_string(file).unwrap();
        let rec = switchlab_sim::replay::recording::read("f", &recorded, &|t| {
            replay.profile.is_prompt(t)
        })
        .unwrap();
        let device = rec.device.clone().unwrap_or_else(|| "dev".into());
        let lab = ssh_device(&device, &replay.profile.vendor, addr, &[]);
        std::fs::write(dir.join("lab.toml"), lab).unwrap();
        let vendors = vendors.to_str().unwrap();
        for key in &replay.book.keys {
            let switchlab_sim::replay::recording::Input::Line(cmd) = &key.input else {
                continue;
            };
            if !cmd.starts_with("show ") {
                continue;
            }
            let args = [
                "--vendors",
                vendors,
                "show",
                "--lab",
                "lab.toml",
                &device,
                cmd,
                "--accept-new-host-keys",
            ];
            let out = switchlab(&args, &ENV, dir).await;
            assert!(
                out.status.success(),
                "{}: {cmd}: {}",
                file.display(),
                text(&out)
            );
            let mut want: Vec<&str> = key.answers[0]
                .text
                .lines()
                .map(|l| l.trim_end_matches('\r'))
                .collect();
            want.pop(); // the prompt
            let want = want.join("\n");
            let got = String::from_utf8_lossy(&out.stdout);
            assert_eq!(got.trim(), want.trim(), "{}: {cmd}", file.display());
            checked += 1;
        }
        assert!(
            replay.asked_unrecorded().is_empty(),
            "{:?}",
            replay.asked_unrecorded()
        );
    }
    assert!(
        checked >= files.len(),
        "each recording had show commands: {checked}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_of_frr_replayed_finds_the_carrier_flaps_the_recorded_one_found() {
    let Some(b) = common::frr::bench("frr replay watch") else {
        return;
    };
    let dir = b.dir.path();
    let watch = |duration: &'static str| {
        let w = [
            "watch",
            "--lab",
            "lab.toml",
            "--duration",
            duration,
            "--interval",
            "300ms",
        ];
        let rest = [
            "--sources",
            "counters,state",
            "--transcript-every-poll",
            "frr1",
        ];
        common::frr::args(&[&w[..], &rest[..]].concat())
    };
    let started = std::time::Instant::now();
    let mut running = run_until(&watch("10m"), dir, "frr1: watching").await;
    for _ in 0..2 {
        b.frr.far_end("p1", false);
        running.wait_for("frr1 p1 down").await;
        b.frr.far_end("p1", true);
        running.wait_for("frr1 p1 up").await;
    }
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGINT).unwrap();
    let (out, err) = running.finish().await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    let took = started.elapsed();
    let recorded = printed_folder(&out, dir);
    let flaps = read(&recorded, "flaps.csv");
    assert_eq!(counted(&flaps, "frr1", "p1"), 2, "{flaps}");

    // FRR replaced by its replay, at the recorded pace, watched as long as it was.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reg = Registry::load(Some(&repo.join("examples/vendors")), None).unwrap();
    let file = recorded.join("transcripts/frr1.log");
    let (_server, replay, addr) = replay_ssh(&[file], &reg, &how(Speed::Times(1.0))).await;
    let lab = std::fs::read_to_string(dir.join("lab.toml")).unwrap();
    std::fs::write(dir.join("lab.toml"), at_port(&lab, addr.port())).unwrap();
    let duration: &'static str =
        Box::leak(format!("{}ms", took.as_millis() + 1000).into_boxed_str());
    let mut replayed = watch(duration);
    replayed.push("--accept-new-host-keys");
    let out = switchlab(&replayed, &[], dir).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let again = read(&printed_folder(&out, dir), "flaps.csv");
    assert_eq!(counted(&again, "frr1", "p1"), 2, "{again}");
    assert_eq!(counted(&again, "frr1", "p2"), 0, "{again}");
    assert!(
        replay.asked_unrecorded().is_empty(),
        "{:?}",
        replay.asked_unrecorded()
    );
}
