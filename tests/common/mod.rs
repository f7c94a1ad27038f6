//! Test helpers: real simulators in-process (SSH on 127.0.0.1 ephemeral ports, consoles on
//! real ptys), a raw terminal to type at them, and the `switchlab` binary run as a user would.
#![allow(dead_code)]

pub(crate) mod frr;
pub(crate) mod netns;
pub(crate) mod pty;
pub(crate) mod ser2net;
pub(crate) mod sshd;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use regex::Regex;
use switchlab::record::rows::{FlapRow, PortRow};
use switchlab::states::PortVerdict;
use switchlab_sim::{Sim, SimOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The demo bench's five switches, in its lab's order.
pub(crate) const DEMO_DEVICES: [&str; 5] = [
    "cisco-3560x",
    "arista-7048",
    "f10-s4810",
    "icx-7150",
    "niagara-2924",
];

/// The one run folder a command made under `runs`.
pub(crate) fn the_run_folder(runs: &Path) -> PathBuf {
    let mut all: Vec<PathBuf> = std::fs::read_dir(runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        all.len(),
        1,
        "one run folder in {}: {all:?}",
        runs.display()
    );
    all.remove(0)
}

pub(crate) const VENDORS: [&str; 5] = [
    "cisco_ios",
    "arista_eos",
    "dell_force10",
    "brocade_fastiron",
    "interface_masters",
];

pub(crate) async fn ssh_sim(mut o: SimOptions) -> (Sim, SocketAddr) {
    o.password = if o.password.is_empty() {
        "admin".into()
    } else {
        o.password
    };
    let mut sim = Sim::start(o).expect("sim starts");
    let addr = sim
        .listen_ssh("127.0.0.1:0".parse().unwrap())
        .await
        .expect("ssh listens");
    (sim, addr)
}

pub(crate) async fn console_sim(o: SimOptions, dir: &Path, name: &str) -> (Sim, PathBuf) {
    let mut sim = Sim::start(o).expect("sim starts");
    let link = dir.join(format!("{name}.console"));
    sim.listen_console(&link).await.expect("console opens");
    (sim, link)
}

/// A raw terminal on a byte stream: type, and wait for text.
pub(crate) struct Term {
    pub(crate) stream: Box<dyn switchlab::transport::ByteStream>,
    _keep: Vec<Box<dyn Send + Sync>>,
    pub(crate) seen: String,
}

impl Term {
    /// A raw SSH shell as any client opens one (russh directly: the password is passed,
    /// not put in the environment, which tests running in parallel threads share).
    pub(crate) async fn ssh(addr: SocketAddr, user: &str, password: &str) -> Term {
        struct AnyKey;
        impl russh::client::Handler for AnyKey {
            type Error = russh::Error;
            async fn check_server_key(
                &mut self,
                _key: &russh::keys::PublicKeyOrCertificate,
            ) -> Result<bool, Self::Error> {
                Ok(true)
            }
        }
        let config = std::sync::Arc::new(russh::client::Config::default());
        let mut h = russh::client::connect(config, addr, AnyKey)
            .await
            .expect("ssh connects");
        let auth = h
            .authenticate_password(user, password)
            .await
            .expect("ssh authenticates");
        assert!(auth.success(), "password accepted");
        let ch = h.channel_open_session().await.expect("session opens");
        ch.request_pty(true, "vt100", 511, 24, 0, 0, &[])
            .await
            .expect("pty");
        ch.request_shell(true).await.expect("shell");
        Term {
            stream: Box::new(ch.into_stream()),
            _keep: vec![Box::new(h)],
            seen: String::new(),
        }
    }

    pub(crate) async fn serial(path: &Path) -> Term {
        let s = tokio_serial::new(path.to_string_lossy(), 9600);
        let stream =
            tokio_serial::SerialPortBuilderExt::open_native_async(s).expect("console opens");
        Term {
            stream: Box::new(stream),
            _keep: Vec::new(),
            seen: String::new(),
        }
    }

    pub(crate) async fn send(&mut self, s: &str) {
        self.stream.write_all(s.as_bytes()).await.unwrap();
        self.stream.flush().await.unwrap();
    }

    /// Read until `re` matches what arrived since the last match; returns that text.
    pub(crate) async fn expect(&mut self, re: &str) -> String {
        let re = Regex::new(re).unwrap();
        let mut buf = [0u8; 8192];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(m) = re.find(&self.seen) {
                let upto = m.end();
                let text = self.seen[..upto].to_string();
                self.seen.drain(..upto);
                return text;
            }
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                other => panic!(
                    "waiting for /{re}/: {other:?}; seen so far: {:?}",
                    self.seen
                ),
            }
        }
    }

    /// Type a line (with `\r`) and wait for `re`.
    pub(crate) async fn cmd(&mut self, line: &str, re: &str) -> String {
        self.send(&format!("{line}\r")).await;
        self.expect(re).await
    }
}

