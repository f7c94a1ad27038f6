//! `switchlab demo`: the main job on the built-in virtual lab, in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::inputs::RunInputs;
use crate::run::push::{Outcome, PushOptions, push_all};
use crate::sim::bench;
use crate::transport::ConnectOptions;

/// Bring up the demo bench (five simulated switches, one per vendor, some over SSH and some
/// on pty consoles) in this process, push and verify the baseline on all of them, watch
/// every port for flaps (the bench has one short DAC to an Intel NIC), write a run folder,
/// and stop. Host keys are recorded in a throwaway file, never in ~/.ssh.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value = "examples/demo/lab.toml")]
    pub lab: PathBuf,
    #[arg(long, default_value = "examples/demo/manifest.toml")]
    pub manifest: PathBuf,
    /// How long to watch for flaps after the push (0s: no watch).
    #[arg(long, default_value = "12s", value_parser = humantime::parse_duration)]
    pub watch: std::time::Duration,
    /// Where the run folder goes.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = RunInputs::load(&args.lab, &args.manifest, &reg)?;
    let lab_dir = args
        .lab
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let keys = tempfile_dir()?;
    let mut connect = ConnectOptions::for_lab(&inputs.lab.lab, &lab_dir, true);
    connect.known_hosts = vec![keys.join("known_hosts")];
    connect.learn_into = keys.join("known_hosts");
    let rt = tokio::runtime::Runtime::new()?;
    let failed = rt.block_on(async {
        let switches = bench::start(&inputs.lab.lab, &lab_dir).await?;
        for s in &switches {
            println!("sim    {:<16} {}", s.device, s.listeners.join(", "));
        }
        let devices: Vec<String> = inputs.configs.iter().map(|c| c.device.clone()).collect();
        let opts = PushOptions {
            dry_run: false,
            save: true,
            jobs: devices.len(),
            connect,
        };
        let results = push_all(&reg, &inputs, &devices, &opts, |r| match &r.outcome {
            Outcome::Pushed { .. } => println!(
                "ok     {:<16} {:>6.2}s {:>3} lines pushed, saved, verified in the running config",
                r.device,
                r.elapsed.as_secs_f64(),
                r.lines
            ),
            Outcome::NotVerified { missing } => println!(
                "FAILED {:<16} not in the running config: {missing:?}",
                r.device
            ),
            Outcome::Failed(e) => println!("FAILED {:<16} {e}", r.device),
            Outcome::Rendered => {}
        })
        .await;
        let mut failed = results.iter().filter(|r| !r.ok()).count();
        if !args.watch.is_zero() {
            failed += watch_bench(&inputs, &reg, &opts.connect, args).await?;
        }
        drop(switches);
        Ok::<_, anyhow::Error>(failed)
    })?;
    let _ = std::fs::remove_dir_all(&keys);
    println!(
        "demo: baseline pushed to {} of {} switches",
        inputs.configs.len() - failed,
        inputs.configs.len()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Watch every device of the bench for `args.watch`; prints the per-port verdicts and the
/// run folder. Returns how many devices could not be watched.
async fn watch_bench(
    inputs: &RunInputs,
    reg: &crate::vendor::Registry,
    connect: &ConnectOptions,
    args: &Args,
) -> anyhow::Result<usize> {
    use crate::format::manifest::FlapSource;
    use crate::watch::{RunFolder, WatchOptions, hints::HintFile, watch_device};
    let opts = WatchOptions {
        duration: args.watch,
        interval: std::time::Duration::from_secs(1),
        ports: Vec::new(),
        sources: vec![
            FlapSource::Counters,
            FlapSource::State,
            FlapSource::Console,
            FlapSource::Buffer,
        ],
        max_flaps_per_port: inputs.manifest.criteria.max_flaps_per_port,
        connect: connect.clone(),
        hints: HintFile::builtin(),
        buffer_every: 5,
        syslog: None,
    };
    let folder = RunFolder::create(&args.runs, "demo-watch", &args.lab)?;
    println!("watch  every port for {:?} ...", args.watch);
    let mut watches = Vec::new();
    for c in &inputs.configs {
        let (dev, vendor) = inputs.lab.device(reg, &c.device)?;
        watches.push(watch_device(dev, vendor, &opts, &folder, |_, _, _| {}));
    }
    let mut rows = Vec::new();
    let mut failed = 0;
    for r in futures::future::join_all(watches).await {
        match r {
            Ok(mut v) => rows.append(&mut v),
            Err(e) => {
                println!("FAILED {e}");
                failed += 1;
            }
        }
    }
    for r in &rows {
        println!(
            "{:<6} {:<16} {:<24} {:>3} flaps  {}",
            r.verdict, r.device, r.port, r.flaps, r.hint
        );
    }
    folder.finish(&rows, &serde_json::json!({ "kind": "demo-watch", "outcome": if failed == 0 { "complete" } else { "device errors" } }))?;
    println!("run folder: {}", folder.path.display());
    Ok(failed)
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchlab-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
