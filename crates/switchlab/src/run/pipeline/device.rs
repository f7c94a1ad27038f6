//! One device's part of a run, on a task of its own: its session opened, the watch begun,
//! the baseline pushed over that same session (in a `run`), the watch judged from the end
//! of the push and kept until the run ends, and its ports' diagnosis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};

use super::Progress;
use crate::driver::Driver;
use crate::driver::session::{DeviceError, open};
use crate::format::lab::Device;
use crate::record::folder::RunFolder;
use crate::record::rows::PortRow;
use crate::run::cables::{self, Reading};
use crate::run::push::{Outcome, push_config};
use crate::snapshot::device::Snapshots;
use crate::states::{PortVerdict, SnapshotWhen, WatchState};
use crate::vendor::Vendor;
use crate::watch::events::AfterWatch;
use crate::watch::{DeviceWatch, End, Heard, Problem, WatchOptions};

/// How one device's run went.
#[derive(Debug)]
pub struct DeviceReport {
    pub device: String,
    pub lines: usize,
    pub push_time: Duration,
    /// When the push began (the device's session being opened) and ended (verified).
    pub(crate) push_window: (jiff::Timestamp, jiff::Timestamp),
    /// None in a `watch`: nothing is pushed.
    pub push: Option<Outcome>,
    /// The session could not be opened or the watch could not begin (a `watch`), or the
    /// watch failed after the push (the session broke): its ports that had not failed
    /// by then are `lost`.
    pub watch_error: Option<DeviceError>,
    /// What went wrong in the watch without ending it (a rejected show command).
    pub problems: Vec<Problem>,
    pub ports: Vec<PortRow>,
    /// The software version the device reported (`commands.version_pattern`).
    pub(crate) software: Option<String>,
    /// The cable audit's rows (transceivers.csv), one per watched port.
    pub(crate) cables: Vec<crate::record::rows::TransceiverRow>,
    /// The running config's snapshots in the folder: (before or after, SHA-256).
    pub(crate) snapshots: Vec<(SnapshotWhen, String)>,
}

impl DeviceReport {
    /// The report of a device whose task panicked (a bug): its failure, never a silence.
    pub(super) fn panicked(device: String, message: String) -> DeviceReport {
        let error = DeviceError::Panicked {
            device: device.clone(),
            message,
        };
        DeviceReport {
            device,
            lines: 0,
            push_time: std::time::Duration::ZERO,
            push_window: (jiff::Timestamp::now(), jiff::Timestamp::now()),
            push: None,
            watch_error: Some(error),
            problems: Vec::new(),
            ports: Vec::new(),
            software: None,
            cables: Vec::new(),
            snapshots: Vec::new(),
        }
    }

    /// Whether the push (if any) went in.
    pub(crate) fn pushed(&self) -> bool {
        self.push
            .as_ref()
            .is_none_or(|p| matches!(p, Outcome::Pushed { .. }))
    }

    /// run.json's `watch` of a device.
    pub(crate) fn watch_state(&self) -> WatchState {
        if !self.pushed() {
            WatchState::NotRun
        } else if self.watch_error.is_some() {
            WatchState::Lost
        } else if !self.problems.is_empty() {
            WatchState::Problems
        } else {
            WatchState::Ok
        }
    }

    /// Pushed (where a push was asked) and watched to the end with nothing unread.
    pub fn ok(&self) -> bool {
        self.pushed() && self.watch_error.is_none() && self.problems.is_empty()
    }

    /// The ports that failed (by flaps, err-disable, going down) or had no link.
    pub(crate) fn failing_ports(&self) -> impl Iterator<Item = &PortRow> {
        self.ports.iter().filter(|p| p.verdict.failed())
    }

    /// How many of its ports had no link.
    pub(crate) fn no_link(&self) -> usize {
        self.ports
            .iter()
            .filter(|p| p.verdict == PortVerdict::NoLink)
            .count()
    }

