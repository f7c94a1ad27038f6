//! The virtual lab's network namespaces, made with iproute2's `ip`: one per endpoint, and
//! one "fabric" holding the switch side of every link. Each namespace this process makes
//! gets a marker file naming it and its maker (pid and start time); a namespace is only
//! ever removed by the process that made it (on every exit) or, at a later start, when its
//! marker says its maker is gone (a SIGKILL). A namespace without a marker is never touched.

use std::path::PathBuf;
use std::process::Command;

/// Where markers live: `<dir>/<namespace>` holds `pid starttime`.
const MARKERS: &str = "/run/switchlab/netns";

#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    #[error("`{program} {args}` failed: {said}")]
    Tool {
        program: &'static str,
        args: String,
        said: String,
    },
    #[error("the interface counters of namespace {netns} (/proc/net/dev): {error}")]
    Counters {
        netns: String,
        error: std::io::Error,
    },
    #[error("namespace {netns} shows no counters for its interface {interface}")]
    NoCounters { netns: String, interface: String },
    #[error(
        "network namespace '{name}' exists and was not made by a switchlab that has ended: not touched (remove it with `ip netns del {name}` if it is yours)"
    )]
    Taken { name: String },
    #[error("{}: {error}", path.display())]
    Marker {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Run `ip ARGS`, its error output in the error.
pub fn ip(args: &[&str]) -> Result<(), NetnsError> {
    run("ip", args)
}

/// Run `tc ARGS` (iproute2's traffic control), its error output in the error.
pub fn tc(args: &[&str]) -> Result<(), NetnsError> {
    run("tc", args)
}

fn run(program: &'static str, args: &[&str]) -> Result<(), NetnsError> {
    let failed = |said: String| NetnsError::Tool {
        program,
        args: args.join(" "),
        said,
    };
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| failed(format!("{e} (install iproute2)")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(failed(
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    ))
}

/// `pid starttime` of a process, from /proc (None when it is gone).
fn identity(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 22 (starttime), counted after the command name's closing parenthesis.
    let after = stat.rsplit_once(')')?.1;
    let start = after.split_whitespace().nth(19)?;
    Some(format!("{pid} {start}"))
}

fn marker(name: &str) -> PathBuf {
    PathBuf::from(MARKERS).join(name)
}

fn exists(name: &str) -> bool {
    PathBuf::from("/run/netns").join(name).exists()
}

/// Whether the marker of `name` names a process that is gone.
fn orphaned(name: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(marker(name)) else {
        return false;
    };
    let pid = text.split_whitespace().next().and_then(|p| p.parse().ok());
    pid.and_then(identity).as_deref() != Some(text.trim())
}

/// Remove every namespace whose maker is gone (named by its marker); the names removed.
pub fn remove_stale() -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(dir) = std::fs::read_dir(MARKERS) else {
        return removed;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if orphaned(&name) {
            if exists(&name) {
                let _ = ip(&["netns", "del", &name]);
            }
            let _ = std::fs::remove_file(entry.path());
            removed.push(name);
        }
    }
    removed
}

/// Whether this process may make network namespaces (CAP_NET_ADMIN): tried, not guessed.
pub fn can_make() -> Result<(), String> {
    static PROBES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = format!("swl-probe-{}-{n}", std::process::id());
    match ip(&["netns", "add", &probe]) {
        Ok(()) => {
            let _ = ip(&["netns", "del", &probe]);
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The namespaces this process made; removed when dropped.
#[derive(Default)]
pub struct NetnsSet {
    names: Vec<String>,
}

impl NetnsSet {
    /// Make namespace `name` (loopback up), marked as this process's.
    pub fn add(&mut self, name: &str) -> Result<(), NetnsError> {
        if exists(name) {
            if !orphaned(name) {
                return Err(NetnsError::Taken { name: name.into() });
            }
            ip(&["netns", "del", name])?;
        }
        let path = marker(name);
        let mark = |error| NetnsError::Marker {
            path: path.clone(),
            error,
        };
        std::fs::create_dir_all(MARKERS).map_err(mark)?;
        let me = identity(std::process::id()).unwrap_or_default();
        // The marker first: a kill between the two leaves a marker to clean, never an
        // unmarked namespace.
        std::fs::write(&path, me).map_err(mark)?;
        ip(&["netns", "add", name])?;
        self.names.push(name.to_string());
        ip(&["-n", name, "link", "set", "lo", "up"])
    }
}

impl Drop for NetnsSet {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth ends in it, and with them their peers.
        for name in self.names.iter().rev() {
            let _ = ip(&["netns", "del", name]);
            let _ = std::fs::remove_file(marker(name));
        }
    }
}
