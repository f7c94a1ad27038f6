//! `[[benchmark]]`: an RFC 2544 benchmark between two lab endpoints, measured once through
//! each device that cables both: throughput (the fastest no-drop rate per frame size),
//! latency at fractions of it, frame loss from line rate down, and back-to-back bursts.
//! The criteria it is judged by live in `[criteria]` (`min_no_drop_percent`,
//! `max_latency_us`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Engine, Manifest};
use crate::format::error::FormatError;
use crate::format::lab::Lab;
use crate::format::source::Source;
use crate::format::values;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    #[serde(deserialize_with = "values::plain_name")]
    pub name: String,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    /// Ethernet frame sizes in bytes (RFC 2544's seven by default).
    #[serde(default = "default_frame_sizes")]
    pub frame_sizes: Spanned<Vec<u32>>,
    #[serde(default = "default_tests")]
    pub tests: Vec<BenchmarkTest>,
    /// The length of a reported trial (RFC 2544: 60 s); the found rate is confirmed at it.
    #[serde(default = "default_trial")]
    pub trial: Spanned<String>,
    /// The length of a search's trials.
    #[serde(default = "default_search_trial")]
    pub search_trial: Spanned<String>,
    /// How close the search gets to the no-drop rate, in percent of line rate (of the
    /// generator's ceiling where that is lower).
    #[serde(
        default = "default_resolution",
        deserialize_with = "values::non_negative"
    )]
    pub resolution_percent: f64,
    /// How many full-length trials, each without loss, confirm a throughput (at least 1;
    /// RFC 2544's trials repeat; TRex and FD.io CSIT repeat and report the spread).
    #[serde(default = "default_confirm")]
    pub confirm: u32,
    /// 0: the no-drop rate; above 0: the partial-drop rate as TRex reports it.
    #[serde(default, deserialize_with = "values::non_negative")]
    pub loss_tolerance_percent: f64,
    /// Loads at which latency is measured, in percent of the found throughput.
    #[serde(default = "default_latency_loads")]
    pub latency_loads_percent: Vec<f64>,
    /// The frame-loss test's step down from line rate, in percent (RFC 2544: at most 10).
    #[serde(
        default = "default_loss_step",
        deserialize_with = "values::non_negative"
    )]
    pub frame_loss_step_percent: f64,
    /// How long one back-to-back burst lasts at line rate (RFC 2544: at least 2 s).
    #[serde(default = "default_burst")]
    pub burst: Spanned<String>,
    /// How many times the longest lossless burst is confirmed (RFC 2544: 50).
    #[serde(default = "default_bursts")]
    pub back_to_back_trials: u32,
    /// After each trial: the wait for frames in flight before counting (RFC 2544: 2 s).
    #[serde(default = "default_drain")]
    pub drain: Spanned<String>,
    /// The gap between trials (RFC 2544: at least 5 s).
    #[serde(default = "default_settle")]
    pub settle: Spanned<String>,
    /// The fastest the generator is asked to send, frames/s (an endpoint NIC slower than
    /// the switch port, a link others share): a rate at it is the generator's limit.
    #[serde(default, deserialize_with = "values::opt_positive_u64")]
    pub max_offered_fps: Option<u64>,
    /// The frame sink's socket receive buffer, KiB (default 16384): frames it overflows
    /// with are the receiving tester's loss, never the switch's.
    #[serde(default, deserialize_with = "values::opt_positive_u64")]
    pub sink_buffer_kb: Option<u64>,
    /// The generator's path: `auto` (a PACKET_MMAP ring where the sender may open one,
    /// else UDP), `ring` or `udp`. rfc2544.csv's `generator_path` says which ran.
    #[serde(default)]
    pub generator: crate::states::FramePath,
    /// Only the built-in engine can (iperf3 has no frame rate and no latency).
    #[serde(default)]
    pub engine: Option<Spanned<Engine>>,
    /// Devices to measure it through (default: every device under test cabling both).
    #[serde(default)]
    pub through: Option<Vec<Spanned<String>>>,
}

/// One of RFC 2544's tests.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkTest {
    #[default]
    Throughput,
    Latency,
    FrameLoss,
    BackToBack,
}

impl BenchmarkTest {
    pub const ALL: [BenchmarkTest; 4] = [
        BenchmarkTest::Throughput,
        BenchmarkTest::Latency,
        BenchmarkTest::FrameLoss,
        BenchmarkTest::BackToBack,
    ];

    /// The name rfc2544.csv writes.
    pub fn as_str(self) -> &'static str {
        match self {
            BenchmarkTest::Throughput => "throughput",
            BenchmarkTest::Latency => "latency",
            BenchmarkTest::FrameLoss => "frame_loss",
            BenchmarkTest::BackToBack => "back_to_back",
        }
    }
}

/// A bound for every frame size, or one per size (`{ 64 = 50, 1518 = 99 }`).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum PerFrameSize {
    All(f64),
    BySize(BTreeMap<String, f64>),
}

pub type NoDropCriteria = PerFrameSize;
pub type LatencyCriteria = PerFrameSize;

impl PerFrameSize {
    /// The bound for `size`, if any.
    pub fn at(&self, size: u32) -> Option<f64> {
        match self {
            PerFrameSize::All(v) => Some(*v),
            PerFrameSize::BySize(m) => m.get(&size.to_string()).copied(),
        }
    }
}

