//! A whole virtual bench from a lab file: one simulated switch per device that asks for
//! one (`sim = { … }`), listening where the lab says the device is reached.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use super::{Cabling, Sim, SimError, SimOptions, parse_flaps};
use switchlab::format::Lab;
use switchlab::format::lab::{ConsoleProtocol, Device};

/// A started simulator and where it listens (`ssh 127.0.0.1:2202`, `serial PATH`).
pub struct BenchSwitch {
    pub device: String,
    pub sim: Sim,
    pub listeners: Vec<String>,
    /// Where its SSH listener got bound (the lab's port, or any free one for port 0).
    pub ssh: Option<SocketAddr>,
}

use switchlab::format::lab::lab_path;

/// The public half of device `dev`'s key file `key` (beside it, `.pub`): the key the
/// simulator lets in.
fn public_key(dev: &Device, lab_dir: &Path, key: &str) -> Result<russh::keys::PublicKey, SimError> {
    let pub_path = lab_path(lab_dir, &format!("{key}.pub"));
    let what = format!("device '{}': public key {}", dev.name(), pub_path.display());
    let text = std::fs::read_to_string(&pub_path).map_err(|error| SimError::Io {
        what: what.clone(),
        error,
    })?;
    russh::keys::PublicKey::from_openssh(text.trim()).map_err(|e| SimError::Io {
        what,
        error: std::io::Error::other(e.to_string()),
    })
}

fn options(dev: &Device, lab_dir: &Path) -> Result<SimOptions, SimError> {
    let spec = dev.sim.clone().unwrap_or_default();
    let mut o = SimOptions::new(dev.vendor());
    o.name = dev.name().to_string();
    o.seed = spec.seed.unwrap_or(1);
    o.factory = spec.factory;
    o.pace_baud = spec.pace_baud;
    o.password = spec.password.clone().unwrap_or_default();
    o.secret = spec.secret.clone();
    o.syslog_port = spec.syslog_port.unwrap_or(514);
    o.flaps_from = spec.flaps_from.clone();
    if let Some(flaps) = &spec.flaps {
        o.flaps = parse_flaps(flaps).map_err(|e| SimError::Io {
            what: format!("device '{}': sim.flaps", dev.name()),
            error: std::io::Error::other(e.to_string()),
        })?;
    }
    if let Some(ssh) = &dev.ssh {
        let ssh = ssh.get_ref();
        o.user = ssh.user.clone();
        o.legacy_algorithms = ssh.legacy_algorithms;
        if let Some(key) = &ssh.key_file {
            o.authorized_keys.push(public_key(dev, lab_dir, key)?);
        }
    }
    if let Some(serial) = &dev.serial {
        o.user = serial
            .get_ref()
            .user
            .clone()
            .unwrap_or_else(|| "admin".into());
    }
    if let Some(c) = &dev.console {
        let c = c.get_ref();
        // An SSH console server's user is `USER:PORT`; the console's login is its own.
        o.user = c
            .user
            .as_deref()
            .and_then(|u| u.split(':').next())
            .or(c.login_user.as_deref())
            .unwrap_or("admin")
            .to_string();
    }
    o.cabling = Some(
        dev.ports
            .iter()
            .filter(|p| p.peer.is_some())
            .map(|p| Cabling {
                port: p.name.get_ref().clone(),
                kind: p.cable.as_ref().map(|c| c.kind.as_str().to_string()),
                length_m: p.cable.as_ref().and_then(|c| c.length_m),
                nic: p.peer.as_ref().and_then(|p| p.nic.clone()),
                transceiver: p.sim.as_ref().and_then(|s| s.transceiver.clone()),
                rx_drift_db: p.sim.as_ref().and_then(|s| s.rx_drift_db),
            })
            .collect(),
    );
    Ok(o)
}