    /// run.json's entry.
    pub(crate) fn to_record(&self) -> crate::record::run::DeviceRecord {
        crate::record::run::DeviceRecord {
            device: self.device.clone(),
            ok: self.ok(),
            lines: self.push.as_ref().map(|_| self.lines),
            push_seconds: self.push.as_ref().map(|_| self.push_time.as_secs_f64()),
            push_started: Some(format!("{:.3}", self.push_window.0)),
            push_ended: Some(format!("{:.3}", self.push_window.1)),
            software: self.software.clone(),
            push: self.push.as_ref().map(Outcome::state),
            watch: self.watch_state(),
            config_before_sha256: self.snapshot(SnapshotWhen::Before),
            config_after_sha256: self.snapshot(SnapshotWhen::After),
        }
    }

    fn snapshot(&self, when: SnapshotWhen) -> Option<String> {
        (self.snapshots.iter())
            .find(|(w, _)| *w == when)
            .map(|(_, sha)| sha.clone())
    }
}

/// What a device's session learned before the watch went on, whatever came of it.
#[derive(Default)]
struct Opened {
    software: Option<String>,
    cables_start: Reading,
    snapshots: Snapshots,
}

/// Everything one device's task owns.
pub(crate) struct DeviceJob {
    pub(crate) dev: Device,
    pub(crate) vendor: Arc<Vendor>,
    /// The config to push; None: watch only.
    pub(crate) lines: Option<Vec<String>>,
    pub(crate) save: bool,
    pub(crate) opts: WatchOptions,
    pub(crate) folder: Arc<RunFolder>,
    pub(crate) progress: Arc<dyn Progress>,
}

impl DeviceJob {
    /// `configs/<device>.before.txt` and `.after.txt`, as read: their digests, and a
    /// problem for each that could not be written (the run then says so).
    fn keep_snapshots(
        &self,
        device: &str,
        s: &Snapshots,
    ) -> (Vec<(SnapshotWhen, String)>, Vec<Problem>) {
        let (mut kept, mut lost) = (Vec::new(), Vec::new());
        for (when, rel, text) in s.files(device) {
            match self.folder.write(&rel, text.as_bytes()) {
                Ok(()) => kept.push((when, crate::record::digest(text))),
                Err(e) => lost.push(Problem::SnapshotLost {
                    file: rel,
                    why: e.to_string(),
                }),
            }
        }
        (kept, lost)
    }

    /// Open the session, begin the watch, push (if asked) over it, then watch until
    /// `end`. `pushed` hears whether the push went in, and is dropped when it ends.
    pub(crate) async fn run(
        self,
        sem: Arc<Semaphore>,
        pushed: mpsc::Sender<bool>,
        end: End,
    ) -> DeviceReport {
        let name = self.dev.name().to_string();
        let progress = self.progress.clone();
        let on_event = move |h: Heard| progress.event(h);
        let permit = sem.acquire_owned().await;
        let (start, began) = (Instant::now(), jiff::Timestamp::now());
        let mut w = DeviceWatch::new(&self.dev, &self.vendor, &self.opts, &self.folder, &on_event);
        let mut got = Opened::default();
        let ports = w.port_names();
        // Each phase's future boxed: the task holds only the phase it is in, not the
        // largest of them for the whole watch (500 devices at once add up).
        let session = Box::pin(self.open_and_push(&name, &mut w, &ports, &mut got)).await;
        drop(permit);
        let Opened {
            software,
            cables_start,
            snapshots,
        } = got;
        let mut report = DeviceReport {
            device: name,
            lines: self.lines.as_ref().map_or(0, Vec::len),
            push_time: start.elapsed(),
            push_window: (began, jiff::Timestamp::now()),
            push: None,
            watch_error: None,
            problems: Vec::new(),
            ports: Vec::new(),
            software,
            cables: Vec::new(),
            snapshots: Vec::new(),
        };
        let (kept, snapshots_lost) = self.keep_snapshots(&report.device, &snapshots);
        report.snapshots = kept;
        let mut d = self.session_into(&mut report, session);
        if report.push.is_some() {
            self.progress.pushed(&report);
        }
        let _ = pushed.send(report.pushed() && d.is_some()).await;
        drop(pushed);
        // A device whose baseline did not go in is not watched: its ports would be judged
        // on a config that is not the run's.
        if let (Some(d), true) = (d.as_mut(), report.pushed()) {
            let phase = self.watch_to_end(d, w, end, &ports, &cables_start, &mut report);
            Box::pin(phase).await;
        } else if report.watch_error.is_some() {
            report.problems = w.problems();
        }
        report.problems.extend(snapshots_lost);
        report
    }

