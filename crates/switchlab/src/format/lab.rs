//! `lab.toml`: what is on the bench — devices (vendor, how to reach them, ports with their
//! cables and peers) and endpoints (servers that send and receive traffic).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

pub use super::access::{
    ConsoleAccess, ConsoleProtocol, DataBits, FlowControl, Jump, Parity, SerialAccess, SshAccess,
    StopBits,
};
use super::error::FormatError;
pub use super::sim_spec::{Forwarding, ForwardingMode, LinkSim, SimSpec};
use super::source::Source;
use super::values;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    #[serde(default)]
    pub name: Option<String>,
    /// A known_hosts file kept with the lab (relative to the lab file); checked after ~/.ssh/known_hosts.
    #[serde(default)]
    pub known_hosts: Option<String>,
    #[serde(default, rename = "device")]
    pub devices: Vec<Device>,
    #[serde(default, rename = "endpoint")]
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    #[serde(deserialize_with = "values::name")]
    pub name: Spanned<String>,
    pub vendor: Spanned<String>,
    #[serde(default, deserialize_with = "values::opt_line")]
    pub model: Option<String>,
    /// The hostname the device is expected to carry (templates use it; default: `name`).
    #[serde(default, deserialize_with = "values::opt_line")]
    pub hostname: Option<String>,
    #[serde(default)]
    pub ssh: Option<Spanned<SshAccess>>,
    #[serde(default)]
    pub serial: Option<Spanned<SerialAccess>>,
    /// Its console through a console server or ser2net (telnet, raw TCP, SSH).
    #[serde(default)]
    pub console: Option<Spanned<ConsoleAccess>>,
    /// The device's management address: where its syslog messages come from (default: its
    /// ssh host). IOS names no host in them unless told to, so they are matched by it.
    #[serde(default)]
    pub address: Option<String>,
    /// Environment variable holding the enable secret, for vendors that ask for one.
    #[serde(default, deserialize_with = "values::opt_env_var")]
    pub secret_env: Option<String>,
    /// Ask `switchlab sim --lab` to start a simulated switch for this device.
    #[serde(default)]
    pub sim: Option<SimSpec>,
    #[serde(default, rename = "port")]
    pub ports: Vec<Port>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    #[serde(deserialize_with = "values::port_name")]
    pub name: Spanned<String>,
    #[serde(default, deserialize_with = "values::opt_line")]
    pub description: Option<String>,
    #[serde(default)]
    pub cable: Option<Cable>,
    #[serde(default)]
    pub peer: Option<Peer>,
    /// The port's speed ("10G"), where the switch does not say it; Mbit/s.
    #[serde(default, deserialize_with = "values::opt_speed")]
    pub speed: Option<u64>,
    /// The virtual lab's link on this port (`switchlab sim --lab`'s data plane).
    #[serde(default)]
    pub sim: Option<LinkSim>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cable {
    pub kind: CableKind,
    #[serde(default, deserialize_with = "values::opt_non_negative")]
    pub length_m: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CableKind {
    /// Direct-attach copper (twinax) SFP+/QSFP cable.
    Dac,
    /// Active optical cable.
    Aoc,
    /// Optics with fibre.
    Fiber,
    /// Twisted-pair copper (RJ45).
    Copper,
}

impl CableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CableKind::Dac => "dac",
            CableKind::Aoc => "aoc",
            CableKind::Fiber => "fiber",
            CableKind::Copper => "copper",
        }
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    #[serde(default)]
    pub endpoint: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "values::opt_line")]
    pub nic: Option<String>,
    #[serde(default, deserialize_with = "values::opt_line")]
    pub interface: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    #[serde(deserialize_with = "values::name")]
    pub name: Spanned<String>,
    /// Where traffic goes when the interface a switch port is cabled to has no address of
    /// its own.
    pub address: String,
    /// The endpoint's NICs: the one a switch port is cabled to (`peer.interface`) carries
    /// the traffic measured through that switch.
    #[serde(default, rename = "interface")]
    pub interfaces: Vec<EndpointInterface>,
    /// Over SSH: the switchlab binary there, for the built-in engine (default `switchlab`
    /// on its PATH).
    #[serde(default)]
    pub switchlab: Option<String>,
    #[serde(default)]
    pub ssh: Option<SshAccess>,
    /// The network namespace this endpoint is on this machine (the virtual lab's
    /// endpoints: `switchlab sim --lab` makes it, and its engines start inside it).
    #[serde(default, deserialize_with = "values::opt_name")]
    pub netns: Option<String>,
    /// The virtual lab's links to this endpoint (a port's own `sim` comes first).
    #[serde(default)]
    pub sim: Option<LinkSim>,
}

