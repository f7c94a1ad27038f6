//! report.html: one self-contained file (inline SVG and CSS, no script, nothing fetched
//! at view time) made from one or more run folders read back through the record types:
//! the verdict table with hints, a vendor comparison (throughput and flaps side by side),
//! each test's throughput per second with the flaps of the device it crossed as markers
//! on the same time axis, the RFC 2544 results per frame size, and each device's per-port
//! flap timeline.

use crate::states::{FlapEvent, ThroughputKind};
use std::path::Path;

use serde::Serialize;

use super::bench_charts;
use super::charts::{self, Mark};
use crate::record::read::RunData;
use crate::record::summary::SummaryRow;

/// The page, filled in by minijinja (auto-escaped: device output and hints are text).
const PAGE: &str = include_str!("report.html.j2");

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] crate::record::ReadError),
    #[error("report: {0}")]
    Template(#[from] minijinja::Error),
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
}

#[derive(Serialize)]
struct Chart {
    title: String,
    /// The SVG, or empty when it could not be drawn (then `error` says why).
    svg: String,
    error: String,
    /// Flap markers drawn on it.
    flaps: usize,
}

impl Chart {
    fn of(title: String, flaps: usize, drawn: Result<String, charts::ChartError>) -> Chart {
        match drawn {
            Ok(svg) => Chart {
                title,
                svg,
                error: String::new(),
                flaps,
            },
            Err(e) => Chart {
                title,
                svg: String::new(),
                error: e,
                flaps,
            },
        }
    }
}

#[derive(Serialize)]
struct RunView {
    name: String,
    manifest: String,
    started: String,
    ended: String,
    outcome: String,
    errors: Vec<String>,
    summary: Vec<SummaryRow>,
    /// The cable audit's rows: only those the switch reported something for.
    cables: Vec<crate::record::rows::TransceiverRow>,
    tests: Vec<Chart>,
    /// RFC 2544: no-drop rate and latency per frame size, devices side by side.
    benchmarks: Vec<Chart>,
    /// The throughput rows (the no-drop rate per device and frame size).
    no_drop: Vec<NoDrop>,
    timelines: Vec<Chart>,
}

/// A throughput row with the latency the console's table gives it.
#[derive(serde::Serialize)]
struct NoDrop {
    #[serde(flatten)]
    row: crate::record::rfc2544::Rfc2544Row,
    shown_latency_us: Option<f64>,
    /// How the shown latency was timed (`kernel`, `in-frame`).
    shown_timestamps: Option<crate::states::Stamps>,
}

fn no_drop(rows: &[crate::record::rfc2544::Rfc2544Row]) -> Vec<NoDrop> {
    let throughput = crate::format::manifest::BenchmarkTest::Throughput;
    (rows.iter().filter(|b| b.test == throughput))
        .map(|t| {
            let shown = crate::record::rfc2544::shown_latency(rows, t);
            let mut row = t.clone();
            if let Some((l, _)) = shown {
                (row.calibration_us, row.resolution_us) = (l.calibration_us, l.resolution_us);
            }
            NoDrop {
                row,
                shown_latency_us: shown.map(|(_, us)| us),
                shown_timestamps: shown.and_then(|(l, _)| l.timestamps),
            }
        })
        .collect()
}

/// Seconds from `from` to `to` (RFC 3339 times as the run folder writes them).
fn seconds_between(from: &str, to: &str) -> Option<f64> {
    let a: jiff::Timestamp = from.parse().ok()?;
    let b: jiff::Timestamp = to.parse().ok()?;
    Some((b.as_millisecond() - a.as_millisecond()) as f64 / 1000.0)
}

/// Each test's chart: its per-second rows, and the flaps of its device while it ran.
fn test_charts(run: &RunData) -> Vec<Chart> {
    run.run
        .throughput
        .iter()
        .map(|t| {
            let device = t.device.clone().unwrap_or_default();
            let points: Vec<(f64, f64, f64)> = run
                .throughput
                .iter()
                .filter(|r| {
                    r.test == t.test && r.device == device && r.row == ThroughputKind::Interval
                })
                .map(|r| (r.start_s, r.end_s, r.gbit_s))
                .collect();
            let started = t.started.clone().unwrap_or_default();
            let marks: Vec<Mark> = run
                .flaps
                .iter()
                .filter(|f| f.device == device && f.tests().any(|n| n == t.test))
                .filter_map(|f| {
                    Some(Mark {
                        at_s: seconds_between(&started, &f.time)?.max(0.0),
                        event: f.event,
                        port: f.port.clone(),
                    })
                })
                .collect();
            let downs = marks.iter().filter(|m| m.event == FlapEvent::Down).count();
            let figure = match t.received_gbps {
                Some(g) => format!("{g:.2} Gbit/s received"),
                None => t.outcome.to_string(),
            };
            let title = format!("{} through {device}: {figure}", t.test);
            let drawn = charts::throughput(&title, &points, &marks, t.duration_s);
            Chart::of(title, downs, drawn)
        })
        .collect()
}

