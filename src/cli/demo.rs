//! `switchlab demo`: the main job on the built-in virtual lab, in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::board::ConsoleProgress;
use super::connect_flags::ConnectFlags;
use super::run::run_ports;
use super::watch_flags::WatchFlags;
use crate::inputs::RunInputs;
use crate::record::run::Invocation;
use crate::run::pipeline::{RunPlan, run as run_manifest};
use crate::run::traffic::Traffic;
use crate::sim::bench;
use crate::sim::dataplane::forward::TRAFFIC_TRIGGER;
use crate::sim::dataplane::{DataPlane, DataPlaneOptions};

/// The main job on the built-in virtual lab, in one command (about 25 s).
///
/// Bring up the demo bench (five simulated switches, one per vendor, some over SSH and some
/// on pty consoles) in this process and do what `switchlab run` does on it: per device, the
/// flap watch starts, the baseline is pushed, saved and verified; the manifest's throughput
/// test runs once through each switch (iperf3 between the bench's two servers, or the
/// built-in engine where iperf3 is not installed; as root each server is a network
/// namespace whose traffic crosses the simulated switches, else both are this machine's
/// loopback, said so), and every port is
/// watched throughout (the bench has one short DAC to an Intel NIC, which fails with its
/// hint); then a run folder, and stop. Host keys are recorded in a throwaway file, never in ~/.ssh; the
/// syslog receiver takes any free port on 127.0.0.1 and the configs name it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The demo bench (every device with `sim = { … }` is simulated).
    #[arg(long, default_value = "examples/demo/lab.toml")]
    pub lab: PathBuf,
    /// The run to do on it.
    #[arg(long, default_value = "examples/demo/manifest.toml")]
    pub manifest: PathBuf,
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
    /// Where the lab's relative paths resolve when `lab` is a run folder's copy (`rerun`).
    #[arg(skip)]
    pub lab_base: Option<PathBuf>,
    /// The run this one repeats (`rerun`): recorded instead of this process's arguments.
    #[arg(skip)]
    pub repeats: Option<Invocation>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    // With --json, stdout carries only the document at the end.
    let say = |line: &str| match args.json {
        true => eprintln!("{line}"),
        false => println!("{line}"),
    };
    let reg = cli.registry()?;
    let mut inputs = RunInputs::load(&args.lab, &args.manifest, args.lab_base.as_deref(), &reg)?;
    // This demo's own folder: its host keys and its consoles (two demos at once must not
    // claim one console link).
    let keys = tempfile_dir()?;
    for d in &mut inputs.lab.lab.devices {
        if let Some(serial) = &mut d.serial {
            let link = keys.join(format!("{}.console", d.name.get_ref()));
            serial.get_mut().port = link.display().to_string();
        }
        // Any free port: the bench's fixed ones may be another demo's.
        if let Some(ssh) = &mut d.ssh {
            ssh.get_mut().port = 0;
        }
    }
    // The servers: each a network namespace of this demo's own, its traffic through the
    // switches; without the privileges for that, both on this machine's loopback.
    let data_plane = DataPlane::available();
    for e in &mut inputs.lab.lab.endpoints {
        match &data_plane {
            Ok(()) => {
                if e.netns.is_some() {
                    e.netns = Some(format!("swl-{}-{}", std::process::id(), e.name.get_ref()));
                }
            }
            Err(_) => {
                e.netns = None;
                e.address = "127.0.0.1".into();
                for i in &mut e.interfaces {
                    i.address = "127.0.0.1".into();
                }
            }
        }
    }
    if data_plane.is_err() {
        // No traffic will cross the switches: flap schedules waiting for it start at once.
        for d in &mut inputs.lab.lab.devices {
            if let Some(sim) = &mut d.sim
                && sim.flaps_from.as_deref() == Some(TRAFFIC_TRIGGER)
            {
                sim.flaps_from = None;
            }
        }
    }
    if let Err(why) = &data_plane {
        say(&format!(
            "data plane: not available ({why}; it needs root): the servers' traffic goes over this machine's loopback, not through the switches"
        ));
    }
    let flags = WatchFlags {
        duration: Some(args.watch),
        interval: None,
        sources: Vec::new(),
        syslog_listen: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        max_flaps: None,
        hints: None,
        connect: ConnectFlags {
            accept_new_host_keys: true,
            timeout: std::time::Duration::from_secs(15),
        },
    };
    let (mut watch, syslog_listen) = flags.resolve(
        &inputs.lab,
        Some((&inputs.manifest, &inputs.manifest_source)),
        Vec::new(),
    )?;
    watch.connect.known_hosts = vec![keys.join("known_hosts")];
    watch.connect.learn_into = keys.join("known_hosts");
    let rt = tokio::runtime::Runtime::new()?;
    let prepared = Traffic::prepare(
        &inputs.manifest,
        &inputs.lab.lab,
        &args.manifest,
        &watch.connect,
    );
    let traffic = rt.block_on(prepared)?;
    if let Some(t) = &traffic {
        say(&super::board::traffic_line(t));
    }
    let max_flaps = u64::from(watch.max_flaps_per_port);
    let plan = RunPlan {
        reg: &reg,
        kind: crate::record::run::RunKind::Run,
        lab_path: &args.lab,
        manifest_path: Some(&args.manifest),
        devices: Vec::new(),
        save: true,
        jobs: inputs.configs.len(),
        watch,
        syslog_listen,
        traffic,
        runs: args.runs.clone(),
        invocation: Some(Invocation::here(
            args.repeats.as_ref(),
            &args.lab,
            &args.manifest,
        )),
    };
    let ports = run_ports(&inputs, &[]);
    let progress = std::sync::Arc::new(ConsoleProgress::new(ports, max_flaps, args.json));
    let report = rt.block_on(async {
        let switches = bench::start(&inputs.lab.lab, &inputs.lab.dir()).await?;
        let opts = DataPlaneOptions {
            tag: std::process::id().to_string(),
            max_gbit_s: Some(args.max_gbit_s),
        };
        let forwarding = match data_plane {
            Ok(()) => bench::data_plane(&inputs.lab.lab, &switches, &opts)?,
            Err(_) => None,
        };
        for l in forwarding.iter().flat_map(|d| &d.lines) {
            say(&format!("data plane: {l}"));
        }
        for s in &switches {
            say(&format!(
                "sim    {:<16} {}",
                s.device,
                s.listeners.join(", ")
            ));
            let dev = inputs
                .lab
                .lab
                .devices
                .iter_mut()
                .find(|d| d.name() == s.device);
            if let (Some(ssh), Some(bound)) = (dev.and_then(|d| d.ssh.as_mut()), s.ssh) {
                ssh.get_mut().port = bound.port();
            }
        }
        let report = run_manifest(plan, inputs, progress.clone()).await;
        drop(forwarding);
        drop(switches);
        anyhow::Ok(report?)
    });
    let _ = std::fs::remove_dir_all(&keys);
    let report = report?;
    progress.close();
    super::ending::print_run_report(&report, args.json, cli.verbose > 0)?;
    Ok(ExitCode::from(report.exit_code()))
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchlab-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
