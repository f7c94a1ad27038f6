//! `switchlab demo`: the main job on the built-in virtual lab, in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::ConsoleProgress;
use super::connect_flags::ConnectFlags;
use super::ending::Ending;
use super::run::run_ports;
use super::watch_flags::WatchFlags;
use switchlab::inputs::RunInputs;
use switchlab::record::run::Invocation;
use switchlab::run::pipeline::{RunPlan, run as run_manifest};
use switchlab::run::traffic::Traffic;
use switchlab_sim::bench;
use switchlab_sim::dataplane::{DataPlane, DataPlaneOptions};

/// The main job on the built-in virtual lab, in one command (about 50 s as root, 25 s else).
///
/// Bring up the demo bench (five simulated switches, one per vendor, some over SSH and some
/// on pty consoles) in this process and do what `switchlab run` does on it: per device, the
/// flap watch starts, the baseline is pushed, saved and verified; the manifest's throughput
/// test runs once through each switch (iperf3 between the bench's two servers, or the
/// built-in engine where iperf3 is not installed; as root each server is a network
/// namespace whose traffic crosses the simulated switches, else both are this machine's
/// loopback, said so); as root, a short RFC 2544 benchmark (no-drop rate and latency at 64
/// and 1518 B) through each switch, one after another; and every port is watched
/// throughout (the bench has one short DAC to an Intel NIC, which fails with its
/// hint); then a run folder, and stop. Host keys are recorded in a throwaway file, never in ~/.ssh; the
/// syslog receiver takes any free port on 127.0.0.1 and the configs name it.
///
/// Exits 0 when the demo ran as designed (its failing cable is its point) and says which
/// code a `switchlab run` of its bench would give; 1 when something could not be done,
/// 130 when interrupted.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A copy of the demo bench to run instead of the built-in one: a folder with
    /// lab.toml and manifest.toml (`--export-bench DIR` writes one to edit).
    #[arg(long, value_name = "DIR")]
    pub bench: Option<PathBuf>,
    /// Write the built-in bench into DIR (to edit, then run with `--bench DIR`) and stop.
    #[arg(long, value_name = "DIR", conflicts_with = "bench")]
    pub export_bench: Option<PathBuf>,
    /// How long to watch after the last push, at least (the traffic may take longer).
    #[arg(long, default_value = "12s", value_parser = humantime::parse_duration)]
    pub watch: std::time::Duration,
    /// Where the run folder goes.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// The fastest a data-plane port forwards, in Gbit/s: faster ports are all scaled down
    /// by one factor, their ratios kept (this kind of machine moves about 5 Gbit/s through
    /// the simulated switches).
    #[arg(long, default_value_t = 4.0, value_name = "GBIT_S")]
    pub max_gbit_s: f64,
    /// At the end, one JSON document on stdout (the run folder and its run.json) instead
    /// of the tables; progress goes to stderr.
    #[arg(long)]
    pub json: bool,
    /// The lab and manifest to run (`rerun`: a run folder's copies); None: the bench's.
    #[arg(skip)]
    pub files: Option<(PathBuf, PathBuf)>,
    /// Where the lab's relative paths resolve when `files` is a run folder's copy (`rerun`).
    #[arg(skip)]
    pub lab_base: Option<PathBuf>,
    /// The run this one repeats (`rerun`): recorded instead of this process's arguments.
    #[arg(skip)]
    pub repeats: Option<Invocation>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    // With --json, stdout carries only the document at the end; the bench's own lines
    // (its listeners, its data-plane links) only with -v.
    let verbose = cli.verbose > 0;
    let say = |line: &str| match args.json {
        true => eprintln!("{line}"),
        false => println!("{line}"),
    };
    if let Some(dir) = &args.export_bench {
        return export_bench(dir);
    }
    let reg = cli.registry()?;
    // This demo's own folder: the built-in bench's files, its host keys, its consoles.
    let keys = tempfile_dir()?;
    switchlab_sim::demo::unpack(&keys)?;
    let (lab_path, manifest_path, mut inputs) = load(args, &reg, &keys)?;
    // The servers: each a network namespace of this demo's own, its traffic through the
    // switches; without the privileges for that, both on this machine's loopback.
    let data_plane = DataPlane::available();
    let tag = std::process::id().to_string();
    switchlab_sim::demo::localize(&mut inputs.lab.lab, &keys, &tag, data_plane.is_ok());
    if let Err(why) = &data_plane {
        on_loopback(why, &mut inputs, &say);
    }
    let rt = tokio::runtime::Runtime::new()?;
    let files = (lab_path.as_path(), manifest_path.as_path());
    let plan = demo_plan(&rt, &reg, args, &inputs, &keys, files, &say)?;
    let max_flaps = u64::from(plan.watch.max_flaps_per_port);
    let ports = run_ports(&inputs, &[]);
    let progress = std::sync::Arc::new(ConsoleProgress::new(ports, max_flaps, args.json));
    let opts = DataPlaneOptions {
        tag: tag.clone(),
        max_gbit_s: Some(args.max_gbit_s),
        user_space: false,
    };
    let shown = |l: &str| {
        if verbose {
            say(l)
        }
    };
    let on_bench = run_on_bench(
        plan,
        inputs,
        progress.clone(),
        &opts,
        data_plane.is_ok(),
        &shown,
    );
    let report = rt.block_on(on_bench);
    let _ = std::fs::remove_dir_all(&keys);
    let report = report?;
    progress.close();
    super::ending::print_run_report(&report, args.json, verbose, Ending::Demo)?;
    // A failed verdict is what the demo shows, not a failure of the demo.
    let code = match report.decision() {
        switchlab::run::exit::Decision::VerdictFailed => 0,
        d => d.code(),
    };
    Ok(ExitCode::from(code))
}

