//! `switchlab push`: render, push, save and verify baselines on lab devices.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Cli;
use super::board::push_line;
use super::connect_flags::ConnectFlags;
use super::input_files::InputFiles;
use switchlab::inputs::RunInputs;
use switchlab::run::push::{Outcome, PushOptions, PushResult};
use switchlab::run::push_report::{PushReport, push_and_keep, snapshot_folder};
use switchlab::vendor::Registry;

/// Push the baseline to devices and verify it landed (no watch; `run` does both).
///
/// Push each device's rendered baseline: enter config mode, send the lines (over SSH in
/// batches typed ahead where the vendor profile allows, else line by line; see
/// --line-by-line), stop at the first line the device rejects, save, then check in
/// `show running-config` that every line landed. Devices run concurrently; one failing
/// never stops the others. Exits 1 if any device failed.
///
/// The running config is saved before the first line and after the last, as
/// <snapshots>/configs/<device>.before.txt and .after.txt: `switchlab restore` puts the
/// before-config back. With --diff nothing is configured: each device's running config is
/// read and the lines the baseline would add or change are printed as a unified diff;
/// the exit code is 0 when no device would change, 1 when one would (or could not be read).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub files: InputFiles,
    /// Devices to push (default: every device of the manifest).
    pub devices: Vec<String>,
    /// Render and report, contact nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Say what the baseline would change (a unified diff per device), touch nothing.
    #[arg(long, conflicts_with = "dry_run")]
    pub diff: bool,
    /// Where the before and after snapshots go (default: snapshots/<UTC>-push).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Do not save the running config.
    #[arg(long)]
    pub no_save: bool,
    /// Devices at once.
    #[arg(long, default_value_t = 8, value_parser = super::at_least_one)]
    pub jobs: usize,
    #[command(flatten)]
    pub connect: ConnectFlags,
    /// Write each device's transcript (secrets masked) to DIR/<device>.log as the session
    /// goes, from the connect on: a failed login leaves the bytes that explain it.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
    /// One JSON array of the devices' results on stdout instead of lines.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = args.files.load(&reg)?;
    let devices = args.files.devices(&inputs, &args.devices)?;
    if let Some(dir) = &args.transcripts {
        // Before anything is pushed: a transcripts path that is a file is a typo.
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!(
                "--transcripts {}: {e}; give a folder (it is created if missing)",
                dir.display()
            )
        })?;
    }
    let opts = PushOptions {
        dry_run: args.dry_run,
        save: !args.no_save,
        jobs: args.jobs,
        connect: args.connect.options(&inputs.lab),
        transcripts: args.transcripts.clone(),
        diff: args.diff,
    };
    let snapshots =
        (!args.dry_run && !args.diff).then(|| snapshot_folder(args.snapshots.as_deref()));
    let rt = tokio::runtime::Runtime::new()?;
    let report = push_and_say(&rt, &reg, &inputs, &devices, &opts, snapshots, args.json);
    say_pushed(&report, args.json, args.diff, &args.files.lab)
}

/// Push `devices` (see [`push_and_keep`]), a line per device as it ends (to stderr
/// under `--json`), each would-be change's diff after its line.
pub(super) fn push_and_say(
    rt: &tokio::runtime::Runtime,
    reg: &Registry,
    inputs: &RunInputs,
    devices: &[String],
    opts: &PushOptions,
    snapshots: Option<PathBuf>,
    json: bool,
) -> PushReport {
    eprintln!(
        "pushing {} device(s), {} at a time",
        devices.len(),
        opts.jobs
    );
    rt.block_on(push_and_keep(reg, inputs, devices, opts, snapshots, |r| {
        let secs = r.elapsed.as_secs_f64();
        let line = push_line(&r.device, secs, r.lines, &r.outcome, "");
        match json {
            true => eprintln!("{line}"),
            false => println!("{line}"),
        }
        if let (Outcome::Diff(d), false) = (&r.outcome, json) {
            print!("{d}");
        }
    }))
}

/// The end of a push: snapshots that could not be kept, where they are, then the JSON
/// document or the count; exit 1 when a device failed (or would change, under `--diff`).
pub(super) fn say_pushed(
    report: &PushReport,
    json: bool,
    diff: bool,
    lab: &Path,
) -> anyhow::Result<ExitCode> {
    for problem in report.keep_problems() {
        eprintln!("{problem}");
    }
    if let Some(dir) = report.kept_in() {
        eprintln!(
            "snapshots in {} (switchlab restore {} --lab {} puts the before-configs back)",
            dir.display(),
            dir.display(),
            lab.display()
        );
    }
    let (failed, all) = (report.failed(), report.results.len());
    if json {
        let error = |r: &PushResult| push_line(&r.device, 0.0, r.lines, &r.outcome, "");
        println!("{}", serde_json::to_string_pretty(&report.records(error))?);
    } else if diff {
        println!("{} of {all} devices would change", report.would_change());
    } else {
        println!("{} of {all} devices ok", all - failed);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
