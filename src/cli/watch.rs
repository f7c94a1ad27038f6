//! `switchlab watch`: log every link flap per port, then name the suspects.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use comfy_table::Table;

use super::Cli;
use crate::format::manifest::FlapSource;
use crate::inputs::LabInputs;
use crate::transport::ConnectOptions;
use crate::watch::hints::HintFile;
use crate::watch::{PortRow, RunFolder, WatchOptions, watch_device};

/// Watch ports for link flaps from every source the device offers — flap counters and
/// last-change times, state polls, log lines on the session, the log buffer — merged into
/// one timeline per port (a flap seen by several sources counts once; flaps a counter
/// proves but nobody saw are listed as `unseen`). Writes a run folder with flaps.csv and
/// ports.csv (verdict and a hint from the cabling) and prints its path last.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    #[arg(required = true)]
    pub devices: Vec<String>,
    /// Ports to watch, comma-separated (default: every port the lab lists).
    #[arg(long, value_delimiter = ',')]
    pub ports: Vec<String>,
    /// The manifest whose [flaps] (sources, interval, duration, syslog_listen) and
    /// [criteria] max_flaps_per_port apply; flags given here override them.
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: Option<PathBuf>,
    /// How long to watch [default: 10m, or the manifest's].
    #[arg(long, value_parser = humantime::parse_duration)]
    pub duration: Option<Duration>,
    /// Time between polls [default: 1s, or the manifest's].
    #[arg(long, value_parser = humantime::parse_duration)]
    pub interval: Option<Duration>,
    /// Sources: counters, state, console, buffer, syslog [default: all, or the manifest's].
    #[arg(long, value_delimiter = ',', value_parser = parse_source)]
    pub sources: Vec<FlapSource>,
    /// Where the syslog receiver listens; point devices at it with `logging host`
    /// [default: 0.0.0.0:5514, or the manifest's].
    #[arg(long)]
    pub syslog_listen: Option<std::net::SocketAddr>,
    /// Flaps a port may have and still pass [default: 0, or the manifest's].
    #[arg(long)]
    pub max_flaps: Option<u32>,
    /// Hint rules (default: the built-in hints.toml).
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
    /// Where run folders go.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    #[arg(long)]
    pub accept_new_host_keys: bool,
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

