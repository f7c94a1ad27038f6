//! The `switchlab` command line: one file per subcommand in [`cli`], each parsing its flags
//! and calling one operation of the `switchlab` library (or, for `sim` and `demo`, of the
//! `switchlab-sim` crate). All printing is here, in `cli::board` and the files it serves.
//!
//! # Layout
//!
//! - `crates/switchlab`: the library (formats, vendor profiles, driver, runs, records).
//! - `crates/switchlab-sim`: the virtual lab; the library never depends on it.
//! - this crate: the command line and the `switchlab` binary, and the integration tests,
//!   which use all three.

// Input errors carry file, line, column, key and the known names: large, but only ever on
// the way out of a command, never on a hot path.
#![allow(clippy::result_large_err)]
#![warn(unreachable_pub)]

pub mod cli;
