//! A watch replayed from its events.jsonl through the same timeline and the same judge as
//! the live run: a killed run's ports are counted and judged as they would have been,
//! by the settings run.json took when the run started.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::diagnosis::{Judge, Watched};
use super::hints::{HintFile, PortFacts};
use super::output::state_of;
use super::timeline::PortTimeline;
use crate::format::Lab;
use crate::format::manifest::FlapSource;
use crate::record::rows::{EventLine, PortRow};
use crate::record::run::{FlapSettings, WatchedDevice};
use crate::states::EventKind;

/// Slack around a sighting's window, as the live watch allows (device and local clocks).
const SLACK: Duration = Duration::from_secs(2);

/// One device's watch as replayed.
pub(crate) struct Replayed {
    pub(crate) device: String,
    pub(crate) ports: Vec<PortRow>,
    /// Its watch reached its end (its last poll is in the events): verdicts are final.
    pub(crate) ended: bool,
}

/// Replay `events` for every device of `settings`; a device whose watch did not reach
/// its end has its ports that had not failed `lost` as of `stopped` (the last event).
pub(crate) fn replay(
    settings: &FlapSettings,
    lab: &Lab,
    events: &[EventLine],
    hints: &HintFile,
    stopped: &str,
) -> Vec<Replayed> {
    let interval = Duration::from_millis(settings.interval_ms.max(1));
    let window = interval * settings.buffer_every.max(1) + SLACK;
    let polled =
        (settings.sources.iter()).any(|s| matches!(s, FlapSource::State | FlapSource::Counters));
    let mut out = Vec::new();
    for wd in &settings.devices {
        let mut ports: BTreeMap<&str, PortTimeline> = (wd.ports.iter())
            .map(|p| (p.as_str(), PortTimeline::default()))
            .collect();
        let mut ended = false;
        for e in events.iter().filter(|e| e.device == wd.device) {
            let Some(at) = time(&e.time) else { continue };
            match e.kind {
                EventKind::JudgedFrom => ports.values_mut().for_each(|tl| tl.judge_from(at)),
                EventKind::Ended => ended = true,
                kind => {
                    if let Some(tl) = ports.get_mut(e.port.as_str()) {
                        feed(tl, e, kind, at, interval, window);
                    }
                }
            }
        }
        let judge = Judge {
            device: &wd.device,
            hints,
            max_flaps: u64::from(settings.max_flaps_per_port),
            polled,
            shown_by: &wd.shown_by,
            lost: (!ended).then(|| {
                let why = "the run was killed before its watch ended".to_string();
                (stopped.to_string(), why)
            }),
        };
        let rows = judged(&judge, wd, lab, ports);
        out.push(Replayed {
            device: wd.device.clone(),
            ports: rows,
            ended,
        });
    }
    out
}

/// One port's line into its timeline: a poll's reading, or a source's sighting.
fn feed(
    tl: &mut PortTimeline,
    e: &EventLine,
    kind: EventKind,
    at: SystemTime,
    interval: Duration,
    window: Duration,
) {
    match (kind, &e.poll) {
        (EventKind::Poll, Some(reading)) => {
            tl.poll(at, &state_of(&e.port, reading), interval);
        }
        _ => {
            let window = e.window_ms.map_or(window, Duration::from_millis);
            tl.observe(at, e.state.is_up(), e.source, window);
        }
    }
}

/// Every watched port of `wd` settled and judged, with its cabling from the lab.
fn judged(
    judge: &Judge,
    wd: &WatchedDevice,
    lab: &Lab,
    mut ports: BTreeMap<&str, PortTimeline>,
) -> Vec<PortRow> {
    let dev = lab.devices.iter().find(|d| d.name() == wd.device);
    let facts = |name: &str| {
        (dev.into_iter().flat_map(|d| &d.ports))
            .find(|p| p.name.get_ref() == name)
            .map(PortFacts::declared)
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for name in &wd.ports {
        let Some(tl) = ports.get_mut(name.as_str()) else {
            continue;
        };
        tl.settle(None);
        let cabling = facts(name);
        rows.push(judge.row(&Watched {
            name,
            cabling: &cabling,
            tl,
            rejected: None,
            expect_down: wd.expect_down.contains(name),
            shut: false,
        }));
    }
    rows
}

fn time(stamp: &str) -> Option<SystemTime> {
    let ts: jiff::Timestamp = stamp.parse().ok()?;
    let ms = u64::try_from(ts.as_millisecond()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
}