    /// The session's phase in `report`: the push's outcome, or its failure (the push's in
    /// a `run`, the watch's in a `watch`); the session, while it is open.
    fn session_into(
        &self,
        report: &mut DeviceReport,
        session: Result<(Driver, Option<Outcome>), DeviceError>,
    ) -> Option<Driver> {
        match session {
            Ok((d, outcome)) => {
                report.push = outcome;
                Some(d)
            }
            Err(e) if self.lines.is_some() => {
                report.push = Some(Outcome::Failed(e));
                None
            }
            Err(e) => {
                report.watch_error = Some(e);
                None
            }
        }
    }

    /// Open the session, begin the watch, read the cables, and push over it when asked;
    /// what it learned on the way is in `got`, whatever came of it.
    async fn open_and_push(
        &self,
        name: &str,
        w: &mut DeviceWatch<'_>,
        ports: &[String],
        got: &mut Opened,
    ) -> Result<(Driver, Option<Outcome>), DeviceError> {
        let transcript = self.folder.path.join(format!("transcripts/{name}.log"));
        let conn = &self.opts.connect;
        let mut d = open(&self.dev, &self.vendor, conn, Some(&transcript)).await?;
        got.software = d.software_version().await?;
        w.begin(&mut d).await?;
        got.cables_start = cables::read(&mut d, &self.vendor, ports, &self.opts.cables).await?;
        let Some(lines) = &self.lines else {
            self.progress.watch_began(name, ports.len());
            return Ok((d, None));
        };
        let total = lines.len();
        self.progress.push_started(name, total);
        let mut sent = |n: usize| self.progress.push_progress(name, n, total);
        let snapshots = &mut got.snapshots;
        let outcome = push_config(&mut d, lines, self.save, &mut sent, snapshots).await?;
        Ok((d, Some(outcome)))
    }

    /// Watch until `end` over the session the push left, then what follows the last poll
    /// (ports without link looked up, the cables read again), and judge the ports.
    async fn watch_to_end(
        &self,
        d: &mut Driver,
        mut w: DeviceWatch<'_>,
        end: End,
        ports: &[String],
        cables_start: &Reading,
        report: &mut DeviceReport,
    ) {
        // Ports are judged by their link from the end of the push (a watch: from its
        // start).
        if self.lines.is_some()
            && let Err(e) = w.judge_from_now()
        {
            tracing::warn!("{}: events.jsonl: {e}", report.device);
        }
        // A watch cut short leaves its ports `lost`; a step after its last poll that
        // fails is a problem of the device, and the ports keep their verdicts.
        let mut after = Vec::new();
        let cables_end = match Box::pin(w.run_until(d, end)).await {
            Err(e) => {
                report.watch_error = Some(e);
                None
            }
            Ok(()) => Box::pin(self.after_watch(d, &mut w, ports, &mut after)).await,
        };
        for (cmd, why) in cables_start.rejected.iter().take(1) {
            tracing::info!(
                "{}: `{cmd}` rejected ({why}): the cable audit goes without it",
                report.device
            );
        }
        report.cables = cables::apply(&self.dev, &mut w, cables_start, cables_end.as_ref());
        report.problems = w.problems();
        report
            .problems
            .extend(after.into_iter().map(|(step, e)| Problem::AfterWatch {
                step,
                why: e.to_string(),
            }));
        report.ports = w.finish(report.watch_error.as_ref());
    }

    /// After the last poll: the ports without link looked up, then the cables read again
    /// (None when a step failed; its failure is in `after`).
    async fn after_watch(
        &self,
        d: &mut Driver,
        w: &mut DeviceWatch<'_>,
        ports: &[String],
        after: &mut Vec<(AfterWatch, DeviceError)>,
    ) -> Option<Reading> {
        if let Err(e) = Box::pin(w.examine_unlinked(d)).await {
            after.push((AfterWatch::UnlinkedLookup, e));
            return None;
        }
        let read = cables::read(d, &self.vendor, ports, &self.opts.cables);
        match Box::pin(read).await {
            Ok(r) => Some(r),
            Err(e) => {
                after.push((AfterWatch::CableAudit, e));
                None
            }
        }
    }
}
