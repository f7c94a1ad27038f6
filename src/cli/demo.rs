//! `switchlab demo`: the main job on the built-in virtual lab, in one command.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::inputs::RunInputs;
use crate::run::push::{Outcome, PushOptions, push_all};
use crate::sim::bench;
use crate::transport::ConnectOptions;

/// Bring up the demo bench (five simulated switches, one per vendor, some over SSH and some
/// on pty consoles) in this process, push and verify the baseline on all of them, and stop.
/// Host keys are recorded in a throwaway file, never in ~/.ssh.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value = "examples/demo/lab.toml")]
    pub lab: PathBuf,
    #[arg(long, default_value = "examples/demo/manifest.toml")]
    pub manifest: PathBuf,
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
        drop(switches);
        Ok::<_, anyhow::Error>(results.iter().filter(|r| !r.ok()).count())
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

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchlab-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