/// One NIC of an endpoint, by the name a port's `peer.interface` uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointInterface {
    #[serde(deserialize_with = "values::line")]
    pub name: String,
    pub address: String,
    /// Cabled straight to the NIC of this endpoint whose own `direct` names this one, no
    /// switch between (a loopback cable between two tester ports): the testers' own
    /// latency is measured over it and taken off every RFC 2544 latency between them.
    #[serde(default)]
    pub direct: Option<Spanned<String>>,
}

impl Endpoint {
    /// The address of the NIC named `interface`, else the endpoint's own.
    pub fn address_of(&self, interface: Option<&str>) -> &str {
        interface
            .and_then(|i| self.interfaces.iter().find(|n| n.name == i))
            .map_or(self.address.as_str(), |n| n.address.as_str())
    }
}

impl Lab {
    /// Read and validate a lab file: syntax, unknown keys, duplicate names, peer references.
    pub fn load(path: &Path) -> Result<(Lab, Source), FormatError> {
        let src = Source::read(path)?;
        let lab = Lab::from_source(&src)?;
        Ok((lab, src))
    }

    /// A run folder's copy of the lab, as it was run: read, not checked again. It was
    /// checked when the run started, and what it points to (a key file) is not in the
    /// folder, which must read the same on any machine.
    pub fn recorded(src: &Source) -> Result<Lab, FormatError> {
        src.parse_toml()
    }

    pub fn from_source(src: &Source) -> Result<Lab, FormatError> {
        let lab: Lab = src.parse_toml()?;
        lab.validate(src)?;
        Ok(lab)
    }

    fn validate(&self, src: &Source) -> Result<(), FormatError> {
        let devices = self.devices.iter().map(|d| &d.name);
        values::each_once(src, devices, "device.name", "device", "is defined twice")?;
        let endpoints = self.endpoints.iter().map(|e| &e.name);
        values::each_once(
            src,
            endpoints,
            "endpoint.name",
            "endpoint",
            "is defined twice",
        )?;
        for d in &self.devices {
            check_access(src, d)?;
            self.check_ports(src, d)?;
        }
        for e in &self.endpoints {
            if let Some(ssh) = &e.ssh {
                ssh.check(src).map_err(|(key, why)| {
                    src.invalid(&e.name.span(), &format!("endpoint.ssh.{key}"), why)
                })?;
            }
            self.check_direct(e, src)?;
        }
        Ok(())
    }

    /// Each port of `d` once, its peer endpoint one of the lab's.
    fn check_ports(&self, src: &Source, d: &Device) -> Result<(), FormatError> {
        let mut ports = BTreeMap::new();
        for p in &d.ports {
            if ports.insert(p.name.get_ref().clone(), ()).is_some() {
                return Err(src.invalid(
                    &p.name.span(),
                    "device.port.name",
                    format!(
                        "port '{}' is listed twice on device '{}'",
                        p.name.get_ref(),
                        d.name.get_ref()
                    ),
                ));
            }
            if let Some(ep) = p.peer.as_ref().and_then(|p| p.endpoint.as_ref())
                && !self
                    .endpoints
                    .iter()
                    .any(|e| e.name.get_ref() == ep.get_ref())
            {
                return Err(src.unknown_ref(
                    &ep.span(),
                    "device.port.peer.endpoint",
                    "endpoint",
                    ep.get_ref(),
                    "the lab's [[endpoint]] list",
                    self.endpoint_names(),
                ));
            }
        }
        Ok(())
    }

