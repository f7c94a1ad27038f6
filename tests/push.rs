//! `switchlab push` and `switchlab show` against simulators over real SSH and real ptys, as a
//! lab engineer runs them: exit codes, messages, and what ends up in the running config.

mod common;

use std::path::Path;

use common::*;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn manifest(devices: &[&str]) -> String {
    let mut m = String::from("name = \"t\"\n");
    for d in devices {
        m.push_str(&format!("[[device]]\nname = \"{d}\"\n"));
    }
    m
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_and_verifies_all_five_vendors_over_ssh_and_consoles() {
    let dir = tempfile::tempdir().unwrap();
    let mut sims = Vec::new();
    let mut lab = String::new();
    for v in VENDORS {
        let name = format!("sw-{}", v.replace('_', "-"));
        if v == "cisco_ios" || v == "brocade_fastiron" {
            let (sim, link) = console_sim(options(v), dir.path(), &name).await;
            lab.push_str(&serial_device(&name, v, &link, true, &[first_port(v)]));
            sims.push((name, sim));
        } else {
            let (sim, addr) = ssh_sim(options(v)).await;
            lab.push_str(&ssh_device(&name, v, addr, &[first_port(v)]));
            sims.push((name, sim));
        }
    }
    write(dir.path(), "lab.toml", &lab);
    let names: Vec<&str> = sims.iter().map(|(n, _)| n.as_str()).collect();
    write(dir.path(), "m.toml", &manifest(&names));
    let args = [&PUSH[..], &["--transcripts", "tr"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("5 of 5 devices ok"), "{text}");
    for (name, sim) in &sims {
        let run = sim.running_config();
        assert!(run.contains(&format!("hostname {name}")), "{name}: {run}");
        assert!(
            run.contains("switchlab test port"),
            "{name}: port description missing:\n{run}"
        );
        {
            let dev = sim.device.lock().unwrap();
            assert_eq!(dev.startup.as_ref(), Some(&dev.running), "{name}: saved");
        }
        let transcript =
            std::fs::read_to_string(dir.path().join("tr").join(format!("{name}.log"))).unwrap();
        assert!(
            !transcript.contains("enablepw") && transcript.contains("********"),
            "{name}: the secret is redacted in the transcript"
        );
    }
}

/// Type at a console to leave it somewhere, then let go of it.
async fn leave_console(link: &Path, keys: &[(&str, &str)]) {
    let mut t = Term::serial(link).await;
    for (line, until) in keys {
        t.cmd(line, until).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn console_is_found_at_login_in_config_mid_pager_and_in_the_factory_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let login = [("", "Username: $")];
    let config = [
        ("", "Username: $"),
        ("admin", "Password: $"),
        ("admin", "Switch>$"),
        ("enable", "Password: $"),
        ("enablepw", "Switch#$"),
        ("conf t", r"\(config\)#$"),
        ("int gi0/2", r"\(config-if\)#$"),
    ];
    let pager = [
        ("", "Username: $"),
        ("admin", "Password: $"),
        ("admin", "Switch>$"),
        ("show interfaces", "--More-- $"),
    ];
    type Keys<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Keys, bool); 4] = [
        ("login", &login, false),
        ("config", &config, false),
        ("pager", &pager, false),
        ("factory", &[], true),
    ];
    for (case, keys, factory) in cases {
        let mut o = options("cisco_ios");
        o.factory = factory;
        let (_sim, link) = console_sim(o, dir.path(), case).await;
        leave_console(&link, keys).await;
        write(
            dir.path(),
            "lab.toml",
            &serial_device("con", "cisco_ios", &link, true, &[]),
        );
        let out = switchlab(
            &["show", "--lab", "lab.toml", "con", "show version"],
            &ENV,
            dir.path(),
        )
        .await;
        let text = text(&out);
        assert!(out.status.success(), "{case}: {text}");
        assert!(
            text.contains("Cisco IOS Software")
                && !text.contains("--More--")
                && !text.contains("Switch#"),
            "{case}: {text}"
        );
    }
}

// Regression (#44): a console left at `Password:` takes our first Enter as an empty
// password and answers `% Login invalid`: that stale failure ended the login before any
// credential was sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_console_left_at_the_password_prompt_is_logged_into() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.toml", &manifest(&["left"]));
    let show = ["show", "--lab", "lab.toml", "left", "show version"];
    for args in [&show[..], &PUSH[..]] {
        let (sim, link) = console_sim(options("cisco_ios"), dir.path(), "left").await;
        leave_console(&link, &[("", "Username: $"), ("admin", "Password: $")]).await;
        let lab = serial_device("left", "cisco_ios", &link, true, &["GigabitEthernet0/1"]);
        write(dir.path(), "lab.toml", &lab);
        let out = switchlab(args, &ENV, dir.path()).await;
        let t = text(&out);
        assert!(out.status.success(), "{args:?}: {t}");
        match args[0] {
            "show" => assert!(t.contains("Cisco IOS Software"), "{t}"),
            _ => assert!(
                sim.running_config()
                    .contains("interface GigabitEthernet0/1")
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_line_stops_that_device_only_and_is_named_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let (_arista, a_addr) = ssh_sim(options("arista_eos")).await;
    let (cisco, c_addr) = ssh_sim(options("cisco_ios")).await;
    let lab = format!(
        "{}{}",
        ssh_device("arista", "arista_eos", a_addr, &["Ethernet1"]),
        ssh_device("cisco", "cisco_ios", c_addr, &["GigabitEthernet0/1"])
    );
    write(dir.path(), "lab.toml", &lab);
    write(dir.path(), "m.toml", &manifest(&["arista", "cisco"]));
    std::fs::create_dir_all(dir.path().join("t/arista_eos")).unwrap();
    write(
        dir.path(),
        "t/arista_eos/baseline.j2",
        "interface Ethernet1\n description before\n frobnicate the port\n description after\n",
    );
    let args = [&PUSH[..], &["--templates", "t"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let text = text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "device 'arista': config line 3 rejected: `frobnicate the port`: % Invalid input"
        ),
        "{text}"
    );
    assert!(text.contains("1 of 2 devices ok"), "{text}");
    // Over SSH the line after it was typed ahead of its answer (tests/type_ahead.rs).
    assert!(
        text.contains("line 4 had been typed ahead of its answer, and the device took all of them"),
        "{text}"
    );
    assert!(cisco.running_config().contains("hostname cisco"));
}

#[tokio::test(flavor = "multi_thread")]
async fn host_keys_unknown_refused_then_recorded_and_a_changed_key_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, a_addr) = ssh_sim(options("arista_eos")).await;
    let mut other = options("arista_eos");
    other.seed = 99; // another host key
    let (_b, b_addr) = ssh_sim(other).await;
    let lab = format!(
        "known_hosts = \"kh\"\n{}{}",
        ssh_device("a", "arista_eos", a_addr, &[]),
        ssh_device("b", "arista_eos", b_addr, &[])
    );
    write(dir.path(), "lab.toml", &lab);
    let out = switchlab(
        &["show", "--lab", "lab.toml", "a", "show version"],
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        t.contains(&format!(
            "device 'a': host key of 127.0.0.1:{} is not known (SHA256:",
            a_addr.port()
        )) && t.contains("--accept-new-host-keys"),
        "{t}"
    );
    let out = switchlab(
        &[
            "show",
            "--lab",
            "lab.toml",
            "a",
            "show version",
            "--accept-new-host-keys",
        ],
        &ENV,
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let kh = std::fs::read_to_string(dir.path().join("kh")).unwrap();
    assert!(
        kh.lines()
            .any(|l| l.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", a_addr.port()))),
        "{kh}"
    );
    let line = kh.lines().position(|l| !l.is_empty()).unwrap() + 1;
    // Pretend b once had a's key: b's real key now differs from the recorded one.
    write(
        dir.path(),
        "kh",
        &kh.replace(
            &format!(":{} ", a_addr.port()),
            &format!(":{} ", b_addr.port()),
        ),
    );
    let out = switchlab(
        &[
            "show",
            "--lab",
            "lab.toml",
            "b",
            "show version",
            "--accept-new-host-keys",
        ],
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        t.contains("HAS CHANGED") && t.contains(&format!("kh:{line}")),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_and_missing_secret_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_s, addr) = ssh_sim(options("dell_force10")).await;
    write(
        dir.path(),
        "lab.toml",
        &ssh_device("f10", "dell_force10", addr, &[]),
    );
    let out = switchlab(
        &[
            "show",
            "--lab",
            "lab.toml",
            "f10",
            "show version",
            "--accept-new-host-keys",
        ],
        &[("T_PASS", "wrong"), ("T_SECRET", "enablepw")],
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        t.contains("device 'f10': authentication as 'admin' failed (tried: password from $T_PASS)"),
        "{t}"
    );
    assert!(!t.contains("wrong"), "the password never appears: {t}");
    let out = switchlab(
        &[
            "show",
            "--lab",
            "lab.toml",
            "f10",
            "show version",
            "--accept-new-host-keys",
        ],
        &[("T_PASS", "admin")],
        dir.path(),
    )
    .await;
    assert!(
        text(&out).contains("environment variable T_SECRET (named by secret_env) is not set"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_device_times_out_naming_the_device_and_what_was_awaited() {
    let dir = tempfile::tempdir().unwrap();
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut t = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    nix::sys::termios::cfmakeraw(&mut t);
    nix::sys::termios::tcsetattr(&pty.slave, nix::sys::termios::SetArg::TCSANOW, &t).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    write(
        dir.path(),
        "lab.toml",
        &serial_device("mute", "cisco_ios", &path, false, &[]),
    );
    let started = std::time::Instant::now();
    let out = switchlab(
        &[
            "show",
            "--lab",
            "lab.toml",
            "mute",
            "show version",
            "--timeout",
            "1s",
        ],
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        t.contains("device 'mute': timed out after")
            && t.contains("waiting for a prompt, a login or a dialog"),
        "{t}"
    );
    assert!(started.elapsed().as_secs() < 10);
    // Regression: `push --timeout` was parsed but not applied (it waited the default 15 s).
    write(dir.path(), "m.toml", &manifest(&["mute"]));
    let started = std::time::Instant::now();
    let args = [&PUSH[..], &["--timeout", "1s"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("device 'mute': timed out after 1."), "{t}");
    assert!(started.elapsed().as_secs() < 10, "{t}");
    drop(pty);
}

#[tokio::test(flavor = "multi_thread")]
async fn serial_port_missing_or_busy_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lab.toml",
        &serial_device(
            "gone",
            "cisco_ios",
            Path::new("/dev/ttyUSB-switchlab-test-none"),
            false,
            &[],
        ),
    );
    let out = switchlab(
        &["show", "--lab", "lab.toml", "gone", "show version"],
        &ENV,
        dir.path(),
    )
    .await;
    assert!(
        text(&out)
            .contains("device 'gone': serial port /dev/ttyUSB-switchlab-test-none does not exist"),
        "{}",
        text(&out)
    );
    let mut o = options("cisco_ios");
    o.password = String::new();
    let (_sim, link) = console_sim(o, dir.path(), "busy").await;
    let _holder = Term::serial(&link).await; // someone else has the console open
    write(
        dir.path(),
        "lab.toml",
        &serial_device("busy", "cisco_ios", &link, false, &[]),
    );
    let out = switchlab(
        &["show", "--lab", "lab.toml", "busy", "show version"],
        &ENV,
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("is busy: another program"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flaps_logged_on_the_console_during_a_push_do_not_disturb_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("cisco_ios");
    o.pace_baud = Some(9_600); // a real console's speed: the push takes seconds
    let (sim, link) = console_sim(o, dir.path(), "noisy").await;
    write(
        dir.path(),
        "lab.toml",
        &serial_device(
            "noisy",
            "cisco_ios",
            &link,
            true,
            &["GigabitEthernet0/1", "GigabitEthernet0/2"],
        ),
    );
    write(dir.path(), "m.toml", &manifest(&["noisy"]));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args([
            "push",
            "--lab",
            "lab.toml",
            "--manifest",
            "m.toml",
            "--transcripts",
            "tr",
        ])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .envs(ENV)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the push is under way, three ports flap three times each: the console prints
    // 36 log lines while the push runs.
    let spec: Vec<String> = (3..=5)
        .map(|n| format!("GigabitEthernet0/{n}@{}ms/20ms*3+300ms", 100 + n * 10))
        .collect();
    let flaps = switchlab_sim::parse_flaps(&spec.join(",")).unwrap().flaps;
    tokio::spawn(switchlab_sim::link::run_flaps(
        sim.dialect,
        sim.device.clone(),
        flaps,
    ));
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("1 of 1 devices ok"), "{t}");
    let transcript = std::fs::read_to_string(dir.path().join("tr/noisy.log")).unwrap();
    // The transcript marks every chunk; a slow console splits log lines across chunks.
    let received = regex::Regex::new(r"\n--- (sent|received) \S+\n")
        .unwrap()
        .replace_all(&transcript, "");
    let lines = received.matches("%LINK-3-UPDOWN").count();
    assert!(
        lines >= 2,
        "log lines really did arrive during the push: {lines}"
    );
    assert!(
        sim.running_config()
            .contains("interface GigabitEthernet0/2")
    );
}

/// A transcript without its `--- sent/received TIME` marks: the bytes as they flowed.
fn bytes_only(transcript: &str) -> String {
    regex::Regex::new(r"\n--- (sent|received) \S+\n")
        .unwrap()
        .replace_all(transcript, "")
        .into_owned()
}

/// A console that echoes passwords one byte at a time: every secret reaches switchlab in
/// pieces across reads.
fn leaky_console(password: &str) -> switchlab_sim::SimOptions {
    let mut o = options("cisco_ios");
    o.password = password.into();
    o.echo_secrets = true;
    o.split_writes = true;
    o
}

// Regression: masking worked per read, so a password echoed as `s3`, `cr`… stayed readable.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_echoed_in_pieces_is_masked_in_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, link) = console_sim(leaky_console("s3cr3tpw"), dir.path(), "leaky").await;
    let lab = serial_device("leaky", "cisco_ios", &link, true, &["GigabitEthernet0/1"]);
    write(dir.path(), "lab.toml", &lab);
    write(dir.path(), "m.toml", &manifest(&["leaky"]));
    let args = [&PUSH[..], &["--transcripts", "tr"]].concat();
    let env = [("T_PASS", "s3cr3tpw"), ("T_SECRET", "enablepw")];
    let out = switchlab(&args, &env, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    // Read as a person reads it: without the block marks between sent and received bytes.
    let transcript = bytes_only(&std::fs::read_to_string(dir.path().join("tr/leaky.log")).unwrap());
    for piece in ["s3c", "cr3", "3tp", "tpw", "blep", "lepw"] {
        assert!(!transcript.contains(piece), "{piece} in:\n{transcript}");
    }
    assert!(
        transcript.matches("********").count() >= 4,
        "login and enable, each sent and echoed, masked: {transcript}"
    );
    assert!(
        sim.running_config()
            .contains("interface GigabitEthernet0/1")
    );
}

// Regression (#44): a console that echoes the password put it into the login error (built
// from what the device printed), and from there into stderr and run.json.
#[tokio::test(flavor = "multi_thread")]
async fn an_echoed_password_is_masked_in_the_error_on_stderr_in_run_json_and_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, link) = console_sim(leaky_console("right-one"), dir.path(), "echo").await;
    let lab = serial_device("echo", "cisco_ios", &link, true, &["GigabitEthernet0/1"]);
    write(dir.path(), "lab.toml", &lab);
    let password = "wr0ng-echoed-pw";
    let env = [("T_PASS", password), ("T_SECRET", "enablepw")];
    let watch = watch_args("echo", "2s", "500ms", "counters", &["--runs", "runs"]);
    let args = [&["-vv"][..], &watch[..], &["--timeout", "3s"][..]].concat();
    let out = switchlab(&args, &env, dir.path()).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}{stderr}");
    let folder = the_run_folder(&dir.path().join("runs"));
    let run = read(&folder, "run.json");
    let transcript = bytes_only(&read(&folder, "transcripts/echo.log"));
    for (what, text) in [
        ("stdout", &*stdout),
        ("stderr", &*stderr),
        ("run.json", &*run),
        ("the transcript", &*transcript),
    ] {
        assert!(!text.contains(password), "{what}:\n{text}");
    }
    // The error still says what failed, and what the device said.
    let said = "console login as 'admin' refused (password from $T_PASS)";
    for (what, text) in [
        ("stderr or stdout", format!("{stdout}{stderr}")),
        ("run.json", run),
    ] {
        assert!(
            text.contains(said) && text.contains("% Login invalid"),
            "{what}:\n{text}"
        );
    }
    assert!(transcript.contains("Password:********"), "{transcript}");
}

// Regression: a failed login left a 0-byte transcript, exactly when it was needed.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_login_leaves_the_transcript_that_explains_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, link) = console_sim(leaky_console("right-one"), dir.path(), "c").await;
    let lab = serial_device("c", "cisco_ios", &link, true, &["GigabitEthernet0/1"]);
    write(dir.path(), "lab.toml", &lab);
    write(dir.path(), "m.toml", &manifest(&["c"]));
    let args = [&PUSH[..], &["--transcripts", "tr", "--timeout", "3s"]].concat();
    let env = [("T_PASS", "wrong-one"), ("T_SECRET", "enablepw")];
    let out = switchlab(&args, &env, dir.path()).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let transcript = bytes_only(&std::fs::read_to_string(dir.path().join("tr/c.log")).unwrap());
    assert!(
        transcript.contains("Username:admin") && transcript.contains("Password:********"),
        "the login as it went:\n{transcript}"
    );
    assert!(!transcript.contains("wrong"), "{transcript}");
    assert!(
        transcript.contains("--- switchlab")
            && transcript.contains("console login as 'admin' refused (password from $T_PASS)"),
        "why it ended:\n{transcript}"
    );

    // A transcripts path that is a file is refused before anything is pushed.
    write(dir.path(), "afile", "keep me");
    let args = [&PUSH[..], &["--transcripts", "afile"]].concat();
    let out = switchlab(&args, &env, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("--transcripts afile") && !t.contains("pushing"),
        "{t}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("afile")).unwrap(),
        "keep me"
    );
}

// Regression: `show` of a command the device rejects exited 0 (and `--parse` printed `[]`).
#[tokio::test(flavor = "multi_thread")]
async fn show_of_a_rejected_command_fails_with_the_devices_message() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(options("arista_eos")).await;
    write(
        dir.path(),
        "lab.toml",
        &ssh_device("a", "arista_eos", addr, &[]),
    );
    for extra in [&[][..], &["--parse", "--json"][..]] {
        let args = [
            &[
                "show",
                "--lab",
                "lab.toml",
                "a",
                "show interfacez",
                "--accept-new-host-keys",
            ][..],
            extra,
        ]
        .concat();
        let out = switchlab(&args, &ENV, dir.path()).await;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(
            t.contains("device 'a' rejected `show interfacez`: % Invalid input"),
            "{t}"
        );
        assert!(
            out.stdout.is_empty(),
            "no output that looks like a result: {t}"
        );
    }
}

// Regression: a flat template (no indentation) was pushed fine, then failed verify with
// "not in the running config".
#[tokio::test(flavor = "multi_thread")]
async fn a_flat_config_is_verified_by_the_modes_its_lines_landed_in() {
    let dir = tempfile::tempdir().unwrap();
    for (vendor, lines) in [
        (
            "cisco_ios",
            "interface GigabitEthernet0/1\ndescription flat one\nswitchport mode access\ninterface GigabitEthernet0/2\ndescription flat two\n",
        ),
        (
            "arista_eos",
            "interface Ethernet1\ndescription flat one\nswitchport\ninterface Ethernet2\ndescription flat two\n",
        ),
    ] {
        let (sim, addr) = ssh_sim(options(vendor)).await;
        write(dir.path(), "lab.toml", &ssh_device("f", vendor, addr, &[]));
        write(
            dir.path(),
            "m.toml",
            "name = \"flat\"\n[[device]]\nname = \"f\"\ntemplate = \"flat\"\n",
        );
        std::fs::create_dir_all(dir.path().join(format!("tpl/{vendor}"))).unwrap();
        write(
            dir.path(),
            &format!("tpl/{vendor}/flat.j2"),
            &format!("hostname {{{{ device.hostname }}}}\n{lines}"),
        );
        let args = [&PUSH[..], &["--templates", "tpl"]].concat();
        let out = switchlab(&args, &ENV, dir.path()).await;
        let t = text(&out);
        assert!(out.status.success(), "{vendor}: {t}");
        assert!(t.contains("lines pushed, verified"), "{vendor}: {t}");
        assert!(
            sim.running_config().contains("description flat two"),
            "{vendor}"
        );
    }
}

// Regression: a wrong enable secret read "could not reach privileged mode within 40 steps"
// over SSH and "console login refused" on a console; neither named the secret.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_enable_secret_is_named_with_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, addr) = ssh_sim(options("arista_eos")).await;
    let (_c, link) = console_sim(options("cisco_ios"), dir.path(), "c").await;
    let lab = format!(
        "{}{}",
        ssh_device("a", "arista_eos", addr, &[]),
        serial_device("c", "cisco_ios", &link, true, &[])
    );
    write(dir.path(), "lab.toml", &lab);
    for d in ["a", "c"] {
        let args = [
            "show",
            "--lab",
            "lab.toml",
            d,
            "show version",
            "--accept-new-host-keys",
        ];
        let env = [("T_PASS", "admin"), ("T_SECRET", "not-the-secret")];
        let out = switchlab(&args, &env, dir.path()).await;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(
            t.contains(&format!(
                "device '{d}': the enable secret from $T_SECRET was refused"
            )),
            "{d}: {t}"
        );
        assert!(!t.contains("not-the-secret"), "{t}");
    }
}

