//! A virtual lab's drop counts across processes: `switchlab sim --lab LAB` publishes its
//! data plane's count of each switch's drops (the model's and the host's) in a small file
//! named by the lab's path, rewritten every few milliseconds while it runs; a `switchlab
//! run` of the same lab in another process reads it, so a loss the host caused there is
//! the host's, not `unaccounted`. The file names the process that writes it: one whose
//! process has ended is not read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::lab_drops::{LabDropCount, LabDrops, LabDropsHandle};

/// How often the counts are rewritten: well inside a trial's drain.
const EVERY: Duration = Duration::from_millis(20);

#[derive(Debug, Serialize, Deserialize)]
struct Published {
    pid: u32,
    devices: Vec<(String, u64, u64)>,
}

/// Where the counts of the lab at `lab` are published: the user's runtime folder (else
/// the temporary one), a name from the lab file's absolute path.
pub(crate) fn path_for(lab: &Path) -> PathBuf {
    let full = std::fs::canonicalize(lab).unwrap_or_else(|_| lab.to_path_buf());
    let digest = crate::record::digest(&full.display().to_string());
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("switchlab-lab-drops-{}.json", &digest[..16]))
}

/// Publishing a data plane's counts; the file is removed when it is dropped.
pub struct Publisher {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Publish `drops` of `devices` for the lab at `lab` until the publisher is dropped.
pub fn publish(lab: &Path, drops: Arc<dyn LabDrops>, devices: Vec<String>) -> Publisher {
    let path = path_for(lab);
    let stop = Arc::new(AtomicBool::new(false));
    let (file, halt) = (path.clone(), stop.clone());
    let thread = std::thread::spawn(move || {
        let pid = std::process::id();
        let tmp = file.with_extension(format!("{pid}.tmp"));
        while !halt.load(Ordering::Relaxed) {
            let counts = devices.iter().filter_map(|d| {
                let c = drops.drops(d)?;
                Some((d.clone(), c.switch, c.host))
            });
            let p = Published {
                pid,
                devices: counts.collect(),
            };
            // Written whole and renamed over: a reader never sees half a file. No fsync:
            // the file lives as long as the process, and a crash leaves a dead pid in it.
            if let Ok(text) = serde_json::to_vec(&p)
                && std::fs::write(&tmp, text).is_ok()
            {
                let _ = std::fs::rename(&tmp, &file);
            }
            std::thread::sleep(EVERY);
        }
    });
    Publisher {
        path,
        stop,
        thread: Some(thread),
    }
}

impl Publisher {
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The counts another process publishes for the lab at `lab`, with its pid; None where
/// none does (no file, or its writer has ended).
pub fn published(lab: &Path) -> Option<(LabDropsHandle, u32)> {
    let path = path_for(lab);
    let p = read(&path)?;
    Some((LabDropsHandle(Arc::new(FromFile(path))), p.pid))
}

fn read(path: &Path) -> Option<Published> {
    let text = std::fs::read(path).ok()?;
    let p: Published = serde_json::from_slice(&text).ok()?;
    let pid = nix::unistd::Pid::from_raw(i32::try_from(p.pid).ok()?);
    // Signal 0: whether the writer is still there.
    nix::sys::signal::kill(pid, None).ok()?;
    Some(p)
}

/// A published file, read afresh at every look.
struct FromFile(PathBuf);

impl LabDrops for FromFile {
    fn drops(&self, device: &str) -> Option<LabDropCount> {
        let p = read(&self.0)?;
        let (_, switch, host) = p.devices.into_iter().find(|(d, _, _)| d == device)?;
        Some(LabDropCount { switch, host })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl LabDrops for Fixed {
        fn drops(&self, device: &str) -> Option<LabDropCount> {
            (device == "sw").then_some(LabDropCount { switch: 7, host: 3 })
        }
    }

    #[test]
    fn a_published_count_is_read_by_the_lab_s_path_until_its_publisher_ends() {
        let dir = tempfile::tempdir().unwrap();
        let lab = dir.path().join("lab.toml");
        std::fs::write(&lab, "").unwrap();
        assert!(published(&lab).is_none(), "nothing published yet");
        let publisher = publish(&lab, Arc::new(Fixed), vec!["sw".into(), "other".into()]);
        let since = std::time::Instant::now();
        let (handle, pid) = loop {
            if let Some(p) = published(&lab) {
                break p;
            }
            assert!(since.elapsed() < Duration::from_secs(5), "published");
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(pid, std::process::id());
        let want = LabDropCount { switch: 7, host: 3 };
        assert_eq!(handle.0.drops("sw"), Some(want));
        assert_eq!(handle.0.drops("other"), None, "not a switch it counts");
        let file = publisher.path().to_path_buf();
        drop(publisher);
        assert!(!file.exists(), "removed at the end");
        assert!(published(&lab).is_none());
    }

    #[test]
    fn a_file_whose_writer_has_ended_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let lab = dir.path().join("lab.toml");
        std::fs::write(&lab, "").unwrap();
        let p = Published {
            // No process has this pid (above the kernel's limit).
            pid: 4_194_305,
            devices: vec![("sw".into(), 1, 1)],
        };
        let path = path_for(&lab);
        std::fs::write(&path, serde_json::to_vec(&p).unwrap()).unwrap();
        assert!(published(&lab).is_none());
        let _ = std::fs::remove_file(path);
    }
}
