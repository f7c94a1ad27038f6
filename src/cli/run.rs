//! `switchlab run`: a manifest's run on the lab, into a run folder.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::ConsoleProgress;
use super::input_files::InputFiles;
use super::watch_flags::WatchFlags;
use switchlab::inputs::RunInputs;
use switchlab::record::run::Invocation;
use switchlab::run::pipeline::{RunPlan, folder_of, run as run_manifest};
use switchlab::run::push::PushOptions;
use switchlab::run::traffic::Traffic;
use switchlab::vendor::Registry;

/// Run a manifest on the lab: push every baseline, drive traffic, watch every port throughout.
///
/// Per device, one session (serial or SSH): the flap watch starts, the baseline is pushed,
/// saved and verified over that session (a flap during the push is caught too), and the
/// watch goes on. Once every push is done, the manifest's [[throughput]] tests run one
/// after another, each once through every device that cables both endpoints (iperf3, or
/// the built-in engine where iperf3 is not installed), every port still watched; the watch
/// ends when the traffic has ended and [flaps] duration has passed since the last push.
/// Writes runs/<UTC>-<name>/ — manifest.toml and lab.toml as run, configs/<device>.cfg,
/// transcripts/<device>.log (secrets redacted), flaps.csv (each flap names the test it
/// fell in), events.jsonl, throughput.csv, ports.csv, summary.csv (a line per device),
/// report.html (charts), run.json — and prints the folder last. `switchlab rerun FOLDER`
/// repeats it. junit.xml in the folder has a test case per port, test and benchmark row.
///
/// Exit codes (the decision): 0 when every device was pushed and watched, every test ran
/// and every verdict passed; 3 when all was done and a verdict failed (a port fail,
/// no-link, unknown or lost; a test under its criterion); 1 when something could not be
/// done (a device, an endpoint, a test); 2 on bad input; 130 when Ctrl-C or SIGTERM
/// ended it early.
///
/// Each device's running config is kept before the push and after it
/// (configs/<device>.before.txt, .after.txt, their SHA-256 in run.json). --restore puts
/// the before-config back when the run ends (also after Ctrl-C or SIGTERM); --diff only
/// prints what the baselines would change, as `push --diff` does, and runs nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub files: InputFiles,
    /// Devices of the manifest to run (default: all of them).
    pub devices: Vec<String>,
    /// Push without saving to the startup config.
    #[arg(long)]
    pub no_save: bool,
    /// Devices pushed at once; a device's watch starts with its push, and all watches end
    /// together.
    #[arg(long, default_value_t = 8, value_parser = super::at_least_one)]
    pub jobs: usize,
    /// Where run folders go.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// Skip the manifest's throughput tests: push, then watch for [flaps] duration.
    #[arg(long)]
    pub no_traffic: bool,
    /// Print what each baseline would change (a unified diff) and run nothing; exit 0
    /// when nothing would change, 1 when something would.
    #[arg(long)]
    pub diff: bool,
    /// When the run ends, put every device back to its config before the push
    /// (`switchlab restore` on the run folder).
    #[arg(long, conflicts_with = "diff")]
    pub restore: bool,
    #[command(flatten)]
    pub watch: WatchFlags,
    /// At the end, one JSON document on stdout (the run folder and its run.json) instead
    /// of the tables; progress goes to stderr.
    #[arg(long)]
    pub json: bool,
    /// The run this one repeats (`rerun`): recorded instead of this process's arguments.
    #[arg(skip)]
    pub repeats: Option<Invocation>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = args.files.load(&reg)?;
    let devices = args.files.devices(&inputs, &args.devices)?;
    if args.diff {
        return diff(&reg, &inputs, &devices, args);
    }
    let rt = tokio::runtime::Runtime::new()?;
    let plan = plan(&rt, &reg, &inputs, args)?;
    let max_flaps = u64::from(plan.watch.max_flaps_per_port);
    let ports = run_ports(&inputs, &args.devices);
    let progress = std::sync::Arc::new(ConsoleProgress::new(ports, max_flaps, args.json));
    let connect = plan.watch.connect.clone();
    let lab = inputs.lab.clone();
    let ran = rt.block_on(run_manifest(plan, inputs, progress.clone()));
    progress.close();
    let mut code = match &ran {
        Ok(report) => {
            super::ending::print_run_report(
                report,
                args.json,
                cli.verbose > 0,
                super::ending::Ending::Run,
            )?;
            report.exit_code()
        }
        Err(e) => {
            eprintln!("error: {}", switchlab::secrets::masked(&e.to_string()));
            switchlab::run::exit::EXIT_NOT_DONE
        }
    };
    // --restore follows every run that may have pushed, whatever failed after the push.
    if let (true, Some(folder)) = (args.restore, folder_of(&ran)) {
        let devices = switchlab::run::restore::snapshotted(&lab, folder);
        let how = super::restore::How {
            connect: &connect,
            save: !args.no_save,
            jobs: args.jobs,
            json: false,
            lines_to_stderr: args.json,
        };
        let back = super::restore::restore_and_say(&rt, &reg, &lab, folder, &devices, &how)?;
        if !back {
            code = code.max(switchlab::run::exit::EXIT_NOT_DONE);
        }
    }
    Ok(ExitCode::from(code))
}