    pub fn device(&self, name: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.name.get_ref() == name)
    }

    pub fn device_names(&self) -> Vec<String> {
        self.devices
            .iter()
            .map(|d| d.name.get_ref().clone())
            .collect()
    }

    pub fn endpoint_names(&self) -> Vec<String> {
        self.endpoints
            .iter()
            .map(|e| e.name.get_ref().clone())
            .collect()
    }
}

impl Device {
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }
    pub fn vendor(&self) -> &str {
        self.vendor.get_ref()
    }
    /// The addresses its syslog may come from: `address`, else the ssh host (a name is
    /// looked up).
    pub fn sender_addresses(&self) -> Vec<std::net::IpAddr> {
        use std::net::ToSocketAddrs;
        let host = match (&self.address, &self.ssh) {
            (Some(a), _) => a.clone(),
            (None, Some(s)) => s.get_ref().host.clone(),
            (None, None) => return Vec::new(),
        };
        match host.parse() {
            Ok(ip) => vec![ip],
            Err(_) => (host.as_str(), 0)
                .to_socket_addrs()
                .map(|a| a.map(|a| a.ip()).collect())
                .unwrap_or_default(),
        }
    }

    pub fn hostname(&self) -> &str {
        self.hostname.as_deref().unwrap_or(self.name.get_ref())
    }
    pub fn port(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name.get_ref() == name)
    }

    /// The port `name` is, as `same` judges two names (a vendor's short forms: `Et2`).
    pub fn port_by(&self, name: &str, same: impl Fn(&str, &str) -> bool) -> Option<&Port> {
        self.port(name)
            .or_else(|| self.ports.iter().find(|p| same(name, p.name.get_ref())))
    }

    pub fn port_names(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| p.name.get_ref().clone())
            .collect()
    }
}

/// Resolve a path from the lab file (a key file, a console) against the lab file's folder.
pub fn lab_path(lab_dir: &Path, p: &str) -> std::path::PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        lab_dir.join(p)
    }
}

/// Exactly one way to reach `d` (`ssh`, `serial` or `console`), each checked.
fn check_access(src: &Source, d: &Device) -> Result<(), FormatError> {
    let ways = [
        d.ssh.as_ref().map(|a| ("ssh", a.span())),
        d.serial.as_ref().map(|a| ("serial", a.span())),
        d.console.as_ref().map(|a| ("console", a.span())),
    ];
    let given: Vec<_> = ways.into_iter().flatten().collect();
    match given.as_slice() {
        [] => {
            return Err(src.invalid(&d.name.span(), "device", format!("device '{}' has no access: add `ssh = {{ host, user, … }}`, `serial = {{ port = \"/dev/ttyUSB0\" }}` or `console = {{ host, port }}`", d.name.get_ref())));
        }
        [_] => {}
        [_, (second, span), ..] => {
            let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
            return Err(src.invalid(
                span,
                &format!("device.{second}"),
                format!(
                    "device '{}' has {} access; give one",
                    d.name.get_ref(),
                    names.join(" and ")
                ),
            ));
        }
    }
    if let Some(c) = &d.console {
        c.get_ref()
            .check()
            .map_err(|(key, why)| src.invalid(&c.span(), &format!("device.console.{key}"), why))?;
    }
    if let Some(ssh) = &d.ssh {
        ssh.get_ref()
            .check(src)
            .map_err(|(key, why)| src.invalid(&ssh.span(), &format!("device.ssh.{key}"), why))?;
    }
    Ok(())
}
