//! Transports: one byte stream to a device's CLI, over SSH (russh; known_hosts, jump host,
//! legacy algorithms), a serial console (tokio-serial), or a console through a console
//! server (telnet, raw TCP, SSH). Everything above sees only bytes.

pub mod console_link;
pub mod console_server;
mod error;
pub mod serial;
pub mod ssh;
pub mod telnet;
pub mod usb;

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

pub use error::{Problem, TransportError};

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

/// A secret named by an environment variable.
pub fn secret_from_env(
    device: &str,
    var: &str,
    key: &'static str,
) -> Result<String, TransportError> {
    let value = std::env::var(var).map_err(|_| {
        Problem::MissingSecret {
            var: var.into(),
            key,
        }
        .on(device)
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
    Err(Problem::NoAccess.on(dev.name()))
}
