//! The `switchlab` binary: parses the command line and reports errors; the work is in the library.

use std::process::ExitCode;

use clap::Parser;

/// The exit code of a process a closed pipe ended (128 + SIGPIPE), as `yes | head -1` shows.
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() -> ExitCode {
    switchlab::memory::one_malloc_arena();
    quiet_on_closed_stdout();
    let cli = switchlab_cli::cli::Cli::parse();
    cli.init_tracing();
    match switchlab_cli::cli::run(cli) {
        Ok(code) => code,
        // A reader that closed the pipe (`switchlab man | head`): quiet, as Unix tools are.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(EXIT_BROKEN_PIPE as u8)
        }
        Err(e) => {
            eprintln!("error: {}", switchlab::secrets::masked(&said(&e)));
            ExitCode::FAILURE
        }
    }
}

/// The error and each cause in its chain that its text does not already say (an error that
/// keeps its cause as its source often says it too), joined by ": ".
fn said(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// `switchlab vendors | head -1`: when the reader closes the pipe, `println!` panics with
/// "failed printing to stdout: Broken pipe". End quietly instead, as Unix tools do; every
/// other panic is reported as usual.
fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.starts_with("failed printing to std") && text.contains("Broken pipe") {
            std::process::exit(EXIT_BROKEN_PIPE);
        }
        report(info);
    }));
}
