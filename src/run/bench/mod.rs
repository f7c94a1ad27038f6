//! The RFC 2544 benchmarks of a run (`[[benchmark]]`): per device that cables both
//! endpoints, one device after another, and per frame size: the generator's own ceiling,
//! then throughput (the no-drop rate, searched then confirmed), latency at fractions of
//! it, frame loss from line rate down, and back-to-back bursts. Every trial is a window
//! of the run folder's traffic (flaps.csv names it), and every row goes to rfc2544.csv as
//! it is measured.
//!
//! Layout: this file (results, the run of them all), `plan` (which benchmarks), `account`
//! (where a trial's lost frames went, pure), `device`
//! (one benchmark through one device; `device/no_drop.rs` its throughput and latency),
//! `throughput` and `search` (the searches, pure), `judge` (a row against `[criteria]`,
//! pure), `trials` (the sink and the sender on the endpoints), `error`.

mod account;
mod device;
mod error;
mod judge;
mod plan;
mod search;
mod throughput;
mod trials;

pub(crate) use error::BenchError;
pub(crate) use plan::{BenchPlan, plan};

use std::time::SystemTime;

use crate::format::manifest::Criteria;
use crate::record::rfc2544::Rfc2544Row;
use crate::run::traffic::{Traffic, TrafficProgress};
use crate::states::{FlapEvent, TestState};
use crate::watch::{End, PortSpeeds, RunFolder};

/// What a virtual lab running in this process says each simulated switch dropped so far
/// (the demo's): a trial's loss account reads it before and after instead of the
/// switch's counters over the session, at once and without waiting for a poll.
pub trait LabDrops: Send + Sync {
    /// None: not a switch of this lab.
    fn drops(&self, device: &str) -> Option<LabDropCount>;
}

/// Frames a simulated switch dropped, from its start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabDropCount {
    /// By its model: capacity or buffer full (the switch's own discards).
    pub switch: u64,
    /// Because the host could not keep up: frames the modelled switch would have sent.
    pub host: u64,
}

/// When a row's trials ran: flaps in these windows on the path's ports mark it.
pub(crate) type Windows = Vec<(SystemTime, SystemTime)>;

/// One benchmark through one device.
#[derive(Debug)]
pub(crate) struct BenchResult {
    pub(crate) plan: BenchPlan,
    /// In the order measured, each with its trials' windows.
    pub(crate) rows: Vec<(Rfc2544Row, Windows)>,
    pub(crate) started: SystemTime,
    pub(crate) ended: SystemTime,
    pub(crate) outcome: TestState,
    pub(crate) error: Option<BenchError>,
}

impl BenchResult {
    /// run.json's entry.
    pub(crate) fn to_record(&self) -> crate::record::run::BenchmarkRecord {
        let stamp = |t: SystemTime| jiff::Timestamp::try_from(t).map(|t| t.to_string()).ok();
        crate::record::run::BenchmarkRecord {
            benchmark: self.plan.name.clone(),
            device: self.plan.device.clone(),
            from: self.plan.from.name.clone(),
            to: self.plan.to.name.clone(),
            started: stamp(self.started),
            ended: stamp(self.ended),
            rows: self.rows.len(),
            outcome: self.outcome,
            error: self.error.as_ref().map(|e| e.to_string()),
        }
    }
}

/// Every planned benchmark, one after another, until done or until `stop` is set (Ctrl-C:
/// the trial under way ends, the rest are not started).
pub(crate) async fn run_benchmarks(
    traffic: &Traffic,
    criteria: &Criteria,
    speeds: &PortSpeeds,
    folder: &RunFolder,
    stop: End,
    progress: &dyn TrafficProgress,
) -> Vec<BenchResult> {
    let mut out = Vec::new();
    for plan in &traffic.benchmarks {
        if stop.borrow().is_some() {
            break;
        }
        progress.benchmark_started(plan);
        let at = device::At {
            traffic,
            criteria,
            speeds,
            folder,
            progress,
        };
        let result = device::measure(&at, plan, stop.clone()).await;
        progress.benchmark_ended(&result);
        out.push(result);
    }
    out
}

/// How many link events on `device`'s `ports` fell in `windows`: rfc2544.csv's `flaps`.
pub(crate) fn flaps_during(
    flaps: &[crate::record::rows::FlapRow],
    device: &str,
    ports: &[&str],
    windows: &[(SystemTime, SystemTime)],
) -> u64 {
    let time = |s: &str| s.parse::<jiff::Timestamp>().ok();
    let windows: Vec<(jiff::Timestamp, jiff::Timestamp)> = (windows.iter())
        .filter_map(|(a, b)| {
            Some((
                jiff::Timestamp::try_from(*a).ok()?,
                jiff::Timestamp::try_from(*b).ok()?,
            ))
        })
        .collect();
    flaps
        .iter()
        .filter(|f| f.device == device && ports.contains(&f.port.as_str()))
        .filter(|f| {
            // Where the sources' window is not known, the event's own time.
            let at = time(&f.time);
            let (Some(a), Some(b)) = (time(&f.window_from).or(at), time(&f.window_to).or(at))
            else {
                return false;
            };
            windows.iter().any(|(from, to)| a <= *to && b >= *from)
        })
        .map(|f| match f.event {
            FlapEvent::Up => 0,
            FlapEvent::Unseen => f.flaps.max(1),
            FlapEvent::Down | FlapEvent::ErrDisabled => 1,
        })
        .sum()
}