/// The RFC 2544 charts of a run: the no-drop rate per frame size against the line-rate
/// curve, and the latency at that rate; none without benchmarks.
fn benchmark_charts(run: &RunData) -> Vec<Chart> {
    let rates = bench_charts::no_drop_series(&run.rfc2544);
    let latency = bench_charts::latency_series(&run.rfc2544);
    let mut out = Vec::new();
    if !rates.is_empty() {
        let sizes = rates.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let from = sizes.clone().fold(f64::INFINITY, f64::min);
        let to = sizes.fold(0.0, f64::max);
        let curves = bench_charts::line_curves(&run.rfc2544, from, to);
        let title = "RFC 2544 no-drop rate per frame size".to_string();
        let drawn = bench_charts::by_frame_size(&title, "Mframes/s", &rates, &curves);
        out.push(Chart::of(title, 0, drawn));
    }
    if !latency.is_empty() {
        let title = "RFC 2544 latency at the lowest load measured (median)".to_string();
        let drawn = bench_charts::by_frame_size(&title, "µs", &latency, &[]);
        out.push(Chart::of(title, 0, drawn));
    }
    out
}

/// Each device's per-port flap timeline over the whole run.
fn timelines(run: &RunData) -> Vec<Chart> {
    let run_s = seconds_between(&run.run.started, &run.run.ended).unwrap_or(0.0);
    run.run
        .devices
        .iter()
        .map(|d| {
            let ports: Vec<String> = run
                .ports
                .iter()
                .filter(|p| p.device == d.device)
                .map(|p| p.port.clone())
                .collect();
            let marks: Vec<Mark> = run
                .flaps
                .iter()
                .filter(|f| f.device == d.device)
                .filter_map(|f| {
                    Some(Mark {
                        at_s: seconds_between(&run.run.started, &f.time)?.max(0.0),
                        event: f.event,
                        port: f.port.clone(),
                    })
                })
                .collect();
            let downs = marks.iter().filter(|m| m.event == FlapEvent::Down).count();
            let title = format!("{}: link events per port", d.device);
            let drawn = charts::flap_timeline(&title, &ports, &marks, run_s);
            Chart::of(title, downs, drawn)
        })
        .collect()
}

/// The vendor comparison: every (run, device) by throughput and by flaps.
fn comparison(runs: &[RunData]) -> Vec<Chart> {
    let label = |i: usize, r: &SummaryRow| match runs.len() {
        1 => r.device.clone(),
        _ => format!("#{} {}", i + 1, r.device),
    };
    let rows: Vec<(String, &SummaryRow)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, run)| run.summary.iter().map(move |r| (label(i, r), r)))
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let gbit: Vec<(String, f64)> = rows
        .iter()
        .map(|(l, r)| (l.clone(), r.gbit_s.unwrap_or(0.0)))
        .collect();
    let flaps: Vec<(String, f64)> = rows
        .iter()
        .map(|(l, r)| (l.clone(), (r.flaps + r.unseen_flaps) as f64))
        .collect();
    let t1 = "Throughput through each device (lowest test, received)".to_string();
    let t2 = "Flaps per device (seen and unseen)".to_string();
    vec![
        Chart::of(t1.clone(), 0, charts::bars(&t1, "Gbit/s", &gbit)),
        Chart::of(t2.clone(), 0, charts::bars(&t2, "flaps", &flaps)),
    ]
}

/// The report of `runs` as one HTML document, written to `out` as it is rendered: a
/// 500-switch report is megabytes, never held whole in memory.
fn render_to(runs: &[RunData], out: impl std::io::Write) -> Result<(), ReportError> {
    let views: Vec<RunView> = runs
        .iter()
        .map(|r| RunView {
            name: r.name(),
            manifest: r.run.manifest.clone().unwrap_or_else(|| "watch".into()),
            started: r.run.started.clone(),
            ended: r.run.ended.clone(),
            outcome: r.run.outcome.to_string(),
            errors: r.run.errors.clone(),
            summary: r.summary.clone(),
            cables: (r.transceivers.iter())
                .filter(|c| !c.seen_kind.is_empty())
                .cloned()
                .collect(),
            tests: test_charts(r),
            benchmarks: benchmark_charts(r),
            no_drop: no_drop(&r.rfc2544),
            timelines: timelines(r),
        })
        .collect();
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", PAGE)?;
    env.get_template("report.html")?.render_captured_to(
        minijinja::context! {
            runs => minijinja::value::Serde(&views),
            comparison => minijinja::value::Serde(comparison(runs)),
            switchlab => env!("CARGO_PKG_VERSION"),
        },
        out,
    )?;
    Ok(())
}

/// Write the report of `runs` to `path` atomically, so a failed report never looks like a
/// finished one.
pub fn write(runs: &[RunData], path: &Path) -> Result<(), ReportError> {
    let mut rendering = None;
    let written = crate::record::atomic::write_with(path, |w| {
        render_to(runs, w).map_err(|e| {
            let why = e.to_string();
            rendering = Some(e);
            std::io::Error::other(why)
        })
    });
    match (written, rendering) {
        (_, Some(e)) => Err(e),
        (Err(error), None) => Err(ReportError::Write {
            path: path.to_path_buf(),
            error,
        }),
        (Ok(()), None) => Ok(()),
    }
}

/// Read the run folder `folder` back and write its junit.xml and report.html into it.
pub fn write_folder(folder: &Path) -> Result<std::path::PathBuf, ReportError> {
    let data = RunData::read(folder)?;
    let junit = folder.join("junit.xml");
    let failed = |error| ReportError::Write {
        path: junit.clone(),
        error,
    };
    let xml = super::junit::render(&data).map_err(|e| failed(std::io::Error::other(e)))?;
    crate::record::atomic::write(&junit, xml.as_bytes()).map_err(failed)?;
    let path = folder.join("report.html");
    write(&[data], &path)?;
    Ok(path)
}
