//! The run folder's first and last files: the folder with the inputs as run, then at the
//! end run.json (built here alone, for `run` and `watch`), summary.csv, ports.csv and
//! report.html (drawn off the async runtime: SVG charts take a while).

use super::{DeviceReport, RunError, RunPlan};
use crate::inputs::RunInputs;
use crate::record::folder::RunFolder;
use crate::record::rfc2544::Rfc2544Row;
use crate::record::run::{Inputs, RunKind, RunRecord};
use crate::run::bench::BenchResult;
use crate::run::push::Outcome;
use crate::run::traffic::preflight::Preflight;
use crate::run::traffic::{TestOutcome, TestResult};
use crate::states::RunOutcome;
use crate::vendor::Registry;
use crate::watch::WatchOptions;

/// How the run ended.
pub(super) struct Ended<'a> {
    pub(crate) started: jiff::Timestamp,
    pub(crate) devices: &'a [DeviceReport],
    pub(crate) traffic: &'a [TestResult],
    pub(crate) benchmarks: &'a [BenchResult],
    pub(crate) preflight: Option<Preflight>,
    /// The traffic phase could not be done.
    pub(crate) traffic_error: Option<&'a crate::run::traffic::TrafficError>,
    /// What the watch was judged by (run.json has had it since the start).
    pub(crate) flaps: crate::record::run::FlapSettings,
    pub(crate) interrupted: bool,
}

/// The run folder with the inputs as run: lab, manifest, the configs to push.
pub(super) fn open_folder(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
) -> Result<RunFolder, RunError> {
    let folder =
        RunFolder::create(&plan.runs, &inputs.manifest.name, plan.lab_path).map_err(|error| {
            RunError::Runs {
                path: plan.runs.clone(),
                error,
            }
        })?;
    let io = |error| RunError::Folder {
        path: folder.path.clone(),
        error,
    };
    if let Some(m) = plan.manifest_path {
        let text = std::fs::read(m).map_err(io)?;
        crate::record::atomic::write(&folder.path.join("manifest.toml"), &text).map_err(io)?;
    }
    for c in inputs.configs.iter().filter(|c| names.contains(&c.device)) {
        let text = c.lines.join("\n") + "\n";
        folder
            .write(&format!("configs/{}.cfg", c.device), text.as_bytes())
            .map_err(io)?;
    }
    std::fs::create_dir_all(folder.path.join("transcripts")).map_err(io)?;
    Ok(folder)
}

/// Every error of the run, one line each, its device first: run.json's `errors`.
fn errors(
    devices: &[DeviceReport],
    traffic: &[TestResult],
    benchmarks: &[BenchResult],
) -> Vec<String> {
    let mut out = Vec::new();
    for d in devices {
        match &d.push {
            Some(Outcome::Failed(e)) => out.push(format!("{}: {e}", d.device)),
            Some(Outcome::NotVerified { missing }) => out.push(format!(
                "{}: not in the running config: {missing:?}",
                d.device
            )),
            _ => {}
        }
        if let Some(e) = &d.watch_error {
            out.push(format!("{}: {e}", d.device));
        }
        out.extend(d.problems.iter().map(|p| format!("{}: {p}", d.device)));
    }
    out.extend(traffic.iter().filter_map(|t| match &t.outcome {
        TestOutcome::Failed(e) => Some(e.to_string()),
        _ => None,
    }));
    out.extend(
        benchmarks
            .iter()
            .filter_map(|b| b.error.as_ref().map(|e| e.to_string())),
    );
    out
}

/// rfc2544.csv's rows, each with the link events on its path's ports during its trials.
fn benchmark_rows(
    folder: &RunFolder,
    benchmarks: &[BenchResult],
) -> std::io::Result<Vec<Rfc2544Row>> {
    let flaps = folder.flaps_so_far()?;
    let mut rows = Vec::new();
    for b in benchmarks {
        let ports: Vec<&str> = [&b.plan.from.port, &b.plan.to.port]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        for (row, windows) in &b.rows {
            let mut row = row.clone();
            row.flaps = Some(crate::run::bench::flaps_during(
                &flaps,
                &b.plan.device,
                &ports,
                windows,
            ));
            rows.push(row);
        }
    }
    Ok(rows)
}

/// What the run's tasks came back with.
pub(super) struct Came {
    pub(super) started: jiff::Timestamp,
    /// In the run's order.
    pub(super) devices: Vec<DeviceReport>,
    pub(super) traffic: Result<super::Measured, crate::run::traffic::TrafficError>,
    pub(super) flaps: crate::record::run::FlapSettings,
    pub(super) interrupted: bool,
}

/// The folder's last files written (see [`write`]), and the run's report.
pub(super) async fn conclude(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
    watch: &WatchOptions,
    folder: &RunFolder,
    came: Came,
) -> std::io::Result<super::RunReport> {
    // Once the folder exists the run always ends with its evidence: an endpoint or a test
    // that could not be done is one of its errors, and every file is still written.
    let ((preflight, traffic, benchmarks), traffic_error) = match came.traffic {
        Ok(measured) => (measured, None),
        Err(e) => (Default::default(), Some(e)),
    };
    let ended = Ended {
        started: came.started,
        devices: &came.devices,
        traffic: &traffic,
        benchmarks: &benchmarks,
        preflight: plan.traffic.as_ref().map(|_| preflight),
        traffic_error: traffic_error.as_ref(),
        flaps: came.flaps,
        interrupted: came.interrupted,
    };
    let (summary, report_error) = write(plan, inputs, names, watch, folder, ended).await?;
    Ok(super::RunReport {
        kind: plan.kind,
        report_error,
        folder: folder.path.clone(),
        devices: came.devices,
        summary,
        tests_planned: plan.traffic.as_ref().map_or(0, |t| t.tests.len()),
        traffic,
        benchmarks_planned: plan.traffic.as_ref().map_or(0, |t| t.benchmarks.len()),
        benchmarks,
        traffic_error,
        interrupted: came.interrupted,
    })
}

