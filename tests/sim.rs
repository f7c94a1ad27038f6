//! The simulated switches over real SSH (russh on 127.0.0.1, ephemeral ports) and real pty
//! consoles: prompts per mode, paging, errors, save dialogs, config persistence, flap
//! ground truth, console messages in the middle of output, and OpenSSH's own client.

mod common;

use std::time::Duration;

use common::*;
use regex::escape;

/// What each vendor prints, written from VENDORS.md.
struct Expect {
    vendor: &'static str,
    user: &'static str,
    privileged: &'static str,
    config: &'static str,
    conf_cmd: &'static str,
    iface_cmd: &'static str,
    iface: &'static str,
    paging_off: &'static str,
    long_cmd: &'static str,
    pager: &'static str,
    error: &'static str,
    save_cmd: &'static str,
    save_question: Option<(&'static str, &'static str)>,
    save_done: &'static str,
    running: &'static str,
}

const EXPECT: [Expect; 5] = [
    Expect {
        vendor: "cisco_ios",
        user: "Switch>",
        privileged: "Switch#",
        config: "Switch(config)#",
        conf_cmd: "conf t",
        iface_cmd: "int gi0/1",
        iface: "Switch(config-if)#",
        paging_off: "terminal length 0",
        long_cmd: "show interfaces",
        pager: " --More-- ",
        // `Switch#show definitely-not`: the marker sits under column 12, the bad word.
        error: "            ^\r\n% Invalid input detected at '^' marker.",
        save_cmd: "copy running-config startup-config",
        save_question: Some(("Destination filename [startup-config]? ", "")),
        save_done: "[OK]",
        running: "sh run",
    },
    Expect {
        vendor: "arista_eos",
        user: "localhost>",
        privileged: "localhost#",
        config: "localhost(config)#",
        conf_cmd: "conf t",
        iface_cmd: "int et1",
        iface: "localhost(config-if-Et1)#",
        paging_off: "terminal length 0",
        long_cmd: "show interfaces",
        pager: " --More-- ",
        error: "% Invalid input",
        save_cmd: "write memory",
        save_question: None,
        save_done: "Copy completed successfully.",
        running: "show running-config",
    },
    Expect {
        vendor: "dell_force10",
        user: "FTOS>",
        privileged: "FTOS#",
        config: "FTOS(conf)#",
        conf_cmd: "conf",
        iface_cmd: "int te 0/1",
        iface: "FTOS(conf-if-te-0/1)#",
        paging_off: "terminal length 0",
        long_cmd: "show interfaces",
        pager: "--More--",
        error: "% Error: Invalid input at \"^\" marker.",
        save_cmd: "copy running-config startup-config",
        save_question: Some(("Proceed to copy the file [confirm yes/no]: ", "yes")),
        save_done: "bytes successfully copied",
        running: "show running-config",
    },
    Expect {
        vendor: "brocade_fastiron",
        user: "ICX7150-24P Switch>",
        privileged: "ICX7150-24P Switch#",
        config: "ICX7150-24P Switch(config)#",
        conf_cmd: "conf t",
        iface_cmd: "int e 1/1/1",
        iface: "ICX7150-24P Switch(config-if-e1000-1/1/1)#",
        paging_off: "skip-page-display",
        long_cmd: "show interfaces",
        pager: "--More--, next page: Space, next line: Return key, quit: Control-c",
        error: "Invalid input -> definitely-not\r\nType ? for a list",
        save_cmd: "write memory",
        save_question: None,
        save_done: "Write startup-config done.",
        running: "show running-config",
    },
    Expect {
        vendor: "interface_masters",
        user: "(Niagara) >",
        privileged: "(Niagara) #",
        config: "(Niagara) (Config)#",
        conf_cmd: "configure",
        iface_cmd: "interface 0/1",
        iface: "(Niagara) (Interface 0/1)#",
        paging_off: "terminal length 0",
        long_cmd: "show port all",
        pager: "--More-- or (q)uit",
        error: "% Invalid input detected at '^' marker.",
        save_cmd: "write memory",
        save_question: Some(("Are you sure you want to save? (y/n) ", "y")),
        save_done: "Configuration Saved!",
        running: "show running-config",
    },
];