/// What the flags make of the run: the watch's settings, the traffic prepared (and said).
fn plan<'a>(
    rt: &tokio::runtime::Runtime,
    reg: &'a Registry,
    inputs: &RunInputs,
    args: &'a Args,
) -> anyhow::Result<RunPlan<'a>> {
    let (watch, syslog_listen) = args.watch.resolve(
        &inputs.lab,
        Some((&inputs.manifest, &inputs.manifest_source)),
        Vec::new(),
    )?;
    let mut traffic = match args.no_traffic {
        true => None,
        false => rt.block_on(Traffic::prepare(
            &inputs.manifest,
            &inputs.lab.lab,
            &args.files.manifest,
            &watch.connect,
        ))?,
    };
    if let Some(t) = &mut traffic {
        eprintln!("{}", super::board::traffic_line(t));
        // The lab's simulators in another process count their drops: a benchmark's loss
        // the host caused there is the host's.
        let shared = switchlab::run::traffic::lab_drops_shared::published(&args.files.lab);
        if let Some((drops, pid)) = shared.filter(|_| !t.benchmarks.is_empty()) {
            eprintln!("benchmarks: the virtual lab's drop counts from switchlab sim (pid {pid})");
            t.lab_drops = Some(drops);
        }
    }
    Ok(RunPlan {
        reg,
        kind: switchlab::record::run::RunKind::Run,
        lab_path: &args.files.lab,
        manifest_path: Some(&args.files.manifest),
        devices: args.devices.clone(),
        save: !args.no_save,
        jobs: args.jobs,
        watch,
        syslog_listen,
        traffic,
        runs: args.runs.clone(),
        invocation: Some(Invocation::here(
            args.repeats.as_ref(),
            &args.files.lab,
            &args.files.manifest,
        )),
    })
}

/// `run --diff`: what each baseline would change, as `push --diff` says it.
fn diff(
    reg: &Registry,
    inputs: &RunInputs,
    devices: &[String],
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let opts = PushOptions {
        dry_run: false,
        save: false,
        jobs: args.jobs,
        connect: args.watch.connect.options(&inputs.lab),
        transcripts: None,
        diff: true,
    };
    let rt = tokio::runtime::Runtime::new()?;
    let report = super::push::push_and_say(&rt, reg, inputs, devices, &opts, None, args.json);
    super::push::say_pushed(&report, args.json, true, &args.files.lab)
}

/// (device, port) for every port the run watches: the manifest's ports of each device run.
pub(super) fn run_ports(inputs: &RunInputs, only: &[String]) -> Vec<(String, String)> {
    let m = &inputs.manifest;
    m.devices
        .iter()
        .filter(|d| only.is_empty() || only.contains(d.name.get_ref()))
        .flat_map(|d| {
            m.ports_for(d, &inputs.lab.lab)
                .into_iter()
                .map(|p| (d.name.get_ref().clone(), p.name.get_ref().clone()))
        })
        .collect()
}
