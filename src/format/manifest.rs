//! `manifest.toml`: one repeatable test run — which devices, which baseline template with
//! which variables, throughput tests, the flap watch and the pass criteria.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::error::FormatError;
use super::lab::Lab;
use super::source::Source;
use super::values;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A short name for the run; becomes part of the run folder's name.
    #[serde(deserialize_with = "values::plain_name")]
    pub name: String,
    #[serde(default)]
    pub baseline: Baseline,
    #[serde(rename = "device")]
    pub devices: Vec<DeviceUnderTest>,
    #[serde(default, rename = "throughput")]
    pub throughput: Vec<ThroughputTest>,
    #[serde(default)]
    pub flaps: FlapWatch,
    #[serde(default)]
    pub criteria: Criteria,
}

/// The config every device gets, rendered from `templates/<vendor>/<template>.j2`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default = "default_template")]
    pub template: String,
    /// Access VLAN the tested ports join.
    #[serde(default = "default_vlan", deserialize_with = "vlan_id")]
    pub vlan: u16,
    #[serde(default = "default_vlan_name", deserialize_with = "values::line")]
    pub vlan_name: String,
    /// Where devices send syslog (`logging host`); absent = no logging host line.
    #[serde(default, deserialize_with = "values::opt_line")]
    pub logging_host: Option<String>,
    /// The UDP port they send it to; absent = the port of `[flaps] syslog_listen`, so the
    /// devices reach the watch's receiver.
    #[serde(default, deserialize_with = "udp_port")]
    pub logging_port: Option<u16>,
    /// Free variables for templates (`vars.NAME`).
    #[serde(default, deserialize_with = "values::vars")]
    pub vars: BTreeMap<String, toml::Value>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            template: default_template(),
            vlan: default_vlan(),
            vlan_name: default_vlan_name(),
            logging_host: None,
            logging_port: None,
            vars: BTreeMap::new(),
        }
    }
}

fn default_template() -> String {
    "baseline".into()
}
fn default_vlan() -> u16 {
    10
}
fn default_vlan_name() -> String {
    "switchlab".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceUnderTest {
    pub name: Spanned<String>,
    /// Ports to configure and watch; default: every port the lab lists for the device.
    #[serde(default)]
    pub ports: Option<Vec<Spanned<String>>>,
    /// Overrides the baseline template for this device.
    #[serde(default)]
    pub template: Option<String>,
    /// Per-device template variables, merged over `baseline.vars`.
    #[serde(default, deserialize_with = "values::vars")]
    pub vars: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThroughputTest {
    #[serde(deserialize_with = "values::plain_name")]
    pub name: String,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    #[serde(default = "default_test_duration")]
    pub duration: Spanned<String>,
    #[serde(default = "default_streams", deserialize_with = "streams")]
    pub streams: u32,
    /// TCP window, e.g. "4M"; absent = the OS default.
    #[serde(default)]
    pub window: Option<String>,
    /// absent = iperf3 where it is installed, else the built-in engine.
    #[serde(default)]
    pub engine: Option<Engine>,
    /// `tcp` (default) or `udp`.
    #[serde(default)]
    pub protocol: Protocol,
    /// UDP's target rate: "1G", "500M", "100000" bits per second (required with udp).
    #[serde(default)]
    pub rate: Option<Spanned<String>>,
    /// Devices to measure the test through (default: every device under test that cables
    /// both endpoints).
    #[serde(default)]
    pub through: Option<Vec<Spanned<String>>>,
}

fn default_test_duration() -> Spanned<String> {
    Spanned::new(0..0, "10s".into())
}
fn default_streams() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
}

/// "1G", "500M", "64K", "100000": bits per second.
pub fn parse_rate(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().ok()?;
    let factor = match unit {
        "" => 1,
        "K" | "k" => 1_000,
        "M" | "m" => 1_000_000,
        "G" | "g" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(factor).filter(|r| *r > 0)
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Iperf3,
    Builtin,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum FlapSource {
    /// Flap counters and last-change times from `show interfaces`.
    Counters,
    /// Oper up/down between polls.
    State,
    /// Asynchronous lines on the console session.
    Console,
    /// The device's log buffer (`show logging`).
    Buffer,
    /// The built-in syslog receiver.
    Syslog,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlapWatch {
    #[serde(default = "default_sources")]
    pub sources: Vec<FlapSource>,
    #[serde(default = "default_interval")]
    pub interval: Spanned<String>,
    #[serde(default = "default_watch_duration")]
    pub duration: Spanned<String>,
    /// Where the syslog receiver listens; devices are pointed at it by `logging_host`.
    #[serde(default = "default_syslog_listen", deserialize_with = "socket_addr")]
    pub syslog_listen: std::net::SocketAddr,
}

impl Default for FlapWatch {
    fn default() -> Self {
        FlapWatch {
            sources: default_sources(),
            interval: default_interval(),
            duration: default_watch_duration(),
            syslog_listen: default_syslog_listen(),
        }
    }
}

fn default_sources() -> Vec<FlapSource> {
    use FlapSource::*;
    vec![Counters, State, Console, Buffer, Syslog]
}
fn default_interval() -> Spanned<String> {
    Spanned::new(0..0, "1s".into())
}
fn default_watch_duration() -> Spanned<String> {
    Spanned::new(0..0, "10m".into())
}
/// Unprivileged, so a watch needs no root; real switches default to 514, so the baseline
/// tells them the port (`logging_port`).
pub const DEFAULT_SYSLOG_LISTEN: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 5514);

fn default_syslog_listen() -> std::net::SocketAddr {
    DEFAULT_SYSLOG_LISTEN
}

fn vlan_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    values::int_in(d, 1, 4094, "a VLAN ID")
}

fn streams<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    values::int_in(d, 1, 128, "streams (parallel connections)")
}

fn socket_addr<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::net::SocketAddr, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "'{s}' is not ADDRESS:PORT; write e.g. \"0.0.0.0:5514\" (port 0: any free port)"
        ))
    })
}