fn default_frame_sizes() -> Spanned<Vec<u32>> {
    Spanned::new(0..0, vec![64, 128, 256, 512, 1024, 1280, 1518])
}
fn default_tests() -> Vec<BenchmarkTest> {
    BenchmarkTest::ALL.to_vec()
}
fn default_trial() -> Spanned<String> {
    Spanned::new(0..0, "60s".into())
}
fn default_search_trial() -> Spanned<String> {
    Spanned::new(0..0, "10s".into())
}
fn default_confirm() -> u32 {
    2
}
fn default_resolution() -> f64 {
    0.5
}
fn default_latency_loads() -> Vec<f64> {
    vec![10.0, 50.0, 100.0]
}
fn default_loss_step() -> f64 {
    10.0
}
fn default_burst() -> Spanned<String> {
    Spanned::new(0..0, "2s".into())
}
fn default_bursts() -> u32 {
    50
}
fn default_drain() -> Spanned<String> {
    Spanned::new(0..0, "2s".into())
}
fn default_settle() -> Spanned<String> {
    Spanned::new(0..0, "5s".into())
}

/// Frame sizes Ethernet carries (64 up to a 9216-byte jumbo).
pub(crate) const FRAME_SIZES: std::ops::RangeInclusive<u32> = 64..=9216;

/// Every benchmark against the lab and the engine; the criteria's frame sizes.
pub(super) fn check(src: &Source, m: &Manifest, lab: &Lab) -> Result<(), FormatError> {
    for b in &m.benchmarks {
        check_one(src, b, lab)?;
        check_numbers(src, b)?;
    }
    check_criteria(src, m)
}

/// One benchmark's endpoints, engine and frame sizes.
fn check_one(src: &Source, b: &Benchmark, lab: &Lab) -> Result<(), FormatError> {
    super::check::endpoint(src, lab, "benchmark.from", &b.from)?;
    super::check::endpoint(src, lab, "benchmark.to", &b.to)?;
    if let Some(e) = &b.engine
        && *e.get_ref() != Engine::Builtin
    {
        return Err(src.invalid(
            &e.span(),
            "benchmark.engine",
            format!(
                "benchmark '{}': iperf3 cannot run RFC 2544 (it has no frame rate and measures no latency); leave `engine` out or write \"builtin\"",
                b.name
            ),
        ));
    }
    let sizes = b.frame_sizes.get_ref();
    if let Some(bad) = sizes.iter().find(|s| !FRAME_SIZES.contains(s)) {
        return Err(src.invalid(
            &b.frame_sizes.span(),
            "benchmark.frame_sizes",
            format!("{bad} is not an Ethernet frame size; give 64 to 9216 bytes"),
        ));
    }
    if sizes.is_empty() || b.tests.is_empty() {
        return Err(src.invalid(
            &b.frame_sizes.span(),
            "benchmark.frame_sizes",
            format!(
                "benchmark '{}' measures nothing: give frame sizes and tests",
                b.name
            ),
        ));
    }
    Ok(())
}

/// One benchmark's resolution, confirmations, loss steps, loads and durations.
fn check_numbers(src: &Source, b: &Benchmark) -> Result<(), FormatError> {
    if !(b.resolution_percent > 0.0 && b.resolution_percent <= 50.0) {
        return Err(src.invalid(
            &b.from.span(),
            "benchmark.resolution_percent",
            format!(
                "{} is out of range: give more than 0 and at most 50",
                b.resolution_percent
            ),
        ));
    }
    if !(1..=20).contains(&b.confirm) {
        return Err(src.invalid(
            &b.from.span(),
            "benchmark.confirm",
            format!(
                "{} is out of range: a throughput is confirmed by 1 to 20 full-length trials",
                b.confirm
            ),
        ));
    }
    if b.loss_tolerance_percent >= 100.0 || !(1.0..=100.0).contains(&b.frame_loss_step_percent) {
        return Err(src.invalid(
            &b.from.span(),
            "benchmark.loss_tolerance_percent",
            "loss_tolerance_percent must be below 100, frame_loss_step_percent 1 to 100",
        ));
    }
    if b.latency_loads_percent
        .iter()
        .any(|l| !(*l > 0.0 && *l <= 100.0))
    {
        return Err(src.invalid(
            &b.from.span(),
            "benchmark.latency_loads_percent",
            "each load is a percent of the found throughput: more than 0, at most 100",
        ));
    }
    for (key, d) in [
        ("benchmark.trial", &b.trial),
        ("benchmark.search_trial", &b.search_trial),
        ("benchmark.burst", &b.burst),
    ] {
        super::check::positive_duration(src, d, key)?;
    }
    super::check::parse_duration(src, &b.drain, "benchmark.drain")?;
    super::check::parse_duration(src, &b.settle, "benchmark.settle")?;
    Ok(())
}

/// The criteria's per-frame-size bounds are keyed by frame sizes.
fn check_criteria(src: &Source, m: &Manifest) -> Result<(), FormatError> {
    for (key, c) in [
        (
            "criteria.min_no_drop_percent",
            &m.criteria.min_no_drop_percent,
        ),
        ("criteria.max_latency_us", &m.criteria.max_latency_us),
    ] {
        if let Some(PerFrameSize::BySize(map)) = c
            && let Some(k) = map
                .keys()
                .find(|k| k.parse::<u32>().map_or(true, |s| !FRAME_SIZES.contains(&s)))
        {
            let at = src
                .text
                .find(key.rsplit('.').next().unwrap_or(key))
                .unwrap_or(0);
            return Err(src.invalid(
                &(at..at),
                key,
                format!("'{k}' is not a frame size; key the bounds by frame size, e.g. {{ 64 = 50, 1518 = 99 }}"),
            ));
        }
    }
    Ok(())
}
