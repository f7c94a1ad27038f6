//! `record`: a device's answers to a set of commands kept as a transcript (secrets
//! masked), the file a replay plays back (`switchlab sim --replay`) and a bug report
//! attaches.

use std::path::Path;

use crate::driver::session::{DeviceError, open};
use crate::format::lab::Device;
use crate::transport::ConnectOptions;
use crate::vendor::Vendor;

/// What a run reads from a device: version, clock, running config, interfaces (all, each
/// of `ports`, and the list of them where the profile has one), logging and the
/// transceiver commands, as the profile names them, `{port}` made each of `ports`.
pub fn run_commands(vendor: &Vendor, ports: &[String]) -> Vec<String> {
    let c = &vendor.profile.commands;
    let per_port = |cmd: &String| -> Vec<String> {
        match cmd.contains("{port}") {
            true => ports.iter().map(|p| cmd.replace("{port}", p)).collect(),
            false => vec![cmd.clone()],
        }
    };
    let mut all = vec![c.version.clone()];
    all.extend(c.clock.clone());
    all.extend([c.running_config.clone(), c.interfaces.clone()]);
    all.extend(c.interface.iter().flat_map(per_port));
    if let Some(list) = c.interface_list.as_ref().filter(|_| ports.len() > 1) {
        all.push(
            list.command
                .replace("{ports}", &ports.join(&list.separator)),
        );
    }
    all.push(c.logging.clone());
    all.extend(c.transceivers.iter().flat_map(per_port));
    let mut seen = std::collections::HashSet::new();
    all.retain(|cmd| seen.insert(cmd.clone()));
    all
}

/// One command's outcome: the lines it answered, or why it did not.
pub struct Recorded {
    pub command: String,
    pub answer: Result<usize, String>,
}

/// Open `dev` with its session written to `file` (appended), run `commands` in privileged
/// mode and keep every answer there; a command the device refuses is said and the rest
/// still run. Also gives the first failed write of the file, if one failed.
pub async fn record(
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
