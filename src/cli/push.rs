//! `switchlab push`: render, push, save and verify baselines on lab devices.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::inputs::RunInputs;
use crate::run::push::{Outcome, PushOptions, push_all};
use crate::transport::ConnectOptions;

/// Push the baseline to devices and verify it landed (no watch; `run` does both).
///
/// Push each device's rendered baseline: enter config mode, send line by line (stopping at
/// the first line the device rejects), save, then check in `show running-config` that every
/// line landed. Devices run concurrently; one failing never stops the others. Exits 1 if
/// any device failed.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: PathBuf,
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
    /// Record host keys not yet known (in the lab's known_hosts file, else ~/.ssh/known_hosts).
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// How long a device may stay silent while switchlab waits for its prompt.
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
    /// Write each device's redacted transcript to DIR/<device>.log.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = RunInputs::load(&args.lab, &args.manifest, &reg)?;
    let all: Vec<String> = inputs.configs.iter().map(|c| c.device.clone()).collect();
    for d in &args.devices {
        if !all.contains(d) {
            anyhow::bail!(
                "{}: device '{d}' is not under test; the manifest tests: {}",
                args.manifest.display(),
                all.join(", ")
            );
        }
    }
    let devices = if args.devices.is_empty() {
        all
    } else {
        args.devices.clone()
    };
    let lab_dir = args
        .lab
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let opts = PushOptions {
        dry_run: args.dry_run,
        save: !args.no_save,
        jobs: args.jobs,
        connect: ConnectOptions::for_lab(&inputs.lab.lab, &lab_dir, args.accept_new_host_keys),
    };
    let rt = tokio::runtime::Runtime::new()?;
    eprintln!(
        "pushing {} device(s), {} at a time",
        devices.len(),
        args.jobs
    );
    let results = rt.block_on(push_all(&reg, &inputs, &devices, &opts, |r| {
        let secs = r.elapsed.as_secs_f64();
        match &r.outcome {
            Outcome::Rendered => println!(
                "ok     {:<16} {:>6.2}s {:>3} lines rendered (dry run)",
                r.device, secs, r.lines
            ),
            Outcome::Pushed { saved } => println!(
                "ok     {:<16} {:>6.2}s {:>3} lines pushed, verified{}",
                r.device,
                secs,
                r.lines,
                if *saved { ", saved" } else { ", not saved" }
            ),
            Outcome::NotVerified { missing } => {
                let list: Vec<String> = missing.iter().map(|(n, l)| format!("{n}: {l}")).collect();
                println!(
                    "FAILED {:<16} {:>6.2}s pushed, but not in the running config: {}",
                    r.device,
                    secs,
                    list.join("; ")
                );
            }
            Outcome::Failed(e) => println!("FAILED {:<16} {:>6.2}s {e}", r.device, secs),
        }
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