/// run.json, summary.csv, ports.csv, then report.html; the latter's failure is said (the
/// run's own files are all there), the others' is the run's error.
pub(super) async fn write(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
    watch: &WatchOptions,
    folder: &RunFolder,
    ended: Ended<'_>,
) -> std::io::Result<(Vec<crate::record::summary::SummaryRow>, Option<String>)> {
    let record = run_record(plan, inputs, names, watch, &ended);
    let planned = plan
        .traffic
        .as_ref()
        .is_some_and(|t| !t.benchmarks.is_empty());
    let rfc2544 = match planned {
        true => benchmark_rows(folder, ended.benchmarks)?,
        false => Vec::new(),
    };
    if planned {
        folder.rewrite_rfc2544(&rfc2544)?;
    }
    let summary = super::summary::summarize(
        ended.devices,
        ended.traffic,
        ended.benchmarks,
        &rfc2544,
        &inputs.manifest.criteria,
        &inputs.lab.lab,
    );
    crate::record::summary::write(&folder.path.join("summary.csv"), &summary)?;
    let cables: Vec<_> = ended
        .devices
        .iter()
        .flat_map(|d| d.cables.clone())
        .collect();
    crate::record::write_csv(&folder.path.join("transceivers.csv"), &cables)?;
    // Tests planned and none started (the traffic could not start): its file still says
    // its columns, as a run whose tests all failed does.
    if record.throughput_planned > 0 {
        folder.start_throughput()?;
    }
    let rows: Vec<_> = ended.devices.iter().flat_map(|d| d.ports.clone()).collect();
    folder.finish(&rows, &record)?;
    // The report reads the folder back through the record types: what it draws is what
    // any later reader will find.
    // Every session has closed: what they held goes back before the report takes more.
    crate::memory::give_back_freed();
    let path = folder.path.clone();
    let drawn = tokio::task::spawn_blocking(move || crate::report::html::write_folder(&path)).await;
    let report_error = match drawn {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(e) => Some(format!("drawing it failed: {e}")),
    };
    Ok((summary, report_error))
}

/// run.json as the run ended: what it ran, each device's, test's and benchmark's entry,
/// its errors (secrets masked) and its outcome.
fn run_record(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
    watch: &WatchOptions,
    ended: &Ended<'_>,
) -> RunRecord {
    let mut errors = errors(ended.devices, ended.traffic, ended.benchmarks);
    errors.extend(ended.traffic_error.map(|e| format!("traffic: {e}")));
    let ok = ended.devices.iter().all(DeviceReport::ok) && errors.is_empty();
    let is_run = plan.kind == RunKind::Run;
    let started = ended.started.to_string();
    let now = jiff::Timestamp::now().to_string();
    let mut record = RunRecord::new(plan.kind, started, now, ended.flaps.clone());
    record.manifest = is_run.then(|| inputs.manifest.name.clone());
    record.criteria = is_run.then(|| inputs.manifest.criteria.clone());
    record.inputs = is_run.then(|| input_digests(inputs, plan.reg, names, watch));
    record.invocation = plan.invocation.clone();
    record.devices = ended.devices.iter().map(DeviceReport::to_record).collect();
    record.throughput = ended.traffic.iter().map(TestResult::to_record).collect();
    record.throughput_planned = plan.traffic.as_ref().map_or(0, |t| t.tests.len());
    record.benchmarks = (ended.benchmarks.iter())
        .map(BenchResult::to_record)
        .collect();
    record.benchmarks_planned = plan.traffic.as_ref().map_or(0, |t| t.benchmarks.len());
    record.preflight = ended.preflight.clone();
    record.iperf3 = plan.traffic.as_ref().and_then(|t| t.iperf3.clone());
    record.outcome = RunOutcome::of(ended.interrupted, ok);
    // The last guard: a secret that got into an error does not reach the run folder.
    record.errors = errors.iter().map(|e| crate::secrets::masked(e)).collect();
    record
}

/// SHA-256 of every input the run used: the manifest, the lab, each device's profile and
/// template, the hints; `compare` says which differ between runs.
fn input_digests(
    inputs: &RunInputs,
    reg: &Registry,
    names: &[String],
    watch: &WatchOptions,
) -> Inputs {
    use crate::record::digest;
    let mut digests = Inputs {
        manifest: digest(&inputs.manifest_source.text),
        lab: digest(&inputs.lab.source.text),
        hints: watch.hints.digest.clone(),
        ..Default::default()
    };
    for c in inputs.configs.iter().filter(|c| names.contains(&c.device)) {
        let Ok((dev, vendor)) = inputs.lab.device(reg, &c.device) else {
            continue;
        };
        digests
            .profiles
            .insert(vendor.name().into(), vendor.digest.clone());
        if let Some(t) = reg.template(dev.vendor(), &c.template) {
            let key = format!("{}/{}", dev.vendor(), c.template);
            digests.templates.insert(key, digest(&t.text));
        }
    }
    digests
}
