//! FRRouting's zebra in a network namespace behind a real sshd whose `ForceCommand` is
//! vtysh: the bench tests/frr.rs drives with FRR's profile kept as data.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::sshd::{Sshd, client_key, sshd};
use super::*;

pub(crate) const ZEBRA: &str = "/usr/lib/frr/zebra";

/// zebra in a namespace of its own with ports p1 and p2, each a veth whose far end (far1,
/// far2) is in the same namespace; ended and removed when dropped.
pub(crate) struct Frr {
    pub(crate) ns: String,
    pub(crate) run: PathBuf,
}

impl Drop for Frr {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.run.join("zebra.pid"))
            && let Ok(pid) = pid.trim().parse::<i32>()
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = ip(&["netns", "del", &self.ns]);
    }
}

pub(crate) fn ip(args: &[&str]) -> std::process::Output {
    std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap()
}

/// Whether FRR can run here: root for namespaces, frr's zebra and vtysh installed.
pub(crate) fn can_run_frr(check: &str) -> bool {
    if !super::netns::may_make_namespaces(check) {
        return false;
    }
    if !Path::new(ZEBRA).exists() || !have_tool("vtysh", check) {
        assert!(
            std::env::var_os("SWITCHLAB_REQUIRE_TOOLS").is_none(),
            "FRRouting (package frr) is not installed, and SWITCHLAB_REQUIRE_TOOLS says it must be ({check})"
        );
        eprintln!(
            "SKIPPED {check}: FRRouting is not installed (apt-get install frr; .ci/run does)"
        );
        return false;
    }
    true
}

impl Frr {
    /// Start zebra in a fresh namespace, its sockets and config in `dir/frr`.
    pub(crate) fn start(dir: &Path, tag: &str) -> Frr {
        let ns = format!("swl-{tag}-frr");
        let run = dir.join("frr");
        std::fs::create_dir_all(&run).unwrap();
        // zebra runs as the frr user: it must reach and write its folder.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(run.join("zebra.conf"), "hostname frr1\n").unwrap();
        std::fs::write(run.join("vtysh.conf"), "").unwrap();
        let owned = std::process::Command::new("chown")
            .args(["-R", "frr:frr"])
            .arg(&run)
            .status()
            .unwrap();
        assert!(owned.success());
        let _ = ip(&["netns", "del", &ns]);
        let frr = Frr { ns, run };
        let ns = frr.ns.as_str();
        assert!(ip(&["netns", "add", ns]).status.success());
        for (p, far) in [("p1", "far1"), ("p2", "far2")] {
            let made = ip(&[
                "-n", ns, "link", "add", p, "type", "veth", "peer", "name", far,
            ]);
            assert!(made.status.success(), "{made:?}");
            for l in [p, far] {
                assert!(ip(&["-n", ns, "link", "set", l, "up"]).status.success());
            }
        }
        let d = frr.run.display().to_string();
        let started = std::process::Command::new("ip")
            .args(["netns", "exec", ns, ZEBRA, "-d", "-u", "frr", "-g", "frr"])
            .args([
                "-f",
                &format!("{d}/zebra.conf"),
                "-i",
                &format!("{d}/zebra.pid"),
            ])
            .args(["-z", &format!("{d}/zserv.api"), "--vty_socket", &d])
            .args(["--log", &format!("file:{d}/zebra.log")])
            .output()
            .unwrap();
        assert!(started.status.success(), "zebra: {started:?}");
        // zebra daemonizes before it listens: its vty socket says it is ready.
        let since = Instant::now();
        while !frr.run.join("zebra.vty").exists() {
            assert!(
                since.elapsed() < Duration::from_secs(10),
                "zebra made no vty socket in {d} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        frr
    }

    /// vtysh as the sshd runs it for every session.
    pub(crate) fn vtysh(&self) -> String {
        let d = self.run.display();
        format!("/usr/bin/vtysh --vty_socket {d} --config_dir {d}")
    }

    /// `ip -br link show PORT` in the namespace: its flags say whether it is up.
    pub(crate) fn link(&self, port: &str) -> String {
        let out = ip(&["-n", &self.ns, "-br", "link", "show", port]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The far end of `port`'s veth set down or up: the carrier of `port` follows.
    pub(crate) fn far_end(&self, port: &str, up: bool) {
        let far = port.replace('p', "far");
        let state = if up { "up" } else { "down" };
        assert!(
            ip(&["-n", &self.ns, "link", "set", &far, state])
                .status
                .success()
        );
    }
}

/// The bench: zebra, sshd in front of vtysh, a lab naming FRR's profile, templates.
pub(crate) struct Bench {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) frr: Frr,
    _sshd: Sshd,
}

pub(crate) fn bench(check: &str) -> Option<Bench> {
    if !can_run_frr(check) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let frr = Frr::start(dir.path(), &super::netns::tag(check));
    let key = client_key(dir.path());
    let sshd = sshd(dir.path(), &key, Some(&frr.vtysh()), check)?;
    let lab = format!(
        "known_hosts = \"known_hosts\"\n[[device]]\nname = \"frr1\"\nvendor = \"frr\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"root\", key_file = \"client_key\" }}\n[[device.port]]\nname = \"p1\"\n[[device.port]]\nname = \"p2\"\n",
        sshd.port
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // The example templates, and two of the test's own: one that shuts p2, one that a
    // real vtysh rejects halfway.
    let templates = dir.path().join("templates/frr");
    std::fs::create_dir_all(&templates).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("examples/templates/frr/baseline.j2"),
        templates.join("baseline.j2"),
    )
    .unwrap();
    std::fs::write(
        templates.join("shut.j2"),
        "interface p2\n description parked by switchlab\n shutdown\n exit\n",
    )
    .unwrap();
    std::fs::write(
        templates.join("rejected.j2"),
        "interface p1\n description half\n switchport mode access\n no shutdown\n exit\n",
    )
    .unwrap();
    Some(Bench {
        dir,
        frr,
        _sshd: sshd,
    })
}

/// switchlab with FRR's profile and the bench's templates, as a user types it.
pub(crate) fn args<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let vendors: &'static str = Box::leak(format!("{repo}/examples/vendors").into_boxed_str());
    let mut a = vec!["--vendors", vendors, "--templates", "templates"];
    a.extend_from_slice(rest);
    a
}

pub(crate) fn manifest(dir: &Path, template: &str) {
    let m = format!(
        "name = \"frr\"\n[[device]]\nname = \"frr1\"\ntemplate = \"{template}\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"500ms\"\n"
    );
    std::fs::write(dir.join("m.toml"), m).unwrap();
}

pub(crate) const PUSH_FILES: [&str; 5] = ["push", "--lab", "lab.toml", "--manifest", "m.toml"];

/// FRR's running config as vtysh prints it, outside switchlab.
pub(crate) fn running_config(frr: &Frr) -> String {
    frr.vtysh_says("show running-config")
}

impl Frr {
    /// What vtysh answers `command`, outside switchlab.
    pub(crate) fn vtysh_says(&self, command: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{} -c '{command}'", self.vtysh()))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The kernel's count of carrier changes of `port`: the truth a watch is held to.
    pub(crate) fn carrier_changes(&self, port: &str) -> u64 {
        let path = format!("/sys/class/net/{port}/carrier_changes");
        let out = ip(&["netns", "exec", &self.ns, "cat", &path]);
        let text = String::from_utf8_lossy(&out.stdout);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{path}: {out:?}"))
    }
}