async fn enable(t: &mut Term, e: &Expect) {
    t.cmd("enable", "Password: ?$").await;
    t.cmd("enablepw", &format!("{}$", escape(e.privileged)))
        .await;
}

/// From user mode: enable, a bad command, an interface description, paging off, save.
async fn configure_and_save(t: &mut Term, e: &Expect) {
    enable(t, e).await;
    let err = t
        .cmd("show definitely-not", &format!("{}$", escape(e.privileged)))
        .await;
    assert!(
        err.contains(e.error),
        "{}: error wording: {err:?}",
        e.vendor
    );
    t.cmd(e.conf_cmd, &format!("{}$", escape(e.config))).await;
    t.cmd(e.iface_cmd, &format!("{}$", escape(e.iface))).await;
    let desc = if e.vendor == "brocade_fastiron" {
        "port-name sim-test"
    } else {
        "description sim-test"
    };
    t.cmd(desc, &format!("{}$", escape(e.iface))).await;
    t.cmd("end", &format!("{}$", escape(e.privileged))).await;
    t.cmd(e.paging_off, &format!("{}$", escape(e.privileged)))
        .await;
    let before = t
        .cmd("show startup-config", &format!("{}$", escape(e.privileged)))
        .await;
    assert!(
        !before.contains("sim-test"),
        "{}: nothing saved yet",
        e.vendor
    );
    match e.save_question {
        Some((q, a)) => {
            t.cmd(e.save_cmd, &format!("{}$", escape(q))).await;
            let done = t.cmd(a, &format!("{}$", escape(e.privileged))).await;
            assert!(done.contains(e.save_done), "{}: {done:?}", e.vendor);
        }
        None => {
            let done = t
                .cmd(e.save_cmd, &format!("{}$", escape(e.privileged)))
                .await;
            assert!(done.contains(e.save_done), "{}: {done:?}", e.vendor);
        }
    }
}

