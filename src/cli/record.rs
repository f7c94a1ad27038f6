//! `switchlab record`: keep a device's answers for a replay or a bug report.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::connect_flags::ConnectFlags;
use switchlab::inputs::LabInputs;
use switchlab::run::record::{record, run_commands};

/// Record a device's answers to a set of commands, for a replay or a bug report.
///
/// Logs into DEVICE as a run does (nothing is configured), runs each COMMAND in privileged
/// mode and writes the whole session to FILE (appended: recordings of one device merge),
/// passwords and secrets masked. Without COMMANDs it runs what a run reads: the profile's
/// version, clock, running-config, interfaces (each of the lab's ports too), logging and
/// transceiver commands.
/// `switchlab sim --replay FILE --ssh 127.0.0.1:0` then serves a device that answers as
/// this one did. Exit 1 when the device cannot be reached or a command was refused (the
/// others are still recorded).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  switchlab record --lab lab.toml sw1\n  switchlab record --lab lab.toml sw1 'show interfaces status' 'show vlan' -o sw1-vlans.log\n  switchlab sim --replay sw1.recording.log --ssh 127.0.0.1:2201"
)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    pub device: String,
    /// Commands to record (default: what a run reads).
    pub commands: Vec<String>,
    /// Where the recording goes (default DEVICE.recording.log).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectFlags,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let (dev, vendor) = lab.device(&reg, &args.device)?;
    let opts = args.connect.options(&lab);
    let file = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.recording.log", args.device)));
    let commands = match args.commands.is_empty() {
        true => run_commands(vendor, &dev.port_names()),
        false => args.commands.clone(),
    };
    let rt = tokio::runtime::Runtime::new()?;
    let mut say = |r: &switchlab::run::record::Recorded| match &r.answer {
        Ok(lines) => println!("{}: {lines} lines", r.command),
        Err(e) => eprintln!("{}: {e}", r.command),
    };
    let (done, transcript) = rt.block_on(record(dev, vendor, &opts, &file, &commands, &mut say))?;
    if let Some(problem) = &transcript {
        anyhow::bail!("{problem}");
    }
    let refused = done.iter().filter(|r| r.answer.is_err()).count();
    println!(
        "recorded {} of {} commands of {} in {}",
        done.len() - refused,
        done.len(),
        args.device,
        file.display()
    );
    Ok(match refused {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    })
}
