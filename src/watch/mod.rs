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
pub use poller::{DeviceWatch, OnEvent, watch_device};

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

/// How a `watch` of several devices ended.
pub struct WatchReport {
    pub rows: Vec<PortRow>,
    /// Devices that could not be watched to the end, with why.
    pub failed: Vec<String>,
}

/// Watch `targets` at once, each on a session of its own (a syslog receiver, if wanted, is
/// attached to `opts` first); writes flaps.csv as events settle and, at the end, ports.csv
/// and run.json.
pub async fn watch_all(
    targets: &[(&crate::format::lab::Device, &crate::vendor::Vendor)],
    opts: &WatchOptions,
    folder: &RunFolder,
    on_event: OnEvent<'_>,
) -> std::io::Result<WatchReport> {
    let started = jiff::Timestamp::now();
    let watches = targets
        .iter()
        .map(|(dev, vendor)| watch_device(dev, vendor, opts, folder, on_event));
    let results = futures::future::join_all(watches).await;
    let mut report = WatchReport {
        rows: Vec::new(),
        failed: Vec::new(),
    };
    for (r, (dev, _)) in results.into_iter().zip(targets) {
        match r {
            Ok(mut v) => report.rows.append(&mut v),
            Err(e) => report.failed.push(format!("{}: {e}", dev.name())),
        }
    }
    let names: Vec<&str> = targets.iter().map(|(d, _)| d.name()).collect();
    let record = serde_json::json!({
        "switchlab": env!("CARGO_PKG_VERSION"), "kind": "watch", "devices": names,
        "started": started.to_string(), "ended": jiff::Timestamp::now().to_string(),
        "interval_ms": opts.interval.as_millis() as u64,
        "duration_ms": opts.duration.as_millis() as u64,
        "outcome": if report.failed.is_empty() { "complete" } else { "device errors" },
        "errors": report.failed,
    });
    folder.finish(&report.rows, &record)?;
    Ok(report)
}
