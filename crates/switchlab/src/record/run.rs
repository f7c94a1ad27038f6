//! run.json: what a `run` or `watch` was and how it ended. Written first with outcome
//! `incomplete` (so a run killed midway never looks complete), then whole at the end.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::format::manifest::{Engine, Protocol};
use crate::states::{Judged, PushState, RunOutcome, TestState, WatchState};

/// run.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`super::FORMAT_VERSION`] of the switchlab that wrote it.
    pub format_version: u32,
    /// The switchlab version that wrote it.
    pub switchlab: String,
    pub kind: RunKind,
    /// The manifest's name (`run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    pub started: String,
    pub ended: String,
    /// SHA-256 of every input (`run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// How the run was started, for `rerun`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<Invocation>,
    pub devices: Vec<DeviceRecord>,
    pub flaps: FlapSettings,
    /// The manifest's `[criteria]` (a `run`), as the run started with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<crate::format::manifest::Criteria>,
    #[serde(default)]
    pub throughput: Vec<TestRecord>,
    #[serde(default)]
    pub throughput_planned: usize,
    /// The RFC 2544 benchmarks, one per device crossed (their figures are in rfc2544.csv).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benchmarks: Vec<BenchmarkRecord>,
    #[serde(default)]
    pub benchmarks_planned: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
    /// `iperf3 --version`'s first line, when a test ran iperf3 here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iperf3: Option<String>,
    /// `complete`, `errors` (see `errors`), `interrupted`, `incomplete` (still running, or
    /// killed), or `interrupted (recovered)`.
    pub outcome: RunOutcome,
    pub errors: Vec<String>,
}

impl RunRecord {
    /// run.json as this switchlab writes it: the one constructor of the live run's and a
    /// recovered run's alike, the rest filled in by each.
    pub fn new(kind: RunKind, started: String, ended: String, flaps: FlapSettings) -> RunRecord {
        RunRecord {
            format_version: super::FORMAT_VERSION,
            switchlab: env!("CARGO_PKG_VERSION").into(),
            kind,
            manifest: None,
            started,
            ended,
            inputs: None,
            invocation: None,
            devices: Vec::new(),
            flaps,
            criteria: None,
            throughput: Vec::new(),
            throughput_planned: 0,
            benchmarks: Vec::new(),
            benchmarks_planned: 0,
            preflight: None,
            iperf3: None,
            outcome: RunOutcome::Incomplete,
            errors: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Run,
    Watch,
}

/// How a run was started: what `rerun` starts again (with the run folder's copies of the
/// lab and manifest). Secrets are never arguments (the lab names environment variables),
/// so none is here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// switchlab's arguments, the program's name first.
    pub argv: Vec<String>,
    /// The folder it was started in: the arguments' relative paths resolve there.
    pub cwd: String,
    /// The lab and manifest files it read, as absolute paths (the bench's files, which
    /// `rerun` compares with the copies).
    pub lab: String,
    pub manifest: String,
}

impl Invocation {
    /// This process's, reading `lab` and `manifest` (an original run's, when given: a
    /// rerun records the run it repeats, so a rerun of a rerun repeats the same).
    pub fn here(
        original: Option<&Invocation>,
        lab: &std::path::Path,
        manifest: &std::path::Path,
    ) -> Invocation {
        if let Some(o) = original {
            return o.clone();
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let abs = |p: &std::path::Path| cwd.join(p).display().to_string();
        Invocation {
            argv: std::env::args().collect(),
            cwd: cwd.display().to_string(),
            lab: abs(lab),
            manifest: abs(manifest),
        }
    }
}

/// SHA-256 (hex) of each input a run used: `compare` and `rerun` say which differ.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub manifest: String,
    pub lab: String,
    /// By vendor.
    pub profiles: BTreeMap<String, String>,
    /// By `vendor/template`.
    pub templates: BTreeMap<String, String>,
    pub hints: String,
}

impl Inputs {
    /// Every digest under a label: `manifest`, `profile arista_eos`, `template …`.
    pub fn labelled(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("manifest".to_string(), self.manifest.clone()),
            ("lab".to_string(), self.lab.clone()),
            ("hints".to_string(), self.hints.clone()),
        ];
        for (k, d) in &self.profiles {
            out.push((format!("profile {k}"), d.clone()));
        }
        for (k, d) in &self.templates {
            out.push((format!("template {k}"), d.clone()));
        }
        out
    }
}

