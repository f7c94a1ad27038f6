//! The `switchlab` binary: parses the command line and reports errors; the work is in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = switchlab::cli::Cli::parse();
    cli.init_tracing();
    match switchlab::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
