//! `switchlab watch`: log every link flap per port, then name the suspects.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::{LiveBoard, STOPPING, ports_table};
use super::watch_flags::WatchFlags;
use crate::inputs::LabInputs;
use crate::watch::{RunFolder, WatchProgress, syslog, watch_all};

/// Watch ports for link flaps and name the suspects, without pushing anything.
///
/// Every source the device offers — flap counters and last-change times, state polls, log
/// lines on the session, the log buffer, syslog — is merged into one timeline per port (a flap seen by several sources counts once; flaps a counter
/// proves but nobody saw are listed as `unseen`). Writes a run folder with flaps.csv and
/// ports.csv (verdict and a hint from the cabling) and prints its path last.
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
    /// The manifest whose [flaps] (sources, interval, duration, syslog_listen) and
    /// [criteria] max_flaps_per_port apply; flags given here override them.
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: Option<PathBuf>,
    #[command(flatten)]
    pub watch: WatchFlags,
    /// Where run folders go.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// At the end, one JSON document on stdout (the run folder and its run.json and
    /// ports.csv rows) instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let mut targets = Vec::new();
    for name in &args.devices {
        targets.push(lab.device(&reg, name)?);
    }
    let devices: Vec<_> = targets.iter().map(|(d, _)| *d).collect();
    let watched = lab.watched_ports(&reg, &devices, &args.ports)?;
    let manifest = match &args.manifest {
        Some(path) => Some(crate::format::Manifest::load(
            path,
            &lab.lab,
            &lab.same_port(&reg),
        )?),
        None => None,
    };
    let (opts, syslog_listen) = args.watch.resolve(
        &lab,
        manifest.as_ref().map(|(m, s)| (m, s)),
        watched.clone(),
    )?;
    let folder = RunFolder::create(
        &args.runs,
        &format!("watch-{}", args.devices.join("-")),
        &args.lab,
    )
    .map_err(|e| {
        let hint = crate::format::error::io_hint(&e);
        anyhow::anyhow!("run folder under {}: {e}{hint}", args.runs.display())
    })?;
    // On a terminal, a live per-port table redrawn on every event; otherwise one line per event.
    let mut ports = Vec::new();
    for (dev, vendor) in &targets {
        for p in &dev.ports {
            let name = p.name.get_ref();
            if watched.is_empty() || watched.iter().any(|w| vendor.same_port(w, name)) {
                ports.push((dev.name().to_string(), name.clone()));
            }
        }
    }
    let board = std::sync::Mutex::new(LiveBoard::new(ports));
    let on_event = |d: &str, p: &str, e: crate::watch::WatchEvent, at| {
        board
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .show(d, p, e, at);
    };
    let rt = tokio::runtime::Runtime::new()?;
    let mut opts = opts;
    let receiver = rt.block_on(syslog::attach(&mut opts, syslog_listen))?;
    if let Some(r) = &receiver {
        eprintln!("syslog receiver on udp {}", r.bound);
    }
    let tell = Tell {
        what: format!(
            "watching {} for {} (Ctrl-C ends it early), polling every {}; writing {}",
            args.devices.join(", "),
            humantime::format_duration(opts.duration),
            humantime::format_duration(opts.interval),
            folder.path.display()
        ),
    };
    let report = rt.block_on(watch_all(&targets, &opts, &folder, &on_event, &tell))?;
    let (rows, failed) = (report.rows, report.failed);
    let code = ExitCode::from(crate::watch::exit_code(
        report.interrupted,
        failed.is_empty(),
    ));
    if args.json {
        let run = crate::record::read::read_run(&folder.path.join("run.json"))?;
        let doc = serde_json::json!({ "folder": folder.path, "run": run, "ports": rows });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(code);
    }
    println!("{}", ports_table(&rows));
    for f in &failed {
        println!("FAILED {f}");
    }
    if report.interrupted {
        println!(
            "interrupted: the watch ended before {}",
            humantime::format_duration(opts.duration)
        );
    }
    println!("{}", folder.path.display());
    Ok(code)
}

struct Tell {
    what: String,
}

impl WatchProgress for Tell {
    fn started(&self) {
        eprintln!("{}", self.what);
    }

    fn stopping(&self) {
        eprintln!("{STOPPING}");
    }
}
