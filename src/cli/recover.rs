//! `switchlab recover`: a killed run's folder made readable again.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use switchlab::watch::recover::recover;

/// Rebuild the results of a run that was killed (SIGKILL, a power cut) from its events.
///
/// A run writes every sighting to events.jsonl and every settled event to flaps.csv as it
/// happens; its results (ports.csv, summary.csv, run.json, report.html) come at the end.
/// recover replays events.jsonl through the same timeline and judge as the live run, by
/// the settings run.json took when the run started (max flaps, the watched ports, those
/// expected down): a port with evidence of a failure fails; on a device whose watch had
/// reached its end, every port is judged as the live run would have; every other port is
/// `lost`. run.json's outcome is `interrupted (recovered)` with the time of the last
/// event; flaps.csv is left as it is, and a line of it that cannot be read is named.
/// `report` and `compare` then read the folder (they read a killed one as it is, too).
/// Exit 1 when the folder is not a killed run (a finished one is left as it is).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run folder (runs/<UTC>-<name>) whose run.json says `incomplete`.
    pub run: PathBuf,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let r = recover(&args.run)?;
    for line in &r.unreadable {
        eprintln!("warning: not read: {line}");
    }
    let report = switchlab::report::html::write_folder(&args.run)?;
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
