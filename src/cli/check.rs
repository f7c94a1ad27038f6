//! `switchlab check`: validate lab, manifest, templates and profiles together, touching no device.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::inputs::RunInputs;
use crate::run::traffic;

/// Validate lab, manifest, profiles and templates, touching no device.
///
/// Validate the lab file, the manifest, the vendor profiles and every template they use
/// (every variable defined), and that the throughput tests ask for nothing not built,
/// without contacting any device.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bench: devices, access, ports, cabling, endpoints.
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    /// The test run: devices under test, baseline, tests, flap watch, criteria.
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: PathBuf,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = RunInputs::load(&args.lab, &args.manifest, &reg)?;
    // What `run` would refuse before its first push, `check` refuses too.
    traffic::plan(&inputs.manifest, &inputs.lab.lab, &args.manifest)?;
    for c in &inputs.configs {
        println!(
            "ok   {}: template '{}' renders {} lines",
            c.device,
            c.template,
            c.lines.len()
        );
    }
    println!(
        "{} and {} are valid: {} devices under test, {} throughput tests",
        args.lab.display(),
        args.manifest.display(),
        inputs.manifest.devices.len(),
        inputs.manifest.throughput.len()
    );
    Ok(ExitCode::SUCCESS)
}
