//! `switchlab import`: a lab.toml from a Nornir, pyATS or NetBox inventory.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use switchlab::import::{self, Draft};

/// Write a lab.toml from an inventory the lab already keeps.
///
/// Platform names are mapped by the vendor profiles' `platforms` (ios, iosxe, cisco_ios →
/// cisco_ios; eos → arista_eos; dell_force10, ftos → dell_force10; fastiron,
/// ruckus_fastiron, brocade_fastiron → brocade_fastiron; broadcom_icos, fastpath →
/// interface_masters); an unknown platform is named and refused, never guessed. Passwords
/// (plain, pyATS %ENC{} and %ASK{}) never reach the lab file: each becomes an environment
/// variable, listed at the top of the file and on stderr. The ports' cabling and the
/// endpoints are not in these inventories: add them by hand. Exit 1 on an unknown
/// platform (nothing written) unless --skip-unknown.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub from: From,
    /// Where to write the lab (default: standard output).
    #[arg(short, long, value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
    /// Leave out devices of a platform no vendor profile claims (named in the file).
    #[arg(long, global = true)]
    pub skip_unknown: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum From {
    /// A Nornir SimpleInventory: hosts.yaml [groups.yaml [defaults.yaml]].
    Nornir {
        hosts: PathBuf,
        groups: Option<PathBuf>,
        defaults: Option<PathBuf>,
    },
    /// A pyATS testbed.yaml (devices reached by their ssh connection).
    Pyats { testbed: PathBuf },
    /// NetBox's device list exported as CSV.
    Netbox {
        devices: PathBuf,
        /// The SSH user for every device (NetBox keeps no credentials).
        #[arg(long, default_value = "admin")]
        user: String,
    },
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let draft: Draft = match &args.from {
        From::Nornir {
            hosts,
            groups,
            defaults,
        } => import::nornir::read_inventory(hosts, groups.as_deref(), defaults.as_deref())?,
        From::Pyats { testbed } => import::pyats::read_testbed(testbed)?,
        From::Netbox { devices, user } => import::netbox::read_devices(devices, user)?,
    };
    let (text, left_out) = import::write_lab(&draft, &reg, args.skip_unknown)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    for (d, why) in &left_out {
        eprintln!("not imported: {d}: {why}");
    }
    for (var, what) in &draft.secrets {
        eprintln!("set {var}: {what}");
    }
    Ok(ExitCode::SUCCESS)
}
