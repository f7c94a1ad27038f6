//! The end of a `run`, `watch` or `demo` on the console: the ports that need a look (all
//! of them with `-v`), the tests with `-v`, what could not be done, then the decision —
//! one row per device with its verdict and why — and the path of report.html last.

use super::table::{Col, Grid};
use switchlab::record::rows::PortRow;
use switchlab::record::summary::SummaryRow;
use switchlab::run::pipeline::{DeviceReport, RunReport};
use switchlab::run::push::Outcome;
use switchlab::run::traffic::{TestOutcome, TestResult};
use switchlab::states::{DeviceVerdict, PortVerdict};

/// The end of a run: the tables and the report's path, or with `json` one JSON document
/// (the folder and its run.json) on stdout. `verbose`: every port and every test.
/// Whose end it is: a `demo` also says what a `run` of its bench would exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Run,
    Demo,
}

pub(crate) fn print_run_report(
    report: &RunReport,
    json: bool,
    verbose: bool,
    ending: Ending,
) -> anyhow::Result<()> {
    if json {
        let run = switchlab::record::read::read_run(&report.folder.join("run.json"))?;
        let ports: Vec<&PortRow> = report.devices.iter().flat_map(|d| &d.ports).collect();
        let doc = serde_json::json!({ "folder": report.folder, "run": run, "ports": ports });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    print_tables(report, verbose);
    print_failures(report);
    if report.interrupted {
        println!("interrupted: the watch ended early");
    }
    let unrun = report.tests_planned.saturating_sub(report.traffic.len());
    if unrun > 0 {
        println!("throughput: {unrun} test(s) not run: {}", not_run(report));
    }
    let unrun = report
        .benchmarks_planned
        .saturating_sub(report.benchmarks.len());
    if unrun > 0 {
        println!("rfc2544: {unrun} benchmark(s) not run: {}", not_run(report));
    }
    if let Some(e) = &report.report_error {
        eprintln!("warning: report.html not written: {e}");
    }
    let ok = report.devices.iter().filter(|d| d.ok()).count();
    let done = match report.kind {
        switchlab::record::run::RunKind::Run => "pushed and watched",
        switchlab::record::run::RunKind::Watch => "watched",
    };
    println!("{ok} of {} devices {done}", report.devices.len());
    if ending == Ending::Demo {
        println!("{}", super::board::run_would_exit(report.decision()));
    }
    println!("{}", decision_table(report));
    println!("{}", report.folder.join("report.html").display());
    Ok(())
}

/// The ports that did not pass (every port with `verbose`), the throughput tests (with
/// `verbose`) and the RFC 2544 results.
fn print_tables(report: &RunReport, verbose: bool) {
    let rows: Vec<&PortRow> = report
        .devices
        .iter()
        .flat_map(|d| &d.ports)
        .filter(|p| verbose || p.verdict != PortVerdict::Pass)
        .collect();
    if !rows.is_empty() {
        println!("{}\n", ports_table(&rows));
    }
    if verbose && !report.traffic.is_empty() {
        println!("{}\n", traffic_table(&report.traffic));
    }
    let rows: Vec<_> = (report.benchmarks.iter())
        .flat_map(|b| b.rows.iter().map(|(r, _)| r.clone()))
        .collect();
    if let Some(t) = super::bench_table::table(&rows) {
        println!("{t}");
        if let Some(note) = super::bench_table::latency_note(&rows) {
            println!("{note}");
        }
        println!();
    }
}

/// Every failure the run met, a line each.
fn print_failures(report: &RunReport) {
    for b in &report.benchmarks {
        if let Some(e) = &b.error {
            println!("FAILED {e}");
        }
    }
    for d in &report.devices {
        if let Some(e) = &d.watch_error {
            let e = switchlab::secrets::masked(&e.to_string());
            println!("FAILED {} watch lost: {e}", d.device);
        }
        for p in &d.problems {
            println!("FAILED {} watch: {p}", d.device);
        }
    }
    if let Some(e) = &report.traffic_error {
        println!("FAILED traffic: {e}");
    }
}

/// Why planned measurements did not run.
fn not_run(report: &RunReport) -> &'static str {
    if report.interrupted {
        "the run was interrupted first"
    } else if report.traffic_error.is_some() {
        "the traffic could not start"
    } else {
        "no device's baseline went in"
    }
}

