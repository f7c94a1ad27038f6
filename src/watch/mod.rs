//! The flap watch: per port, one timeline merged from counter polls, state polls, console
//! log lines, the device's log buffer and the built-in syslog receiver; then a
//! diagnosis per port with hints from the lab's cabling. Writes `flaps.csv` as events
//! settle and `ports.csv` at the end.

mod diagnosis;
pub mod hints;
mod output;
mod poller;
pub mod syslog;
pub mod timeline;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use crate::record::folder::RunFolder;
pub use crate::record::rows::PortRow;
pub use output::outcome;
pub use poller::{DeviceWatch, OnEvent, WatchEnd, WatchEvent, watch_device};

use crate::format::manifest::FlapSource;
use crate::transport::ConnectOptions;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub duration: Duration,
    pub interval: Duration,
    /// Ports to watch (lab names); empty = every port the lab lists for the device.
    pub ports: Vec<String>,
    pub sources: Vec<FlapSource>,
    pub max_flaps_per_port: u32,
    pub connect: ConnectOptions,
    pub hints: hints::HintFile,
    /// Read the log buffer every this many polls.
    pub buffer_every: u32,
    /// Messages from the syslog receiver, when the `syslog` source is on.
    pub syslog: Option<syslog::Inbox>,
}

impl WatchOptions {
    /// How the watch ran, for run.json.
    pub fn flap_settings(&self) -> crate::record::run::FlapSettings {
        crate::record::run::FlapSettings {
            interval_ms: self.interval.as_millis() as u64,
            duration_ms: self.duration.as_millis() as u64,
            sources: self
                .sources
                .iter()
                .map(|s| output::source_name(*s))
                .collect(),
        }
    }
}

/// When a watch ends: a time that may move while it runs (`run` sets it when the last push
/// is done; Ctrl-C sets it to now); None = not known yet.
pub type End = watch::Receiver<Option<Instant>>;

/// On Ctrl-C or SIGTERM (systemd, `timeout`, CI runners send it), end the watch now (a
/// last poll, then the CSVs), set `interrupted` and call `on_stop`; a second signal quits
/// at once, leaving the run folder marked incomplete. The handlers are in place when this
/// returns; the future never completes: race it against the watch.
pub fn end_on_ctrl_c<'a>(
    end: &'a watch::Sender<Option<Instant>>,
    interrupted: &'a AtomicBool,
    on_stop: impl Fn() + 'a,
) -> std::io::Result<impl Future<Output = std::convert::Infallible> + 'a> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupts = signal(SignalKind::interrupt())?;
    let mut terms = signal(SignalKind::terminate())?;
    Ok(async move {
        let first = tokio::select! {
            i = interrupts.recv() => i.is_some(),
            t = terms.recv() => t.is_some(),
        };
        if first {
            interrupted.store(true, Ordering::Relaxed);
            on_stop();
            let _ = end.send(Some(Instant::now()));
            let again = tokio::select! {
                i = interrupts.recv() => i.is_some(),
                t = terms.recv() => t.is_some(),
            };
            if again {
                // Handling the signals took away their default of ending the process.
                std::process::exit(EXIT_INTERRUPTED as i32);
            }
        }
        futures::future::pending().await
    })
}

/// The exit code of a watch, run or demo that a signal (Ctrl-C, SIGTERM) ended early, as
/// shells report a process SIGINT ended.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit code of a watch or run: interrupted (130) wins over failed (1) over all done (0).
pub fn exit_code(interrupted: bool, all_ok: bool) -> u8 {
    match (interrupted, all_ok) {
        (true, _) => EXIT_INTERRUPTED,
        (false, true) => 0,
        (false, false) => 1,
    }
}

/// What the caller of [`watch_all`] hears besides events.
pub trait WatchProgress: Sync {
    /// Ctrl-C now ends the watch early; the devices are being reached.
    fn started(&self);
    /// Ctrl-C was pressed: a last poll, then the CSVs.
    fn stopping(&self);
}

/// How a `watch` of several devices ended.
pub struct WatchReport {
    pub rows: Vec<PortRow>,
    /// Devices that could not be watched to the end, with why.
    pub failed: Vec<String>,
    /// Ctrl-C ended it before its time.
    pub interrupted: bool,
}

/// Watch `targets` at once, each on a session of its own (a syslog receiver, if wanted, is
/// attached to `opts` first), for the options' duration or until Ctrl-C; writes flaps.csv
/// as events settle and, at the end, ports.csv and run.json.
pub async fn watch_all(
    targets: &[(&crate::format::lab::Device, &crate::vendor::Vendor)],
    opts: &WatchOptions,
    folder: &RunFolder,
    on_event: OnEvent<'_>,
    tell: &dyn WatchProgress,
) -> std::io::Result<WatchReport> {
    let started = jiff::Timestamp::now();
    let (end_tx, end) = watch::channel(Some(Instant::now() + opts.duration));
    let interrupted = AtomicBool::new(false);
    let ctrl_c = end_on_ctrl_c(&end_tx, &interrupted, || tell.stopping())?;
    tell.started();
    let watches = targets
        .iter()
        .map(|(dev, vendor)| watch_device(dev, vendor, opts, folder, on_event, end.clone()));
    let results = tokio::select! {
        r = futures::future::join_all(watches) => r,
        never = ctrl_c => match never {},
    };
    let mut report = WatchReport {
        rows: Vec::new(),
        failed: Vec::new(),
        interrupted: interrupted.load(Ordering::Relaxed),
    };
    for (mut end, (dev, _)) in results.into_iter().zip(targets) {
        for p in &end.problems {
            report.failed.push(format!("{}: {p}", dev.name()));
        }
        if let Some(e) = end.error {
            let partial = if end.rows.is_empty() {
                ""
            } else {
                " (its ports.csv rows cover the watch until then)"
            };
            report.failed.push(format!("{}: {e}{partial}", dev.name()));
        }
        report.rows.append(&mut end.rows);
    }
    let devices = targets
        .iter()
        .map(|(dev, _)| {
            let name = dev.name();
            let failed = report
                .failed
                .iter()
                .any(|f| f.starts_with(&format!("{name}: ")));
            crate::record::run::DeviceRecord {
                device: name.to_string(),
                ok: !failed,
                watch: if failed { "problems" } else { "ok" }.into(),
                ..Default::default()
            }
        })
        .collect();
    let record = crate::record::run::RunRecord {
        format_version: crate::record::FORMAT_VERSION,
        switchlab: env!("CARGO_PKG_VERSION").into(),
        kind: crate::record::run::RunKind::Watch,
        manifest: None,
        started: started.to_string(),
        ended: jiff::Timestamp::now().to_string(),
        inputs: None,
        invocation: None,
        devices,
        flaps: opts.flap_settings(),
        throughput: Vec::new(),
        throughput_planned: 0,
        preflight: None,
        iperf3: None,
        outcome: output::outcome(report.interrupted, report.failed.is_empty()).into(),
        errors: report.failed.clone(),
    };
    folder.finish(&report.rows, &record)?;
    Ok(report)
}
