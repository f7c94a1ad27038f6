//! What the watch writes into the run folder ([`crate::record::folder::RunFolder`]): its
//! settled events as flaps.csv rows and its sightings as events.jsonl lines, built here
//! from the timeline's types (the formats themselves live in [`crate::record::rows`]).

use std::time::SystemTime;

use super::timeline::{Transition, Unseen};
use crate::format::manifest::FlapSource;
use crate::parse::PortState;
use crate::record::folder::RunFolder;
use crate::record::rows::{EventLine, FlapRow, PollReading, Sources};
use crate::record::stamp;
use crate::states::{EventKind, FlapEvent, LinkState};

/// A port's state as one source saw it (a log line, a poll that found it changed).
pub(crate) struct Sighting<'a> {
    pub(crate) time: SystemTime,
    pub(crate) device: &'a str,
    pub(crate) port: &'a str,
    pub(crate) up: bool,
    pub(crate) source: FlapSource,
    /// How far from it another source's sighting of the same change may be.
    pub(crate) window: std::time::Duration,
}

/// A poll's reading of a port for events.jsonl.
pub(crate) fn reading(s: &PortState) -> PollReading {
    PollReading {
        admin: s.admin,
        oper: s.oper,
        link_changes: s.link_changes,
        link_downs: s.link_downs,
        link_ups: s.link_ups,
        last_change_s: s.last_change_s,
        err_disabled: s.err_disabled,
        crc: s.crc,
        in_errors: s.in_errors,
    }
}

/// The port state a recorded poll reading stands for (what `recover` replays).
pub(crate) fn state_of(port: &str, r: &PollReading) -> PortState {
    PortState {
        port: port.to_string(),
        admin: r.admin,
        oper: r.oper,
        link_changes: r.link_changes,
        link_downs: r.link_downs,
        link_ups: r.link_ups,
        last_change_s: r.last_change_s,
        err_disabled: r.err_disabled,
        crc: r.crc,
        in_errors: r.in_errors,
        ..Default::default()
    }
}

/// The writes of one device's watch.
pub(crate) trait WatchRecords {
    fn transition(&self, device: &str, port: &str, t: &Transition) -> std::io::Result<()>;
    fn unseen(&self, device: &str, port: &str, u: &Unseen) -> std::io::Result<()>;
    fn err_disabled(&self, device: &str, port: &str, at: SystemTime) -> std::io::Result<()>;
    fn sighting(&self, s: &Sighting) -> std::io::Result<()>;
    fn poll(&self, device: &str, port: &str, at: SystemTime, s: &PortState) -> std::io::Result<()>;
    fn mark(&self, device: &str, kind: EventKind, at: SystemTime) -> std::io::Result<()>;
}

impl WatchRecords for RunFolder {
    fn transition(&self, device: &str, port: &str, t: &Transition) -> std::io::Result<()> {
        let row = FlapRow {
            time: stamp(t.time),
            device: device.into(),
            port: port.into(),
            event: if t.up { FlapEvent::Up } else { FlapEvent::Down },
            flaps: u64::from(!t.up),
            sources: Sources(t.sources.clone()),
            ..Default::default()
        };
        self.flap(t.time, t.time, row)
    }

    fn unseen(&self, device: &str, port: &str, u: &Unseen) -> std::io::Result<()> {
        let row = FlapRow {
            time: stamp(u.to),
            device: device.into(),
            port: port.into(),
            event: FlapEvent::Unseen,
            flaps: u.flaps,
            sources: Sources([FlapSource::Counters].into()),
            window_from: stamp(u.from),
            window_to: stamp(u.to),
            traffic: String::new(),
        };
        self.flap(u.from, u.to, row)
    }

    fn err_disabled(&self, device: &str, port: &str, at: SystemTime) -> std::io::Result<()> {
        let row = FlapRow {
            time: stamp(at),
            device: device.into(),
            port: port.into(),
            event: FlapEvent::ErrDisabled,
            flaps: 0,
            sources: Sources([FlapSource::State].into()),
            ..Default::default()
        };
        self.flap(at, at, row)
    }

    fn sighting(&self, s: &Sighting) -> std::io::Result<()> {
        RunFolder::sighting(
            self,
            EventLine {
                seq: 0,
                time: stamp(s.time),
                device: s.device.into(),
                port: s.port.into(),
                state: LinkState::of(s.up),
                source: s.source,
                link_changes: None,
                kind: EventKind::Sighting,
                window_ms: Some(s.window.as_millis() as u64),
                poll: None,
            },
        )
    }

    fn poll(&self, device: &str, port: &str, at: SystemTime, s: &PortState) -> std::io::Result<()> {
        RunFolder::sighting(
            self,
            EventLine {
                seq: 0,
                time: stamp(at),
                device: device.into(),
                port: port.into(),
                state: LinkState::of(s.is_up() == Some(true)),
                source: FlapSource::State,
                link_changes: s.link_changes.or(s.link_downs),
                kind: EventKind::Poll,
                window_ms: None,
                poll: Some(reading(s)),
            },
        )
    }

    fn mark(&self, device: &str, kind: EventKind, at: SystemTime) -> std::io::Result<()> {
        RunFolder::sighting(
            self,
            EventLine {
                seq: 0,
                time: stamp(at),
                device: device.into(),
                kind,
                ..Default::default()
            },
        )
    }
}