/// One device of the run: its push (none in a `watch`) and its watch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub device: String,
    pub ok: bool,
    /// Config lines pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_started: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_ended: Option<String>,
    /// The software version the device reported (profile `commands.version`).
    #[serde(default)]
    pub software: Option<String>,
    /// `pushed`, `not-verified`, `failed`, `rendered`; none in a `watch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushState>,
    /// `ok`, `lost`, `problems`, `not-run`.
    pub watch: WatchState,
    /// SHA-256 of `configs/<device>.before.txt`, the running config read before the push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_before_sha256: Option<String>,
    /// SHA-256 of `configs/<device>.after.txt`, read when the push ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_after_sha256: Option<String>,
}

/// How the flap watch ran, and what judges its ports: written into run.json when the run
/// starts, so `recover` judges a killed run by the same settings as the live one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlapSettings {
    pub interval_ms: u64,
    pub duration_ms: u64,
    #[serde(default)]
    pub sources: Vec<crate::format::manifest::FlapSource>,
    /// Flaps a port may have and still pass.
    #[serde(default)]
    pub max_flaps_per_port: u32,
    /// The log buffer was read every this many polls.
    #[serde(default)]
    pub buffer_every: u32,
    /// Each device's watched ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<WatchedDevice>,
}

/// One device's watch, as it is judged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchedDevice {
    pub device: String,
    /// The ports watched, as the lab names them.
    pub ports: Vec<String>,
    /// The ports the manifest expects down (not judged by their link).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_down: Vec<String>,
    /// The command that shows a port (`{port}` where per port), for the `unknown` hint.
    pub shown_by: String,
}

/// One throughput test through one device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    pub test: String,
    pub device: Option<String>,
    pub from: String,
    pub from_port: Option<String>,
    pub from_address: String,
    pub to: String,
    pub to_port: Option<String>,
    pub to_address: String,
    pub engine: Engine,
    pub streams: u32,
    pub duration_s: f64,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub outcome: TestState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_gbps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_gbps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_interval_gbps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retransmits: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<f64>,
    /// Against `[criteria] min_gbps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Judged>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One RFC 2544 benchmark through one device: how it went (its rows are rfc2544.csv's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRecord {
    pub benchmark: String,
    pub device: String,
    pub from: String,
    pub to: String,
    pub started: Option<String>,
    pub ended: Option<String>,
    /// rfc2544.csv rows it wrote.
    pub rows: usize,
    pub outcome: TestState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the traffic preflight found: every endpoint's facts, each test's round trip, the
/// warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preflight {
    pub hosts: Vec<HostFacts>,
    /// (test, device, round trip in ms; None where it could not be measured).
    pub rtt_ms: Vec<(String, Option<String>, Option<f64>)>,
    pub warnings: Vec<String>,
}

/// What one endpoint's kernel says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    pub endpoint: String,
    /// The largest receive / send buffer TCP autotuning may use (the third field of
    /// net.ipv4.tcp_rmem / tcp_wmem), in bytes.
    pub tcp_rmem_max: Option<u64>,
    pub tcp_wmem_max: Option<u64>,
    /// The largest buffer a program may ask for (iperf3 -w): net.core.rmem_max / wmem_max.
    pub rmem_max: Option<u64>,
    pub wmem_max: Option<u64>,
    pub congestion_control: Option<String>,
    pub rp_filter_all: Option<u8>,
    pub interfaces: Vec<InterfaceFacts>,
}

/// The interface a test address is on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InterfaceFacts {
    pub address: String,
    pub name: String,
    pub mtu: Option<u32>,
    pub rp_filter: Option<u8>,
    pub speed_mbps: Option<u64>,
}

/// Write `run` as `folder`/run.json: beside it first, then renamed over, so a crash
/// mid-write leaves the previous one (the `incomplete` placeholder) whole.
pub(crate) fn write_run_json(folder: &std::path::Path, run: &RunRecord) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(run)?;
    super::atomic::write(&folder.join("run.json"), text.as_bytes())
}
