//! `switchlab compare`: several runs' summaries side by side.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use switchlab::report::compare::{Comparison, compare, read_runs};
use switchlab::states::RunOutcome;

/// Compare runs: one row per (run, device), with deltas against the first run.
///
/// Reads each run folder whole (every file checked; a damaged one is named) and joins
/// their summary.csv rows. On a terminal it prints a table; with -o, or when
/// the output is piped, CSV. Says which inputs (lab.toml, manifest.toml as run) differ
/// between the runs.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run folders (runs/<UTC>-<name>); the first is the base of the deltas.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Write CSV to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// One JSON document on stdout: the rows as objects by column, and the inputs that
    /// differ.
    #[arg(long, conflicts_with = "output")]
    pub json: bool,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let runs = read_runs(&args.runs)?;
    // A killed run's figures stop where it stopped: said before any of them.
    for r in &runs {
        let unfinished = [RunOutcome::Incomplete, RunOutcome::Recovered];
        if unfinished.contains(&r.run.outcome) {
            let why = r.run.errors.first().map_or("", String::as_str);
            eprintln!("note: {} is unfinished: {why}", r.name());
        }
    }
    let c = compare(&runs);
    if args.json {
        print_json(&c)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !c.differing_inputs.is_empty() {
        eprintln!(
            "note: the runs' inputs differ: {} (figures may not be comparable)",
            c.differing_inputs.join(", ")
        );
    }
    let csv = |w: &mut dyn std::io::Write| -> anyhow::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(&c.header)?;
        for r in &c.rows {
            out.write_record(r)?;
        }
        out.flush()?;
        Ok(())
    };
    match &args.output {
        Some(path) => {
            let mut f = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            csv(&mut f)?;
            eprintln!("{}", path.display());
        }
        None if std::io::stdout().is_terminal() => {
            print_table(&c);
        }
        None => csv(&mut std::io::stdout())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The comparison as JSON: the rows as objects by column, and the inputs that differ.
fn print_json(c: &Comparison) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = c
        .rows
        .iter()
        .map(|r| {
            c.header
                .iter()
                .zip(r)
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                .collect()
        })
        .collect();
    let doc = serde_json::json!({ "rows": rows, "differing_inputs": c.differing_inputs });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

/// The comparison as a table at the terminal's width.
fn print_table(c: &Comparison) {
    use super::table::{Col, Grid};
    // The run and the device name a row; the rest give way from the right.
    let cols: Vec<(&str, Col)> = c
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| match i {
            0 | 1 => (h.as_str(), Col::Name),
            i => (
                h.as_str(),
                Col::Optional(u8::try_from(i).unwrap_or(u8::MAX)),
            ),
        })
        .collect();
    let mut t = Grid::new(&cols);
    for r in &c.rows {
        t.row(r.clone());
    }
    println!("{t}");
}
