//! A `push` as one operation: every device pushed ([`push_all`]), each one's snapshots
//! written into the snapshot folder as it ends, and what came of it counted (which
//! devices failed, which would change, whether `restore` has what it needs).

use std::path::{Path, PathBuf};

use super::push::{Outcome, PushOptions, PushResult, push_all};
use crate::inputs::RunInputs;
use crate::snapshot::device::Snapshots;
use crate::vendor::Registry;

/// What a push came to.
#[derive(Debug)]
pub struct PushReport {
    /// In the order the devices ended.
    pub results: Vec<PushResult>,
    /// Per device whose running config was read: its snapshots written, or why not (the
    /// error names the file).
    pub(crate) kept: Vec<(String, Result<(), String>)>,
    /// Where the snapshots went (none for a dry run or a diff).
    pub(crate) snapshots: Option<PathBuf>,
}

/// One device's push, as `push --json` gives it.
#[derive(Debug, serde::Serialize)]
pub struct PushedRecord<'a> {
    device: &'a str,
    ok: bool,
    outcome: &'static str,
    seconds: f64,
    lines: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// `--diff`: the unified diff (empty: the baseline changes nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a str>,
}

/// The snapshot folder of a push: `given`, or `snapshots/<UTC>-push`.
pub fn snapshot_folder(given: Option<&Path>) -> PathBuf {
    given.map_or_else(
        || {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
            PathBuf::from(format!("snapshots/{stamp}-push"))
        },
        Path::to_path_buf,
    )
}

/// Push `devices`, keeping each one's snapshots in `snapshots` as it ends (before `done`
/// hears of it).
pub async fn push_and_keep(
    reg: &Registry,
    inputs: &RunInputs,
    devices: &[String],
    opts: &PushOptions,
    snapshots: Option<PathBuf>,
    mut done: impl FnMut(&PushResult),
) -> PushReport {
    let mut kept = Vec::new();
    let results = push_all(reg, inputs, devices, opts, |r| {
        if let (Some(dir), false) = (&snapshots, r.snapshots.files(&r.device).is_empty()) {
            kept.push((r.device.clone(), keep(dir, &r.device, &r.snapshots)));
        }
        done(r);
    })
    .await;
    PushReport {
        results,
        kept,
        snapshots,
    }
}

impl PushReport {
    /// Why snapshots could not be written, a line each.
    pub fn keep_problems(&self) -> impl Iterator<Item = &String> {
        self.kept.iter().filter_map(|(_, k)| k.as_ref().err())
    }

    /// The snapshot folder, when a snapshot was written into it.
    pub fn kept_in(&self) -> Option<&Path> {
        let any = self.kept.iter().any(|(_, k)| k.is_ok());
        self.snapshots.as_deref().filter(|_| any)
    }

    /// Devices whose baseline would change something (`--diff`).
    pub fn would_change(&self) -> usize {
        (self.results.iter())
            .filter(|r| matches!(&r.outcome, Outcome::Diff(d) if !d.is_empty()))
            .count()
    }

    /// Devices that failed, those whose snapshot was lost among them (`restore` could not
    /// put them back), and one more when a baseline would change something.
    pub fn failed(&self) -> usize {
        let lost = |d: &str| self.kept.iter().any(|(k, kept)| k == d && kept.is_err());
        let failed = (self.results.iter())
            .filter(|r| !r.ok() || lost(&r.device))
            .count();
        failed + usize::from(self.would_change() > 0)
    }

    /// `push --json`'s document; `error` says a failed device's failure.
    pub fn records(&self, error: impl Fn(&PushResult) -> String) -> Vec<PushedRecord<'_>> {
        (self.results.iter())
            .map(|r| PushedRecord {
                device: &r.device,
                ok: r.ok(),
                outcome: r.outcome.state().as_str(),
                seconds: r.elapsed.as_secs_f64(),
                lines: r.lines,
                error: (!r.ok()).then(|| error(r)),
                diff: match &r.outcome {
                    Outcome::Diff(d) => Some(d),
                    _ => None,
                },
            })
            .collect()
    }
}

/// A device's snapshots written into `dir/configs/`; the error names the file.
fn keep(dir: &Path, device: &str, s: &Snapshots) -> Result<(), String> {
    for (_, rel, text) in s.files(device) {
        let path = dir.join(&rel);
        let written = (path.parent().map_or(Ok(()), std::fs::create_dir_all))
            .and_then(|()| crate::record::atomic::write(&path, text.as_bytes()));
        written.map_err(|e| format!("{device}: snapshot {}: {e}", path.display()))?;
    }
    Ok(())
}