/// `--export-bench DIR`: the built-in bench's files written there, for a lab to start from.
fn export_bench(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    switchlab_sim::demo::unpack(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    println!("{}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The run on the bench: every device at once, the traffic prepared (and said).
fn demo_plan<'a>(
    rt: &tokio::runtime::Runtime,
    reg: &'a switchlab::vendor::Registry,
    args: &Args,
    inputs: &RunInputs,
    keys: &std::path::Path,
    (lab_path, manifest_path): (&'a std::path::Path, &'a std::path::Path),
    say: &dyn Fn(&str),
) -> anyhow::Result<RunPlan<'a>> {
    let (watch, syslog_listen) = watch_options(args, inputs, keys)?;
    let prepared = Traffic::prepare(
        &inputs.manifest,
        &inputs.lab.lab,
        manifest_path,
        &watch.connect,
    );
    let traffic = rt.block_on(prepared)?;
    if let Some(t) = &traffic {
        say(&super::board::traffic_line(t));
    }
    Ok(RunPlan {
        reg,
        kind: switchlab::record::run::RunKind::Run,
        lab_path,
        manifest_path: Some(manifest_path),
        devices: Vec::new(),
        save: true,
        jobs: inputs.configs.len(),
        watch,
        syslog_listen,
        traffic,
        runs: args.runs.clone(),
        invocation: Some(invocation(args, lab_path, manifest_path)),
    })
}

/// Without a data plane the servers' traffic goes over loopback: said (at 80 columns),
/// and the benchmarks left out (no frame would cross a switch).
fn on_loopback(why: &impl std::fmt::Display, inputs: &mut RunInputs, say: &dyn Fn(&str)) {
    // Read at 80 columns: wrapped at words (regression: without root these ran past).
    let text = format!(
        "data plane: not available ({why}; it needs root): the servers' traffic goes over this machine's loopback, not through the switches"
    );
    for line in textwrap::wrap(&text, textwrap::Options::new(80).subsequent_indent("  ")) {
        say(&line);
    }
    // On loopback no frame crosses a switch: an RFC 2544 figure would be the kernel's.
    let benchmarks = std::mem::take(&mut inputs.manifest.benchmarks);
    if !benchmarks.is_empty() {
        say(&format!(
            "rfc2544: {} benchmark(s) not run: no frame would cross a switch",
            benchmarks.len()
        ));
    }
}

/// The built-in bench started (its lines to `shown`, its port scale said above the live
/// bars), the run on it, the bench stopped.
async fn run_on_bench(
    plan: RunPlan<'_>,
    mut inputs: RunInputs,
    progress: std::sync::Arc<ConsoleProgress>,
    opts: &DataPlaneOptions,
    data_plane: bool,
    shown: &dyn Fn(&str),
) -> anyhow::Result<switchlab::run::pipeline::RunReport> {
    let mut plan = plan;
    let dir = inputs.lab.dir();
    let bench = bench::Running::start(&mut inputs.lab.lab, &dir, opts, data_plane).await?;
    for l in &bench.lines {
        shown(l);
    }
    let plane = bench.forwarding.as_ref();
    if let Some(line) = plane.and_then(|p| super::bench_table::port_scale(p.scale)) {
        progress.say(&line);
    }
    // The data plane counts its switches' drops, the model's and the host's.
    if let (Some(t), Some(plane)) = (plan.traffic.as_mut(), plane) {
        t.lab_drops = Some(switchlab::run::traffic::LabDropsHandle(plane.drop_counts()));
    }
    let report = run_manifest(plan, inputs, progress).await;
    drop(bench);
    Ok(report?)
}

/// The lab and manifest to run (a rerun's copies, a bench copy, or the built-in bench
/// unpacked in `keys`), loaded.
fn load(
    args: &Args,
    reg: &switchlab::vendor::Registry,
    keys: &std::path::Path,
) -> anyhow::Result<(PathBuf, PathBuf, RunInputs)> {
    let (lab_path, manifest_path) = match (&args.files, &args.bench) {
        (Some((l, m)), _) => (l.clone(), m.clone()),
        (None, Some(dir)) => (dir.join("lab.toml"), dir.join("manifest.toml")),
        (None, None) => (keys.join("lab.toml"), keys.join("manifest.toml")),
    };
    // A rerun of a demo of the built-in bench: its folder is gone, this one holds the same.
    let base = (args.lab_base.clone())
        .filter(|b| b.is_dir())
        .or_else(|| args.files.as_ref().map(|_| keys.to_path_buf()));
    let inputs = RunInputs::load(&lab_path, &manifest_path, base.as_deref(), reg)?;
    Ok((lab_path, manifest_path, inputs))
}

/// The watch as the demo runs it: its manifest's settings, the receiver on any free port
/// of loopback, host keys learnt into the demo's own file (never ~/.ssh).
fn watch_options(
    args: &Args,
    inputs: &RunInputs,
    keys: &std::path::Path,
) -> anyhow::Result<(switchlab::watch::WatchOptions, std::net::SocketAddr)> {
    let flags = WatchFlags {
        duration: Some(args.watch),
        interval: None,
        sources: Vec::new(),
        syslog_listen: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        max_flaps: None,
        hints: None,
        cables: None,
        transcript_every_poll: false,
        connect: ConnectFlags {
            accept_new_host_keys: true,
            timeout: std::time::Duration::from_secs(15),
            command_timeout: switchlab::transport::COMMAND_TIMEOUT,
            line_by_line: false,
        },
    };
    let manifest = Some((&inputs.manifest, &inputs.manifest_source));
    let (mut watch, syslog_listen) = flags.resolve(&inputs.lab, manifest, Vec::new())?;
    watch.connect.known_hosts = vec![keys.join("known_hosts")];
    watch.connect.learn_into = keys.join("known_hosts");
    Ok((watch, syslog_listen))
}

/// How this demo was started, for `rerun`; the built-in bench's files named as such.
fn invocation(args: &Args, lab: &std::path::Path, manifest: &std::path::Path) -> Invocation {
    let mut inv = Invocation::here(args.repeats.as_ref(), lab, manifest);
    if args.repeats.is_none() && args.bench.is_none() && args.files.is_none() {
        let builtin = switchlab_sim::demo::BUILT_IN;
        inv.lab = format!("{builtin}lab.toml");
        inv.manifest = format!("{builtin}manifest.toml");
    }
    inv
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchlab-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
