//! The virtual lab's part of `lab.toml`: `sim = { … }` on a device (how `switchlab sim
//! --lab` simulates it), on a port or an endpoint (the data plane's link), and what both
//! say about the switch's forwarding (what an RFC 2544 benchmark measures).

use serde::Deserialize;

use super::values;

/// How `switchlab sim --lab` should simulate this device.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimSpec {
    #[serde(default)]
    pub seed: Option<u64>,
    /// Flap schedule, e.g. `"Ethernet7@5s/200ms, Ethernet7@9s/50ms"` (see `switchlab sim --help`).
    #[serde(default)]
    pub flaps: Option<String>,
    /// When the flap schedule's clock starts: when a typed command first starts with this
    /// text (`"show"`), or `"traffic"`: when traffic first crosses the switch (the data
    /// plane), so a flap falls under load. Default: when the simulator starts.
    #[serde(default, deserialize_with = "values::opt_line")]
    pub flaps_from: Option<String>,
    /// Start as a factory-fresh box (initial-configuration dialog on the console).
    #[serde(default)]
    pub factory: bool,
    /// Console pacing: spend the wire time of this baud rate on every byte.
    #[serde(default)]
    pub pace_baud: Option<u32>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    /// UDP port the simulator sends syslog to on each `logging host` (default 514).
    #[serde(default)]
    pub syslog_port: Option<u16>,
    /// The switch's forwarding, for every port (a port's own `sim` overrides it).
    #[serde(flatten)]
    pub forwarding: Forwarding,
}

/// A simulated link's character in the virtual lab's data plane (`sim = { … }` on a port,
/// or on an endpoint for all its links): one-way delay added each way, random loss.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSim {
    #[serde(default, deserialize_with = "values::opt_delay")]
    pub delay: Option<std::time::Duration>,
    #[serde(default, deserialize_with = "values::opt_percent")]
    pub loss_percent: Option<f64>,
    /// (On a port) the part the simulated switch reports in it (`SFP-H10GB-CU0-5M`; its
    /// kind and length follow from it), or `absent` for an empty cage.
    #[serde(default, deserialize_with = "values::opt_line")]
    pub transceiver: Option<String>,
    /// (On a port) how far the module's Rx power moves after its first read, in dB.
    #[serde(default)]
    pub rx_drift_db: Option<f64>,
    /// (On a port) the switch's forwarding out of this port, over its device's.
    #[serde(flatten)]
    pub forwarding: Forwarding,
}

/// How a simulated switch forwards, from a device's or a port's `sim`: the switch's own
/// figures, never scaled by `--max-gbit-s` (which scales port speeds only).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Forwarding {
    /// Forwarding capacity in frames per second; above it frames queue in the buffer,
    /// then drop.
    #[serde(default, deserialize_with = "values::opt_positive_u64")]
    pub max_fps: Option<u64>,
    /// Store-and-forward adds each frame's serialization time at the port's speed.
    #[serde(default)]
    pub forwarding: Option<ForwardingMode>,
    /// Fixed forwarding latency, µs.
    #[serde(default, deserialize_with = "values::opt_non_negative")]
    pub latency_us: Option<f64>,
    /// Buffer a burst fills, KB (default: 10 ms at the port's speed).
    #[serde(default, deserialize_with = "values::opt_positive_u64")]
    pub buffer_kb: Option<u64>,
}

impl Forwarding {
    /// This (a port's) over `base` (its device's), key by key.
    pub fn over(&self, base: &Forwarding) -> Forwarding {
        Forwarding {
            max_fps: self.max_fps.or(base.max_fps),
            forwarding: self.forwarding.or(base.forwarding),
            latency_us: self.latency_us.or(base.latency_us),
            buffer_kb: self.buffer_kb.or(base.buffer_kb),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardingMode {
    /// The first bits leave before the last arrive.
    #[default]
    CutThrough,
    /// The whole frame is in before its first bit leaves.
    StoreAndForward,
}