/// From privileged mode with paging on: one screen, the pager answers, then paging off.
async fn paging(t: &mut Term, e: &Expect) {
    let page = t.cmd(e.long_cmd, &format!("{}$", escape(e.pager))).await;
    assert_eq!(
        page.matches('\n').count(),
        24,
        "{}: one screen (23 lines) then the pager",
        e.vendor
    );
    t.send(" ").await;
    let next = t
        .expect(&format!("{}|{}$", escape(e.pager), escape(e.privileged)))
        .await;
    if next.ends_with(e.pager) {
        t.send("q").await;
        t.expect(&format!("{}$", escape(e.privileged))).await;
    }
    t.cmd(e.paging_off, &format!("{}$", escape(e.privileged)))
        .await;
    let all = t
        .cmd(e.long_cmd, &format!("{}$", escape(e.privileged)))
        .await;
    assert!(
        !all.contains(e.pager) && all.matches('\n').count() > 24,
        "{}: paging off",
        e.vendor
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_prompts_modes_errors_and_save_over_ssh() {
    for e in &EXPECT {
        let (sim, addr) = ssh_sim(options(e.vendor)).await;
        let mut t = Term::ssh(addr, "admin", "admin").await;
        t.expect(&format!("{}$", escape(e.user))).await;
        configure_and_save(&mut t, e).await;
        // A second session sees the same running config (one device, many sessions).
        let mut t2 = Term::ssh(addr, "admin", "admin").await;
        t2.expect(&format!("{}$", escape(e.user))).await;
        enable(&mut t2, e).await;
        t2.cmd(e.paging_off, &format!("{}$", escape(e.privileged)))
            .await;
        let run = t2
            .cmd(e.running, &format!("{}$", escape(e.privileged)))
            .await;
        assert!(
            run.contains("sim-test"),
            "{}: running config lacks the line:\n{run}",
            e.vendor
        );
        let startup = t2
            .cmd("show startup-config", &format!("{}$", escape(e.privileged)))
            .await;
        let startup = if e.vendor == "brocade_fastiron" {
            t2.cmd("show configuration", &format!("{}$", escape(e.privileged)))
                .await
        } else {
            startup
        };
        assert!(
            startup.contains("sim-test"),
            "{}: saved config lacks the line:\n{startup}",
            e.vendor
        );
        drop(sim);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_stops_long_output_until_disabled() {
    for e in &EXPECT {
        let (_sim, addr) = ssh_sim(options(e.vendor)).await;
        let mut t = Term::ssh(addr, "admin", "admin").await;
        t.expect(&format!("{}$", escape(e.user))).await;
        enable(&mut t, e).await;
        paging(&mut t, e).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fastiron_skip_page_display_is_refused_in_user_mode() {
    let (_sim, addr) = ssh_sim(options("brocade_fastiron")).await;
    let mut t = Term::ssh(addr, "admin", "admin").await;
    t.expect("Switch>$").await;
    let out = t.cmd("skip-page-display", "Switch>$").await;
    assert!(
        out.contains("Invalid input -> skip-page-display"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_console_asks_its_login_and_answers_with_crlf() {
    let dir = tempfile::tempdir().unwrap();
    for (e, login) in EXPECT.iter().zip(LOGINS) {
        let (_sim, link) = console_sim(options(e.vendor), dir.path(), e.vendor).await;
        let mut t = Term::serial(&link).await;
        t.cmd("", &format!("{}$", escape(login))).await;
        t.cmd("admin", "Password: ?$").await;
        let prompt = t.cmd("admin", &format!("{}$", escape(e.user))).await;
        assert!(prompt.ends_with(e.user), "{}", e.vendor);
        // \r\n counts as one Enter: one prompt, not two.
        t.send("\r\n").await;
        t.expect(&format!("{}$", escape(e.user))).await;
        t.send("show version\r\n").await;
        let out = t.expect(&format!("{}$", escape(e.user))).await;
        assert_eq!(out.matches(e.user).count(), 1, "{}: {out:?}", e.vendor);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn factory_cisco_console_runs_the_initial_configuration_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("cisco_ios");
    o.factory = true;
    o.password = String::new();
    let (_sim, link) = console_sim(o, dir.path(), "factory").await;
    let mut t = Term::serial(&link).await;
    t.cmd("", r"initial configuration dialog\? \[yes/no\]: $")
        .await;
    t.cmd("no", "Press RETURN to get started!").await;
    t.cmd("", "Switch>$").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flaps_are_ground_truth_counted_and_logged() {
    let mut o = options("arista_eos");
    o.flaps =
        switchlab_sim::parse_flaps("Ethernet1@100ms/50ms*3+200ms, Ethernet2@150ms/30ms").unwrap();
    let (sim, addr) = ssh_sim(o).await;
    // Let the schedule play: until its 8 edges happened, however loaded the machine.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sim.truth().len() < 8 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let truth = sim.truth();
    let downs = |p: &str| truth.iter().filter(|e| e.port == p && !e.up).count();
    assert_eq!(
        (downs("Ethernet1"), downs("Ethernet2")),
        (3, 1),
        "{truth:#?}"
    );
    assert_eq!(truth.len(), 8, "every down has its up");
    let mut t = Term::ssh(addr, "admin", "admin").await;
    t.expect("localhost>$").await;
    enable(&mut t, &EXPECT[1]).await;
    t.cmd("terminal length 0", "localhost#$").await;
    let out = t.cmd("show interfaces Ethernet1", "localhost#$").await;
    assert!(
        out.contains("6 link status changes since last clear"),
        "{out}"
    );
    let log = t.cmd("show logging", "localhost#$").await;
    assert_eq!(
        log.matches("Interface Ethernet1, changed state to down")
            .count(),
        3,
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn console_log_messages_arrive_in_the_middle_of_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("cisco_ios");
    o.password = String::new();
    o.pace_baud = Some(230_400);
    // The flap's clock starts with the command, not with the simulator.
    o.flaps = switchlab_sim::parse_flaps("GigabitEthernet0/5@400ms/100ms").unwrap();
    o.flaps_from = Some("show interfaces".into());
    let (_sim, link) = console_sim(o, dir.path(), "paced").await;
    let mut t = Term::serial(&link).await;
    t.cmd("", "Switch>$").await;
    t.cmd("terminal length 0", "Switch>$").await;
    // ~40 kB at 230400 baud takes about 1.7 s: the flap 0.4 s in lands inside it.
    let out = t.cmd("show interfaces", "Switch>$").await;
    let pos = out
        .find("%LINK-3-UPDOWN: Interface GigabitEthernet0/5, changed state to down")
        .expect("the log line arrived during the output");
    let after = &out[pos..];
    assert!(
        after.contains("TenGigabitEthernet0/2 is up"),
        "the log line came before the end of the output"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn openssh_client_logs_in_interactively() {
    if !have_tool("ssh", "openssh_client_logs_in_interactively") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key =
        russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
    let key_path = dir.path().join("id");
    key.write_openssh_file(&key_path, russh::keys::ssh_key::LineEnding::LF)
        .unwrap();
    let mut o = options("cisco_ios");
    o.authorized_keys.push(key.public_key().clone());
    let (_sim, addr) = ssh_sim(o).await;
    let port = addr.port().to_string();
    let key_arg = key_path.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("ssh")
            .args([
                "-tt",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
                "-i",
                &key_arg,
                "-p",
                &port,
                "admin@127.0.0.1",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("OpenSSH's ssh is installed");
        child
            .stdin
            .as_mut()
            .unwrap()
            .write_all(b"show version\nexit\n")
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Cisco IOS Software") && text.contains("Switch>"),
        "ssh printed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each vendor's console login prompt, in EXPECT's order.
const LOGINS: [&str; 5] = [
    "Username: ",
    "localhost login: ",
    "Login: ",
    "Please Enter Login Name: ",
    "User:",
];

async fn console_login(t: &mut Term, login: &str, e: &Expect) {
    t.cmd("", &format!("{}$", escape(login))).await;
    t.cmd("admin", "Password: ?$").await;
    t.cmd("admin", &format!("{}$", escape(e.user))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_over_its_console_prompts_errors_save_and_paging() {
    let dir = tempfile::tempdir().unwrap();
    for (e, login) in EXPECT.iter().zip(LOGINS) {
        let (_sim, link) =
            console_sim(options(e.vendor), dir.path(), &format!("{}-cfg", e.vendor)).await;
        let mut t = Term::serial(&link).await;
        console_login(&mut t, login, e).await;
        configure_and_save(&mut t, e).await;
        let run = t
            .cmd(e.running, &format!("{}$", escape(e.privileged)))
            .await;
        assert!(
            run.contains("sim-test"),
            "{}: running config over the console:\n{run}",
            e.vendor
        );
        let (_sim, link) =
            console_sim(options(e.vendor), dir.path(), &format!("{}-page", e.vendor)).await;
        let mut t = Term::serial(&link).await;
        console_login(&mut t, login, e).await;
        enable(&mut t, e).await;
        paging(&mut t, e).await;
    }
}

/// What a link-down log line of each vendor contains, the log buffer command, and a
/// console speed at which its long output takes a second or more.
const LOG_MARK: [(&str, &str, &str, u32); 5] = [
    ("cisco_ios", "%LINK-3-UPDOWN", "show logging", 230_400),
    ("arista_eos", "%LINEPROTO-5-UPDOWN", "show logging", 230_400),
    (
        "dell_force10",
        "%IFMGR-5-OSTATE_DN",
        "show logging",
        230_400,
    ),
    (
        "brocade_fastiron",
        "System: Interface ethernet",
        "show logging",
        230_400,
    ),
    (
        "interface_masters",
        "%% Link Down",
        "show logging buffered",
        9_600,
    ),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_console_prints_a_flap_in_the_middle_of_output_and_logs_it() {
    let dir = tempfile::tempdir().unwrap();
    for (e, (vendor, mark, log_cmd, baud)) in EXPECT.iter().zip(LOG_MARK) {
        assert_eq!(e.vendor, vendor);
        let mut o = options(vendor);
        o.password = String::new();
        o.pace_baud = Some(baud);
        let (sim, link) = console_sim(o, dir.path(), &format!("{vendor}-mid")).await;
        let port = first_port(vendor);
        {
            let mut dev = sim.device.lock().unwrap();
            let i = dev.port_index(port).unwrap();
            dev.bring_up(i); // Force10 and FASTPATH ports start shut
            dev.ports[i].oper_up = true;
            dev.truth.clear(); // the flap below is the one change under test
        }
        let mut t = Term::serial(&link).await;
        t.cmd("", &format!("{}$", escape(e.user))).await;
        enable(&mut t, e).await;
        t.cmd(e.paging_off, &format!("{}$", escape(e.privileged)))
            .await;
        t.send(&format!("{}\r", e.long_cmd)).await;
        let flap = switchlab_sim::parse_flaps(&format!("{port}@400ms/100ms"))
            .unwrap()
            .flaps;
        tokio::spawn(switchlab_sim::link::run_flaps(
            sim.dialect,
            sim.device.clone(),
            flap,
        ));
        let out = t.expect(&format!("{}$", escape(e.privileged))).await;
        let pos = out
            .find(mark)
            .unwrap_or_else(|| panic!("{vendor}: the log line arrived during the output"));
        let after = out[pos..]
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty() && !l.contains(mark))
            .count();
        assert!(
            after >= 2,
            "{vendor}: output went on after the log line ({after} more lines)"
        );
        // Ground truth: one flap, down then up, and the log buffer has it.
        let truth: Vec<bool> = sim.truth().iter().map(|ev| ev.up).collect();
        assert_eq!(truth, vec![false, true], "{vendor}");
        let log = t.cmd(log_cmd, &format!("{}$", escape(e.privileged))).await;
        assert!(log.contains(mark), "{vendor}: {log}");
    }
}

/// `switchlab sim` with a console at `link`, once it says it listens.
fn sim_with_console(dir: &std::path::Path, link: &str) -> std::process::Child {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args([
            "sim",
            "--vendor",
            "cisco_ios",
            "--password",
            "",
            "--serial-link",
            link,
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("serial "), "{line}");
    child
}

// Regression: `sim --serial-link PATH` replaced an existing file with a symlink, and left
// links behind that could later point at an unrelated terminal.
#[test]
fn a_console_link_replaces_nothing_it_does_not_own_and_goes_with_its_simulator() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "keep").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args(["sim", "--vendor", "cisco_ios", "--serial-link", "notes.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exists and is a file: refusing to replace it"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "keep"
    );

    // SIGTERM: the link goes with the simulator.
    let link = dir.path().join("sw.console");
    let child = sim_with_console(dir.path(), "sw.console");
    assert!(std::fs::symlink_metadata(&link).is_ok());
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    child.wait_with_output().unwrap();
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "removed on SIGTERM"
    );

    // SIGKILL leaves it: a client refuses it, the next simulator replaces it.
    let mut child = sim_with_console(dir.path(), "sw.console");
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::write(
        dir.path().join("lab.toml"),
        "[[device]]\nname = \"c\"\nvendor = \"cisco_ios\"\nserial = { port = \"sw.console\" }\n",
    )
    .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args([
            "show",
            "--lab",
            "lab.toml",
            "c",
            "show version",
            "--timeout",
            "2s",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("which is gone"), "{err}");
    let mut child = sim_with_console(dir.path(), "sw.console");
    child.kill().unwrap();
    child.wait().unwrap();
}
