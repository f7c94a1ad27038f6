//! A real ser2net on 127.0.0.1 that a test starts in its own folder, in front of a serial
//! device (a simulator's pty console): its own YAML config, in the foreground.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use super::have_tool;

/// A running ser2net, ended when dropped.
pub(crate) struct Ser2net {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl Drop for Ser2net {
    fn drop(&mut self) {
        // SIGKILL: a foreground ser2net may outlive a SIGTERM.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port free on 127.0.0.1 just now.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Whether something listens on 127.0.0.1:`port`, as the kernel says: a probing connection
/// would open the serial device and take the console's output.
fn listening(port: u16) -> bool {
    let local = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .any(|f| f.len() > 3 && f[1] == local && f[3] == "0A")
}

/// Start ser2net in `dir` serving the serial device `tty` on a free port of 127.0.0.1, by
/// telnet with RFC 2217 (`telnet`) or raw TCP, once it listens; None (the reason printed)
/// where ser2net is missing, unless .ci/run says it must be there.
pub(crate) fn ser2net(dir: &Path, tty: &Path, telnet: bool, check: &str) -> Option<Ser2net> {
    if !have_tool("ser2net", check) {
        return None;
    }
    let port = free_port();
    let accepter = if telnet { "telnet(rfc2217),tcp" } else { "tcp" };
    let config = dir.join("ser2net.yaml");
    std::fs::write(
        &config,
        format!(
            "connection: &console\n  accepter: {accepter},127.0.0.1,{port}\n  \
             connector: serialdev,{},9600n81,local\n  options:\n    kickolduser: true\n",
            tty.display()
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("ser2net.log")).unwrap();
    // -n: the foreground; -u: no UUCP lock files; its own pid file, not /run's.
    let child = std::process::Command::new("ser2net")
        .arg("-n")
        .arg("-u")
        .arg("-c")
        .arg(&config)
        .arg("-P")
        .arg(dir.join("ser2net.pid"))
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let s = Ser2net { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !listening(port) {
        assert!(
            Instant::now() < deadline,
            "ser2net listens on {port}: {}",
            std::fs::read_to_string(dir.join("ser2net.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(s)
}
