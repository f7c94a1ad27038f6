//! `run` and `watch`: one repeatable run into a run folder.
//!
//! Per device, one session on a task of its own (a console has only one session): the
//! flap watch starts (log buffer history set aside, counters' baseline polled), the
//! baseline is pushed, saved and verified over that session in a `run` (log lines the push
//! meets keep their times and join the timeline), and the watch goes on. When the last
//! push is done the traffic phase runs the throughput tests one after another while every
//! port is still watched; the watch ends when the traffic has ended and `[flaps] duration`
//! has passed since the last push, whichever is later. A `watch` is the same pipeline
//! without push and traffic.
//!
//! The folder: `manifest.toml` and `lab.toml` as run, `configs/<device>.cfg` (rendered),
//! `transcripts/<device>.log` (redacted; a long watch's middle polls left out), `flaps.csv`
//! (appended as events settle, each naming the test it fell in), `throughput.csv`,
//! `ports.csv`, `summary.csv`, `report.html`, `run.json` (says `incomplete` until the end).
//!
//! Layout: this file (the run as a whole), `device` (one device's task), `finish` (the
//! folder's last files: run.json, summary.csv, ports.csv, report.html), `summary` (its
//! summary.csv rows), `error`.

mod device;
mod error;
mod finish;
mod summary;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc, watch};

pub use device::DeviceReport;
pub use error::{RunError, folder_of};

use super::bench::BenchResult;
use super::push::join_named;
use super::traffic::{self, TestOutcome, TestResult, Traffic, TrafficProgress};
use crate::inputs::RunInputs;
use crate::record::run::RunKind;
use crate::states::TestState;
use crate::vendor::Registry;
use crate::watch::{End, Heard, RunFolder, WatchOptions, end_on_ctrl_c, judged};

/// What to run, beyond the inputs.
pub struct RunPlan<'a> {
    pub reg: &'a Registry,
    /// `run` (push, traffic, watch) or `watch` (the watch alone).
    pub kind: RunKind,
    pub lab_path: &'a Path,
    /// The manifest file, copied into the folder (a `watch` may have none).
    pub manifest_path: Option<&'a Path>,
    /// Devices to run (manifest names); empty = every device of the manifest.
    pub devices: Vec<String>,
    pub save: bool,
    /// Sessions opened (and pushes done) at once; all watches end together.
    pub jobs: usize,
    pub watch: WatchOptions,
    /// Where the syslog receiver listens, when the `syslog` source is on.
    pub syslog_listen: std::net::SocketAddr,
    /// The throughput tests to run once every push is done (`Traffic::prepare`).
    pub traffic: Option<Traffic>,
    pub runs: PathBuf,
    /// How this run was started (run.json's `invocation`, for `rerun`).
    pub invocation: Option<crate::record::run::Invocation>,
}

/// What the caller hears while the run goes (throughput tests included).
pub trait Progress: TrafficProgress + Send {
    /// The folder exists and the receiver (if any) listens: the devices are being reached.
    fn started(&self, folder: &Path, syslog: Option<std::net::SocketAddr>);
    /// A device's watch has begun (its first poll is in) and nothing is to be pushed to it:
    /// from here on its flaps are caught.
    fn watch_began(&self, _device: &str, _ports: usize) {}
    /// A device's session is open and its push begins: `lines` config lines.
    fn push_started(&self, _device: &str, _lines: usize) {}
    /// `done` of a device's `lines` config lines are in.
    fn push_progress(&self, _device: &str, _done: usize, _lines: usize) {}
    /// A device's push ended (ok or not); its watch goes on if it was ok.
    fn pushed(&self, report: &DeviceReport);
    /// The last push ended and the traffic (if any) too: the watch ends in `watch`.
    fn watching(&self, watch: std::time::Duration);
    /// A flap-watch event, as sighted and again as settled.
    fn event(&self, heard: Heard);
    /// Ctrl-C: the watch ends after a last poll.
    fn interrupted(&self);
    /// Every few minutes of a long watch (a pipe shows no live view: say how it goes).
    fn heartbeat(&self) {}
}

/// How often a long watch says how it goes.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(180);

pub struct RunReport {
    pub kind: RunKind,
    pub folder: PathBuf,
    /// In the run's order of devices.
    pub devices: Vec<DeviceReport>,
    /// summary.csv's rows: each device's verdict and why.
    pub summary: Vec<crate::record::summary::SummaryRow>,
    /// The throughput tests, in the order they ran (those Ctrl-C kept from starting are
    /// not here; `tests_planned` says how many there were).
    pub traffic: Vec<TestResult>,
    pub tests_planned: usize,
    /// The RFC 2544 benchmarks, as the tests.
    pub benchmarks: Vec<BenchResult>,
    pub benchmarks_planned: usize,
    /// Why the traffic phase could not be done (an endpoint unreachable at preflight):
    /// none of its tests ran, and the run says so.
    pub traffic_error: Option<traffic::TrafficError>,
    /// Ctrl-C ended the watch early.
    pub interrupted: bool,
    /// Why report.html could not be written (the run's own files are all there).
    pub report_error: Option<String>,
}

