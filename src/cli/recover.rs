//! `switchlab recover`: a killed run's folder made readable again.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::record::recover::recover;

/// Rebuild the results of a run that was killed (SIGKILL, a power cut) from its events.
///
/// A run writes every sighting to events.jsonl and every settled event to flaps.csv as it
/// happens; its results (ports.csv, summary.csv, run.json, report.html) come at the end.
/// recover writes them from what reached the disk: a port that flapped more than
/// [criteria] max_flaps_per_port allows fails, every other is `lost` (the watch never
/// reached its end, so nothing passes), and run.json's outcome is `interrupted
/// (recovered)` with the time of the last event. `report` and `compare` then read the
/// folder. Exit 1 when the folder is not a killed run (a finished one is left as it is).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run folder (runs/<UTC>-<name>) whose run.json says `incomplete`.
    pub run: PathBuf,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let r = recover(&args.run)?;
    let report = crate::report::html::write_folder(&args.run)?;
    println!(
        "recovered {}: {} port(s), {} flap(s), last event {}",
        args.run.display(),
        r.ports,
        r.flaps,
        r.last_event
    );
    println!("{}", report.display());
    Ok(ExitCode::SUCCESS)
}