fn udp_port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let n = values::integer(d)?;
    match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(Some(p)),
        _ => Err(serde::de::Error::custom(format!(
            "{n} is not a UDP port; write 1 to 65535 (514 is syslog's own)"
        ))),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    #[serde(default, deserialize_with = "values::opt_non_negative")]
    pub min_gbps: Option<f64>,
    #[serde(default)]
    pub max_flaps_per_port: u32,
}

/// Whether two names are one port of the device (its vendor's long and short forms).
pub type SamePort<'a> = &'a dyn Fn(&super::lab::Device, &str, &str) -> bool;

impl Manifest {
    pub fn load(
        path: &Path,
        lab: &Lab,
        same_port: SamePort<'_>,
    ) -> Result<(Manifest, Source), FormatError> {
        let src = Source::read(path)?;
        let m = Manifest::from_source(&src, lab, same_port)?;
        Ok((m, src))
    }

    /// Parse and check every reference into the lab: devices, ports, endpoints, durations.
    /// A port may be written in any form `same_port` accepts (the vendor's short forms); it
    /// is kept as the lab writes it.
    pub fn from_source(
        src: &Source,
        lab: &Lab,
        same_port: SamePort<'_>,
    ) -> Result<Manifest, FormatError> {
        let mut m: Manifest = src.parse_toml()?;
        values::each_once(
            src,
            m.devices.iter().map(|d| &d.name),
            "device.name",
            "device",
            "is listed twice; list a device once (its `ports` say which ports)",
        )?;
        for t in &m.throughput {
            for d in t.through.iter().flatten() {
                if !m.devices.iter().any(|u| u.name.get_ref() == d.get_ref()) {
                    let known = m.devices.iter().map(|u| u.name.get_ref().clone()).collect();
                    return Err(src.unknown_ref(
                        &d.span(),
                        "throughput.through",
                        "device",
                        d.get_ref(),
                        "the manifest's devices under test",
                        known,
                    ));
                }
            }
        }
        for t in &m.throughput {
            match (&t.protocol, &t.rate) {
                (Protocol::Udp, None) => {
                    return Err(src.invalid(
                        &t.from.span(),
                        "throughput.rate",
                        format!(
                            "UDP test '{}' needs a target `rate`, e.g. \"1G\" or \"500M\"",
                            t.name
                        ),
                    ));
                }
                (_, Some(r)) if parse_rate(r.get_ref()).is_none() => {
                    return Err(src.invalid(
                        &r.span(),
                        "throughput.rate",
                        format!("'{}' is not a rate; write bits per second, e.g. \"1G\", \"500M\", \"64K\"", r.get_ref()),
                    ));
                }
                _ => {}
            }
        }
        let mut tests: Vec<&str> = Vec::new();
        for t in &m.throughput {
            if tests.contains(&t.name.as_str()) {
                return Err(src.invalid(
                    &t.from.span(),
                    "throughput.name",
                    format!("throughput test '{}' is defined twice", t.name),
                ));
            }
            tests.push(&t.name);
        }
        for d in &mut m.devices {
            let Some(dev) = lab.device(d.name.get_ref()) else {
                return Err(src.unknown_ref(
                    &d.name.span(),
                    "device.name",
                    "device",
                    d.name.get_ref(),
                    "lab.toml",
                    lab.device_names(),
                ));
            };
            for p in d.ports.iter_mut().flatten() {
                let Some(port) = dev.port_by(p.get_ref(), |a, b| same_port(dev, a, b)) else {
                    let known = dev.ports.iter().map(|p| p.name.get_ref().clone()).collect();
                    return Err(src.unknown_ref(
                        &p.span(),
                        "device.ports",
                        "port",
                        p.get_ref(),
                        &format!("lab.toml device '{}'", dev.name()),
                        known,
                    ));
                };
                let span = p.span();
                *p = Spanned::new(span, port.name.get_ref().clone());
            }
        }
        for t in &m.throughput {
            for (key, ep) in [("throughput.from", &t.from), ("throughput.to", &t.to)] {
                if !lab
                    .endpoints
                    .iter()
                    .any(|e| e.name.get_ref() == ep.get_ref())
                {
                    return Err(src.unknown_ref(
                        &ep.span(),
                        key,
                        "endpoint",
                        ep.get_ref(),
                        "lab.toml",
                        lab.endpoint_names(),
                    ));
                }
            }
            positive_duration(src, &t.duration, "throughput.duration")?;
        }
        positive_duration(src, &m.flaps.interval, "flaps.interval")?;
        parse_duration(src, &m.flaps.duration, "flaps.duration")?;
        Ok(m)
    }

