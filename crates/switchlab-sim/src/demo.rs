//! The demo bench, built into the binary (examples/demo/): `switchlab demo` runs from any
//! folder and after `cargo install`. Its files are unpacked into the demo's own folder,
//! and its lab made safe to run beside other demos and on a machine without root.

use std::path::Path;

use switchlab::format::Lab;

/// How run.json names a file of the built-in bench (`builtin:lab.toml`): it is in the
/// binary, not on disk.
pub const BUILT_IN: &str = "builtin:";

/// The bench's files, as examples/demo holds them.
pub const FILES: [(&str, &str); 5] = [
    ("lab.toml", include_str!("../../../examples/demo/lab.toml")),
    (
        "manifest.toml",
        include_str!("../../../examples/demo/manifest.toml"),
    ),
    // The demo's own throwaway key: it opens only the simulators of a demo.
    (
        "demo_ed25519",
        include_str!("../../../examples/demo/demo_ed25519"),
    ),
    (
        "demo_ed25519.pub",
        include_str!("../../../examples/demo/demo_ed25519.pub"),
    ),
    (
        "known_hosts",
        include_str!("../../../examples/demo/known_hosts"),
    ),
];

/// Write the bench's files into `dir` (made if needed): a copy to run or to edit and run
/// with `switchlab demo --bench DIR`.
pub fn unpack(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in FILES {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        if name == "demo_ed25519" {
            // SSH clients refuse a private key others can read.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// The lab made this demo's own: consoles in `dir` (two demos at once must not claim one
/// console link), SSH on any free port (the bench's fixed ones may be another demo's), the
/// servers' namespaces named by `tag`. Without a data plane (`data_plane` false) the
/// servers are this machine's loopback, and flap schedules waiting for traffic across the
/// switches start at once. Returns what it changed that the user should hear.
pub fn localize(lab: &mut Lab, dir: &Path, tag: &str, data_plane: bool) {
    for d in &mut lab.devices {
        if let Some(serial) = &mut d.serial {
            let link = dir.join(format!("{}.console", d.name.get_ref()));
            serial.get_mut().port = link.display().to_string();
        }
        if let Some(ssh) = &mut d.ssh {
            ssh.get_mut().port = 0;
        }
        if let Some(sim) = &mut d.sim
            && !data_plane
            && sim.flaps_from.as_deref() == Some(super::dataplane::forward::TRAFFIC_TRIGGER)
        {
            sim.flaps_from = None;
        }
    }
    for e in &mut lab.endpoints {
        if data_plane {
            if e.netns.is_some() {
                e.netns = Some(format!("swl-{tag}-{}", e.name.get_ref()));
            }
            continue;
        }
        e.netns = None;
        e.address = "127.0.0.1".into();
        for i in &mut e.interfaces {
            i.address = "127.0.0.1".into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_bench_unpacks_and_reads_as_a_lab() {
        let dir = tempfile::tempdir().unwrap();
        unpack(dir.path()).unwrap();
        let src = switchlab::format::Source::read(&dir.path().join("lab.toml")).unwrap();
        let mut lab = Lab::from_source(&src).unwrap();
        assert_eq!(lab.devices.len(), 5);
        localize(&mut lab, dir.path(), "t", false);
        assert!(
            lab.endpoints
                .iter()
                .all(|e| e.netns.is_none() && e.address == "127.0.0.1")
        );
        assert!(
            lab.devices
                .iter()
                .filter_map(|d| d.ssh.as_ref())
                .all(|s| s.get_ref().port == 0)
        );
    }
}
