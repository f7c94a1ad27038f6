//! The tests run one after another into the run folder, each interval written as the
//! engine reports it, the result judged against `[criteria] min_gbps`.

use std::time::{Duration, SystemTime};

use super::measure::{Interval, Measurement};
use super::{
    TestOutcome, TestResult, Traffic, TrafficError, TrafficProgress, TrafficTest, engine, preflight,
};
use crate::record::rows::ThroughputRow;
use crate::states::{Judged, ThroughputKind};
use crate::watch::{End, RunFolder};

/// Run `tests` one after another into `folder` until done, or until `stop` is set (Ctrl-C:
/// the test under way is ended and recorded as interrupted, the rest are not started).
pub(crate) async fn run_tests(
    traffic: &Traffic,
    min_gbps: Option<f64>,
    speeds: &crate::watch::PortSpeeds,
    folder: &RunFolder,
    mut stop: End,
    progress: &dyn TrafficProgress,
) -> Result<(preflight::Preflight, Vec<TestResult>), TrafficError> {
    let checked = preflight::run(traffic, speeds).await?;
    progress.preflight(&checked.warnings);
    folder.start_throughput()?;
    let mut results = Vec::new();
    for test in &traffic.tests {
        if stop.borrow().is_some() {
            break;
        }
        progress.test_started(test);
        folder.traffic_started(&test.name, test.path());
        let started = SystemTime::now();
        // Each interval goes to disk as the engine reports it: a crash keeps what was measured.
        let lost_row = std::sync::Mutex::new(None::<std::io::Error>);
        let on_interval = |at: SystemTime, i: &Interval| {
            // A row that cannot be written loses that second, said once as the test's
            // error below; the measurement goes on.
            if let Err(e) = folder.throughput(&row(test, ThroughputKind::Interval, at, i, None)) {
                crate::locks::lock(&lost_row).get_or_insert(e);
            }
            progress.test_second(test, i.end_s, i.bits_per_second / 1e9);
        };
        let measured = tokio::select! {
            m = engine::measure(traffic, test, &on_interval) => Some(m),
            _ = stop.wait_for(|end| end.is_some()) => None,
        };
        folder.traffic_ended(&test.name);
        // A second that could not be written makes throughput.csv not what was measured.
        let lost_row = lost_row.into_inner().unwrap_or_else(|e| e.into_inner());
        let measured = match (measured, lost_row) {
            (Some(Ok(_)), Some(e)) => Some(Err(TrafficError::Csv(e))),
            (m, _) => m,
        };
        let outcome = match measured {
            Some(Ok(m)) => measured_outcome(test, &m, min_gbps, folder)?,
            Some(Err(e)) => TestOutcome::Failed(e),
            None => TestOutcome::Interrupted,
        };
        let result = TestResult {
            test: test.clone(),
            started,
            ended: SystemTime::now(),
            outcome,
        };
        progress.test_ended(&result);
        results.push(result);
    }
    Ok((checked, results))
}

/// A measured test's totals in throughput.csv (the received row judged against
/// `min_gbps`), and its outcome.
fn measured_outcome(
    test: &TrafficTest,
    m: &Measurement,
    min_gbps: Option<f64>,
    folder: &RunFolder,
) -> Result<TestOutcome, TrafficError> {
    let received_gbps = m.received.bits_per_second / 1e9;
    let pass = min_gbps.map(|min| received_gbps >= min);
    let end = |i: &Interval| m.started + Duration::from_secs_f64(i.end_s.max(0.0));
    let sent = row(test, ThroughputKind::Sent, end(&m.sent), &m.sent, None);
    folder.throughput(&sent)?;
    let v = pass.map(Judged::of);
    let mut received = row(
        test,
        ThroughputKind::Received,
        end(&m.received),
        &m.received,
        v,
    );
    if let Some(u) = &m.udp {
        received.lost_percent = Some(crate::record::milli(u.lost_percent));
        received.jitter_ms = Some(crate::record::milli(u.jitter_ms));
    }
    folder.throughput(&received)?;
    Ok(TestOutcome::Measured {
        sent_gbps: m.sent.bits_per_second / 1e9,
        received_gbps,
        retransmits: m.sent.retransmits,
        pass,
        udp: m.udp.clone(),
        min_interval_gbps: m
            .intervals
            .iter()
            .filter(|i| i.end_s - i.start_s >= 0.99)
            .map(|i| i.bits_per_second / 1e9)
            .reduce(f64::min),
    })
}

/// One throughput.csv row: `kind` is `interval`, `sent` or `received`, `at` its end.
fn row(
    test: &TrafficTest,
    kind: ThroughputKind,
    at: SystemTime,
    i: &Interval,
    verdict: Option<Judged>,
) -> ThroughputRow {
    use crate::record::milli;
    ThroughputRow {
        time: crate::record::stamp(at),
        test: test.name.clone(),
        device: test.device.clone().unwrap_or_default(),
        from: test.from.name.clone(),
        from_port: test.from.port.clone().unwrap_or_default(),
        to: test.to.name.clone(),
        to_port: test.to.port.clone().unwrap_or_default(),
        row: kind,
        start_s: milli(i.start_s),
        end_s: milli(i.end_s),
        bytes: i.bytes,
        gbit_s: milli(i.bits_per_second / 1e9),
        retransmits: i.retransmits,
        verdict,
        lost_percent: None,
        jitter_ms: None,
    }
}
