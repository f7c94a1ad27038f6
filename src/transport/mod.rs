//! Transports: one byte stream to a device's CLI, over SSH (russh; known_hosts, jump host,
//! legacy algorithms), a serial console (tokio-serial), or a console through a console
//! server (telnet, raw TCP, SSH). Everything above sees only bytes.

pub mod console_link;
pub mod console_server;
pub mod serial;
pub mod ssh;
pub mod telnet;
pub mod usb;

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::format::lab::Device;

/// How long one command may wait for its prompt unless told otherwise: generous, as a
/// long `show` on a slow console at 9600 baud takes minutes.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// Any bidirectional byte stream to a device.
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> ByteStream for T {}

/// An open CLI stream, plus whatever must stay alive for it (SSH session handles).
pub struct Connected {
    pub stream: Box<dyn ByteStream>,
    pub keep_alive: Vec<Box<dyn Send + Sync>>,
    /// Lines typed ahead wait, flow-controlled, until the device reads them (a network
    /// session). A serial line has no such hold: a device that is busy drops them.
    pub holds_type_ahead: bool,
}

/// How to reach devices: host-key policy and timeouts.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub accept_new_host_keys: bool,
    /// known_hosts files checked in order (the user's, then the lab's).
    pub known_hosts: Vec<PathBuf>,
    /// Where a newly accepted host key is recorded.
    pub learn_into: PathBuf,
    /// Folder relative paths in the lab file (key files, consoles) are relative to.
    pub lab_dir: PathBuf,
    pub connect_timeout: Duration,
    pub auth_timeout: Duration,
    /// How long the device may stay silent while a prompt is awaited.
    pub idle_timeout: Duration,
    /// How long a prompt may be awaited however much else arrives (log lines).
    pub command_timeout: Duration,
    /// Send config lines one at a time even where the profile types them ahead.
    pub line_by_line: bool,
}

impl ConnectOptions {
    /// The user's ~/.ssh/known_hosts, then the lab's own file if it names one (which is
    /// also where new keys are recorded; else the user's file).
    pub fn for_lab(
        lab: &crate::format::Lab,
        lab_dir: &std::path::Path,
        accept_new_host_keys: bool,
    ) -> ConnectOptions {
        let user = std::env::home_dir()
            .unwrap_or_default()
            .join(".ssh")
            .join("known_hosts");
        let local = lab.known_hosts.as_ref().map(|k| lab_dir.join(k));
        let mut known_hosts = vec![user.clone()];
        known_hosts.extend(local.clone());
        ConnectOptions {
            accept_new_host_keys,
            known_hosts,
            learn_into: local.unwrap_or(user),
            lab_dir: lab_dir.to_path_buf(),
            connect_timeout: Duration::from_secs(10),
            auth_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            command_timeout: COMMAND_TIMEOUT,
            line_by_line: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("device '{device}': cannot connect to {addr}{}: {error}", through.unwrap_or_default())]
    Connect {
        device: String,
        addr: String,
        /// What the address is, where it is not the device (` (the console server's port)`).
        through: Option<&'static str>,
        #[source]
        error: std::io::Error,
    },
    #[error(
        "device '{device}': {addr} closed the connection before the SSH banner: is SSH enabled there, or is this the right port?"
    )]
    ClosedBeforeBanner { device: String, addr: String },
    #[error("device '{device}': {addr} does not speak SSH: it sent `{sent}`")]
    NotSsh {
        device: String,
        addr: String,
        /// Its first line (printable characters, bounded), no `SSH-` line having come.
        sent: String,
    },
    #[error("device '{device}': known_hosts file {} is a folder: give the file inside it (e.g. known_hosts)", path.display())]
    KnownHostsNotAFile { device: String, path: PathBuf },
    #[error("device '{device}': no answer from {addr} within {after:?} while {what}")]
    Timeout {
        device: String,
        addr: String,
        what: &'static str,
        after: Duration,
    },
    #[error(
        "device '{device}': host key of {host}:{port} is not known ({fingerprint}); check it, then rerun with --accept-new-host-keys to record it in {}",
        learn_into.display()
    )]
    HostKeyUnknown {
        device: String,
        host: String,
        port: u16,
        fingerprint: String,
        learn_into: PathBuf,
    },
    #[error(
        "device '{device}': HOST KEY OF {host}:{port} HAS CHANGED (now {fingerprint}); it differs from {}:{line}. Refusing to connect: if the device was really replaced, remove that line",
        file.display()
    )]
    HostKeyChanged {
        device: String,
        host: String,
        port: u16,
        fingerprint: String,
        file: PathBuf,
        line: usize,
    },
    #[error("device '{device}': authentication as '{user}' failed (tried: {tried})")]
    Auth {
        device: String,
        user: String,
        tried: String,
    },
    #[error("device '{device}': environment variable {var} (named by {key}) is not set")]
    MissingSecret {
        device: String,
        var: String,
        key: &'static str,
    },
    #[error("device '{device}': key file {}: {error}", path.display())]
    KeyFile {
        device: String,
        path: PathBuf,
        error: String,
    },
    #[error("device '{device}': ssh: {error}")]
    Ssh { device: String, error: String },
    #[error(
        "device '{device}': serial port {port} does not exist; plugged in? `switchlab ports` lists the adapters"
    )]
    SerialMissing { device: String, port: String },
    #[error(
        "device '{device}': serial port {port} is busy: another program (screen, minicom, another switchlab) has it open"
    )]
    SerialBusy { device: String, port: String },
    #[error(
        "device '{device}': no permission to open serial port {port}; add yourself to the 'dialout' group"
    )]
    SerialDenied { device: String, port: String },
    #[error("device '{device}': serial port {port}: {error}")]
    Serial {
        device: String,
        port: String,
        error: String,
    },
    #[error("device '{device}' has no access method in the lab file")]
    NoAccess { device: String },
}

/// A secret named by an environment variable.
pub fn secret_from_env(
    device: &str,
    var: &str,
    key: &'static str,
) -> Result<String, TransportError> {
    let value = std::env::var(var).map_err(|_| TransportError::MissingSecret {
        device: device.into(),
        var: var.into(),
        key,
    })?;
    crate::secrets::remember(&value);
    Ok(value)
}

/// Open the device's CLI stream the way the lab says.
pub async fn connect(dev: &Device, opts: &ConnectOptions) -> Result<Connected, TransportError> {
    if let Some(ssh) = &dev.ssh {
        let c = ssh::connect(dev.name(), ssh.get_ref(), opts).await?;
        return Ok(Connected {
            holds_type_ahead: c.holds_type_ahead && !opts.line_by_line,
            ..c
        });
    }
    if let Some(serial) = &dev.serial {
        return serial::open(dev.name(), serial.get_ref(), opts);
    }
    if let Some(c) = &dev.console {
        return console_server::connect(dev.name(), c.get_ref(), opts).await;
    }
    Err(TransportError::NoAccess {
        device: dev.name().into(),
    })
}
