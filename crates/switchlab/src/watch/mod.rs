//! The flap watch: per port, one timeline merged from counter polls, state polls, console
//! log lines, the device's log buffer and the built-in syslog receiver; then a
//! diagnosis per port with hints from the lab's cabling. Writes `flaps.csv` as events
//! settle; `ports.csv` is its diagnosis at the end.
//!
//! Layout: `device` (one device's watch on a session someone else opened: the run
//! pipeline, `switchlab run` and `switchlab watch` alike), `timeline` (one port's events
//! merged from every source) and `tally` (what settled events add up to), `diagnosis`
//! and `hints` (the verdict and the suspect), `events` (what the live view hears, and
//! problems), `output` (flaps.csv and events.jsonl rows), `syslog` (the receiver),
//! `replay` and `recover` (a killed run's watch replayed from events.jsonl through the
//! same timeline and judge).

mod device;
mod diagnosis;
mod epoch;
pub(crate) mod events;
pub mod hints;
mod output;
mod readings;
pub mod recover;
mod replay;
pub mod syslog;
mod tally;
pub(crate) mod timeline;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub(crate) use crate::record::folder::RunFolder;
pub(crate) use device::{DeviceWatch, judged};
pub use events::{Certainty, Heard, Problem, WatchEvent};
pub(crate) use readings::{PortSpeeds, SwitchCounts};

use crate::format::manifest::FlapSource;
use crate::transport::ConnectOptions;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub duration: Duration,
    pub interval: Duration,
    /// Ports to watch (lab names); empty = every port the lab lists for the device.
    pub ports: Vec<String>,
    /// Ports the manifest expects down (`expect_down`): not judged by their link.
    pub expect_down: Vec<String>,
    pub sources: Vec<FlapSource>,
    pub max_flaps_per_port: u32,
    pub connect: ConnectOptions,
    pub hints: hints::HintFile,
    /// Read the log buffer every this many polls.
    pub buffer_every: u32,
    /// Keep every poll in the transcript (a recording a replay plays a watch from).
    pub transcript_every_poll: bool,
    /// Messages from the syslog receiver, when the `syslog` source is on.
    pub syslog: Option<syslog::Inbox>,
    /// Where the watch leaves each port's speed as the switch shows it.
    pub speeds: PortSpeeds,
    /// The cables table the cable audit classifies modules by.
    pub cables: crate::parse::Cables,
}

impl WatchOptions {
    /// How the watch ran, for run.json.
    pub(crate) fn flap_settings(
        &self,
        devices: Vec<crate::record::run::WatchedDevice>,
    ) -> crate::record::run::FlapSettings {
        crate::record::run::FlapSettings {
            interval_ms: self.interval.as_millis() as u64,
            duration_ms: self.duration.as_millis() as u64,
            sources: self.sources.clone(),
            max_flaps_per_port: self.max_flaps_per_port,
            buffer_every: self.buffer_every,
            devices,
        }
    }
}

/// When a watch ends: a time that may move while it runs (`run` sets it when the last push
/// is done; Ctrl-C sets it to now); None = not known yet.
pub(crate) type End = watch::Receiver<Option<Instant>>;

/// On Ctrl-C or SIGTERM (systemd, `timeout`, CI runners send it), end the watch now (a
/// last poll, then the CSVs), set `interrupted` and call `on_stop`; a second signal quits
/// at once, leaving the run folder marked incomplete. The handlers are in place when this
/// returns; the future never completes: race it against the watch.
pub(crate) fn end_on_ctrl_c<'a>(
    end: &'a watch::Sender<Option<Instant>>,
    interrupted: &'a AtomicBool,
    on_stop: impl Fn() + 'a,
) -> std::io::Result<impl Future<Output = std::convert::Infallible> + 'a> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupts = signal(SignalKind::interrupt())?;
    let mut terms = signal(SignalKind::terminate())?;
    Ok(async move {
        let first = tokio::select! {
            i = interrupts.recv() => i.is_some(),
            t = terms.recv() => t.is_some(),
        };
        if first {
            interrupted.store(true, Ordering::Relaxed);
            on_stop();
            let _ = end.send(Some(Instant::now()));
            let again = tokio::select! {
                i = interrupts.recv() => i.is_some(),
                t = terms.recv() => t.is_some(),
            };
            if again {
                // Handling the signals took away their default of ending the process.
                std::process::exit(EXIT_INTERRUPTED as i32);
            }
        }
        futures::future::pending().await
    })
}

/// The exit code of a watch, run or demo that a signal (Ctrl-C, SIGTERM) ended early, as
/// shells report a process SIGINT ended.
pub const EXIT_INTERRUPTED: u8 = 130;