impl RunReport {
    /// Every device pushed and watched, every test measured (a verdict may still fail).
    pub(crate) fn ok(&self) -> bool {
        self.traffic_error.is_none()
            && self.devices.iter().all(|d| d.ok())
            && self
                .traffic
                .iter()
                .all(|t| !matches!(t.outcome, TestOutcome::Failed(_)))
            && self
                .benchmarks
                .iter()
                .all(|b| b.outcome != TestState::Failed)
    }

    /// Every verdict passed: each port, each device's summary (its tests and benchmarks
    /// against their criteria).
    pub(crate) fn passed(&self) -> bool {
        let ports = self.devices.iter().flat_map(|d| &d.ports);
        ports
            .clone()
            .all(|p| p.verdict == crate::states::PortVerdict::Pass)
            && self
                .summary
                .iter()
                .all(|s| s.verdict == crate::states::DeviceVerdict::Pass)
    }

    /// The decision (`run::exit`): interrupted, not done, a verdict failed, or passed.
    pub fn decision(&self) -> super::exit::Decision {
        super::exit::Decision::of(self.interrupted, self.ok(), self.passed())
    }

    pub fn exit_code(&self) -> u8 {
        self.decision().code()
    }
}

/// Run the inputs: per device its session, the push (in a `run`) and the watch; the
/// traffic once the pushes are done; the run folder.
pub async fn run(
    plan: RunPlan<'_>,
    mut inputs: RunInputs,
    progress: Arc<dyn Progress>,
) -> Result<RunReport, RunError> {
    let mut watch_opts = plan.watch.clone();
    let receiver = syslog_receiver(&plan, &mut inputs, &mut watch_opts).await?;
    let names = device_names(&plan, &inputs);
    let folder = Arc::new(finish::open_folder(&plan, &inputs, &names)?);
    let io = |error| RunError::Folder {
        path: folder.path.clone(),
        error,
    };
    let (end_tx, end_rx) = watch::channel(None::<Instant>);
    let interrupted = AtomicBool::new(false);
    let ctrl_c = end_on_ctrl_c(&end_tx, &interrupted, || progress.interrupted()).map_err(io)?;
    progress.started(&folder.path, receiver.as_ref().map(|r| r.bound));
    let started = jiff::Timestamp::now();
    let (pushed_tx, pushed_rx) = mpsc::channel::<bool>(names.len().max(1));
    let jobs = device_jobs(&plan, &inputs, &names, &watch_opts, &folder, &progress);
    let judged = jobs.iter().map(|j| judged(&j.dev, &j.vendor, &j.opts));
    let flap_settings = watch_opts.flap_settings(judged.collect());
    let criteria = (plan.kind == RunKind::Run).then_some(&inputs.manifest.criteria);
    folder.started(&flap_settings, criteria).map_err(io)?;
    let (set, ids) = spawn_jobs(jobs, plan.jobs, pushed_tx, &end_rx);
    let control = traffic_phase(
        &plan,
        &inputs,
        &folder,
        &watch_opts,
        pushed_rx,
        &end_tx,
        end_rx,
        &interrupted,
        &*progress,
    );
    let panicked = |device: String, message| DeviceReport::panicked(device, message);
    let devices = join_named(set, ids, panicked, |_| {});
    let beats = heartbeats(&*progress);
    let (mut devices, traffic) = tokio::select! {
        r = async { futures::join!(devices, control) } => r,
        never = ctrl_c => match never {},
        never = beats => match never {},
    };
    devices.sort_by_key(|d| names.iter().position(|n| *n == d.device));
    let came = finish::Came {
        started,
        devices,
        traffic,
        flaps: flap_settings,
        interrupted: interrupted.load(Ordering::Relaxed),
    };
    finish::conclude(&plan, &inputs, &names, &watch_opts, &folder, came)
        .await
        .map_err(io)
}

/// The syslog receiver, when the watch reads syslog. Devices must be told the port it
/// got (it differs when asked for port 0): their baselines are rendered again for it.
async fn syslog_receiver(
    plan: &RunPlan<'_>,
    inputs: &mut RunInputs,
    watch_opts: &mut WatchOptions,
) -> Result<Option<crate::watch::syslog::Receiver>, RunError> {
    let receiver = crate::watch::syslog::attach(watch_opts, plan.syslog_listen).await?;
    if let Some(r) = &receiver
        && plan.kind == RunKind::Run
        && inputs.manifest.baseline.logging_port.is_none()
        && inputs.manifest.flaps.syslog_listen.port() != r.bound.port()
    {
        inputs.manifest.flaps.syslog_listen = r.bound;
        inputs.render(plan.reg)?;
    }
    Ok(receiver)
}

