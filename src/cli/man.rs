//! `switchlab man`: manual pages made from the CLI definition.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

/// Print the switchlab(1) manual page, or write one page per command into a folder.
///
/// `switchlab man | man -l -` reads it now; `switchlab man --dir /usr/local/share/man/man1`
/// installs switchlab.1 and switchlab-<command>.1 for every command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write switchlab.1 and switchlab-<command>.1 here instead of printing switchlab.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let cmd = Cli::command();
    let Some(dir) = &args.dir else {
        clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let write = |name: &str, page: clap::Command| -> anyhow::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut f =
            std::fs::File::create(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        clap_mangen::Man::new(page).render(&mut f)?;
        println!("{}", path.display());
        Ok(())
    };
    for sub in cmd.get_subcommands() {
        let name = format!("switchlab-{}", sub.get_name());
        write(&name, sub.clone().name(name.clone()))?;
    }
    write("switchlab", cmd)?;
    Ok(ExitCode::SUCCESS)
}
