//! `switchlab completions SHELL`: a completion script made from the CLI definition.

use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

/// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell).
///
/// Install, e.g.: `switchlab completions bash > /etc/bash_completion.d/switchlab`;
/// `switchlab completions zsh > "${fpath[1]}/_switchlab"`;
/// `switchlab completions fish > ~/.config/fish/completions/switchlab.fish`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "switchlab", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
