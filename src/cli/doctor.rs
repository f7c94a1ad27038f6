//! `switchlab doctor`: is the bench ready for a run?

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::Cli;
use switchlab::inputs::LabInputs;
use switchlab::run::doctor::doctor;

/// Check the bench before a run, one line per check with the fix; nothing is changed.
///
/// A device whose other checks pass is logged into to read its clock (the profile's
/// `commands.clock`); more than 3 s from this machine's fails: its log times would not
/// line up with the watch's.
///
/// Per device: the environment variables its credentials name are set; SSH answers
/// (TCP) and its host key is already known (no login, nothing learnt); a console path is
/// there and is a tty; a console server's port is open. Per endpoint: its network namespace exists (the virtual lab), or
/// its SSH answers with a known key, or on this machine which engines there are. With
/// --manifest: the syslog receiver's port is free. Exit 1 when a check fails.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    /// Also check what this manifest's run needs (the syslog port).
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: Option<PathBuf>,
    /// How long a device may take to answer.
    #[arg(long, default_value = "5s", value_parser = super::positive_duration)]
    pub timeout: Duration,
    /// One JSON array of the checks instead of lines.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let manifest = match &args.manifest {
        Some(m) => Some(switchlab::format::Manifest::load(m, &lab.lab, &lab.same_port(&reg))?.0),
        None => None,
    };
    let flags = super::connect_flags::ConnectFlags {
        accept_new_host_keys: false,
        timeout: args.timeout,
        command_timeout: switchlab::transport::COMMAND_TIMEOUT,
        line_by_line: false,
    };
    let opts = flags.options(&lab);
    let rt = tokio::runtime::Runtime::new()?;
    let checks = rt.block_on(doctor(&lab.lab, &reg, manifest.as_ref(), &opts));
    let failed = checks.iter().filter(|c| !c.ok).count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        for c in &checks {
            let word = if c.ok { "ok  " } else { "FAIL" };
            println!("{word} {} {}: {}", c.subject, c.check, c.detail);
            if let Some(fix) = &c.fix {
                println!("     fix: {fix}");
            }
        }
        println!("{} check(s), {failed} failed", checks.len());
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