    /// The UDP port devices send syslog to: `[baseline] logging_port`, else the port the
    /// watch's receiver listens on.
    pub fn logging_port(&self) -> u16 {
        self.baseline
            .logging_port
            .unwrap_or(self.flaps.syslog_listen.port())
    }

    /// The devices under test with the ports to use (the manifest's list, or all the lab's).
    pub fn ports_for<'a>(&self, dut: &DeviceUnderTest, lab: &'a Lab) -> Vec<&'a super::lab::Port> {
        let Some(dev) = lab.device(dut.name.get_ref()) else {
            return Vec::new();
        };
        match &dut.ports {
            Some(list) => list.iter().filter_map(|p| dev.port(p.get_ref())).collect(),
            None => dev.ports.iter().collect(),
        }
    }
}

/// A duration that must not be zero (a poll interval of 0 is a busy loop; a 0 s test
/// measures nothing).
pub fn positive_duration(
    src: &Source,
    value: &Spanned<String>,
    key: &str,
) -> Result<Duration, FormatError> {
    let d = parse_duration(src, value, key)?;
    if d.is_zero() {
        return Err(src.invalid(
            &value.span(),
            key,
            format!("'{}' is zero; write e.g. \"1s\"", value.get_ref()),
        ));
    }
    Ok(d)
}

/// Read a duration such as "30s", "10m", "1h 30m", "250ms", naming the key when it is wrong.
pub fn parse_duration(
    src: &Source,
    value: &Spanned<String>,
    key: &str,
) -> Result<Duration, FormatError> {
    humantime::parse_duration(value.get_ref()).map_err(|e| {
        src.invalid(
            &value.span(),
            key,
            format!(
                "'{}' is not a duration ({e}); write e.g. \"30s\", \"10m\", \"250ms\"",
                value.get_ref()
            ),
        )
    })
}
