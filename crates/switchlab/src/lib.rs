//! switchlab: a command-line orchestrator for switch evaluation labs.
//!
//! A lab file says what is cabled where; a manifest says what to test. switchlab pushes
//! templated baseline configs over serial or SSH, watches every port for link flaps, and
//! writes run folders that compare vendors side by side.
//!
//! # Layout
//!
//! The library every switchlab command is built from; the command line is the
//! `switchlab-cli` crate (one file per subcommand, each parsing its flags and calling an
//! operation here), the simulators the `switchlab-sim` crate, which this crate never
//! depends on. How a run passes through the modules: docs/ARCHITECTURE.md.
//!
//! - [`format`]: the TOML inputs, `lab.toml` and `manifest.toml`, with located errors.
//! - [`vendor`]: vendor profiles as data (`vendors/*.toml`, embedded at build time and
//!   overridable by a folder) and the registry of profiles and templates.
//! - [`template`]: renders `templates/<vendor>/*.j2` with the lab's cabling (strict undefined).
//! - [`inputs`]: lab + manifest + profiles + templates loaded and checked together.
//! - [`states`]: every closed set of states (verdicts, outcomes, link states, flap
//!   events), one enum each, written and read by name.
//! - [`import`]: a lab.toml from a Nornir, pyATS or NetBox inventory (secrets become
//!   environment variables).
//! - [`parse`]: show-command output → the common port-state schema, or link events.
//! - [`transport`]: SSH (russh: known_hosts, jump host, legacy algorithms), serial
//!   consoles (tokio-serial) and consoles through console servers (telnet, raw TCP, SSH),
//!   as one byte stream; USB-serial adapters from /sys.
//! - [`channel`]: bytes ⇄ prompts: read until a prompt, pager, echo and ANSI stripping,
//!   asynchronous log lines taken out with their arrival time, redacted transcript.
//! - [`driver`]: the vendor's mode graph in action: login, dialogs, escalation, configure
//!   (line by line, or typed ahead in batches where the profile allows), save, verify;
//!   `driver::session` opens one lab device (credentials from the environment, a
//!   transcript from the connect on).
//! - [`run`]: operations on lab devices: push to many at once, and the `run`
//!   pipeline (push and flap watch per device, then traffic through each device while the
//!   watch goes on, into a run folder); `run::traffic` holds the engine seam, iperf3 and
//!   the built-in engine.
//! - [`record`]: what a run leaves on disk (run.json, the CSVs, events.jsonl) as types
//!   written and read by one module, with `format_version`; the run folder's writer and
//!   reader (errors name the damaged file).
//! - [`snapshot`]: leaving a switch as found: the running config as sections, what a
//!   baseline would change (`push --diff`), the lines that undo a change (`restore`), the
//!   snapshots before and after every push.
//! - [`report`]: reports across run folders read back through `record`: `compare`,
//!   report.html with plotters' SVG charts.
//! - [`watch`]: the flap watch: per-port timelines from counters, state polls, console
//!   lines, the log buffer and a syslog receiver; diagnosis with hints.
//! - [`secrets`]: secrets masked in whatever goes out (errors, log lines, run.json, stderr).
//! - [`memory`]: the heap tuned for many sessions (one malloc arena, freed pages handed
//!   back before the report).
//! - [`tools`]: the system tools it starts, and the variable that hides them (CI runs the
//!   suite as a fresh machine would).
//!

// Input errors carry file, line, column, key and the known names: large, but only ever on
// the way out of a command, never on a hot path.
#![allow(clippy::result_large_err)]
#![warn(unreachable_pub)]

pub mod channel;
pub mod driver;
pub mod format;
pub mod import;
pub mod inputs;
pub mod locks;
pub mod memory;
pub mod parse;
pub mod record;
pub mod report;
pub mod run;
pub mod secrets;
pub mod snapshot;
pub mod states;
pub mod template;
pub mod tools;
pub mod transport;
pub mod vendor;
pub mod watch;

/// The built-in syslog receiver's message reader (for the property tests).
pub use watch::syslog;
