//! The closed sets of values a run folder holds, as enums: verdicts, outcomes, the push and
//! watch states, flap events, test outcomes. Each is written and read in kebab-case, so a
//! CSV or JSON reader refuses a value it does not know, and code compares variants, never
//! text. [`YesNo`] writes an optional flag as `yes`/`no`/empty.

use serde::{Deserialize, Serialize};

/// Declares an enum whose variants each have a fixed name in the run folder; `Display`
/// and `as_str` give that name (the same one serde writes).
macro_rules! named {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $var:ident = $text:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $var,)+
        }

        impl $name {
            /// The name the run folder writes.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $text,)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// A port's verdict in ports.csv (a verdict not earned is `unknown`).
    pub enum PortVerdict {
        /// Read at every poll to the end, flaps within the criterion, link up.
        Pass = "pass",
        /// Flapped more than allowed, err-disabled, or went down for good.
        Fail = "fail",
        /// Down at every poll from the end of the push to the end of the watch.
        NoLink = "no-link",
        /// Never read: the switch never showed it, or rejected the command that shows it.
        #[default]
        Unknown = "unknown",
        /// The watch was cut short before the end and the port had not failed by then.
        Lost = "lost",
    }
}

impl PortVerdict {
    /// A failure a lab engineer must act on (`fail` or `no-link`).
    pub fn failed(self) -> bool {
        matches!(self, PortVerdict::Fail | PortVerdict::NoLink)
    }
}

named! {
    /// A device's verdict in summary.csv.
    pub enum DeviceVerdict {
        Pass = "pass",
        /// A port or a test through it failed its criterion (or had no link).
        Fail = "fail",
        /// The watch was cut short.
        Lost = "lost",
        /// A port was never read, or a test was interrupted before its end.
        #[default]
        Unknown = "unknown",
        /// The push, the watch or a test through it could not be done.
        Error = "error",
    }
}

named! {
    /// run.json's `outcome`.
    pub enum RunOutcome {
        /// Every device pushed and watched, every test measured.
        Complete = "complete",
        /// Something could not be done: run.json's `errors` lists it.
        Errors = "errors",
        /// Ctrl-C or SIGTERM ended it early (a last poll, then the files).
        Interrupted = "interrupted",
        /// Still running, or killed before it wrote its results.
        #[default]
        Incomplete = "incomplete",
        /// Killed, then rebuilt from events.jsonl by `switchlab recover`.
        Recovered = "interrupted (recovered)",
    }
}

impl RunOutcome {
    /// `interrupted` (a signal) wins over `errors` over `complete`.
    pub fn of(interrupted: bool, all_ok: bool) -> RunOutcome {
        match (interrupted, all_ok) {
            (true, _) => RunOutcome::Interrupted,
            (false, true) => RunOutcome::Complete,
            (false, false) => RunOutcome::Errors,
        }
    }
}

named! {
    /// Which of a push's running-config snapshots (`configs/<device>.<when>.txt`).
    pub enum SnapshotWhen {
        #[default]
        Before = "before",
        After = "after",
    }
}

named! {
    /// What a device's push came to (run.json, summary.csv).
    pub enum PushState {
        /// In, and found in the running config.
        Pushed = "pushed",
        /// Sent, but some lines are not in the running config.
        NotVerified = "not-verified",
        Failed = "failed",
        /// Rendered only (a dry run).
        #[default]
        Rendered = "rendered",
    }
}

named! {
    /// How a device's watch went (run.json, summary.csv).
    pub enum WatchState {
        Ok = "ok",
        /// The session broke midway.
        Lost = "lost",
        /// Something could not be read (a rejected show command, a stopped source).
        Problems = "problems",
        /// Its push did not go in, so it was not watched.
        #[default]
        NotRun = "not-run",
    }
}

named! {
    /// One flaps.csv row's event.
    pub enum FlapEvent {
        #[default]
        Down = "down",
        Up = "up",
        /// Flaps a counter proves that no source saw.
        Unseen = "unseen",
        /// A poll first found that the switch shut the port itself.
        ErrDisabled = "err-disabled",
    }
}

named! {
    /// What one events.jsonl line is.
    pub enum EventKind {
        /// A source saw a port's state (a log line, a poll that found it changed).
        #[default]
        Sighting = "sighting",
        /// A poll's reading of a port (state and counters), where it changed.
        Poll = "poll",
        /// The device's push ended: its ports are judged by their link from here on.
        JudgedFrom = "judged-from",
        /// The device's watch reached its end (its last poll is in).
        Ended = "ended",
    }
}

named! {
    /// A link's state, as a sighting in events.jsonl records it.
    pub enum LinkState {
        Up = "up",
        #[default]
        Down = "down",
    }
}

impl LinkState {
    pub fn of(up: bool) -> LinkState {
        if up { LinkState::Up } else { LinkState::Down }
    }

    pub fn is_up(self) -> bool {
        self == LinkState::Up
    }
}

named! {
    /// A measurement against its criterion.
    pub enum Judged {
        Pass = "pass",
        #[default]
        Fail = "fail",
    }
}

impl Judged {
    pub fn of(pass: bool) -> Judged {
        if pass { Judged::Pass } else { Judged::Fail }
    }
}

