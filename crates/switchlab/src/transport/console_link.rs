//! Console links a simulator leaves (`switchlab sim --serial-link PATH`): a symlink to its
//! pty, and beside it `PATH.switchlab-sim` naming the simulator's process and the pty. The
//! marker is what lets a simulator replace only links it left itself (never a file, never
//! someone else's link), and lets a client refuse a stale link whose pty number the system
//! may since have given to an unrelated terminal.

use std::io;
use std::path::{Path, PathBuf};

fn marker(link: &Path) -> PathBuf {
    let mut name = link.as_os_str().to_owned();
    name.push(".switchlab-sim");
    PathBuf::from(name)
}

/// (pid, pty) from a link's marker, if it has one.
fn read_marker(link: &Path) -> Option<(i32, PathBuf)> {
    let text = std::fs::read_to_string(marker(link)).ok()?;
    let (pid, tty) = text.trim().split_once(' ')?;
    Some((pid.parse().ok()?, PathBuf::from(tty)))
}

fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// Why a console path is a stale simulator link, or None when it is not one (a real
/// adapter, a link nobody marked, a live simulator's link).
pub fn stale(link: &Path) -> Option<String> {
    let (pid, tty) = read_marker(link)?;
    let target = std::fs::read_link(link).ok();
    if !alive(pid) {
        return Some(format!(
            "a console link left by simulator process {pid}, which is gone (its pty {} may now be another terminal's); remove {} and start the simulator again",
            tty.display(),
            link.display()
        ));
    }
    if target.as_deref() != Some(tty.as_path()) {
        return Some(format!(
            "a console link whose target changed since simulator process {pid} made it"
        ));
    }
    None
}

/// Make `link` a symlink to `tty` for this process. An existing path is replaced only if
/// it is a link a simulator left and whose simulator is gone; anything else is refused.
pub fn claim(link: &Path, tty: &Path) -> io::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(link) {
        let ours_and_stale = meta.file_type().is_symlink()
            && read_marker(link)
                .is_some_and(|(pid, _)| !alive(pid) || pid == std::process::id() as i32);
        if !ours_and_stale {
            let what = if meta.file_type().is_symlink() {
                match read_marker(link) {
                    Some((pid, _)) => format!("the console of running simulator process {pid}"),
                    None => "a link switchlab did not make".into(),
                }
            } else if meta.is_dir() {
                "a folder".into()
            } else {
                "a file".into()
            };
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is {what}: refusing to replace it; choose another path",
                    link.display()
                ),
            ));
        }
        std::fs::remove_file(link)?;
    }
    if let Some(dir) = link.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::os::unix::fs::symlink(tty, link)?;
    std::fs::write(
        marker(link),
        format!("{} {}\n", std::process::id(), tty.display()),
    )
}

/// Remove `link` and its marker if they are still this process's link to `tty`.
pub fn release(link: &Path, tty: &Path) {
    let ours =
        read_marker(link).is_some_and(|(pid, t)| pid == std::process::id() as i32 && t == tty);
    if ours && std::fs::read_link(link).ok().as_deref() == Some(tty) {
        let _ = std::fs::remove_file(link);
        let _ = std::fs::remove_file(marker(link));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: `sim --serial-link PATH` replaced an existing regular file with a symlink.
    #[test]
    fn a_file_or_a_foreign_link_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "keep").unwrap();
        let e = claim(&file, Path::new("/dev/null")).unwrap_err();
        assert!(e.to_string().contains("exists and is a file"), "{e}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
        let foreign = dir.path().join("ttyUSB0");
        std::os::unix::fs::symlink("/dev/null", &foreign).unwrap();
        let e = claim(&foreign, Path::new("/dev/zero")).unwrap_err();
        assert!(
            e.to_string().contains("a link switchlab did not make"),
            "{e}"
        );
    }

    #[test]
    fn a_stale_link_is_named_stale_and_may_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("sw.console");
        claim(&link, Path::new("/dev/null")).unwrap();
        assert_eq!(stale(&link), None, "a live simulator's link");
        // As a SIGKILLed simulator leaves it: a process that is gone.
        let gone = i32::MAX - 1;
        std::fs::write(marker(&link), format!("{gone} /dev/null\n")).unwrap();
        let why = stale(&link).expect("stale");
        assert!(why.contains("which is gone"), "{why}");
        claim(&link, Path::new("/dev/zero")).unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/zero"));
        release(&link, Path::new("/dev/zero"));
        assert!(std::fs::symlink_metadata(&link).is_err(), "removed on exit");
        assert!(!marker(&link).exists());
    }
}
