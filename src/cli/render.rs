//! `switchlab render`: print the config that would be pushed to one device.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::inputs::RunInputs;

/// Print the config `push` would send to DEVICE, rendered from its vendor's template.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// A device of the manifest.
    pub device: String,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = RunInputs::load(&args.lab, &args.manifest, &reg)?;
    let Some(cfg) = inputs.config(&args.device) else {
        let known: Vec<_> = inputs.configs.iter().map(|c| c.device.as_str()).collect();
        anyhow::bail!(
            "{}: device '{}' is not under test; the manifest tests: {}",
            args.manifest.display(),
            args.device,
            known.join(", ")
        );
    };
    print!("{}", cfg.text());
    Ok(ExitCode::SUCCESS)
}
