//! `run`: one repeatable test run from a manifest, into a run folder.
//!
//! Per device, one session (a console has only one): the flap watch starts (log buffer
//! history set aside, counters' baseline polled), the baseline is pushed, saved and
//! verified over that session (log lines the push meets keep their times and join the
//! timeline), and the watch goes on. When the last push is done the traffic phase runs the
//! throughput tests one after another while every port is still watched; the watch ends
//! when the traffic has ended and `[flaps] duration` has passed since the last push,
//! whichever is later.
//!
//! The folder: `manifest.toml` and `lab.toml` as run, `configs/<device>.cfg` (rendered),
//! `transcripts/<device>.log` (redacted; a long watch's middle polls left out), `flaps.csv`
//! (appended as events settle, each naming the test it fell in), `throughput.csv`,
//! `ports.csv`, `run.json` (says `incomplete` until the end).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc, watch};

use super::push::{Outcome, push_config};
use super::traffic::{self, TestOutcome, TestResult, Traffic, TrafficProgress};
use super::{DeviceError, open};
use crate::inputs::RunInputs;
use crate::vendor::Registry;
use crate::watch::{
    DeviceWatch, End, OnEvent, PortRow, RunFolder, WatchEvent, WatchOptions, end_on_ctrl_c,
};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("run folder {path}: {error}{hint}", path = path.display(), hint = crate::format::error::io_hint(error))]
    Folder {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Syslog(#[from] crate::watch::syslog::BindError),
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Traffic(#[from] traffic::TrafficError),
}

/// What to run, beyond the manifest.
pub struct RunPlan<'a> {
    pub reg: &'a Registry,
    pub lab_path: &'a Path,
    pub manifest_path: &'a Path,
    /// Devices to run (manifest names); empty = every device of the manifest.
    pub devices: Vec<String>,
    pub save: bool,
    /// Pushes at once (a device's watch starts with its push; all end together).
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

/// How one device's run went.
#[derive(Debug)]
pub struct DeviceReport {
    pub device: String,
    pub lines: usize,
    pub push_time: Duration,
    /// When the push began (the device's session being opened) and ended (verified).
    pub push_window: (jiff::Timestamp, jiff::Timestamp),
    pub push: Outcome,
    /// The watch failed after the push (the session broke): its ports that had not
    /// failed by then are `lost`.
    pub watch_error: Option<DeviceError>,
    /// What went wrong in the watch without ending it (a rejected show command).
    pub problems: Vec<String>,
    pub ports: Vec<PortRow>,
    /// The software version the device reported (`commands.version_pattern`).
    pub software: Option<String>,
}

impl DeviceReport {
    /// run.json's `watch` of a device: `not-run` (its push did not go in), `lost` (the
    /// session broke midway), `problems` (something could not be read), or `ok`.
    pub fn watch_word(&self) -> &'static str {
        match (&self.push, &self.watch_error, self.problems.is_empty()) {
            (p, ..) if !matches!(p, Outcome::Pushed { .. }) => "not-run",
            (_, Some(_), _) => "lost",
            (_, None, false) => "problems",
            (_, None, true) => "ok",
        }
    }

    pub fn ok(&self) -> bool {
        matches!(self.push, Outcome::Pushed { .. })
            && self.watch_error.is_none()
            && self.problems.is_empty()
    }

    /// run.json's entry.
    pub fn to_record(&self) -> crate::record::run::DeviceRecord {
        crate::record::run::DeviceRecord {
            device: self.device.clone(),
            ok: self.ok(),
            lines: Some(self.lines),
            push_seconds: Some(self.push_time.as_secs_f64()),
            push_started: Some(format!("{:.3}", self.push_window.0)),
            push_ended: Some(format!("{:.3}", self.push_window.1)),
            software: self.software.clone(),
            push: Some(self.push.word().into()),
            watch: self.watch_word().into(),
        }
    }
}

/// What the caller hears while the run goes (throughput tests included).
pub trait Progress: TrafficProgress {
    /// The folder exists and the receiver (if any) listens: the devices are being reached.
    fn started(&self, folder: &Path, syslog: Option<std::net::SocketAddr>);
    /// A device's session is open and its push begins: `lines` config lines.
    fn push_started(&self, _device: &str, _lines: usize) {}
    /// `done` of a device's `lines` config lines are in.
    fn push_progress(&self, _device: &str, _done: usize, _lines: usize) {}
    /// A device's push ended (ok or not); its watch goes on if it was ok.
    fn pushed(&self, report: &DeviceReport);
    /// The last push ended and the traffic (if any) too: the watch ends in `watch`.
    fn watching(&self, watch: Duration);
    /// A settled flap-watch event (device, port, what).
    fn event(&self, device: &str, port: &str, what: WatchEvent, at: std::time::SystemTime);
    /// Ctrl-C: the watch ends after a last poll.
    fn interrupted(&self);
}

pub struct RunReport {
    pub folder: PathBuf,
    pub devices: Vec<DeviceReport>,
    /// The throughput tests, in the order they ran (those Ctrl-C kept from starting are
    /// not here; `tests_planned` says how many there were).
    pub traffic: Vec<TestResult>,
    pub tests_planned: usize,
    /// Ctrl-C ended the watch early.
    pub interrupted: bool,
    /// Why report.html could not be written (the run's own files are all there).
    pub report_error: Option<String>,
}

impl RunReport {
    /// Every device pushed and watched, every test measured (a verdict may still fail).
    pub fn ok(&self) -> bool {
        self.devices.iter().all(|d| d.ok())
            && self
                .traffic
                .iter()
                .all(|t| !matches!(t.outcome, TestOutcome::Failed(_)))
    }

    /// 130 when a signal ended the run early, 1 when something could not be done, else 0.
    pub fn exit_code(&self) -> u8 {
        crate::watch::exit_code(self.interrupted, self.ok())
    }
}

/// Run the manifest: push and watch every device, write the run folder.
pub async fn run(
    plan: RunPlan<'_>,
    mut inputs: RunInputs,
    progress: &dyn Progress,
) -> Result<RunReport, RunError> {
    let mut watch_opts = plan.watch.clone();
    let receiver = crate::watch::syslog::attach(&mut watch_opts, plan.syslog_listen).await?;
    // Devices must be told the port the receiver got (it differs when asked for port 0).
    if let Some(r) = &receiver
        && inputs.manifest.baseline.logging_port.is_none()
        && inputs.manifest.flaps.syslog_listen.port() != r.bound.port()
    {
        inputs.manifest.flaps.syslog_listen = r.bound;
        inputs.render(plan.reg)?;
    }
    let names: Vec<String> = if plan.devices.is_empty() {
        inputs.configs.iter().map(|c| c.device.clone()).collect()
    } else {
        plan.devices.clone()
    };
    let slug = inputs.manifest.name.clone();
    let folder = open_folder(&plan, &inputs, &names)?;
    let io = |error| RunError::Folder {
        path: folder.path.clone(),
        error,
    };
    let (end_tx, end_rx) = watch::channel(None::<Instant>);
    let interrupted = AtomicBool::new(false);
    let ctrl_c = end_on_ctrl_c(&end_tx, &interrupted, || progress.interrupted()).map_err(io)?;
    progress.started(&folder.path, receiver.as_ref().map(|r| r.bound));
    let started = jiff::Timestamp::now();

    let sem = Semaphore::new(plan.jobs.max(1));
    // Each device says whether its push went in (traffic needs at least one).
    let (pushed_tx, mut pushed_rx) = mpsc::channel::<bool>(1);
    let on_event =
        |d: &str, p: &str, e: WatchEvent, at: std::time::SystemTime| progress.event(d, p, e, at);
    let device_opts = per_device_options(&inputs, &names, &watch_opts);
    let mut tasks = Vec::new();
    for (name, opts) in names.iter().zip(&device_opts) {
        let (Some(cfg), Ok((dev, vendor))) =
            (inputs.config(name), inputs.lab.device(plan.reg, name))
        else {
            continue;
        };
        let ctx = DeviceRun {
            dev,
            vendor,
            lines: &cfg.lines,
            save: plan.save,
            opts,
            folder: &folder,
            on_event: &on_event,
            progress,
        };
        tasks.push(ctx.run(&sem, pushed_tx.clone(), end_rx.clone()));
    }
    drop(pushed_tx);
    // Every sender dropped = every push done. Then the traffic, then the watch ends
    // `[flaps] duration` after the last push or when the traffic ends, whichever is later;
    // Ctrl-C ends it now (pushes under way still finish: a half-sent config helps nobody).
    let min_gbps = inputs.manifest.criteria.min_gbps;
    let control = async {
        let mut pushed_ok = false;
        while let Some(ok) = pushed_rx.recv().await {
            pushed_ok |= ok;
        }
        let pushes_done = Instant::now();
        let mut results = Ok((traffic::preflight::Preflight::default(), Vec::new()));
        if let Some(t) = &plan.traffic
            && pushed_ok
            && !interrupted.load(Ordering::Relaxed)
        {
            let stop = end_rx.clone();
            results = traffic::run_tests(t, min_gbps, &folder, stop, progress).await;
        }
        if !interrupted.load(Ordering::Relaxed) {
            let end = (pushes_done + watch_opts.duration).max(Instant::now());
            progress.watching(end.saturating_duration_since(Instant::now()));
            let _ = end_tx.send(Some(end));
        }
        results
    };
    let work = async { futures::join!(futures::future::join_all(tasks), control) };
    let (devices, traffic) = tokio::select! {
        r = work => r,
        never = ctrl_c => match never {},
    };
    let (preflight, traffic) = traffic?;
    let tests_planned = plan.traffic.as_ref().map_or(0, |t| t.tests.len());
    let interrupted = interrupted.load(Ordering::Relaxed);

    let rows: Vec<PortRow> = devices.iter().flat_map(|d| d.ports.clone()).collect();
    let errors: Vec<String> = devices
        .iter()
        .flat_map(|d| {
            let push = match &d.push {
                Outcome::Failed(e) => Some(format!("{}: {e}", d.device)),
                Outcome::NotVerified { missing } => Some(format!(
                    "{}: not in the running config: {missing:?}",
                    d.device
                )),
                _ => None,
            };
            let watch = d.watch_error.as_ref().map(|e| format!("{}: {e}", d.device));
            let problems = d.problems.iter().map(|p| format!("{}: {p}", d.device));
            push.into_iter()
                .chain(watch)
                .chain(problems)
                .collect::<Vec<_>>()
        })
        .chain(traffic.iter().filter_map(|t| match &t.outcome {
            TestOutcome::Failed(e) => Some(e.to_string()),
            _ => None,
        }))
        .collect();
    let record = crate::record::run::RunRecord {
        format_version: crate::record::FORMAT_VERSION,
        switchlab: env!("CARGO_PKG_VERSION").into(),
        kind: crate::record::run::RunKind::Run,
        manifest: Some(slug.clone()),
        started: started.to_string(),
        ended: jiff::Timestamp::now().to_string(),
        inputs: Some(input_digests(&inputs, plan.reg, &names, &watch_opts)),
        invocation: plan.invocation.clone(),
        devices: devices.iter().map(DeviceReport::to_record).collect(),
        flaps: watch_opts.flap_settings(),
        throughput: traffic.iter().map(TestResult::to_record).collect(),
        throughput_planned: tests_planned,
        preflight: plan.traffic.as_ref().map(|_| preflight),
        iperf3: plan.traffic.as_ref().and_then(|t| t.iperf3.clone()),
        outcome: crate::watch::outcome(interrupted, errors.is_empty()).into(),
        errors,
    };
    let summary = super::summary::summarize(&devices, &traffic, &inputs.lab.lab);
    crate::record::summary::write(&folder.path.join("summary.csv"), &summary).map_err(io)?;
    folder.finish(&rows, &record).map_err(io)?;
    // The report reads the folder back through the record types: what it draws is what
    // any later reader will find.
    let report_error = crate::report::html::write_folder(&folder.path)
        .err()
        .map(|e| e.to_string());
    Ok(RunReport {
        report_error,
        folder: folder.path.clone(),
        devices,
        traffic,
        tests_planned,
        interrupted,
    })
}

/// SHA-256 of every input the run used: the manifest, the lab, each device's profile and
/// template, the hints; `compare` says which differ between runs.
fn input_digests(
    inputs: &RunInputs,
    reg: &Registry,
    names: &[String],
    watch: &WatchOptions,
) -> crate::record::run::Inputs {
    use crate::record::digest;
    let mut digests = crate::record::run::Inputs {
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

/// The run folder with the inputs as run: lab, manifest, the configs to push.
fn open_folder(
    plan: &RunPlan<'_>,
    inputs: &RunInputs,
    names: &[String],
) -> Result<RunFolder, RunError> {
    let folder =
        RunFolder::create(&plan.runs, &inputs.manifest.name, plan.lab_path).map_err(|error| {
            RunError::Folder {
                path: plan.runs.clone(),
                error,
            }
        })?;
    let io = |error| RunError::Folder {
        path: folder.path.clone(),
        error,
    };
    std::fs::copy(plan.manifest_path, folder.path.join("manifest.toml")).map_err(io)?;
    for c in inputs.configs.iter().filter(|c| names.contains(&c.device)) {
        let text = c.lines.join("\n") + "\n";
        folder
            .write(&format!("configs/{}.cfg", c.device), text.as_bytes())
            .map_err(io)?;
    }
    std::fs::create_dir_all(folder.path.join("transcripts")).map_err(io)?;
    Ok(folder)
}

/// Each device's watch options: the ports the manifest tests on it.
fn per_device_options(
    inputs: &RunInputs,
    names: &[String],
    base: &WatchOptions,
) -> Vec<WatchOptions> {
    names
        .iter()
        .map(|name| {
            let mut o = base.clone();
            if let Some(dut) = inputs
                .manifest
                .devices
                .iter()
                .find(|d| d.name.get_ref() == name)
            {
                o.ports = inputs
                    .manifest
                    .ports_for(dut, &inputs.lab.lab)
                    .iter()
                    .map(|p| p.name.get_ref().clone())
                    .collect();
            }
            o
        })
        .collect()
}

/// One device's part of the run.
struct DeviceRun<'a> {
    dev: &'a crate::format::lab::Device,
    vendor: &'a crate::vendor::Vendor,
    lines: &'a [String],
    save: bool,
    opts: &'a WatchOptions,
    folder: &'a RunFolder,
    on_event: OnEvent<'a>,
    progress: &'a dyn Progress,
}

impl DeviceRun<'_> {
    /// Push over a session that is already watched, then watch until `end`. `pushed` hears
    /// whether the push went in, and is dropped when the push ends.
    async fn run(self, sem: &Semaphore, pushed: mpsc::Sender<bool>, end: End) -> DeviceReport {
        let name = self.dev.name().to_string();
        let transcript = self.folder.path.join(format!("transcripts/{name}.log"));
        let permit = sem.acquire().await;
        let (start, began) = (Instant::now(), jiff::Timestamp::now());
        let mut w = DeviceWatch::new(self.dev, self.vendor, self.opts, self.folder, self.on_event);
        let mut software = None;
        let session = async {
            let mut d = open(self.dev, self.vendor, &self.opts.connect, Some(&transcript)).await?;
            software = d.software_version().await?;
            w.begin(&mut d).await?;
            let (progress, total) = (self.progress, self.lines.len());
            progress.push_started(&name, total);
            let mut sent = |n: usize| progress.push_progress(&name, n, total);
            let outcome = push_config(&mut d, self.lines, self.save, &mut sent).await?;
            Ok::<_, DeviceError>((d, outcome))
        }
        .await;
        drop(permit);
        let mut report = DeviceReport {
            device: name,
            lines: self.lines.len(),
            push_time: start.elapsed(),
            push_window: (began, jiff::Timestamp::now()),
            push: Outcome::Rendered,
            watch_error: None,
            problems: Vec::new(),
            ports: Vec::new(),
            software,
        };
        let mut d = match session {
            Ok((d, outcome)) => {
                report.push = outcome;
                Some(d)
            }
            Err(e) => {
                report.push = Outcome::Failed(e);
                None
            }
        };
        self.progress.pushed(&report);
        let _ = pushed
            .send(matches!(report.push, Outcome::Pushed { .. }))
            .await;
        drop(pushed);
        // A device whose baseline did not go in is not watched: its ports would be judged
        // on a config that is not the run's.
        if let (Some(d), Outcome::Pushed { .. }) = (d.as_mut(), &report.push) {
            if let Err(e) = w.run_until(d, end).await {
                report.watch_error = Some(e);
            }
            report.problems = w.problems();
            report.ports = w.finish(report.watch_error.as_ref());
        }
        report
    }
}
