//! `switchlab show`: run one command on a lab device and print (or parse) its output.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::connect_flags::ConnectFlags;
use switchlab::inputs::LabInputs;
use switchlab::parse::parse_output;
use switchlab::run::show::show;

/// Run one show command on a device and print (or parse) its output.
///
/// Connect to DEVICE, reach privileged mode, run COMMAND and print its output (without
/// echo, prompt or log lines). --parse prints the common port-state table; --json as JSON.
/// Exit 1 when the device cannot be reached or rejects the command (its message is shown).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    pub device: String,
    pub command: String,
    #[arg(long)]
    pub parse: bool,
    #[arg(long)]
    pub json: bool,
    /// Write the session's transcript (secrets masked) to FILE as it goes.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectFlags,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let (dev, vendor) = lab.device(&reg, &args.device)?;
    let opts = args.connect.options(&lab);
    let rt = tokio::runtime::Runtime::new()?;
    let transcript = args.transcript.as_deref();
    let output = rt.block_on(show(dev, vendor, &opts, transcript, &args.command))?;
    if !(args.parse || args.json) {
        print!("{output}");
        return Ok(ExitCode::SUCCESS);
    }
    let parsed = parse_output(vendor, &args.command, &output)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&parsed)?);
    } else {
        super::parse::print_table(&parsed);
    }
    Ok(ExitCode::SUCCESS)
}
