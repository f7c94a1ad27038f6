//! What a watch tells as it goes ([`WatchEvent`], to the live view) and what went wrong in
//! it without ending it ([`Problem`], an error of the device in run.json).

use std::time::SystemTime;

/// What happened on a port, as the live display hears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchEvent {
    Down,
    Up,
    /// Flaps a counter proves that no source saw.
    Unseen(u64),
    ErrDisabled,
    /// The device rejected the command that shows the port: it cannot be watched.
    Unreadable,
}

impl WatchEvent {
    /// How many flaps the event adds to the port's count.
    pub fn flaps(self) -> u64 {
        match self {
            WatchEvent::Down => 1,
            WatchEvent::Unseen(n) => n,
            WatchEvent::Up | WatchEvent::ErrDisabled | WatchEvent::Unreadable => 0,
        }
    }
}

impl std::fmt::Display for WatchEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchEvent::Down => f.write_str("down"),
            WatchEvent::Up => f.write_str("up"),
            WatchEvent::Unseen(n) => write!(f, "{n} unseen flap(s)"),
            WatchEvent::ErrDisabled => f.write_str("err-disabled"),
            WatchEvent::Unreadable => {
                f.write_str("not readable: the device rejected its show command")
            }
        }
    }
}

/// How sure an event is when it is told: a sighting as it comes in may still be joined
/// or moved by a slower source; a settled one is final (what flaps.csv has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// First sighted: the live view says it at once.
    Sighted,
    /// Settled: its sources and its time are final.
    Settled,
}

/// One thing the live view hears.
#[derive(Debug, Clone, Copy)]
pub struct Heard<'a> {
    pub device: &'a str,
    pub port: &'a str,
    pub what: WatchEvent,
    /// When the port changed state (an unseen flap: the end of the window it fell in).
    pub at: SystemTime,
    pub certainty: Certainty,
}

/// Called with every event as it is sighted and again as it settles.
pub(crate) type OnEvent<'a> = &'a (dyn Fn(Heard) + Sync);

/// Something that went wrong in a device's watch without ending it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The device rejected the command that shows a port: the port has no verdict.
    PortUnreadable {
        port: String,
        command: String,
        message: String,
    },
    /// The device rejected its log-buffer command: the watch went on without the buffer.
    BufferRejected { command: String, message: String },
    /// The syslog receiver stopped: the watch went on without syslog.
    SyslogStopped { why: String },
    /// The transcript could not be written (a full disk): it is incomplete from there.
    TranscriptLost { why: String },
    /// A running-config snapshot could not be written: `restore` has nothing to go by.
    SnapshotLost { file: String, why: String },
    /// A step after the watch's last poll failed (the watch itself had reached its end, so
    /// its ports keep their verdicts).
    AfterWatch { step: AfterWatch, why: String },
}

/// The steps that follow a watch's last poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWatch {
    /// Looking up in the running config whether a port without link is shut.
    UnlinkedLookup,
    /// The end-of-run read of the transceivers (the cable audit's second reading).
    CableAudit,
}

impl std::fmt::Display for AfterWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AfterWatch::UnlinkedLookup => "looking up the ports without link",
            AfterWatch::CableAudit => "the cable audit's end reading",
        })
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::PortUnreadable {
                port,
                command,
                message,
            } => write!(
                f,
                "port {port} not watched: `{command}` rejected: {message}"
            ),
            Problem::BufferRejected { command, message } => {
                write!(f, "log buffer not read: `{command}` rejected: {message}")
            }
            Problem::SyslogStopped { why } => write!(f, "syslog not read: {why}"),
            Problem::TranscriptLost { why } => f.write_str(why),
            Problem::AfterWatch { step, why } => {
                write!(f, "{step} failed after the watch ended: {why}")
            }
            Problem::SnapshotLost { file, why } => {
                write!(
                    f,
                    "snapshot {file} not written: {why}: `restore` cannot use it"
                )
            }
        }
    }
}
