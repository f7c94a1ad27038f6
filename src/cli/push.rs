//! `switchlab push`: render, push, save and verify baselines on lab devices.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::push_line;
use super::connect_flags::ConnectFlags;
use super::input_files::InputFiles;
use crate::run::push::{Outcome, PushOptions, push_all};
use crate::snapshot::device::Snapshots;

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

/// One device's push, as `--json` prints it.
#[derive(serde::Serialize)]
struct Pushed<'a> {
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
    let snapshots = (!args.dry_run && !args.diff).then(|| {
        args.snapshots.clone().unwrap_or_else(|| {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
            PathBuf::from(format!("snapshots/{stamp}-push"))
        })
    });
    let rt = tokio::runtime::Runtime::new()?;
    eprintln!(
        "pushing {} device(s), {} at a time",
        devices.len(),
        args.jobs
    );
    let mut kept = Vec::new();
    let results = rt.block_on(push_all(&reg, &inputs, &devices, &opts, |r| {
        let secs = r.elapsed.as_secs_f64();
        let line = push_line(&r.device, secs, r.lines, &r.outcome, "");
        if let (Some(dir), false) = (&snapshots, r.snapshots.files(&r.device).is_empty()) {
            kept.push((r.device.clone(), keep(dir, &r.device, &r.snapshots)));
        }
        match args.json {
            true => eprintln!("{line}"),
            false => println!("{line}"),
        }
        if let (Outcome::Diff(d), false) = (&r.outcome, args.json) {
            print!("{d}");
        }
    }));
    for problem in kept.iter().filter_map(|(_, k)| k.as_ref().err()) {
        eprintln!("{problem}");
    }
    if let (Some(dir), true) = (&snapshots, kept.iter().any(|(_, k)| k.is_ok())) {
        eprintln!(
            "snapshots in {} (switchlab restore {} --lab {} puts the before-configs back)",
            dir.display(),
            dir.display(),
            args.files.lab.display()
        );
    }
    let differs = (results.iter()).any(|r| matches!(&r.outcome, Outcome::Diff(d) if !d.is_empty()));
    // A device whose snapshot was lost is not ok: `restore` could not put it back.
    let lost = |d: &str| kept.iter().any(|(k, kept)| k == d && kept.is_err());
    let failed = (results.iter())
        .filter(|r| !r.ok() || lost(&r.device))
        .count()
        + usize::from(differs);
    if args.json {
        let doc: Vec<Pushed> = results
            .iter()
            .map(|r| Pushed {
                device: &r.device,
                ok: r.ok(),
                outcome: r.outcome.state().as_str(),
                seconds: r.elapsed.as_secs_f64(),
                lines: r.lines,
                error: (!r.ok()).then(|| push_line(&r.device, 0.0, r.lines, &r.outcome, "")),
                diff: match &r.outcome {
                    Outcome::Diff(d) => Some(d),
                    _ => None,
                },
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if args.diff {
        let n = (results.iter())
            .filter(|r| matches!(&r.outcome, Outcome::Diff(d) if !d.is_empty()))
            .count();
        println!("{n} of {} devices would change", results.len());
    } else {
        println!("{} of {} devices ok", results.len() - failed, results.len());
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A device's snapshots written into `dir/configs/`; the error names the file.
fn keep(dir: &std::path::Path, device: &str, s: &Snapshots) -> Result<(), String> {
    for (_, rel, text) in s.files(device) {
        let path = dir.join(&rel);
        let written = (path.parent().map_or(Ok(()), std::fs::create_dir_all))
            .and_then(|()| crate::record::atomic::write(&path, text.as_bytes()));
        written.map_err(|e| format!("{device}: snapshot {}: {e}", path.display()))?;
    }
    Ok(())
}
