//! `restore`: each device's running config put back to the snapshot taken before a push
//! (`configs/<device>.before.txt` in a run or snapshot folder), many devices at once,
//! one failing never stopping the others. The running config afterwards is kept as
//! `configs/<device>.restored.txt`, the session as `transcripts/<device>.restore.log`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::driver::session::{DeviceError, open};
use crate::inputs::LabInputs;
use crate::snapshot::device::{Restored, restore};
use crate::transport::ConnectOptions;
use crate::vendor::Registry;

/// One device's restore.
#[derive(Debug)]
pub struct RestoreResult {
    pub device: String,
    pub outcome: Result<Restored, DeviceError>,
}

/// The snapshot a device is restored to.
pub(crate) fn before_file(folder: &Path, device: &str) -> PathBuf {
    folder.join(format!("configs/{device}.before.txt"))
}

/// The devices of `lab` with a before-snapshot in `folder`, in the lab's order.
pub fn snapshotted(lab: &LabInputs, folder: &Path) -> Vec<String> {
    (lab.lab.devices.iter())
        .map(|d| d.name().to_string())
        .filter(|d| before_file(folder, d).is_file())
        .collect()
}

/// Why the snapshots to restore could not be read (nothing was touched).
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Device(#[from] crate::format::FormatError),
    #[error("{device}: snapshot {}: {error}", path.display())]
    Read {
        device: String,
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
}

/// Each device's before-snapshot in `folder`, read before anything is touched: a device
/// the lab does not have, or a snapshot that cannot be read, stops it all.
pub fn read_snapshots(
    reg: &Registry,
    lab: &LabInputs,
    folder: &Path,
    devices: &[String],
) -> Result<Vec<(String, String)>, SnapshotError> {
    let mut snapshots = Vec::new();
    for d in devices {
        lab.device(reg, d)?;
        let path = before_file(folder, d);
        let text = std::fs::read_to_string(&path).map_err(|error| SnapshotError::Read {
            device: d.clone(),
            path,
            error,
        })?;
        snapshots.push((d.clone(), text));
    }
    Ok(snapshots)
}

/// Restore each device to its snapshot (see [`read_snapshots`]), `jobs` at once; `done`
/// hears each as it ends.
pub async fn restore_all(
    reg: &Registry,
    lab: &LabInputs,
    folder: &Path,
    snapshots: Vec<(String, String)>,
    (connect, save, jobs): (&ConnectOptions, bool, usize),
    mut done: impl FnMut(&RestoreResult),
) -> Vec<RestoreResult> {
    let sem = Arc::new(Semaphore::new(jobs.max(1)));
    // A push's snapshot folder has no transcripts/ yet.
    if let Err(e) = std::fs::create_dir_all(folder.join("transcripts")) {
        tracing::warn!("{}: {e}", folder.join("transcripts").display());
    }
    let mut set = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for (name, text) in snapshots {
        let Ok((dev, vendor)) = lab.device(reg, &name) else {
            continue;
        };
        let (dev, vendor, connect, sem) =
            (dev.clone(), vendor.clone(), connect.clone(), sem.clone());
        let transcript = folder.join(format!("transcripts/{name}.restore.log"));
        let folder = folder.to_path_buf();
        let task = set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let outcome = async {
                let mut d = open(&dev, &vendor, &connect, Some(&transcript)).await?;
                let r = restore(&mut d, &text, save).await;
                if let Some(e) = d.flush_transcript() {
                    tracing::warn!("{}: {e}", dev.name());
                }
                // The running config after the restore, as evidence beside the snapshot.
                if let Ok(x) = &r {
                    let path = folder.join(format!("configs/{}.restored.txt", dev.name()));
                    if let Err(e) = crate::record::atomic::write(&path, x.running.as_bytes()) {
                        tracing::warn!("{}: {}: {e}", dev.name(), path.display());
                    }
                }
                r
            }
            .await;
            RestoreResult {
                device: dev.name().to_string(),
                outcome,
            }
        });
        names.insert(task.id(), name);
    }
    let failed = |device: String, message| RestoreResult {
        outcome: Err(DeviceError::Panicked {
            device: device.clone(),
            message,
        }),
        device,
    };
    super::push::join_named(set, names, failed, |r| done(r)).await
}