named! {
    /// How one throughput test through one device went (run.json).
    pub enum TestState {
        Measured = "measured",
        #[default]
        Failed = "failed",
        Interrupted = "interrupted",
    }
}

named! {
    /// What a throughput.csv row covers.
    pub enum ThroughputKind {
        /// One second, summed over the streams, sender side.
        #[default]
        Interval = "interval",
        /// The whole test, sender side.
        Sent = "sent",
        /// The whole test, receiver side.
        Received = "received",
    }
}

named! {
    /// What held an RFC 2544 result where it is (rfc2544.csv's `limited_by`).
    pub enum LimitedBy {
        /// The switch dropped frames above it.
        #[default]
        Switch = "switch",
        /// It reached line rate: the port, not the switch, is the limit.
        Line = "line",
        /// The traffic generator could not send (or count) more: the switch may do better.
        Generator = "generator",
        /// Throughput: the search's rate lost frames on every confirming full-length
        /// trial, so no rate is given and no latency was measured.
        Unconfirmed = "unconfirmed",
        /// The receiving tester dropped frames above it (its socket buffer, its NIC): the
        /// switch forwarded them, and may do better.
        Receiver = "receiver",
        /// The virtual lab's host could not keep up: the simulator dropped frames its
        /// modelled switch would have forwarded.
        Host = "host",
        /// Frames were lost above it where no stage counted them (the switch's counters
        /// unread or silent): not blamed on the switch by elimination.
        Unaccounted = "unaccounted",
    }
}

named! {
    /// Which path a generator's frames are asked to take (`traffic blast --frame-path`, a
    /// benchmark's `generator`).
    #[derive(clap::ValueEnum)]
    pub enum FramePath {
        /// The ring where it can be opened (root, a neighbour entry), else UDP.
        #[default]
        Auto = "auto",
        /// Whole frames into a PACKET_MMAP transmit ring, past the socket layer.
        Ring = "ring",
        /// UDP datagrams in batches (sendmmsg): needs no privilege.
        Udp = "udp",
    }
}

named! {
    /// How the generator's frames left the sending tester (rfc2544.csv's
    /// `generator_path`).
    pub enum GeneratorPath {
        /// Whole frames into a PACKET_MMAP transmit ring, past the socket layer.
        Ring = "ring",
        /// UDP datagrams in batches (sendmmsg): no privilege needed.
        #[default]
        Udp = "udp",
    }
}

named! {
    /// How an RFC 2544 latency's times were taken (rfc2544.csv's `timestamps`).
    pub enum Stamps {
        /// One NIC hardware clock at both ends (two ports of one NIC): a tagged frame as
        /// the sending port put it on the wire and as the receiving port took it in.
        Hardware = "hardware",
        /// The kernel's software stamps: a tagged frame as the driver sent it and as the
        /// receiving driver took it in.
        #[default]
        Kernel = "kernel",
        /// The time the sender wrote into each frame before handing its batch over, to the
        /// kernel's arrival stamp (where the kernel would not stamp sends, or round trips).
        InFrame = "in-frame",
    }
}

named! {
    /// Where a trial's lost frames were lost, by the counters of each stage (rfc2544.csv's
    /// `lost_at`).
    pub enum LostAt {
        /// The sending tester: its kernel or NIC refused or dropped frames it was handed.
        #[default]
        Sender = "tester-sender",
        /// The receiving tester: its NIC or socket buffer dropped frames that arrived.
        Receiver = "tester-receiver",
        /// The switch: its own counters show the frames discarded.
        Switch = "switch",
        /// The virtual lab's host: the simulator could not keep up (not the modelled switch).
        Host = "host",
        /// No stage's counters account for them.
        Unaccounted = "unaccounted",
    }
}

impl LostAt {
    /// What held a rate whose next step up lost frames here.
    pub fn limit(self) -> LimitedBy {
        match self {
            LostAt::Sender => LimitedBy::Generator,
            LostAt::Receiver => LimitedBy::Receiver,
            LostAt::Switch => LimitedBy::Switch,
            LostAt::Host => LimitedBy::Host,
            LostAt::Unaccounted => LimitedBy::Unaccounted,
        }
    }
}

named! {
    /// How an RFC 2544 latency was timed.
    pub enum LatencyKind {
        /// Sender and receiver share a clock (one machine).
        #[default]
        OneWay = "one-way",
        /// The round trip through a reflecting receiver, halved (clocks not shared).
        HalfRoundTrip = "half-round-trip",
    }
}

/// An optional flag written `yes`, `no`, or empty where it is not known.
pub mod yes_no {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "yes" => Ok(Some(true)),
            "no" => Ok(Some(false)),
            "" => Ok(None),
            other => Err(serde::de::Error::custom(format!(
                "'{other}' is not yes, no or empty"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_serde_writes_and_unknown_ones_are_refused() {
        for v in [
            PortVerdict::Pass,
            PortVerdict::NoLink,
            PortVerdict::Lost,
            PortVerdict::Unknown,
        ] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<PortVerdict>(&json).unwrap(), v);
        }
        assert_eq!(RunOutcome::Recovered.to_string(), "interrupted (recovered)");
        assert!(serde_json::from_str::<PortVerdict>("\"Pass\"").is_err());
        assert!(serde_json::from_str::<FlapEvent>("\"flap\"").is_err());
    }
}
