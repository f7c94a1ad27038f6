//! A real OpenSSH sshd on 127.0.0.1 that a test starts in its own folder: its own config,
//! host key and authorized key (key auth only), a strict known_hosts written for it, and
//! optionally a `ForceCommand` (FRR's vtysh behind it is a switch reached over SSH).

use std::path::Path;

use super::seen_absent;

/// A running sshd on 127.0.0.1, ended when dropped.
pub(crate) struct Sshd {
    pub(crate) child: std::process::Child,
    pub(crate) port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new Ed25519 client key, written to `dir/client_key`.
pub(crate) fn client_key(dir: &Path) -> russh::keys::PrivateKey {
    let key =
        russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
    key.write_openssh_file(dir.join("client_key"), russh::keys::ssh_key::LineEnding::LF)
        .unwrap();
    key
}

/// Start sshd in `dir` accepting `client`'s key for root, every session running
/// `force_command` where given; None (the reason printed) where sshd or root is missing,
/// unless .ci/run says they must be there. `dir/known_hosts` knows its host key.
pub(crate) fn sshd(
    dir: &Path,
    client: &russh::keys::PrivateKey,
    force_command: Option<&str>,
    check: &str,
) -> Option<Sshd> {
    if seen_absent("sshd", check) {
        return None;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { nix::libc::geteuid() } == 0;
    if !root || !Path::new("/usr/sbin/sshd").exists() {
        assert!(
            std::env::var_os("SWITCHLAB_REQUIRE_TOOLS").is_none(),
            "sshd (openssh-server) and root are required here ({check})"
        );
        eprintln!("SKIPPED {check}: needs OpenSSH's sshd and root (.ci/run has both)");
        return None;
    }
    let host =
        russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
    host.write_openssh_file(dir.join("host_key"), russh::keys::ssh_key::LineEnding::LF)
        .unwrap();
    std::fs::write(
        dir.join("authorized_keys"),
        client.public_key().to_openssh().unwrap(),
    )
    .unwrap();
    // A port free a moment ago may be taken before sshd binds it (by another test's
    // simulator, whose own host key would then answer here): sshd's own "Server listening"
    // line says the port is its, and a failed bind is tried again on another port.
    let (child, port) = (0..5)
        .find_map(|_| listening_sshd(dir, force_command))
        .expect("sshd listens on a free port within five tries");
    // Strict known_hosts: the lab's file knows this host key, nothing is learnt.
    std::fs::write(
        dir.join("known_hosts"),
        format!(
            "[127.0.0.1]:{port} {}\n",
            host.public_key().to_openssh().unwrap()
        ),
    )
    .unwrap();
    Some(Sshd { child, port })
}

/// Start sshd on a port free a moment ago; Some once sshd itself says it listens there, None
/// when it exits first (the port was taken in between).
fn listening_sshd(dir: &Path, force_command: Option<&str>) -> Option<(std::process::Child, u16)> {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPidFile none\n",
        d = dir.display()
    );
    if let Some(command) = force_command {
        config.push_str(&format!("ForceCommand {command}\n"));
    }
    std::fs::write(dir.join("sshd_config"), config).unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap(); // its privilege-separation folder
    let mut child = std::process::Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let ours = format!("Server listening on 127.0.0.1 port {port}");
    // Its stderr ends (None) when sshd exits, e.g. "Bind to port … failed".
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains(&ours));
    // Keep reading what it says later, so a full pipe never blocks it.
    std::thread::spawn(move || lines.for_each(drop));
    if listening {
        Some((child, port))
    } else {
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}