/// The diagnosis per port.
pub(crate) fn ports_table(rows: &[&PortRow]) -> Grid {
    let mut g = Grid::new(&[
        ("device", Col::Name),
        ("port", Col::Name),
        ("flaps", Col::Value),
        ("unseen", Col::Optional(4)),
        ("burst/10s", Col::Optional(5)),
        ("crc+", Col::Optional(3)),
        ("up %", Col::Optional(6)),
        ("cable", Col::Optional(2)),
        ("verdict", Col::Value),
        ("hint", Col::Note),
    ]);
    for r in rows {
        g.row(vec![
            r.device.clone(),
            r.port.clone(),
            r.flaps.to_string(),
            r.unseen_flaps.to_string(),
            r.worst_burst_10s.to_string(),
            r.crc_delta.map_or("-".into(), |c| c.to_string()),
            r.up_percent.map_or("-".into(), |u| format!("{u:.0}")),
            r.cable.clone(),
            r.verdict.to_string(),
            r.hint.clone(),
        ]);
    }
    g
}

/// One row per device: the decision, and why.
fn decision_table(report: &RunReport) -> Grid {
    let mut g = Grid::new(&[
        ("device", Col::Name),
        ("vendor", Col::Optional(3)),
        ("push", Col::Optional(2)),
        ("Gbit/s", Col::Value),
        ("worst s", Col::Optional(1)),
        ("flaps", Col::Value),
        ("cables", Col::Optional(4)),
        ("verdict", Col::Value),
        ("why", Col::Note),
    ]);
    let gbit = |g: Option<f64>| g.map_or("-".into(), |g| format!("{g:.2}"));
    for r in &report.summary {
        let device = report.devices.iter().find(|d| d.device == r.device);
        g.row(vec![
            r.device.clone(),
            r.vendor.clone(),
            r.push.map_or("-".into(), |p| p.to_string()),
            gbit(r.gbit_s),
            gbit(r.min_second_gbit_s),
            r.flaps.to_string(),
            r.cable_findings.to_string(),
            r.verdict.to_string(),
            why(r, device),
        ]);
    }
    g
}

/// Why a device came to its verdict, in a few words.
fn why(r: &SummaryRow, d: Option<&DeviceReport>) -> String {
    if r.verdict == DeviceVerdict::Error
        && let Some(e) = d.and_then(first_error)
    {
        return e;
    }
    match r.verdict {
        DeviceVerdict::Pass => String::new(),
        DeviceVerdict::Fail if !r.suspects.is_empty() => r.suspects.clone(),
        DeviceVerdict::Fail if !r.failing_ports.is_empty() => {
            format!("failing: {}", r.failing_ports)
        }
        DeviceVerdict::Fail => format!("a test missed its criterion ({})", r.gbit_s_by_test),
        DeviceVerdict::Error => "a test through it could not run: see run.json errors".into(),
        DeviceVerdict::Lost => "the watch was cut short".into(),
        DeviceVerdict::Unknown => "a port was never read, or a test did not finish".into(),
    }
}

/// What kept a device from being pushed or watched, first thing first.
fn first_error(d: &DeviceReport) -> Option<String> {
    match &d.push {
        Some(Outcome::Failed(e)) => return Some(e.to_string()),
        Some(Outcome::NotVerified { missing }) => {
            return Some(format!(
                "{} pushed line(s) not in the running config",
                missing.len()
            ));
        }
        _ => {}
    }
    if let Some(e) = &d.watch_error {
        return Some(format!("watch lost: {e}"));
    }
    d.problems.first().map(|p| p.to_string())
}

/// The throughput tests, as a table.
fn traffic_table(results: &[TestResult]) -> Grid {
    let mut g = Grid::new(&[
        ("test", Col::Name),
        ("device", Col::Name),
        ("from", Col::Optional(3)),
        ("to", Col::Optional(3)),
        ("streams", Col::Optional(2)),
        ("sent Gb/s", Col::Optional(1)),
        ("recv Gb/s", Col::Value),
        ("retrans", Col::Optional(4)),
        ("verdict", Col::Value),
    ]);
    for r in results {
        let [sent, received, retrans, verdict] = match &r.outcome {
            TestOutcome::Measured {
                sent_gbps,
                received_gbps,
                retransmits,
                pass,
                ..
            } => [
                format!("{sent_gbps:.2}"),
                format!("{received_gbps:.2}"),
                retransmits.map_or("-".into(), |n| n.to_string()),
                pass.map_or("-".into(), |p| switchlab::states::Judged::of(p).to_string()),
            ],
            TestOutcome::Failed(_) => ["-".into(), "-".into(), "-".into(), "not run".into()],
            TestOutcome::Interrupted => ["-".into(), "-".into(), "-".into(), "interrupted".into()],
        };
        g.row(vec![
            r.test.name.clone(),
            r.test.device.clone().unwrap_or_default(),
            r.test.from.name.clone(),
            r.test.to.name.clone(),
            r.test.streams.to_string(),
            sent,
            received,
            retrans,
            verdict,
        ]);
    }
    g
}