/// A task per device, `jobs` of them working at once (the others wait for a place).
fn spawn_jobs(
    devices: Vec<device::DeviceJob>,
    jobs: usize,
    pushed: mpsc::Sender<bool>,
    end: &End,
) -> (
    tokio::task::JoinSet<DeviceReport>,
    std::collections::HashMap<tokio::task::Id, String>,
) {
    let sem = Arc::new(Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let mut ids = std::collections::HashMap::new();
    for job in devices {
        let name = job.dev.name().to_string();
        let task = set.spawn(job.run(sem.clone(), pushed.clone(), end.clone()));
        ids.insert(task.id(), name);
    }
    (set, ids)
}

/// Say how the watch goes every `HEARTBEAT`; never ends (race it against the run).
async fn heartbeats(progress: &dyn Progress) -> std::convert::Infallible {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
    loop {
        tick.tick().await;
        progress.heartbeat();
    }
}

/// The devices the run works on, in its order: those asked for, else the manifest's.
fn device_names(plan: &RunPlan<'_>, inputs: &RunInputs) -> Vec<String> {
    if !plan.devices.is_empty() {
        return plan.devices.clone();
    }
    let m = &inputs.manifest;
    m.devices.iter().map(|d| d.name.get_ref().clone()).collect()
}

/// One task's worth per device: its lab entry, profile, config (in a `run`) and watch
/// options (the ports the manifest tests on it, those expected down).
fn device_jobs(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
    base: &WatchOptions,
    folder: &Arc<RunFolder>,
    progress: &Arc<dyn Progress>,
) -> Vec<device::DeviceJob> {
    let mut jobs = Vec::new();
    for name in names {
        let Ok((dev, vendor)) = inputs.lab.device(plan.reg, name) else {
            continue;
        };
        let lines = match plan.kind {
            RunKind::Run => match inputs.config(name) {
                Some(c) => Some(c.lines.clone()),
                None => continue,
            },
            RunKind::Watch => None,
        };
        let mut opts = base.clone();
        if let Some(dut) = inputs.manifest.device(name) {
            let lab = &inputs.lab.lab;
            opts.ports = (inputs.manifest.ports_for(dut, lab).iter())
                .map(|p| p.name.get_ref().clone())
                .collect();
            opts.expect_down = dut.expect_down();
        }
        jobs.push(device::DeviceJob {
            dev: dev.clone(),
            vendor: Arc::new(vendor.clone()),
            lines,
            save: plan.save,
            opts,
            folder: folder.clone(),
            progress: progress.clone(),
        });
    }
    jobs
}

/// What the traffic phase measured: the preflight, the tests, the benchmarks.
type Measured = (
    traffic::preflight::Preflight,
    Vec<TestResult>,
    Vec<BenchResult>,
);

/// Every sender dropped = every push done. Then the traffic (tests, then benchmarks), then the watch ends
/// `[flaps] duration` after the last push or when the traffic ends, whichever is later;
/// Ctrl-C ends it now (pushes under way still finish: a half-sent config helps nobody).
#[allow(clippy::too_many_arguments)]
async fn traffic_phase(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    folder: &RunFolder,
    watch_opts: &WatchOptions,
    mut pushed: mpsc::Receiver<bool>,
    end_tx: &watch::Sender<Option<Instant>>,
    end_rx: End,
    interrupted: &AtomicBool,
    progress: &dyn Progress,
) -> Result<Measured, traffic::TrafficError> {
    let mut pushed_ok = false;
    while let Some(ok) = pushed.recv().await {
        pushed_ok |= ok;
    }
    let pushes_done = Instant::now();
    let mut results = Ok(Default::default());
    if let Some(t) = &plan.traffic
        && pushed_ok
        && !interrupted.load(Ordering::Relaxed)
    {
        let criteria = &inputs.manifest.criteria;
        let speeds = &watch_opts.speeds;
        let tested = traffic::run_tests(
            t,
            criteria.min_gbps,
            speeds,
            folder,
            end_rx.clone(),
            progress,
        )
        .await;
        results = match tested {
            Ok((preflight, tests)) => {
                let b = super::bench::run_benchmarks(t, criteria, speeds, folder, end_rx, progress);
                Ok((preflight, tests, b.await))
            }
            Err(e) => Err(e),
        };
    }
    if !interrupted.load(Ordering::Relaxed) {
        let end = (pushes_done + watch_opts.duration).max(Instant::now());
        if plan.kind == RunKind::Run {
            progress.watching(end.saturating_duration_since(Instant::now()));
        }
        let _ = end_tx.send(Some(end));
    }
    results
}
