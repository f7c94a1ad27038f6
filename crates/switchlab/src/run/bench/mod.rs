//! The RFC 2544 benchmarks of a run (`[[benchmark]]`): per device that cables both
//! endpoints, one device after another, and per frame size: the generator's own ceiling,
//! then throughput (the no-drop rate, searched then confirmed), latency at fractions of
//! it, frame loss from line rate down, and back-to-back bursts. Every trial is a window
//! of the run folder's traffic (flaps.csv names it), and every row goes to rfc2544.csv as
//! it is measured.
//!
//! Layout: this file (the run of them all), `device` (one benchmark through one device;
//! `device/no_drop.rs` its throughput and latency, `calibrate`, `stages`), `account`
//! (where a trial's lost frames went, pure), `throughput` and `search` (the searches,
//! pure), `judge` (a row against `[criteria]`, pure), `trials` (the sink and the sender on
//! the endpoints). Which benchmarks a run makes, their results and their errors are the
//! traffic's (`run/traffic/bench_plan.rs`, `bench_result.rs`, `bench_error.rs`), which
//! this module builds on.

mod account;
mod device;
mod judge;
mod search;
mod throughput;
mod trials;

pub(crate) use crate::run::traffic::bench_error::BenchError;
pub use crate::run::traffic::bench_plan::{BenchPlan, plan};
pub use crate::run::traffic::bench_result::{BenchResult, Windows};

use std::time::SystemTime;

use crate::format::manifest::Criteria;
use crate::run::traffic::{Traffic, TrafficProgress};
use crate::states::FlapEvent;
use crate::watch::{End, PortSpeeds, RunFolder};

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
