//! The flap watch: per port, one timeline merged from counter polls, state polls, console
//! log lines, the device's log buffer and the built-in syslog receiver; then a
//! diagnosis per port with hints from the lab's cabling. Writes `flaps.csv` as events
//! settle and `ports.csv` at the end.

pub mod hints;
mod output;
mod poller;
pub mod syslog;
pub mod timeline;

use std::time::Duration;

pub use output::{PortRow, RunFolder};
pub use poller::watch_device;

use crate::format::manifest::FlapSource;
use crate::transport::ConnectOptions;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub duration: Duration,
    pub interval: Duration,
    /// Ports to watch (lab names); empty = every port the lab lists for the device.
    pub ports: Vec<String>,
    pub sources: Vec<FlapSource>,
    pub max_flaps_per_port: u32,
    pub connect: ConnectOptions,
    pub hints: hints::HintFile,
    /// Read the log buffer every this many polls.
    pub buffer_every: u32,
    /// Messages from the syslog receiver, when the `syslog` source is on.
    pub syslog: Option<syslog::Inbox>,
}