/// The switchlab binary as a user in `cwd` would start it: HOME there, `env` set.
fn command(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"));
    cmd.args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .envs(env.iter().copied());
    cmd
}

/// Run the switchlab binary off the async runtime (the simulators keep running on it).
pub(crate) async fn switchlab(
    args: &[&str],
    env: &[(&str, &str)],
    cwd: &Path,
) -> std::process::Output {
    let mut cmd = command(args, env, cwd);
    tokio::task::spawn_blocking(move || cmd.output().expect("switchlab runs"))
        .await
        .unwrap()
}

/// Start the switchlab binary in `cwd` as a user would (HOME there, the test secrets set),
/// stdout piped, stderr dropped; for tests that act while it runs.
pub(crate) fn spawn(args: &[&str], cwd: &Path) -> std::process::Child {
    command(args, &ENV, cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("switchlab starts")
}

pub(crate) fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A device entry for a lab file.
pub(crate) fn ssh_device(name: &str, vendor: &str, addr: SocketAddr, ports: &[&str]) -> String {
    let mut s = format!(
        "[[device]]\nname = \"{name}\"\nvendor = \"{vendor}\"\nsecret_env = \"T_SECRET\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"admin\", password_env = \"T_PASS\" }}\n",
        addr.port()
    );
    for p in ports {
        s.push_str(&format!("[[device.port]]\nname = \"{p}\"\n"));
    }
    s
}

/// `[[device.port]]` entries, each cabled to an endpoint: (port, endpoint).
pub(crate) fn cabled(ports: &[(&str, &str)]) -> String {
    ports
        .iter()
        .map(|(p, e)| format!("[[device.port]]\nname = \"{p}\"\npeer = {{ endpoint = \"{e}\" }}\n"))
        .collect()
}

pub(crate) fn serial_device(
    name: &str,
    vendor: &str,
    link: &Path,
    login: bool,
    ports: &[&str],
) -> String {
    let login = if login {
        ", user = \"admin\", password_env = \"T_PASS\""
    } else {
        ""
    };
    let mut s = format!(
        "[[device]]\nname = \"{name}\"\nvendor = \"{vendor}\"\nsecret_env = \"T_SECRET\"\nserial = {{ port = \"{}\"{login} }}\n",
        link.display()
    );
    for p in ports {
        s.push_str(&format!("[[device.port]]\nname = \"{p}\"\n"));
    }
    s
}

/// `switchlab push` on the test folder's lab.toml and m.toml, learning host keys.
pub(crate) const PUSH: [&str; 6] = [
    "push",
    "--lab",
    "lab.toml",
    "--manifest",
    "m.toml",
    "--accept-new-host-keys",
];

/// `switchlab run` on the test folder's lab.toml and m.toml, learning host keys.
pub(crate) const RUN: [&str; 6] = [
    "run",
    "--lab",
    "lab.toml",
    "--manifest",
    "m.toml",
    "--accept-new-host-keys",
];

/// `switchlab watch` of lab.toml's `device`, learning host keys, for `duration`, polling
/// every `interval`, with these `sources` and any `extra` flags.
pub(crate) fn watch_args<'a>(
    device: &'a str,
    duration: &'a str,
    interval: &'a str,
    sources: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "watch",
        "--lab",
        "lab.toml",
        "--accept-new-host-keys",
        "--duration",
        duration,
        "--interval",
        interval,
        "--sources",
        sources,
    ];
    args.extend(extra);
    args.push(device);
    args
}

pub(crate) const ENV: [(&str, &str); 2] = [("T_PASS", "admin"), ("T_SECRET", "enablepw")];