// Regression: IOS's `!` comment rule was written into the driver, outside the vendor data:
// a profile whose CLI comments with another mark sent its comments as commands.
#[tokio::test(flavor = "multi_thread")]
async fn a_profiles_comment_mark_keeps_comment_lines_from_being_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    write(
        dir.path(),
        "lab.toml",
        &ssh_device("arista", "arista_eos", addr, &["Ethernet1"]),
    );
    write(dir.path(), "m.toml", &manifest(&["arista"]));
    std::fs::create_dir_all(dir.path().join("t/arista_eos")).unwrap();
    write(
        dir.path(),
        "t/arista_eos/baseline.j2",
        "# the lab's own note\ninterface Ethernet1\n description marked\n",
    );
    let profile = std::fs::read_to_string("vendors/arista_eos.toml").unwrap();
    std::fs::create_dir_all(dir.path().join("v")).unwrap();
    write(
        dir.path(),
        "v/arista_eos.toml",
        &profile.replace("comment = \"!\"", "comment = \"#\""),
    );
    let args = [&PUSH[..], &["--templates", "t", "--vendors", "v"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(arista.running_config().contains("description marked"));
    // The built-in profile does not call `#` a comment: the line goes out and is refused.
    let args = [&PUSH[..], &["--templates", "t"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    assert!(
        text(&out).contains("config line 1 rejected: `# the lab's own note`"),
        "{}",
        text(&out)
    );
}

// Regression (#44): a console that keeps printing log lines is never silent for
// --timeout, so a command whose prompt never came was waited for forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_command_whose_prompt_never_comes_ends_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let command = "show tech-support";
    let mut o = options("cisco_ios");
    // Once the command is typed the CLI is stuck in it, and eight ports flap in turn: a
    // log line every 300 ms or so (each port too seldom for the switch to err-disable it).
    o.hang_on = Some(command.into());
    let spec: Vec<String> = (3..=10)
        .map(|n| format!("GigabitEthernet0/{n}@{}ms/50ms*100+2500ms", (n - 3) * 300))
        .collect();
    o.flaps = switchlab_sim::parse_flaps(&spec.join(",")).unwrap();
    o.flaps_from = Some(command.into());
    let (_sim, link) = console_sim(o, dir.path(), "stuck").await;
    let lab = serial_device("stuck", "cisco_ios", &link, true, &[]);
    write(dir.path(), "lab.toml", &lab);
    let started = std::time::Instant::now();
    let args = ["show", "--lab", "lab.toml", "stuck", command];
    // Never a second without a byte: only the deadline can end the wait.
    let args = [&args[..], &["--timeout", "1s", "--command-timeout", "3s"]].concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(started.elapsed().as_secs() < 15, "{t}");
    assert!(
        t.contains("device 'stuck': gave up waiting for the prompt after `show tech-support`")
            && t.contains("--command-timeout"),
        "{t}"
    );
    assert!(
        t.contains("after 3.")
            && t.contains("output kept arriving without it, the last of it \"")
            && t.contains("Interface GigabitEthernet0/"),
        "the last log line that kept arriving: {t}"
    );
}
