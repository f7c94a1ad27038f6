//! `switchlab report`: report.html from one or more run folders.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use switchlab::report::compare::read_runs;
use switchlab::report::html;

/// Write report.html: one self-contained file (no network needed to view it) with charts.
///
/// The verdict table with hints; a vendor comparison (throughput and flaps per device side
/// by side); each throughput test's Gbit/s per second with the flaps of the device it
/// crossed drawn as red markers on the same time axis; each device's per-port flap
/// timeline. `run` and `demo` write one into every run folder; this command redraws it, or
/// draws several runs into one file. A run that was killed (run.json still `incomplete`)
/// is rebuilt from its flaps.csv and events.jsonl and marked unfinished. Exit 1 when a
/// folder cannot be read (the message names the file).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run folders (runs/<UTC>-<name>).
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Where to write it (default: report.html inside the run folder for one run, in the
    /// current folder for several).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let runs = read_runs(&args.runs)?;
    let path = match (&args.output, args.runs.as_slice()) {
        (Some(p), _) => p.clone(),
        (None, [one]) => one.join("report.html"),
        (None, _) => PathBuf::from("report.html"),
    };
    html::write(&runs, &path)?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}
