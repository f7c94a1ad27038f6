//! `switchlab push`: render, push, save and verify baselines on lab devices.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::push_line;
use super::connect_flags::ConnectFlags;
use super::input_files::InputFiles;
use crate::run::push::{PushOptions, push_all};

/// Push the baseline to devices and verify it landed (no watch; `run` does both).
///
/// Push each device's rendered baseline: enter config mode, send line by line (stopping at
/// the first line the device rejects), save, then check in `show running-config` that every
/// line landed. Devices run concurrently; one failing never stops the others. Exits 1 if
/// any device failed.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub files: InputFiles,
    /// Devices to push (default: every device of the manifest).
    pub devices: Vec<String>,
    /// Render and report, contact nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not save the running config.
    #[arg(long)]
    pub no_save: bool,
    /// Devices at once.
    #[arg(long, default_value_t = 8)]
    pub jobs: usize,
    #[command(flatten)]
    pub connect: ConnectFlags,
    /// Write each device's redacted transcript to DIR/<device>.log.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = args.files.load(&reg)?;
    let devices = args.files.devices(&inputs, &args.devices)?;
    let opts = PushOptions {
        dry_run: args.dry_run,
        save: !args.no_save,
        jobs: args.jobs,
        connect: args.connect.options(&inputs.lab),
    };
    let rt = tokio::runtime::Runtime::new()?;
    eprintln!(
        "pushing {} device(s), {} at a time",
        devices.len(),
        args.jobs
    );
    let results = rt.block_on(push_all(&reg, &inputs, &devices, &opts, |r| {
        let secs = r.elapsed.as_secs_f64();
        println!("{}", push_line(&r.device, secs, r.lines, &r.outcome, ""));
    }));
    if let Some(dir) = &args.transcripts {
        std::fs::create_dir_all(dir)?;
        for r in &results {
            std::fs::write(dir.join(format!("{}.log", r.device)), &r.transcript)?;
        }
    }
    let failed = results.iter().filter(|r| !r.ok()).count();
    println!("{} of {} devices ok", results.len() - failed, results.len());
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
