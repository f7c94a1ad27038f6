//! A run's summary.csv rows: per device, what its push, watch and traffic came to.

use super::DeviceReport;
use crate::format::lab::Lab;
use crate::record::milli;
use crate::record::rfc2544::Rfc2544Row;
use crate::record::summary::SummaryRow;
use crate::run::bench::BenchResult;
use crate::run::traffic::{TestOutcome, TestResult};
use crate::states::{DeviceVerdict, PortVerdict, WatchState};
use benchmarks::Benchmarks;

/// One row per device of the run, in the run's order.
pub(crate) fn summarize(
    devices: &[DeviceReport],
    tests: &[TestResult],
    benchmarks: &[BenchResult],
    rfc2544: &[Rfc2544Row],
    criteria: &crate::format::manifest::Criteria,
    lab: &Lab,
) -> Vec<SummaryRow> {
    devices
        .iter()
        .map(|d| {
            let mine = tests
                .iter()
                .filter(|t| t.test.device.as_deref() == Some(d.device.as_str()));
            let mut t = Tests::of(mine);
            let bench = Benchmarks::of(&d.device, benchmarks, rfc2544, criteria);
            t.error |= bench.error;
            t.unmeasured |= bench.unmeasured;
            t.failed |= !bench.misses.is_empty();
            let mut row = device_row(d, &t, lab);
            bench.fill(&mut row);
            row
        })
        .collect()
}

mod benchmarks;

/// What the throughput tests through one device came to.
#[derive(Default)]
struct Tests {
    by_test: Vec<String>,
    gbit: Option<f64>,
    min_second: Option<f64>,
    retransmits: Option<u64>,
    lost: Option<f64>,
    /// One failed its criterion; one could not run; one was interrupted before its end.
    failed: bool,
    error: bool,
    unmeasured: bool,
}

impl Tests {
    fn of<'a>(tests: impl Iterator<Item = &'a TestResult>) -> Tests {
        let mut s = Tests::default();
        let low = |a: Option<f64>, b: f64| Some(a.map_or(b, |x| x.min(b)));
        for t in tests {
            match &t.outcome {
                TestOutcome::Measured {
                    received_gbps,
                    retransmits,
                    pass,
                    udp,
                    min_interval_gbps,
                    ..
                } => {
                    s.by_test
                        .push(format!("{}={received_gbps:.3}", t.test.name));
                    s.gbit = low(s.gbit, *received_gbps);
                    if let Some(m) = min_interval_gbps {
                        s.min_second = low(s.min_second, *m);
                    }
                    if let Some(r) = retransmits {
                        s.retransmits = Some(s.retransmits.unwrap_or(0) + r);
                    }
                    if let Some(u) = udp {
                        s.lost = Some(s.lost.map_or(u.lost_percent, |l| l.max(u.lost_percent)));
                    }
                    s.failed |= *pass == Some(false);
                }
                TestOutcome::Failed(_) => {
                    s.by_test.push(format!("{}=failed", t.test.name));
                    s.error = true;
                }
                TestOutcome::Interrupted => {
                    s.by_test.push(format!("{}=interrupted", t.test.name));
                    s.unmeasured = true;
                }
            }
        }
        s
    }
}

/// A device's verdict: something not done is an `error`; a failed port (or one without
/// link) or test is a `fail`; a watch cut short is `lost`; a port never read, `unknown`.
fn verdict(d: &DeviceReport, t: &Tests) -> DeviceVerdict {
    let lost = d.watch_state() == WatchState::Lost;
    let has = |v: PortVerdict| d.ports.iter().any(|p| p.verdict == v);
    if (!d.ok() && !lost) || t.error {
        DeviceVerdict::Error
    } else if d.failing_ports().next().is_some() || t.failed {
        DeviceVerdict::Fail
    } else if lost || has(PortVerdict::Lost) {
        DeviceVerdict::Lost
    } else if has(PortVerdict::Unknown) || t.unmeasured {
        DeviceVerdict::Unknown
    } else {
        DeviceVerdict::Pass
    }
}

fn device_row(d: &DeviceReport, t: &Tests, lab: &Lab) -> SummaryRow {
    let dev = lab.device(&d.device);
    let failing: Vec<&str> = d.failing_ports().map(|p| p.port.as_str()).collect();
    let mut suspects: Vec<String> = d
        .failing_ports()
        .filter(|p| !p.hint.is_empty())
        .map(|p| format!("{}: {}", p.port, p.hint))
        .collect();
    // What the cable audit found on ports that did not fail (a failing one's hint says it).
    let failing_names: Vec<&str> = d.failing_ports().map(|p| p.port.as_str()).collect();
    for c in d
        .cables
        .iter()
        .filter(|c| !c.findings.is_empty() && !failing_names.contains(&c.port.as_str()))
    {
        suspects.push(format!("{}: {}", c.port, c.findings));
    }
    let cable_findings = d
        .cables
        .iter()
        .map(|c| c.findings.split("; ").filter(|f| !f.is_empty()).count())
        .sum();
    SummaryRow {
        device: d.device.clone(),
        vendor: dev.map(|x| x.vendor().to_string()).unwrap_or_default(),
        model: dev.and_then(|x| x.model.clone()).unwrap_or_default(),
        software: d.software.clone().unwrap_or_default(),
        push_seconds: milli(d.push_time.as_secs_f64()),
        config_lines: d.lines,
        push: d.push.as_ref().map(|p| p.state()),
        watch: d.watch_state(),
        gbit_s: t.gbit.map(milli),
        gbit_s_by_test: t.by_test.join(" "),
        min_second_gbit_s: t.min_second.map(milli),
        retransmits: t.retransmits,
        lost_percent: t.lost,
        flaps: d.ports.iter().map(|p| p.flaps).sum(),
        unseen_flaps: d.ports.iter().map(|p| p.unseen_flaps).sum(),
        no_link_ports: d.no_link(),
        failing_ports: failing.join(" "),
        cable_findings,
        no_drop_percent_smallest: None,
        no_drop_percent_largest: None,
        latency_us_largest: None,
        rfc2544_limits: String::new(),
        suspects: suspects.join("; "),
        verdict: verdict(d, t),
    }
}