/// Start every simulated device of the lab.
pub async fn start(lab: &Lab, lab_dir: &Path) -> Result<Vec<BenchSwitch>, SimError> {
    let mut out = Vec::new();
    for dev in lab.devices.iter().filter(|d| d.sim.is_some()) {
        let mut sim = Sim::start(options(dev, lab_dir)?)?;
        let mut listeners = Vec::new();
        let mut ssh_bound = None;
        if let Some(ssh) = &dev.ssh {
            let ssh = ssh.get_ref();
            let addr: SocketAddr = (ssh.host.as_str(), ssh.port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| SimError::Io {
                    what: format!("device '{}': ssh host '{}'", dev.name(), ssh.host),
                    error: std::io::Error::other("does not resolve"),
                })?;
            let bound = sim.listen_ssh(addr).await?;
            listeners.push(format!("ssh {bound}"));
            ssh_bound = Some(bound);
        }
        if let Some(serial) = &dev.serial {
            let link = lab_path(lab_dir, &serial.get_ref().port);
            sim.listen_console(&link).await?;
            listeners.push(format!("serial {}", link.display()));
        }
        if let Some(c) = &dev.console {
            let c = c.get_ref();
            let port = c.tcp_port().unwrap_or(0);
            let addr: SocketAddr = (c.host.as_str(), port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| SimError::Io {
                    what: format!("device '{}': console host '{}'", dev.name(), c.host),
                    error: std::io::Error::other("does not resolve"),
                })?;
            let (kind, bound) = match c.protocol {
                ConsoleProtocol::Ssh => ("console ssh", sim.listen_ssh(addr).await?),
                ConsoleProtocol::Telnet => {
                    ("console telnet", sim.listen_console_tcp(addr, true).await?)
                }
                ConsoleProtocol::Raw => ("console raw", sim.listen_console_tcp(addr, false).await?),
            };
            listeners.push(format!("{kind} {bound}"));
        }
        out.push(BenchSwitch {
            device: dev.name().to_string(),
            sim,
            listeners,
            ssh: ssh_bound,
        });
    }
    Ok(out)
}

/// The data plane between the bench's simulated switches and the lab's endpoints that
/// have `netns`; None when no endpoint has one.
pub fn data_plane(
    lab: &Lab,
    switches: &[BenchSwitch],
    opts: &super::dataplane::DataPlaneOptions,
) -> Result<Option<super::dataplane::DataPlane>, super::dataplane::DataPlaneError> {
    let devices: Vec<(
        String,
        std::sync::Arc<std::sync::Mutex<super::state::Device>>,
    )> = switches
        .iter()
        .map(|s| (s.device.clone(), s.sim.device.clone()))
        .collect();
    super::dataplane::DataPlane::start(lab, &devices, opts)
}

/// A whole virtual bench up: its simulators and (where it can run) its data plane, both
/// stopped when this is dropped.
pub struct Running {
    pub switches: Vec<BenchSwitch>,
    pub forwarding: Option<super::dataplane::DataPlane>,
    /// What came up, a line each (listeners, links).
    pub lines: Vec<String>,
}

impl Running {
    /// Start the lab's simulators (and the data plane when `data_plane`), and point the
    /// lab's SSH entries at the ports the simulators got.
    pub async fn start(
        lab: &mut Lab,
        lab_dir: &Path,
        opts: &super::dataplane::DataPlaneOptions,
        data_plane: bool,
    ) -> Result<Running, BenchError> {
        let switches = start(lab, lab_dir).await?;
        let forwarding = match data_plane {
            true => self::data_plane(lab, &switches, opts)?,
            false => None,
        };
        let mut lines: Vec<String> = (forwarding.iter().flat_map(|d| &d.lines))
            .map(|l| format!("data plane: {l}"))
            .collect();
        for s in &switches {
            lines.push(format!(
                "sim    {:<16} {}",
                s.device,
                s.listeners.join(", ")
            ));
            let dev = lab.devices.iter_mut().find(|d| d.name() == s.device);
            if let (Some(ssh), Some(bound)) = (dev.and_then(|d| d.ssh.as_mut()), s.ssh) {
                ssh.get_mut().port = bound.port();
            }
        }
        Ok(Running {
            switches,
            forwarding,
            lines,
        })
    }
}

/// Why a bench could not come up.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error(transparent)]
    DataPlane(#[from] super::dataplane::DataPlaneError),
}
