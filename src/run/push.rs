//! Push: render → connect → configure line by line → save → verify from the running
//! config, for many devices at once (bounded), one failing device never stopping the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{DeviceError, open};
use crate::driver::Driver;
use crate::inputs::RunInputs;
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
}

#[derive(Debug)]
pub enum Outcome {
    /// Rendered only (--dry-run).
    Rendered,
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
    /// run.json's `push` of a device: `rendered`, `pushed`, `not-verified` or `failed`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Rendered => "rendered",
            Outcome::Pushed { .. } => "pushed",
            Outcome::NotVerified { .. } => "not-verified",
            Outcome::Failed(_) => "failed",
        }
    }
}

#[derive(Debug)]
pub struct PushResult {
    pub device: String,
    pub lines: usize,
    pub elapsed: Duration,
    pub outcome: Outcome,
}

impl PushResult {
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Rendered | Outcome::Pushed { .. })
    }
}

/// Push each named device's rendered config; results arrive in completion order via `done`.
pub async fn push_all(
    reg: &Registry,
    inputs: &RunInputs,
    devices: &[String],
    opts: &PushOptions,
    mut done: impl FnMut(&PushResult),
) -> Vec<PushResult> {
    let sem = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for name in devices {
        let Some(cfg) = inputs.config(name).cloned() else {
            continue;
        };
        let Ok((dev, vendor)) = inputs.lab.device(reg, name) else {
            continue;
        };
        let (dev, vendor, opts, sem) = (dev.clone(), vendor.clone(), opts.clone(), sem.clone());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let start = Instant::now();
            let outcome = if opts.dry_run {
                Outcome::Rendered
            } else {
                match push_one(&dev, &vendor, &cfg.lines, &opts).await {
                    Ok(o) => o,
                    Err(e) => Outcome::Failed(e),
                }
            };
            PushResult {
                device: dev.name().to_string(),
                lines: cfg.lines.len(),
                elapsed: start.elapsed(),
                outcome,
            }
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        // A panicking task is a bug; report it as that device's failure would need its name,
        // which the panic lost, so it is logged and skipped.
        match r {
            Ok(r) => {
                done(&r);
                out.push(r);
            }
            Err(e) => tracing::error!("a push task failed: {e}"),
        }
    }
    out
}

async fn push_one(
    dev: &crate::format::lab::Device,
    vendor: &crate::vendor::Vendor,
    lines: &[String],
    opts: &PushOptions,
) -> Result<Outcome, DeviceError> {
    let transcript = opts
        .transcripts
        .as_ref()
        .map(|dir| dir.join(format!("{}.log", dev.name())));
    let mut d = open(dev, vendor, &opts.connect, transcript.as_deref()).await?;
    push_config(&mut d, lines, opts.save).await
}

/// Configure `lines` on an open session, save if asked, and check every line is in the
/// running config.
pub async fn push_config(
    d: &mut Driver,
    lines: &[String],
    save: bool,
) -> Result<Outcome, DeviceError> {
    d.configure(lines).await?;
    if save {
        d.save().await?;
    }
    let missing = d.missing_lines(lines).await?;
    Ok(if missing.is_empty() {
        Outcome::Pushed { saved: save }
    } else {
        Outcome::NotVerified { missing }
    })
}
