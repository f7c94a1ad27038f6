//! The live view of a watch or a run. On a terminal, one region redrawn in place: a line
//! per device (ports up, flaps so far, the last event, marked `?` while a slower source
//! may still move it), the busiest devices first when they do not all fit; it is never
//! printed again, so the scrollback keeps only what was said once. In a pipe, a line per
//! event as it is first sighted, saying when the port changed state (UTC, as flaps.csv
//! writes it); one said much later (a slow source) says how late.
//!
//! The port-ups a baseline push brings are said once per device ("came up after the
//! baseline"), not as events.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use switchlab::watch::{Certainty, Heard, WatchEvent};

/// An event said this long after the port changed state is called a late sighting.
pub(crate) const LATE: Duration = Duration::from_secs(5);

/// Ups this soon after a device's push are the baseline's doing.
const BASELINE_WINDOW: Duration = Duration::from_secs(30);

/// How far [`LiveBoard::baseline_lines`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flush {
    /// The devices whose window has closed.
    Due,
    /// Traffic is starting: what has come up so far, every device.
    Started,
    /// The run is ending: everything, every window closed.
    Closing,
}

/// `t` as the live view writes it: UTC, to the millisecond.
fn clock(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|t| t.strftime("%H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// What an event says of `port`: when it changed state, what happened, and how late it
/// is said when that is `LATE` or more.
pub(crate) fn describe(port: &str, what: WatchEvent, at: SystemTime, now: SystemTime) -> String {
    let late = now.duration_since(at).unwrap_or_default();
    let mut s = format!("{} {port} {what}", clock(at));
    if late >= LATE {
        s.push_str(&format!(
            " (late sighting: said {:.1} s after the change)",
            late.as_secs_f64()
        ));
    }
    s
}

#[derive(Debug, Clone, Default)]
struct PortLine {
    flaps: u64,
    up: Option<bool>,
    last: Option<(WatchEvent, SystemTime, Certainty)>,
}

#[derive(Debug, Default)]
struct DeviceLine {
    ports: BTreeMap<String, PortLine>,
    /// Its baseline's window, open from the end of its push until it closes.
    pushed: Option<Baseline>,
}

/// What came of a device's push so far.
#[derive(Debug)]
struct Baseline {
    /// When the push ended.
    at: SystemTime,
    /// The ports that came up since (said once, together).
    ups: Vec<String>,
    /// The ports that went down since: their next up ends a flap, not the push.
    downs: BTreeSet<String>,
}

pub(crate) struct LiveBoard {
    devices: BTreeMap<String, DeviceLine>,
    order: Vec<String>,
    max_flaps: u64,
    /// The region's lines on a terminal (None: a line per event).
    region: Option<Region>,
}

struct Region {
    multi: MultiProgress,
    slots: Vec<ProgressBar>,
}

impl LiveBoard {
    /// A line per device of `ports` (device, port); redrawn in `multi`'s region on a
    /// terminal (at most `rows` lines), else a line per event.
    pub(crate) fn new(
        ports: Vec<(String, String)>,
        max_flaps: u64,
        multi: Option<MultiProgress>,
        rows: usize,
    ) -> LiveBoard {
        let mut devices: BTreeMap<String, DeviceLine> = BTreeMap::new();
        let mut order = Vec::new();
        for (d, p) in ports {
            if !order.contains(&d) {
                order.push(d.clone());
            }
            devices
                .entry(d)
                .or_default()
                .ports
                .insert(p, PortLine::default());
        }
        let region = multi.map(|multi| {
            let style = ProgressStyle::with_template("{wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            let slots = (0..order.len().min(rows.max(2)))
                .map(|_| {
                    let b = multi.add(ProgressBar::new(1));
                    b.set_style(style.clone());
                    b
                })
                .collect();
            Region { multi, slots }
        });
        let board = LiveBoard {
            devices,
            order,
            max_flaps,
            region,
        };
        board.redraw();
        board
    }

    /// Take in what the watch heard; the line to print (in a pipe), if any.
    pub(crate) fn heard(&mut self, h: Heard, now: SystemTime) -> Option<String> {
        let dev = self.devices.get_mut(h.device)?;
        let port = dev.ports.entry(h.port.to_string()).or_default();
        // Ups and downs are counted and said when first sighted; what only a settled
        // view knows (unseen flaps, err-disable, an unreadable port) when it settles.
        let first = match (h.what, h.certainty) {
            (WatchEvent::Up | WatchEvent::Down, Certainty::Sighted) => true,
            (WatchEvent::Up | WatchEvent::Down, Certainty::Settled) => false,
            (_, Certainty::Settled) => true,
            (_, Certainty::Sighted) => false,
        };
        match h.what {
            WatchEvent::Up => port.up = Some(true),
            WatchEvent::Down => port.up = Some(false),
            _ => {}
        }
        if first {
            port.flaps += h.what.flaps();
        }
        port.last = Some((h.what, h.at, h.certainty));
        let window = (dev.pushed.as_mut())
            .filter(|b| h.at.duration_since(b.at).unwrap_or_default() < BASELINE_WINDOW);
        // Folded into the device's one "came up after the baseline" line: a first sighted
        // up, inside the window, of a port that has not gone down since the push.
        let folded = match window {
            Some(b) if first && h.what == WatchEvent::Down => {
                b.downs.insert(h.port.to_string());
                false
            }
            Some(b) if first && h.what == WatchEvent::Up && !b.downs.contains(h.port) => {
                if !b.ups.iter().any(|p| p == h.port) {
                    b.ups.push(h.port.to_string());
                }
                true
            }
            _ => false,
        };
        let said = (first && !folded)
            .then(|| describe(&format!("{} {}", h.device, h.port), h.what, h.at, now));
        self.redraw();
        said.filter(|_| self.region.is_none())
    }

    /// A device's push is in: the ups that follow are the baseline's.
    pub(crate) fn pushed(&mut self, device: &str, at: SystemTime) {
        if let Some(d) = self.devices.get_mut(device) {
            d.pushed = Some(Baseline {
                at,
                ups: Vec::new(),
                downs: BTreeSet::new(),
            });
        }
    }

    /// The lines naming the ports that came up after each device's baseline, one per
    /// device with any. A device's window closes when it has passed, when every port of
    /// the device is up (nothing more can come up), or when the run closes; traffic
    /// starting says what has come up so far and leaves the window open, since the
    /// watch may not have heard every up yet.
    pub(crate) fn baseline_lines(&mut self, now: SystemTime, flush: Flush) -> Vec<String> {
        let mut out = Vec::new();
        for name in &self.order {
            let Some(d) = self.devices.get_mut(name) else {
                continue;
            };
            let Some(Baseline { at, ups, .. }) = d.pushed.as_mut() else {
                continue;
            };
            let all_up = d.ports.values().all(|p| p.up == Some(true));
            let passed = now.duration_since(*at).unwrap_or_default() >= BASELINE_WINDOW;
            let closes = passed || all_up || flush == Flush::Closing;
            if !closes && flush == Flush::Due {
                continue;
            }
            if !ups.is_empty() {
                out.push(format!(
                    "{name}: came up after the baseline: {}",
                    ups.join(", ")
                ));
                ups.clear();
            }
            if closes {
                d.pushed = None;
            }
        }
        out
    }

    /// One line for a long watch in a pipe: flaps so far, ports failing.
    pub(crate) fn status(&self) -> String {
        let ports = self.devices.values().flat_map(|d| d.ports.values());
        let (mut flaps, mut flapping, mut failing, mut down) = (0, 0, 0, 0);
        for p in ports {
            flaps += p.flaps;
            flapping += usize::from(p.flaps > 0);
            failing += usize::from(p.flaps > self.max_flaps);
            down += usize::from(p.up == Some(false));
        }
        format!(
            "still watching: {flaps} flap(s) so far on {flapping} port(s); {failing} port(s) over the limit; {down} port(s) down now"
        )
    }

    /// The region goes away (the end of the run: the final tables follow).
    pub(crate) fn close(&mut self) {
        if let Some(r) = &self.region {
            for s in &r.slots {
                s.finish_and_clear();
            }
            let _ = r.multi.clear();
        }
    }

    /// The region's lines: the devices that need a look first (over the limit, flapping,
    /// down, then the run's order); a last line counts those left out.
    fn lines(&self, rows: usize) -> Vec<String> {
        let mut ranked: Vec<(usize, &String)> = self.order.iter().enumerate().collect();
        let attention = |name: &String| {
            let d = &self.devices[name];
            let worst = d.ports.values().map(|p| p.flaps).max().unwrap_or(0);
            let down = d.ports.values().any(|p| p.up == Some(false));
            (
                std::cmp::Reverse(u8::from(worst > self.max_flaps)),
                std::cmp::Reverse(worst),
                std::cmp::Reverse(u8::from(down)),
            )
        };
        ranked.sort_by_key(|(i, name)| (attention(name), *i));
        let shown = if ranked.len() > rows {
            rows - 1
        } else {
            ranked.len()
        };
        let mut out: Vec<String> = ranked[..shown]
            .iter()
            .map(|(_, n)| self.device_line(n))
            .collect();
        if ranked.len() > shown {
            out.push(format!("… and {} more device(s)", ranked.len() - shown));
        }
        out
    }

    fn device_line(&self, name: &str) -> String {
        let d = &self.devices[name];
        let up = d.ports.values().filter(|p| p.up == Some(true)).count();
        let flaps: u64 = d.ports.values().map(|p| p.flaps).sum();
        let last = d
            .ports
            .iter()
            .filter_map(|(port, p)| p.last.map(|l| (l.1, port, l)))
            .max_by_key(|(t, ..)| *t)
            .map(|(_, port, (what, at, c))| {
                let mark = if c == Certainty::Sighted { "?" } else { "" };
                format!("  last: {port} {what} {}{mark}", clock(at))
            })
            .unwrap_or_default();
        format!("{name}  {up}/{} up  flaps {flaps}{last}", d.ports.len())
    }

    fn redraw(&self) {
        let Some(r) = &self.region else { return };
        for (slot, line) in r.slots.iter().zip(self.lines(r.slots.len())) {
            slot.set_message(line);
        }
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
