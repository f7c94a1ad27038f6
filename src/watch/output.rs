//! What the watch writes into the run folder ([`crate::record::folder::RunFolder`]): its
//! settled events as flaps.csv rows and its sightings as events.jsonl lines, built here
//! from the timeline's types (the formats themselves live in [`crate::record::rows`]).

use std::time::SystemTime;

use super::timeline::{Transition, Unseen};
use crate::format::manifest::FlapSource;
use crate::record::folder::RunFolder;
use crate::record::rows::{EventLine, FlapRow, Sources};
use crate::record::stamp;
use crate::states::{FlapEvent, LinkState};

/// A port's state as one source saw it (a log line, a poll that found it changed).
pub(crate) struct Sighting<'a> {
    pub(crate) time: SystemTime,
    pub(crate) device: &'a str,
    pub(crate) port: &'a str,
    pub(crate) up: bool,
    pub(crate) source: FlapSource,
    /// The flap counter at a poll, where the vendor keeps one.
    pub(crate) link_changes: Option<u64>,
}

/// The writes of one device's watch.
pub(crate) trait WatchRecords {
    fn transition(&self, device: &str, port: &str, t: &Transition) -> std::io::Result<()>;
    fn unseen(&self, device: &str, port: &str, u: &Unseen) -> std::io::Result<()>;
    fn err_disabled(&self, device: &str, port: &str, at: SystemTime) -> std::io::Result<()>;
    fn sighting(&self, s: &Sighting) -> std::io::Result<()>;
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
                link_changes: s.link_changes,
            },
        )
    }
}
