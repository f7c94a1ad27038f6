//! Why a device could not be reached: [`TransportError`] names the device once and holds
//! the [`Problem`], whose underlying error (I/O, SSH, key file, serial) stays its source.

use std::path::PathBuf;
use std::time::Duration;

/// A device that could not be reached, and why.
#[derive(Debug)]
pub struct TransportError {
    pub device: String,
    pub problem: Problem,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problem {
            Problem::NoAccess => write!(f, "device '{}' {}", self.device, self.problem),
            _ => write!(f, "device '{}': {}", self.device, self.problem),
        }
    }
}

/// The problem's own cause is the error's source (the problem's text is in the message).
impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.problem)
    }
}

impl Problem {
    /// This problem, met on `device`.
    pub fn on(self, device: impl Into<String>) -> TransportError {
        TransportError {
            device: device.into(),
            problem: self,
        }
    }
}

/// What went wrong reaching a device.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("cannot connect to {addr}{}: {error}", through.unwrap_or_default())]
    Connect {
        addr: String,
        /// What the address is, where it is not the device (` (the console server's port)`).
        through: Option<&'static str>,
        #[source]
        error: std::io::Error,
    },
    #[error(
        "{addr} closed the connection before the SSH banner: is SSH enabled there, or is this the right port?"
    )]
    ClosedBeforeBanner { addr: String },
    #[error("{addr} does not speak SSH: it sent `{sent}`")]
    NotSsh {
        addr: String,
        /// Its first line (printable characters, bounded), no `SSH-` line having come.
        sent: String,
    },
    #[error("known_hosts file {} is a folder: give the file inside it (e.g. known_hosts)", path.display())]
    KnownHostsNotAFile { path: PathBuf },
    #[error("no answer from {addr} within {after:?} while {what}")]
    Timeout {
        addr: String,
        what: &'static str,
        after: Duration,
    },
    #[error(
        "host key of {host}:{port} is not known ({fingerprint}); check it, then rerun with --accept-new-host-keys to record it in {}",
        learn_into.display()
    )]
    HostKeyUnknown {
        host: String,
        port: u16,
        fingerprint: String,
        learn_into: PathBuf,
    },
    #[error(
        "HOST KEY OF {host}:{port} HAS CHANGED (now {fingerprint}); it differs from {}:{line}. Refusing to connect: if the device was really replaced, remove that line",
        file.display()
    )]
    HostKeyChanged {
        host: String,
        port: u16,
        fingerprint: String,
        file: PathBuf,
        line: usize,
    },
    #[error("authentication as '{user}' failed (tried: {tried})")]
    Auth { user: String, tried: String },
    #[error("environment variable {var} (named by {key}) is not set")]
    MissingSecret { var: String, key: &'static str },
    #[error("key file {}: {error}", path.display())]
    KeyFile {
        path: PathBuf,
        #[source]
        error: Box<russh::keys::Error>,
    },
    /// The SSH library's error, `at` an address (and step), with a hint where one helps.
    #[error("ssh: {at}: {error}{hint}")]
    Ssh {
        at: String,
        #[source]
        error: Box<dyn std::error::Error + Send + Sync>,
        hint: &'static str,
    },
    #[error("ssh: jump: {why}")]
    Jump { why: String },
    #[error("serial port {port} does not exist; plugged in? `switchlab ports` lists the adapters")]
    SerialMissing { port: String },
    #[error(
        "serial port {port} is busy: another program (screen, minicom, another switchlab) has it open"
    )]
    SerialBusy { port: String },
    #[error("no permission to open serial port {port}; add yourself to the 'dialout' group")]
    SerialDenied { port: String },
    #[error("serial port {port}: {error}")]
    Serial {
        port: String,
        #[source]
        error: tokio_serial::Error,
    },
    /// A port that is there but cannot serve (a stale simulator link, not a tty).
    #[error("serial port {port}: {why}")]
    SerialUnusable { port: String, why: String },
    #[error("has no access method in the lab file")]
    NoAccess,
}

#[cfg(test)]
mod tests {
    use super::Problem;

    #[test]
    fn an_error_names_its_device_once_and_keeps_its_cause() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let e = Problem::Connect {
            addr: "10.0.0.1:22".into(),
            through: None,
            error: refused,
        }
        .on("sw1");
        assert!(
            e.to_string()
                .starts_with("device 'sw1': cannot connect to 10.0.0.1:22: ")
        );
        assert!(std::error::Error::source(&e).is_some());
        let none = Problem::NoAccess.on("sw2").to_string();
        assert_eq!(none, "device 'sw2' has no access method in the lab file");
    }
}