fn parse_source(s: &str) -> Result<FlapSource, String> {
    match s {
        "counters" => Ok(FlapSource::Counters),
        "state" => Ok(FlapSource::State),
        "console" => Ok(FlapSource::Console),
        "buffer" => Ok(FlapSource::Buffer),
        "syslog" => Ok(FlapSource::Syslog),
        other => Err(format!(
            "'{other}': use counters, state, console, buffer, syslog"
        )),
    }
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let mut targets = Vec::new();
    for name in &args.devices {
        targets.push(lab.device(&reg, name)?);
    }
    let lab_dir = args
        .lab
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let hints = match &args.hints {
        Some(p) => HintFile::load(p)?,
        None => HintFile::builtin(),
    };
    let set = Settings::from(args, &lab)?;
    let opts = WatchOptions {
        duration: set.duration,
        interval: set.interval,
        ports: args.ports.clone(),
        sources: set.sources.clone(),
        max_flaps_per_port: set.max_flaps,
        connect: ConnectOptions {
            idle_timeout: args.timeout,
            ..ConnectOptions::for_lab(&lab.lab, &lab_dir, args.accept_new_host_keys)
        },
        hints,
        buffer_every: 5,
        syslog: None,
    };
    let folder = RunFolder::create(
        &args.runs,
        &format!("watch-{}", args.devices.join("-")),
        &args.lab,
    )?;
    let started = jiff::Timestamp::now();
    eprintln!(
        "watching {} for {:?}, polling every {:?}; writing {}",
        args.devices.join(", "),
        set.duration,
        set.interval,
        folder.path.display()
    );
    // On a terminal, a live per-port table redrawn on every event; otherwise one line per event.
    let live = std::io::stderr().is_terminal();
    let board = std::sync::Mutex::new(LiveBoard::new(&targets, &args.ports));
    let rt = tokio::runtime::Runtime::new()?;
    let mut opts = opts;
    let _receiver = if set.sources.contains(&FlapSource::Syslog) {
        let (inbox, bound, task) = rt.block_on(crate::watch::syslog::start(set.syslog_listen)).map_err(|e| anyhow::anyhow!("syslog receiver on {}: {e} (choose another with --syslog-listen, or leave syslog out of --sources)", set.syslog_listen))?;
        eprintln!("syslog receiver on udp {bound}");
        opts.syslog = Some(inbox);
        Some(task)
    } else {
        None
    };
    let opts = opts;
    let results = rt.block_on(async {
        let mut set = Vec::new();
        for (dev, vendor) in &targets {
            let board = &board;
            set.push(watch_device(dev, vendor, &opts, &folder, move |d, p, e| {
                let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
                b.event(d, p, e);
                if live {
                    eprint!("\x1b[H\x1b[2J{}", b.render());
                } else {
                    eprintln!(
                        "{} {d} {p} {e}",
                        jiff::Timestamp::now().strftime("%H:%M:%S%.3f")
                    );
                }
            }));
        }
        futures::future::join_all(set).await
    });
    let mut rows: Vec<PortRow> = Vec::new();
    let mut failed = Vec::new();
    for (r, (dev, _)) in results.into_iter().zip(&targets) {
        match r {
            Ok(mut v) => rows.append(&mut v),
            Err(e) => failed.push(format!("{}: {e}", dev.name())),
        }
    }
    let outcome = if failed.is_empty() {
        "complete"
    } else {
        "device errors"
    };
    let run = serde_json::json!({
        "switchlab": env!("CARGO_PKG_VERSION"), "kind": "watch", "devices": args.devices,
        "started": started.to_string(), "ended": jiff::Timestamp::now().to_string(),
        "interval_ms": set.interval.as_millis() as u64, "duration_ms": set.duration.as_millis() as u64,
        "outcome": outcome, "errors": failed,
    });
    folder.finish(&rows, &run)?;
    let mut t = Table::new();
    t.set_header([
        "device",
        "port",
        "flaps",
        "unseen",
        "burst/10s",
        "crc+",
        "cable",
        "verdict",
        "hint",
    ]);
    for r in &rows {
        t.add_row([
            r.device.clone(),
            r.port.clone(),
            r.flaps.to_string(),
            r.unseen_flaps.to_string(),
            r.worst_burst_10s.to_string(),
            r.crc_delta.map_or("-".into(), |c| c.to_string()),
            r.cable.clone(),
            r.verdict.clone(),
            r.hint.clone(),
        ]);
    }
    println!("{t}");
    for f in &failed {
        println!("FAILED {f}");
    }
    println!("{}", folder.path.display());
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The watch's settings: flags first, then the manifest, then the defaults.
struct Settings {
    duration: Duration,
    interval: Duration,
    sources: Vec<FlapSource>,
    syslog_listen: std::net::SocketAddr,
    max_flaps: u32,
}

impl Settings {
    fn from(args: &Args, lab: &LabInputs) -> anyhow::Result<Settings> {
        use crate::format::manifest::{Manifest, parse_duration};
        let m = match &args.manifest {
            Some(path) => Some(Manifest::load(path, &lab.lab)?),
            None => None,
        };
        let from_manifest = |key: &str,
                             pick: fn(&Manifest) -> &toml::Spanned<String>|
         -> anyhow::Result<Option<Duration>> {
            Ok(match &m {
                Some((m, src)) => Some(parse_duration(src, pick(m), key)?),
                None => None,
            })
        };
        let sources = if !args.sources.is_empty() {
            args.sources.clone()
        } else if let Some((m, _)) = &m {
            m.flaps.sources.clone()
        } else {
            vec![
                FlapSource::Counters,
                FlapSource::State,
                FlapSource::Console,
                FlapSource::Buffer,
                FlapSource::Syslog,
            ]
        };
        let syslog_listen = match (args.syslog_listen, &m) {
            (Some(a), _) => a,
            (None, Some((m, src))) => m.flaps.syslog_listen.parse().map_err(|e| {
                anyhow::anyhow!(
                    "{}: [flaps] syslog_listen '{}': {e}",
                    src.path.display(),
                    m.flaps.syslog_listen
                )
            })?,
            (None, None) => std::net::SocketAddr::from(([0, 0, 0, 0], 5514)),
        };
        Ok(Settings {
            duration: args
                .duration
                .or(from_manifest("flaps.duration", |m| &m.flaps.duration)?)
                .unwrap_or(Duration::from_secs(600)),
            interval: args
                .interval
                .or(from_manifest("flaps.interval", |m| &m.flaps.interval)?)
                .unwrap_or(Duration::from_secs(1)),
            sources,
            syslog_listen,
            max_flaps: args
                .max_flaps
                .or(m.as_ref().map(|(m, _)| m.criteria.max_flaps_per_port))
                .unwrap_or(0),
        })
    }
}

/// What the live table shows: per watched port, flaps so far and the last event.
struct LiveBoard {
    rows: Vec<(String, String, u64, String)>,
}

impl LiveBoard {
    fn new(
        targets: &[(&crate::format::lab::Device, &crate::vendor::Vendor)],
        only: &[String],
    ) -> LiveBoard {
        let mut rows = Vec::new();
        for (dev, vendor) in targets {
            for p in &dev.ports {
                let name = p.name.get_ref();
                if only.is_empty() || only.iter().any(|w| vendor.same_port(w, name)) {
                    rows.push((dev.name().to_string(), name.clone(), 0, String::new()));
                }
            }
        }
        LiveBoard { rows }
    }

    fn event(&mut self, device: &str, port: &str, what: &str) {
        let now = jiff::Timestamp::now().strftime("%H:%M:%S%.3f").to_string();
        if let Some(r) = self.rows.iter_mut().find(|r| r.0 == device && r.1 == port) {
            if what == "down" {
                r.2 += 1;
            } else if let Some(n) = what
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
            {
                r.2 += n; // "N unseen flap(s)"
            }
            r.3 = format!("{now} {what}");
        }
    }

    fn render(&self) -> String {
        let mut t = Table::new();
        t.set_header(["device", "port", "flaps so far", "last event"]);
        for r in &self.rows {
            t.add_row([r.0.clone(), r.1.clone(), r.2.to_string(), r.3.clone()]);
        }
        format!("{t}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::LiveBoard;

    #[test]
    fn live_board_counts_downs_and_unseen_flaps_per_port() {
        let mut b = LiveBoard {
            rows: vec![
                ("sw".into(), "Et1".into(), 0, String::new()),
                ("sw".into(), "Et2".into(), 0, String::new()),
            ],
        };
        b.event("sw", "Et1", "down");
        b.event("sw", "Et1", "up");
        b.event("sw", "Et1", "3 unseen flap(s)");
        assert_eq!(b.rows[0].2, 4);
        assert_eq!(b.rows[1].2, 0);
        assert!(b.render().contains("unseen flap(s)"));
    }
}
