//! `manifest.toml`: one repeatable test run — which devices, which baseline template with
//! which variables, throughput tests, RFC 2544 benchmarks, the flap watch and the pass
//! criteria.
//!
//! Layout: this file (the manifest, its baseline, devices and criteria), `throughput`,
//! `benchmark`, `flaps` (each table's keys), `check` (everything checked against the lab,
//! with located errors).

mod benchmark;
mod check;
mod flaps;
mod port;
mod throughput;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::FormatError;
use super::lab::Lab;
use super::source::Source;
use super::values;

pub use super::values::parse_rate;
pub use benchmark::{Benchmark, BenchmarkTest, LatencyCriteria, NoDropCriteria};
pub use check::{parse_duration, positive_duration};
pub use flaps::{DEFAULT_SYSLOG_LISTEN, FlapSource, FlapWatch};
pub use port::PortEntry;
pub use throughput::{Engine, Protocol, ThroughputTest};

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
    /// RFC 2544 benchmarks (`[[benchmark]]`).
    #[serde(default, rename = "benchmark")]
    pub benchmarks: Vec<Benchmark>,
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
    /// An entry is a name or `{ name = "Ethernet3", expect_down = true }`.
    #[serde(default)]
    pub ports: Option<Vec<Spanned<PortEntry>>>,
    /// Ports expected down (a test of a deliberately unplugged port): not judged by link.
    #[serde(default)]
    pub expect_down: Vec<Spanned<PortEntry>>,
    /// Overrides the baseline template for this device.
    #[serde(default)]
    pub template: Option<String>,
    /// Per-device template variables, merged over `baseline.vars`.
    #[serde(default, deserialize_with = "values::vars")]
    pub vars: BTreeMap<String, toml::Value>,
}

fn vlan_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    values::int_in(d, 1, 4094, "a VLAN ID")
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

/// What a run's verdicts are judged by; run.json keeps it from the run's start.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    #[serde(default, deserialize_with = "values::opt_non_negative")]
    pub min_gbps: Option<f64>,
    #[serde(default)]
    pub max_flaps_per_port: u32,
    /// The lowest no-drop rate a benchmark may find, in percent of line rate: one figure
    /// for every frame size, or per size (`{ 64 = 50, 1518 = 99 }`).
    #[serde(default)]
    pub min_no_drop_percent: Option<NoDropCriteria>,
    /// The highest latency a benchmark may measure, in µs (its average at the
    /// throughput rate): one figure, or per frame size.
    #[serde(default)]
    pub max_latency_us: Option<LatencyCriteria>,
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
        check::check(src, &mut m, lab, same_port)?;
        Ok(m)
    }

    /// The manifest of a `watch`: these devices (lab names) and their ports (empty: all
    /// the lab lists), nothing to push or measure, the rest from `base` (a manifest given
    /// to the watch) or the defaults.
    pub fn for_watch(
        name: &str,
        devices: &[(String, Vec<String>)],
        base: Option<&Manifest>,
    ) -> Manifest {
        let spanned = |s: &str| Spanned::new(0..0, s.to_string());
        let from_base = |name: &str| base.and_then(|m| m.device(name));
        Manifest {
            name: name.to_string(),
            baseline: Baseline::default(),
            devices: devices
                .iter()
                .map(|(d, ports)| DeviceUnderTest {
                    name: spanned(d),
                    ports: (!ports.is_empty()).then(|| {
                        ports
                            .iter()
                            .map(|p| Spanned::new(0..0, PortEntry::named(p)))
                            .collect()
                    }),
                    expect_down: from_base(d)
                        .map(|b| b.expect_down.clone())
                        .unwrap_or_default(),
                    template: None,
                    vars: BTreeMap::new(),
                })
                .collect(),
            throughput: Vec::new(),
            benchmarks: Vec::new(),
            flaps: base.map(|m| m.flaps.clone()).unwrap_or_default(),
            criteria: base.map(|m| m.criteria.clone()).unwrap_or_default(),
        }
    }

    /// The device under test of that name.
    pub fn device(&self, name: &str) -> Option<&DeviceUnderTest> {
        self.devices.iter().find(|d| d.name.get_ref() == name)
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
            Some(list) => list
                .iter()
                .filter_map(|p| dev.port(p.get_ref().name()))
                .collect(),
            None => dev.ports.iter().collect(),
        }
    }
}

impl DeviceUnderTest {
    /// The ports expected down: the `expect_down` list and the port entries that say so.
    pub fn expect_down(&self) -> Vec<String> {
        let entries = self.ports.iter().flatten().chain(&self.expect_down);
        let mut out: Vec<String> = Vec::new();
        for e in entries.map(|p| p.get_ref()) {
            let listed = self
                .expect_down
                .iter()
                .any(|x| x.get_ref().name() == e.name());
            if (e.expect_down || listed) && !out.iter().any(|o| o == e.name()) {
                out.push(e.name().to_string());
            }
        }
        out
    }
}
