//! Which benchmarks a manifest's `[[benchmark]]` entries make: each once per device under
//! test that cables both its endpoints (or the devices its `through` names), between the
//! addresses of the NICs cabled to that device, as for a throughput test.

use std::path::Path;
use std::time::Duration;

use super::Host;
use super::bench_error::BenchError;
use super::plan::host;
use crate::format::lab::Lab;
use crate::format::manifest::{Benchmark, BenchmarkTest, Manifest};

/// One benchmark through one device, checked and ready to run.
#[derive(Debug, Clone)]
pub struct BenchPlan {
    pub name: String,
    pub device: String,
    pub from: Host,
    pub to: Host,
    pub frame_sizes: Vec<u32>,
    pub tests: Vec<BenchmarkTest>,
    pub(crate) trial: Duration,
    pub(crate) search_trial: Duration,
    pub(crate) resolution_percent: f64,
    /// Full-length lossless trials that confirm a throughput.
    pub(crate) confirm: u32,
    pub(crate) loss_tolerance_percent: f64,
    pub(crate) latency_loads_percent: Vec<f64>,
    pub(crate) frame_loss_step_percent: f64,
    pub(crate) burst: Duration,
    pub(crate) back_to_back_trials: u32,
    pub(crate) drain: Duration,
    pub(crate) settle: Duration,
    /// The generator never sends faster (frames/s).
    pub(crate) max_offered_fps: Option<u64>,
    /// The sink's receive buffer, KiB (None: the sink's own default).
    pub(crate) sink_buffer_kb: Option<u64>,
    /// The generator's path, as the benchmark asks.
    pub(crate) generator: crate::states::FramePath,
}

impl BenchPlan {
    /// The label of its trials in flaps.csv's `traffic`: `rfc2544 64B throughput`.
    pub(crate) fn label(&self, frame_size: u32, test: BenchmarkTest) -> String {
        format!("{} {frame_size}B {}", self.name, test.as_str())
    }
}

/// Every benchmark of `m` through each device that cables both its ends.
pub fn plan(m: &Manifest, lab: &Lab, manifest: &Path) -> Result<Vec<BenchPlan>, BenchError> {
    let mut out = Vec::new();
    for b in &m.benchmarks {
        let (from, to) = (b.from.get_ref().as_str(), b.to.get_ref().as_str());
        let through: Option<Vec<&str>> =
            (b.through.as_ref()).map(|v| v.iter().map(|d| d.get_ref().as_str()).collect());
        let devices = (m.devices.iter())
            .map(|d| d.name.get_ref().as_str())
            .filter(|d| through.as_ref().is_none_or(|only| only.contains(d)))
            .filter_map(|d| lab.device(d));
        let before = out.len();
        for dev in devices {
            if let (Some(a), Some(z)) = (host(lab, dev, from), host(lab, dev, to)) {
                if let Some(address) = one_host(&a, &z) {
                    return Err(BenchError::OneHost {
                        manifest: manifest.display().to_string(),
                        benchmark: b.name.clone(),
                        device: dev.name().to_string(),
                        address,
                    });
                }
                out.push(one(b, dev.name(), a, z));
            }
        }
        if out.len() == before {
            return Err(BenchError::NoPath {
                manifest: manifest.display().to_string(),
                benchmark: b.name.clone(),
                from: from.into(),
                to: to.into(),
                through: through
                    .map(|d| format!(" among {}", d.join(", ")))
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// The address both ends share, or the loopback one of them is on: frames sent there
/// never leave the host, so they would measure its kernel, not the switch.
fn one_host(from: &Host, to: &Host) -> Option<String> {
    let looped = |h: &Host| {
        (h.address.parse::<std::net::IpAddr>()).is_ok_and(|ip| ip.is_loopback())
            || h.address == "localhost"
    };
    match (looped(from), looped(to)) {
        (true, _) => Some(from.address.clone()),
        (_, true) => Some(to.address.clone()),
        _ => (from.address == to.address).then(|| from.address.clone()),
    }
}

fn one(b: &Benchmark, device: &str, from: Host, to: Host) -> BenchPlan {
    // Every duration was checked when the manifest was read.
    let d = |s: &toml::Spanned<String>| humantime::parse_duration(s.get_ref()).unwrap_or_default();
    let mut sizes = b.frame_sizes.get_ref().clone();
    sizes.sort_unstable();
    sizes.dedup();
    let mut tests = b.tests.clone();
    tests.sort_unstable();
    tests.dedup();
    BenchPlan {
        name: b.name.clone(),
        device: device.to_string(),
        from,
        to,
        frame_sizes: sizes,
        tests,
        trial: d(&b.trial),
        search_trial: d(&b.search_trial),
        resolution_percent: b.resolution_percent,
        confirm: b.confirm.max(1),
        loss_tolerance_percent: b.loss_tolerance_percent,
        latency_loads_percent: b.latency_loads_percent.clone(),
        frame_loss_step_percent: b.frame_loss_step_percent,
        burst: d(&b.burst),
        back_to_back_trials: b.back_to_back_trials.max(1),
        drain: d(&b.drain),
        settle: d(&b.settle),
        max_offered_fps: b.max_offered_fps,
        sink_buffer_kb: b.sink_buffer_kb,
        generator: b.generator,
    }
}
