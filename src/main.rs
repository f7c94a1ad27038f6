//! The `switchlab` binary: parses the command line and reports errors; the work is in the library.

use std::process::ExitCode;

use clap::Parser;

/// The exit code of a process a closed pipe ended (128 + SIGPIPE), as `yes | head -1` shows.
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() -> ExitCode {
    one_malloc_arena();
    quiet_on_closed_stdout();
    let cli = switchlab::cli::Cli::parse();
    cli.init_tracing();
    match switchlab::cli::run(cli) {
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
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// One glibc malloc arena, not one per thread: a watch of 500 switches frees and
/// allocates small buffers on every runtime thread, and per-thread arenas kept what was
/// freed on one thread from use on another (a peak of 117 MiB against 100). The threads
/// are few and spend their time waiting on the network, so they do not contend for it.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt sets an allocator parameter and touches no Rust memory; it runs
    // first in main, before any other thread exists.
    unsafe {
        nix::libc::mallopt(nix::libc::M_ARENA_MAX, 1);
    }
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
