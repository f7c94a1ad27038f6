//! Push: render → connect → configure (lines typed ahead where the profile allows) →
//! save → verify from the running config, for many devices at once (bounded), one failing
//! device never stopping the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::driver::Driver;
use crate::driver::session::{DeviceError, open};
use crate::inputs::RunInputs;
use crate::snapshot::device::Snapshots;
use crate::states::PushState;
use crate::transport::ConnectOptions;
use crate::vendor::Registry;

#[derive(Debug, Clone)]
pub struct PushOptions {
    pub dry_run: bool,
    pub save: bool,
    pub jobs: usize,
    pub connect: ConnectOptions,
    /// Write each device's transcript to `<dir>/<device>.log` as the session goes.
    pub transcripts: Option<std::path::PathBuf>,
    /// Only say what the push would change (`--diff`): the running config is read,
    /// nothing is configured.
    pub diff: bool,
}

#[derive(Debug)]
pub enum Outcome {
    /// Rendered only (--dry-run).
    Rendered,
    /// What the push would change, as a unified diff (empty: nothing); `--diff`.
    Diff(String),
    Pushed {
        saved: bool,
    },
    /// Pushed, but these lines are not in the running config afterwards.
    NotVerified {
        missing: Vec<(usize, String)>,
    },
    Failed(DeviceError),
}

impl Outcome {
    /// run.json's `push` of a device.
    pub(crate) fn state(&self) -> PushState {
        match self {
            Outcome::Rendered | Outcome::Diff(_) => PushState::Rendered,
            Outcome::Pushed { .. } => PushState::Pushed,
            Outcome::NotVerified { .. } => PushState::NotVerified,
            Outcome::Failed(_) => PushState::Failed,
        }
    }
}

#[derive(Debug)]
pub struct PushResult {
    pub device: String,
    pub lines: usize,
    pub elapsed: Duration,
    pub outcome: Outcome,
    /// The running config before and after the push, as far as it was read.
    pub(crate) snapshots: Snapshots,
}

impl PushResult {
    pub(crate) fn ok(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Rendered | Outcome::Diff(_) | Outcome::Pushed { .. }
        )
    }
}

/// Push each named device's rendered config; results arrive in completion order via `done`.
pub(crate) async fn push_all(
    reg: &Registry,
    inputs: &RunInputs,
    devices: &[String],
    opts: &PushOptions,
    mut done: impl FnMut(&PushResult),
) -> Vec<PushResult> {
    let sem = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for name in devices {
        let Some(cfg) = inputs.config(name).cloned() else {
            continue;
        };
        let Ok((dev, vendor)) = inputs.lab.device(reg, name) else {
            continue;
        };
        let (dev, vendor, opts, sem) = (dev.clone(), vendor.clone(), opts.clone(), sem.clone());
        let lines = cfg.lines.len();
        let task = set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let start = Instant::now();
            let mut snapshots = Snapshots::default();
            let outcome = if opts.dry_run {
                Outcome::Rendered
            } else {
                match push_one(&dev, &vendor, &cfg.lines, &opts, &mut snapshots).await {
                    Ok(o) => o,
                    Err(e) => Outcome::Failed(e),
                }
            };
            PushResult {
                device: dev.name().to_string(),
                lines: cfg.lines.len(),
                elapsed: start.elapsed(),
                outcome,
                snapshots,
            }
        });
        names.insert(task.id(), (name.clone(), lines));
    }
    let failed = |(device, lines): (String, usize), message| PushResult {
        outcome: Outcome::Failed(DeviceError::Panicked {
            device: device.clone(),
            message,
        }),
        device,
        lines,
        elapsed: Duration::ZERO,
        snapshots: Snapshots::default(),
    };
    join_named(set, names, failed, |r| done(r)).await
}

/// Join every task as it ends; a task that panicked (a bug) comes back as
/// `failed(its name, the panic's message)`, never as a silent success.
pub(crate) async fn join_named<T: 'static, N: Default>(
    mut set: tokio::task::JoinSet<T>,
    mut names: std::collections::HashMap<tokio::task::Id, N>,
    failed: impl Fn(N, String) -> T,
    mut done: impl FnMut(&T),
) -> Vec<T> {
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        let r = r.unwrap_or_else(|e| {
            let name = names.remove(&e.id()).unwrap_or_default();
            failed(name, panic_message(e))
        });
        done(&r);
        out.push(r);
    }
    out
}

/// What a task's panic said (or that it was cancelled).
pub(crate) fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into()),
        Err(e) => e.to_string(),
    }
}

async fn push_one(
    dev: &crate::format::lab::Device,
    vendor: &crate::vendor::Vendor,
    lines: &[String],
    opts: &PushOptions,
    snapshots: &mut Snapshots,
) -> Result<Outcome, DeviceError> {
    let transcript = opts
        .transcripts
        .as_ref()
        .map(|dir| dir.join(format!("{}.log", dev.name())));
    let mut d = open(dev, vendor, &opts.connect, transcript.as_deref()).await?;
    let pushed = match opts.diff {
        true => crate::snapshot::device::diff(&mut d, dev.name(), lines)
            .await
            .map(Outcome::Diff)
            .map_err(DeviceError::from),
        false => push_config(&mut d, lines, opts.save, &mut |_| {}, snapshots).await,
    };
    if let Some(e) = d.flush_transcript() {
        tracing::warn!("{}: {e}", dev.name());
    }
    pushed
}

/// Configure `lines` on an open session, save if asked, and check every line is in the
/// running config; `sent(n)` hears as each of the first n lines is in. The running
/// config is read into `snapshots` before the first line and after the last (also where
/// a line was rejected and the device still answers).
pub(crate) async fn push_config(
    d: &mut Driver,
    lines: &[String],
    save: bool,
    sent: &mut (dyn FnMut(usize) + Send),
    snapshots: &mut Snapshots,
) -> Result<Outcome, DeviceError> {
    snapshots.before = Some(crate::snapshot::device::running(d).await?);
    let placed = match d.configure_with(lines, sent).await {
        Ok(p) => p,
        Err(e) => {
            // Halfway: what is on the device now is what a restore starts from.
            snapshots.after = crate::snapshot::device::running(d).await.ok();
            return Err(e.into());
        }
    };
    if save {
        d.save().await?;
    }
    let (missing, running) = d.missing_lines(&placed).await?;
    snapshots.after = Some(running);
    Ok(if missing.is_empty() {
        Outcome::Pushed { saved: save }
    } else {
        Outcome::NotVerified { missing }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: a panicking push task was only logged, and the command could exit 0.
    #[tokio::test]
    async fn a_task_that_panics_is_its_devices_failure() {
        let mut set = tokio::task::JoinSet::new();
        let mut names = std::collections::HashMap::new();
        for (name, boom) in [("calm", false), ("crashy", true)] {
            let t = set.spawn(async move {
                assert!(!boom, "parser overflow on {name}");
                format!("{name} ok")
            });
            names.insert(t.id(), name.to_string());
        }
        let mut seen = 0;
        let mut out =
            join_named(set, names, |n, m| format!("{n} FAILED: {m}"), |_| seen += 1).await;
        out.sort();
        assert_eq!(
            out,
            ["calm ok", "crashy FAILED: parser overflow on crashy"],
            "both reported, the panic under its device's name"
        );
        assert_eq!(seen, 2);
    }
}