/// A first port of each vendor as the lab writes it.
pub(crate) fn first_port(vendor: &str) -> &'static str {
    match vendor {
        "cisco_ios" => "GigabitEthernet0/1",
        "arista_eos" => "Ethernet1",
        "dell_force10" => "TenGigabitEthernet 0/1",
        "brocade_fastiron" => "1/1/1",
        _ => "0/1",
    }
}

pub(crate) fn options(vendor: &str) -> SimOptions {
    let mut o = SimOptions::new(vendor);
    o.secret = Some("enablepw".into());
    o
}

/// Options of a simulator that plays the flap spec (`switchlab sim --flaps`), its clock
/// started by the first `show` command (a watch's first read), not by the simulator's
/// start: a slow connect on a loaded machine cannot make the watch miss a flap.
pub(crate) fn flapping(vendor: &str, spec: &str) -> SimOptions {
    let mut o = options(vendor);
    o.flaps = switchlab_sim::parse_flaps(spec).expect("flap spec");
    o.flaps_from = Some("show".into());
    o
}

/// A console that asks for no login (the lab then gives no console user).
pub(crate) fn no_login(mut o: SimOptions) -> SimOptions {
    o.password = String::new();
    o
}

/// The run folder whose report.html a command printed as its last line (relative to `cwd`).
pub(crate) fn printed_folder(out: &std::process::Output, cwd: &Path) -> PathBuf {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default().trim().to_string();
    let report = cwd.join(&last);
    assert!(
        last.ends_with("report.html"),
        "the last line is the report's path: {last:?}\n{stdout}"
    );
    report.parent().map(Path::to_path_buf).unwrap_or(report)
}

/// A file of a run folder, as text.
pub(crate) fn read(folder: &Path, name: &str) -> String {
    std::fs::read_to_string(folder.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Milliseconds since the epoch of a run folder's time stamp.
pub(crate) fn ms(t: &str) -> i128 {
    let ts: jiff::Timestamp = t.parse().unwrap();
    ts.as_millisecond() as i128
}

/// Milliseconds since the epoch.
pub(crate) fn unix_ms(t: SystemTime) -> i128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i128
}

/// The rows of a CSV file's text, each read as the run folder's record type.
pub(crate) fn rows<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}:\n{text}")))
        .collect()
}

/// Flaps counted per (device, port) in flaps.csv (its text): downs plus unseen.
pub(crate) fn counted(flaps: &str, device: &str, port: &str) -> u64 {
    use switchlab::states::FlapEvent;
    rows::<FlapRow>(flaps)
        .iter()
        .filter(|r| r.device == device && r.port == port)
        .filter(|r| matches!(r.event, FlapEvent::Down | FlapEvent::Unseen))
        .map(|r| r.flaps)
        .sum()
}

/// The ports.csv row (of its text) of `device`'s `port`.
#[track_caller]
pub(crate) fn port_row(ports: &str, device: &str, port: &str) -> PortRow {
    rows::<PortRow>(ports)
        .into_iter()
        .find(|r| r.device == device && r.port == port)
        .unwrap_or_else(|| panic!("no row {device} {port} in ports.csv:\n{ports}"))
}

/// Assert that ports.csv (its text) says `device`'s `port` flapped `flaps` times (when
/// given) and came to `verdict`.
#[track_caller]
pub(crate) fn assert_port(
    ports: &str,
    device: &str,
    port: &str,
    flaps: Option<u64>,
    verdict: PortVerdict,
) {
    let r = port_row(ports, device, port);
    assert_eq!(r.verdict, verdict, "{r:?}\n{ports}");
    if let Some(f) = flaps {
        assert_eq!(r.flaps, f, "{r:?}\n{ports}");
    }
}

/// A run folder's run.json.
pub(crate) fn run_json(folder: &Path) -> serde_json::Value {
    serde_json::from_str(&read(folder, "run.json")).unwrap()
}

/// Start switchlab, wait until its stderr says `ready`, send SIGINT, and wait for it.
pub(crate) async fn interrupt_when(
    args: &[&str],
    cwd: &std::path::Path,
    ready: &str,
) -> (std::process::Output, String) {
    signal_when(args, cwd, ready, nix::sys::signal::Signal::SIGINT).await
}

