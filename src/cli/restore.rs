//! `switchlab restore`: put each device's running config back to its snapshot.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::connect_flags::ConnectFlags;
use switchlab::inputs::LabInputs;
use switchlab::run::restore::{RestoreResult, read_snapshots, restore_all, snapshotted};

/// Put devices back as they were before a push, from its snapshots.
///
/// FOLDER is a run folder (runs/<UTC>-<name>) or a push's snapshot folder
/// (snapshots/<UTC>-push); each device's configs/<device>.before.txt is the running
/// config read before the push. For each device the running config is read, compared
/// with the snapshot section by section, and the lines that undo the difference are
/// pushed (the `no` forms of what was added, newest first; the old line back where one
/// was replaced; a section the push created removed whole), then the config is saved and
/// read again. Where the profile has `[restore.replace]` (Arista EOS), the snapshot is
/// replaced instead: a configuration session that starts clean takes its lines and is
/// committed at once; a refused line aborts it and leaves the switch as it was. Whatever
/// still differs is printed as a unified diff. The profile's `[restore]` table says how
/// its lines are keyed and undone.
///
/// Exit 0 when every device is back as it was, 1 when one is not (or could not be
/// reached).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run or snapshot folder.
    pub folder: PathBuf,
    /// Devices to restore (default: every device with a snapshot in FOLDER).
    pub devices: Vec<String>,
    /// The lab file (default: a run folder's lab.toml, its paths resolved where the run's
    /// lab was).
    #[arg(long, value_name = "LAB")]
    pub lab: Option<PathBuf>,
    /// Do not save the restored running config.
    #[arg(long)]
    pub no_save: bool,
    /// Devices at once.
    #[arg(long, default_value_t = 8, value_parser = super::at_least_one)]
    pub jobs: usize,
    #[command(flatten)]
    pub connect: ConnectFlags,
    /// One JSON array of the devices' results on stdout instead of lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Done<'a> {
    device: &'a str,
    restored: bool,
    pushed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    left: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = match &args.lab {
        Some(path) => LabInputs::load(path, &reg)?,
        None => {
            let repeat = switchlab::record::rerun::Repeat::read(&args.folder).map_err(|e| {
                anyhow::anyhow!(
                    "{e}; give the lab with --lab LAB (a push's snapshot folder has none)"
                )
            })?;
            LabInputs::load_as(&repeat.lab_copy, &repeat.lab_base(), &reg)?
        }
    };
    let devices = match args.devices.is_empty() {
        true => snapshotted(&lab, &args.folder),
        false => args.devices.clone(),
    };
    if devices.is_empty() {
        anyhow::bail!(
            "{}: no configs/<device>.before.txt for any device of the lab: nothing to restore",
            args.folder.display()
        );
    }
    let opts = args.connect.options(&lab);
    let rt = tokio::runtime::Runtime::new()?;
    let how = How {
        connect: &opts,
        save: !args.no_save,
        jobs: args.jobs,
        json: args.json,
        lines_to_stderr: args.json,
    };
    let all_back = restore_and_say(&rt, &reg, &lab, &args.folder, &devices, &how)?;
    Ok(match all_back {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

/// How `restore` (and `run --restore`) goes.
pub(super) struct How<'a> {
    pub(super) connect: &'a switchlab::transport::ConnectOptions,
    pub(super) save: bool,
    pub(super) jobs: usize,
    pub(super) json: bool,
    /// Standard output holds another JSON document (`run --json`): lines go to stderr.
    pub(super) lines_to_stderr: bool,
}

/// Restore `devices` from `folder`'s snapshots, a line per device (or JSON); whether
/// every one is back as it was.
pub(super) fn restore_and_say(
    rt: &tokio::runtime::Runtime,
    reg: &switchlab::vendor::Registry,
    lab: &LabInputs,
    folder: &std::path::Path,
    devices: &[String],
    how: &How<'_>,
) -> anyhow::Result<bool> {
    let snapshots = read_snapshots(reg, lab, folder, devices)?;
    eprintln!(
        "restoring {} device(s), {} at a time",
        devices.len(),
        how.jobs
    );
    let to_stderr = how.lines_to_stderr;
    let results = rt.block_on(restore_all(
        reg,
        lab,
        folder,
        snapshots,
        (how.connect, how.save, how.jobs),
        |r| match to_stderr {
            true => eprintln!("{}", restored_line(r)),
            false => println!("{}", restored_line(r)),
        },
    ));
    say_restored(&results, how)
}

/// A device's line as its restore ends.
fn restored_line(r: &RestoreResult) -> String {
    match &r.outcome {
        Ok(x) if x.left.is_empty() => format!(
            "ok     {} restored ({} line(s) pushed)",
            r.device,
            x.pushed.len()
        ),
        Ok(x) => format!(
            "FAILED {} still differs from its snapshot after {} line(s):\n{}",
            r.device,
            x.pushed.len(),
            x.left
        ),
        Err(e) => format!("FAILED {} {e}", r.device),
    }
}

/// The end of a restore: the JSON document or the count; whether every device is back.
fn say_restored(results: &[RestoreResult], how: &How<'_>) -> anyhow::Result<bool> {
    let back = (results.iter())
        .filter(|r| r.outcome.as_ref().is_ok_and(|x| x.left.is_empty()))
        .count();
    if how.json {
        let doc: Vec<Done> = (results.iter())
            .map(|r| Done {
                device: &r.device,
                restored: r.outcome.as_ref().is_ok_and(|x| x.left.is_empty()),
                pushed: r.outcome.as_ref().map_or(0, |x| x.pushed.len()),
                left: r
                    .outcome
                    .as_ref()
                    .ok()
                    .map(|x| x.left.as_str())
                    .filter(|l| !l.is_empty()),
                error: r.outcome.as_ref().err().map(ToString::to_string),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if how.lines_to_stderr {
        eprintln!("{back} of {} devices restored", results.len());
    } else {
        println!("{back} of {} devices restored", results.len());
    }
    Ok(back == results.len())
}
