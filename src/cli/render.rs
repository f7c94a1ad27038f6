//! `switchlab render`: print the config that would be pushed to one device.

use std::process::ExitCode;

use super::Cli;
use super::input_files::InputFiles;

/// Print the config `push` would send to DEVICE, rendered from its vendor's template.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub files: InputFiles,
    /// A device of the manifest.
    pub device: String,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = args.files.load(&reg)?;
    args.files
        .devices(&inputs, std::slice::from_ref(&args.device))?;
    // Checked just above: the device is under test, so its config was rendered.
    if let Some(cfg) = inputs.config(&args.device) {
        print!("{}", cfg.text());
    }
    Ok(ExitCode::SUCCESS)
}