/// Start switchlab, wait until its stderr says `ready`, send `sig`, and wait for it.
pub(crate) async fn signal_when(
    args: &[&str],
    cwd: &std::path::Path,
    ready: &str,
    sig: nix::sys::signal::Signal,
) -> (std::process::Output, String) {
    let running = run_until(args, cwd, ready).await;
    nix::sys::signal::kill(running.pid(), sig).unwrap();
    let started = std::time::Instant::now();
    let ended = running.finish().await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "Ctrl-C ends it after a last poll, not after the 10 min"
    );
    ended
}

/// A switchlab started by `run_until`, past the line it waited for.
pub(crate) struct Running {
    child: std::process::Child,
    /// Its stderr, line by line, read by a thread of its own (so a wait can time out).
    lines: std::sync::mpsc::Receiver<String>,
    /// Its stderr up to and with the awaited line.
    pub(crate) said: String,
}

/// Start switchlab in `cwd` as a user would and return once its stderr says `ready`: the
/// moment a test acts on (a signal, a flap), an event rather than a guess at a time.
pub(crate) async fn run_until(args: &[&str], cwd: &std::path::Path, ready: &str) -> Running {
    use std::io::BufRead;
    let mut child = command(args, &ENV, cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let err = std::io::BufReader::new(child.stderr.take().unwrap());
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut running = Running {
        child,
        lines,
        said: String::new(),
    };
    running.wait_for(ready).await;
    running
}

impl Running {
    pub(crate) fn pid(&self) -> nix::unistd::Pid {
        nix::unistd::Pid::from_raw(self.child.id() as i32)
    }

    /// Wait (at most 60 s) until its stderr has a line holding `pattern`; that line.
    pub(crate) async fn wait_for(&mut self, pattern: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        tokio::task::block_in_place(|| {
            loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match self.lines.recv_timeout(left) {
                    Ok(line) => {
                        self.said.push_str(&line);
                        self.said.push('\n');
                        if line.contains(pattern) {
                            return line;
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        panic!(
                            "switchlab did not say `{pattern}` within 60 s:\n{}",
                            self.said
                        )
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        panic!("switchlab ended without saying `{pattern}`:\n{}", self.said)
                    }
                }
            }
        })
    }

    /// Wait for it to end: its output, and all its stderr.
    pub(crate) async fn finish(self) -> (std::process::Output, String) {
        let Running {
            child,
            lines,
            mut said,
        } = self;
        tokio::task::spawn_blocking(move || {
            let out = child.wait_with_output().unwrap();
            for line in lines.iter() {
                said.push_str(&line);
                said.push('\n');
            }
            (out, said)
        })
        .await
        .unwrap()
    }
}

/// The exit code of an interrupted watch or run.
pub(crate) const INTERRUPTED: i32 = 130;

/// Whether the system tool `name` (iperf3, ssh-agent, …) can be started here. Where it
/// cannot, the caller skips the check that needs it, and this prints why; but where
/// `.ci/run` has installed every tool (it sets SWITCHLAB_REQUIRE_TOOLS=1), a missing tool
/// fails the test instead of skipping it silently.
pub(crate) fn have_tool(name: &str, check: &str) -> bool {
    if seen_absent(name, check) {
        return false;
    }
    let found = std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("SWITCHLAB_REQUIRE_TOOLS").is_none(),
            "{name} is not installed, and SWITCHLAB_REQUIRE_TOOLS says it must be ({check})"
        );
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {check}: {name} is not installed here (.ci/run installs it and runs this check)"
        );
    }
    found
}

/// Whether SWITCHLAB_ABSENT_TOOLS (CI's run as a fresh machine) says to take `tool` as not
/// installed: the check is skipped as it is where the tool is missing, and says so.
pub(crate) fn seen_absent(tool: &str, check: &str) -> bool {
    let absent = switchlab::tools::absent(tool);
    if absent {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {check}: {} takes {tool} as not installed",
            switchlab::tools::ABSENT_TOOLS
        );
    }
    absent
}

/// A copy of the built-in Arista profile with `from` replaced by `to` (every occurrence),
/// in `dir/vendors`.
pub(crate) fn arista_with(dir: &Path, from: &str, to: &str) {
    let text = include_str!("../../vendors/arista_eos.toml");
    assert!(text.contains(from), "{from}");
    std::fs::create_dir_all(dir.join("vendors")).unwrap();
    std::fs::write(dir.join("vendors/arista_eos.toml"), text.replace(from, to)).unwrap();
}
