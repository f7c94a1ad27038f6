//! `record`: a device's answers to a set of commands kept as a transcript (secrets
//! masked), the file a replay plays back (`switchlab sim --replay`) and a bug report
//! attaches.

use std::path::Path;

use crate::driver::session::{DeviceError, open};
use crate::format::lab::Device;
use crate::transport::ConnectOptions;
use crate::vendor::Vendor;

/// What a run reads from a device: version, clock, running config, interfaces, logging
/// and the transceiver commands, as the profile names them.
pub(crate) fn run_commands(vendor: &Vendor) -> Vec<String> {
    let c = &vendor.profile.commands;
    let mut all = vec![c.version.clone()];
    all.extend(c.clock.clone());
    all.extend([
        c.running_config.clone(),
        c.interfaces.clone(),
        c.logging.clone(),
    ]);
    all.extend(c.transceivers.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    all.retain(|cmd| seen.insert(cmd.clone()));
    all
}

/// One command's outcome: the lines it answered, or why it did not.
pub(crate) struct Recorded {
    pub(crate) command: String,
    pub(crate) answer: Result<usize, String>,
}

/// Open `dev` with its session written to `file` (appended), run `commands` in privileged
/// mode and keep every answer there; a command the device refuses is said and the rest
/// still run. Also gives the first failed write of the file, if one failed.
pub(crate) async fn record(
    dev: &Device,
    vendor: &Vendor,
    connect: &ConnectOptions,
    file: &Path,
    commands: &[String],
    progress: &mut dyn FnMut(&Recorded),
) -> Result<(Vec<Recorded>, Option<String>), DeviceError> {
    let mut d = open(dev, vendor, connect, Some(file)).await?;
    let mut done = Vec::with_capacity(commands.len());
    for command in commands {
        let answer = match d.show(command).await {
            Ok(text) => Ok(text.lines().count()),
            Err(e) => Err(e.to_string()),
        };
        let r = Recorded {
            command: command.clone(),
            answer,
        };
        progress(&r);
        done.push(r);
    }
    // A transcript that could not be written whole is said: a recording with holes
    // replays wrong.
    Ok((done, d.flush_transcript()))
}
