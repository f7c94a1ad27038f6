//! `switchlab watch`: log every link flap per port, then name the suspects.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::Cli;
use super::board::ConsoleProgress;
use super::watch_flags::WatchFlags;
use switchlab::format::Manifest;
use switchlab::format::source::Source;
use switchlab::inputs::{LabInputs, RunInputs};
use switchlab::record::run::RunKind;
use switchlab::run::pipeline::{RunPlan, run as run_pipeline};

/// Watch ports for link flaps and name the suspects, without pushing anything.
///
/// Every source the device offers — flap counters and last-change times, state polls, log
/// lines on the session, the log buffer, syslog — is merged into one timeline per port (a
/// flap seen by several sources counts once; flaps a counter proves but nobody saw are
/// listed as `unseen`). A port down at every poll has no link (`no-link`). Writes a run
/// folder with flaps.csv, ports.csv (verdict and a hint from the cabling), summary.csv and
/// report.html, and prints the decision per device, then the report's path last.
///
/// Exit codes: 0 when every device was watched to the end and every port passed; 3 when
/// all was watched and a port failed (fail, no-link, unknown, lost; junit.xml says which);
/// 1 when a device could not be watched; 130 when Ctrl-C or SIGTERM ended it early.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab file: devices, how to reach them, what is cabled to each port.
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    /// Lab devices to watch.
    #[arg(required = true)]
    pub devices: Vec<String>,
    /// Ports to watch, comma-separated (default: every port the lab lists).
    #[arg(long, value_delimiter = ',')]
    pub ports: Vec<String>,
    /// The manifest whose [flaps] (sources, interval, duration, syslog_listen),
    /// [criteria] max_flaps_per_port and expect_down ports apply; flags given here
    /// override them.
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: Option<PathBuf>,
    #[command(flatten)]
    pub watch: WatchFlags,
    /// Where run folders go.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// At the end, one JSON document on stdout (the run folder and its run.json and
    /// ports.csv rows) instead of the tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let mut devices = Vec::new();
    for name in &args.devices {
        devices.push(lab.device(&reg, name)?.0);
    }
    let watched = lab.watched_ports(&reg, &devices, &args.ports)?;
    let given = match &args.manifest {
        Some(path) => Some(Manifest::load(path, &lab.lab, &lab.same_port(&reg))?),
        None => None,
    };
    let (opts, syslog_listen) =
        args.watch
            .resolve(&lab, given.as_ref().map(|(m, s)| (m, s)), watched.clone())?;
    let per_device = ports_per_device(&devices, &watched);
    let name = format!("watch-{}", args.devices.join("-"));
    let manifest = Manifest::for_watch(&name, &per_device, given.as_ref().map(|(m, _)| m));
    let ports: Vec<(String, String)> = per_device
        .iter()
        .flat_map(|(d, ps)| ps.iter().map(move |p| (d.clone(), p.clone())))
        .collect();
    let inputs = RunInputs {
        lab: lab.clone(),
        manifest,
        manifest_source: given.map_or_else(|| Source::from_text("(no manifest)", ""), |(_, s)| s),
        configs: Vec::new(),
    };
    let intro = intro(&args.devices, &opts);
    let max_flaps = u64::from(opts.max_flaps_per_port);
    let plan = RunPlan {
        reg: &reg,
        kind: RunKind::Watch,
        lab_path: &args.lab,
        manifest_path: None,
        devices: args.devices.clone(),
        save: false,
        jobs: args.devices.len(),
        watch: opts,
        syslog_listen,
        traffic: None,
        runs: args.runs.clone(),
        invocation: None,
    };
    let progress = Arc::new(ConsoleProgress::new(ports, max_flaps, args.json).with_intro(intro));
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt.block_on(run_pipeline(plan, inputs, progress.clone()))?;
    progress.close();
    super::ending::print_run_report(
        &report,
        args.json,
        cli.verbose > 0,
        super::ending::Ending::Run,
    )?;
    Ok(ExitCode::from(report.exit_code()))
}

/// Per device, the ports asked for that are its own (all of them when none were asked).
fn ports_per_device(
    devices: &[&switchlab::format::lab::Device],
    watched: &[String],
) -> Vec<(String, Vec<String>)> {
    devices
        .iter()
        .map(|d| {
            let mine = d.ports.iter().map(|p| p.name.get_ref().clone());
            let mine = mine.filter(|p| watched.is_empty() || watched.contains(p));
            (d.name().to_string(), mine.collect())
        })
        .collect()
}

/// The line the watch starts with.
fn intro(devices: &[String], opts: &switchlab::watch::WatchOptions) -> String {
    format!(
        "watching {} for {} (Ctrl-C ends it early), polling every {}",
        devices.join(", "),
        humantime::format_duration(opts.duration),
        humantime::format_duration(opts.interval),
    )
}
