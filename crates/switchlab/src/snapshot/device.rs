//! The snapshot, diff and restore operations on an open session: the running config
//! read with the profile's `commands.running_config`, compared and undone by its
//! `[restore]` rules.

use super::{Config, expected, undo, unified};
use crate::driver::configure::Framing;
use crate::driver::session::DeviceError;
use crate::driver::{Driver, DriverError};
use crate::states::SnapshotWhen;
use crate::vendor::Vendor;
use crate::vendor::restore::Strategy;

/// The running config around a push: before it (read first thing) and after it (read
/// when it ended, also where it failed halfway and the session still answers).
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshots {
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
}

impl Snapshots {
    /// What was read, each with its file in a folder: `configs/<device>.before.txt` and
    /// `.after.txt`.
    pub(crate) fn files<'a>(&'a self, device: &str) -> Vec<(SnapshotWhen, String, &'a str)> {
        [
            (SnapshotWhen::Before, &self.before),
            (SnapshotWhen::After, &self.after),
        ]
        .into_iter()
        .filter_map(|(when, text)| {
            let rel = format!("configs/{device}.{}.txt", when.as_str());
            Some((when, rel, text.as_deref()?))
        })
        .collect()
    }
}

pub(crate) async fn running(d: &mut Driver) -> Result<String, DriverError> {
    let cmd = d.vendor().profile.commands.running_config.clone();
    d.show(&cmd).await
}

/// What pushing `lines` would change, as a unified diff (empty: nothing). Only the
/// running config is read.
pub(crate) async fn diff(
    d: &mut Driver,
    device: &str,
    lines: &[String],
) -> Result<String, DriverError> {
    let text = running(d).await?;
    Ok(diff_text(d.vendor(), device, &text, lines))
}

/// The pure half of [`diff`], for a running config already read.
pub(crate) fn diff_text(vendor: &Vendor, device: &str, running: &str, lines: &[String]) -> String {
    let rules = &vendor.restore;
    let now = Config::parse(running, rules);
    let baseline = Config::parse(&lines.join("\n"), rules);
    let after = expected(&now, &baseline, rules, &vendor.verify_ignore);
    let names = (
        format!("{device}: running-config"),
        format!("{device}: after the baseline"),
    );
    unified(&now, &after, (&names.0, &names.1))
}

/// How a restore went.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The lines pushed to undo the change (empty: nothing differed).
    pub pushed: Vec<String>,
    /// What still differs from the snapshot, as a unified diff (empty: restored).
    pub left: String,
    /// The running config afterwards, as read.
    pub(crate) running: String,
}

/// Put the running config back to `before`, as the profile's strategy says: the undo
/// lines pushed (stopping at a line the device rejects), or the whole snapshot into a
/// candidate committed at once (aborted at a refused line); saved if asked, the running
/// config read again and compared.
pub(crate) async fn restore(
    d: &mut Driver,
    before: &str,
    save: bool,
) -> Result<Restored, DeviceError> {
    let rules = d.vendor().restore.clone();
    let was = Config::parse(before, &rules);
    let now = Config::parse(&running(d).await?, &rules);
    let (pushed, framing) = match &rules.strategy {
        Strategy::Undo => (undo(&was, &now, &rules), Framing::ConfigMode),
        // Nothing to replace where nothing differs: a commit would only add a session.
        Strategy::Replace(r) => {
            let differs = was.sorted() != now.sorted();
            let lines = differs.then(|| was.text().lines().map(String::from).collect());
            (lines.unwrap_or_default(), Framing::Candidate(r))
        }
    };
    if !pushed.is_empty() {
        d.configure_in(framing, &pushed, &mut |_| {}).await?;
        if save {
            d.save().await?;
        }
    }
    let text = running(d).await?;
    let left = unified(
        &was,
        &Config::parse(&text, &rules),
        ("the snapshot before", "running-config now"),
    );
    Ok(Restored {
        pushed,
        left,
        running: text,
    })
}
