//! The command line: global flags and one file per subcommand. A subcommand file parses its
//! own flags, calls a library operation, and prints the result.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use switchlab::vendor::Registry;

mod bars;
mod bench_table;
mod board;
pub mod cables;
pub mod check;
pub mod compare;
pub mod completions;
mod connect_flags;
pub mod demo;
pub mod doctor;
mod ending;
pub mod import;
mod input_files;
mod live;
pub mod man;
pub mod parse;
pub mod ports;
pub mod push;
pub mod record;
pub mod recover;
pub mod render;
pub mod report;
pub mod rerun;
pub mod restore;
pub mod run;
pub mod show;
pub mod sim;
pub mod sim_replay;
mod table;
pub mod traffic;
pub mod traffic_frames;
pub mod vendors;
pub mod watch;
mod watch_flags;

/// Switch evaluation labs, made repeatable: push baselines, watch link flaps, compare vendors.
#[derive(Debug, Parser)]
#[command(name = "switchlab", version, about, long_about = None, after_help = "\
Typical session:
  switchlab demo                                                the virtual bench, pushed end to end
  switchlab check  --lab lab.toml --manifest manifest.toml     validate everything, touch nothing
  switchlab doctor --lab lab.toml --manifest manifest.toml     is the bench ready? one line per check, with the fix
  switchlab push   --lab lab.toml --manifest manifest.toml     baseline every device, verify it landed
  switchlab push   --diff --lab lab.toml --manifest manifest.toml   what the baseline would change, touch nothing
  switchlab run    --lab lab.toml --manifest manifest.toml     push and watch every port, into a run folder
  switchlab watch  --lab lab.toml arista-7048 --duration 10m   log every link flap, name the suspects
  switchlab cables --lab lab.toml                               the cable each switch's modules report, against the lab
  switchlab render --lab lab.toml --manifest manifest.toml arista-7048
  switchlab parse  --vendor arista_eos --command \"show interfaces\" saved-output.txt
  switchlab compare runs/A runs/B                               two runs side by side, with deltas
  switchlab report  runs/A                                      report.html with charts
  switchlab rerun   runs/A                                      the same run again, from its copies
  switchlab restore runs/A                                      every device back to its config before the run
  switchlab recover runs/A                                      the results of a run that was killed, from its events
  switchlab import nornir hosts.yaml groups.yaml -o lab.toml    a lab from an inventory (nornir, pyats, netbox)
  switchlab record --lab lab.toml sw1 -o sw1.log                a device's answers, for a bug report
  switchlab sim --replay sw1.log --ssh 127.0.0.1:2201           a device that answers as the recorded one did
  switchlab completions bash > /etc/bash_completion.d/switchlab  shell completions (bash, zsh, fish)

Exit codes (every command):
  0    done; for run and watch: every device pushed and watched, every test run, and
       every verdict passed
  1    something could not be done: an input error (named by file, line and key), an
       unreachable or refusing device, an endpoint or a test that could not run
  2    the command line itself is wrong (an unknown flag, a missing argument)
  3    run and watch: all was done, and a verdict failed (a port fail, no-link, unknown
       or lost; a test under its criterion); junit.xml in the run folder says which.
       demo exits 0 when it ran as designed and says what a run of its bench would give
  130  interrupted by Ctrl-C or SIGTERM (run, demo, watch: a last poll, then the files)
  141  standard output was closed (a pipe into `head`)")]
pub struct Cli {
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Folder of vendor profiles (*.toml) that override or add to the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub vendors: Option<PathBuf>,
    /// Folder of templates (<vendor>/<name>.j2) that override or add to the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Demo(demo::Args),
    Run(run::Args),
    Watch(watch::Args),
    Push(push::Args),
    Check(check::Args),
    Render(render::Args),
    Show(show::Args),
    Parse(parse::Args),
    Vendors(vendors::Args),
    Ports(ports::Args),
    Sim(Box<sim::Args>),
    Record(record::Args),
    Traffic(traffic::Args),
    Compare(compare::Args),
    Report(report::Args),
    Recover(recover::Args),
    Rerun(rerun::Args),
    Restore(restore::Args),
    Completions(completions::Args),
    Man(man::Args),
    Doctor(doctor::Args),
    Cables(cables::Args),
    Import(import::Args),
}

impl Cli {
    pub fn init_tracing(&self) {
        let level = match (self.quiet, self.verbose) {
            (true, _) => "error",
            (_, 0) => "warn",
            (_, 1) => "info",
            (_, 2) => "debug",
            _ => "trace",
        };
        // RUST_LOG as `target=level,…` (a value that does not parse gives the flags' level).
        use tracing_subscriber::filter::Targets;
        let from_env = std::env::var("RUST_LOG")
            .ok()
            .and_then(|v| v.parse::<Targets>().ok());
        let filter = from_env.unwrap_or_else(|| level.parse().unwrap_or_default());
        // Colour only for a person at a terminal: never into a pipe or a file.
        use std::io::IsTerminal;
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        let fmt = tracing_subscriber::fmt::layer()
            .with_writer(|| switchlab::secrets::MaskedStderr)
            .with_ansi(colour);
        let _ = tracing_subscriber::registry()
            .with(fmt)
            .with(filter)
            .try_init();
    }

    /// The vendor profiles and templates, built in plus the override folders.
    pub fn registry(&self) -> anyhow::Result<Registry> {
        Ok(Registry::load(
            self.vendors.as_deref(),
            self.templates.as_deref(),
        )?)
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Demo(a) => demo::run(&cli, a),
        Command::Run(a) => run::run(&cli, a),
        Command::Vendors(a) => vendors::run(&cli, a),
        Command::Check(a) => check::run(&cli, a),
        Command::Render(a) => render::run(&cli, a),
        Command::Parse(a) => parse::run(&cli, a),
        Command::Sim(a) => sim::run(&cli, a),
        Command::Record(a) => record::run(&cli, a),
        Command::Show(a) => show::run(&cli, a),
        Command::Push(a) => push::run(&cli, a),
        Command::Ports(a) => ports::run(&cli, a),
        Command::Watch(a) => watch::run(&cli, a),
        Command::Traffic(a) => traffic::run(&cli, a),
        Command::Compare(a) => compare::run(&cli, a),
        Command::Report(a) => report::run(&cli, a),
        Command::Recover(a) => recover::run(&cli, a),
        Command::Rerun(a) => rerun::run(&cli, a),
        Command::Restore(a) => restore::run(&cli, a),
        Command::Completions(a) => completions::run(&cli, a),
        Command::Man(a) => man::run(&cli, a),
        Command::Doctor(a) => doctor::run(&cli, a),
        Command::Cables(a) => cables::run(&cli, a),
        Command::Import(a) => import::run(&cli, a),
    }
}

/// A count flag that must be at least 1 (`--jobs 0` would run nothing, or everything).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("0 is out of range: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("'{s}': {e}")),
    }
}

/// A duration flag that must not be zero (`--interval 0s` would poll in a busy loop).
fn positive_duration(s: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err(format!("'{s}' is zero: give e.g. 1s")),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("'{s}': {e}")),
    }
}

/// SIGINT or SIGTERM, handled from the moment this returns (a signal right after is not
/// lost to the default action). Needs a tokio runtime.
fn stop_signals() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}
