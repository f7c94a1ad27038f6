//! Watching one device: poll its interfaces (counters, states), take every log line the
//! session shows as it arrives, read its log buffer now and then, and fold all of it into
//! the ports' timelines; between polls it keeps listening, so console times stay exact.
//!
//! [`DeviceWatch`] works on a driver someone else opened, so `run` can start the watch,
//! push a config over the same session (a console has only one), and go on watching:
//! log lines the push met keep their times and join the timeline at the next poll.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use super::hints::PortFacts;
use super::output::{Sighting, WatchRecords};
use super::timeline::PortTimeline;
use super::{End, WatchOptions};
use crate::driver::session::{DeviceError, open};
use crate::driver::{Driver, DriverError};
use crate::format::lab::Device;
use crate::format::manifest::FlapSource;
use crate::parse::{Parsed, parse_output};
use crate::record::folder::RunFolder;
use crate::record::rows::PortRow;
use crate::vendor::Vendor;

struct Watched {
    name: String,
    facts: PortFacts,
    tl: PortTimeline,
    written: usize,
    unseen_written: usize,
    err_disabled_written: bool,
    /// The device rejected the command that shows this port (`cmd` rejected: message);
    /// it is not asked again, and the port has no verdict.
    rejected: Option<String>,
    /// What the last poll found (oper up, flap counter): a change goes to events.jsonl.
    last_polled: Option<(bool, Option<u64>)>,
}

/// Polls recorded in full in the transcript at the start of a watch (the baseline and, in a
/// run, the one after the push), besides the last: the ones between repeat the same show
/// command, and an hour of them would be gigabytes.
const RECORDED_POLLS: u32 = 2;

/// What settled on a port, as the live display hears it.
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

/// Called with (device, port, event, when the port changed state) as events settle (an
/// unseen flap: the end of the window it fell in).
pub type OnEvent<'a> = &'a (dyn Fn(&str, &str, WatchEvent, SystemTime) + Sync);

/// The watch of one device's ports, fed by polls on a driver it does not own.
pub struct DeviceWatch<'a> {
    dev: &'a Device,
    vendor: &'a Vendor,
    opts: &'a WatchOptions,
    folder: &'a RunFolder,
    on_event: OnEvent<'a>,
    ports: BTreeMap<String, Watched>,
    /// The log buffer's lines at the last read, with how often each occurred (a device
    /// that stamps to the second logs two flaps in one second as identical lines).
    seen_buffer: HashMap<String, usize>,
    /// How far apart two sources' sightings of one change may be at the nominal pace.
    tolerance: Duration,
    polls: u32,
    last_poll: Instant,
    /// When the previous poll and the last buffer read happened: what a poll or a buffer
    /// read reports happened since then, however slow the session (a 9600-baud console).
    prev_poll: SystemTime,
    last_buffer_read: SystemTime,
    /// The device rejected the log-buffer command: said once, the buffer is not read again.
    buffer_rejected: Option<String>,
    /// Where its syslog comes from (claimed in the receiver's inbox).
    senders: Vec<std::net::IpAddr>,
    /// The syslog receiver stopped, and why.
    syslog_stopped: Option<String>,
    /// The transcript could not be written (a full disk): said, as a problem of the device.
    transcript_lost: Option<String>,
}

/// Slack around the windows above: device and local clocks, log lines mid-output.
const SLACK: Duration = Duration::from_secs(2);

/// How one device's watch ended.
pub struct WatchEnd {
    /// One ports.csv row per watched port (none if the first poll never happened).
    pub rows: Vec<PortRow>,
    /// The error that ended the watch early, if one did (the rows then cover the watch up
    /// to it, and ports that had not failed are `lost`).
    pub error: Option<DeviceError>,
    /// What went wrong without ending it ([`DeviceWatch::problems`]).
    pub problems: Vec<String>,
}

/// Watch `dev` on a session of its own until `end`.
pub async fn watch_device(
    dev: &Device,
    vendor: &Vendor,
    opts: &WatchOptions,
    folder: &RunFolder,
    on_event: OnEvent<'_>,
    end: End,
) -> WatchEnd {
    let transcript = folder.path.join(format!("transcripts/{}.log", dev.name()));
    let mut w = DeviceWatch::new(dev, vendor, opts, folder, on_event);
    let started = async {
        let mut d = open(dev, vendor, &opts.connect, Some(&transcript)).await?;
        w.begin(&mut d).await?;
        Ok::<_, DeviceError>(d)
    }
    .await;
    let error = match started {
        Ok(mut d) => w.run_until(&mut d, end).await.err(),
        Err(e) => {
            return WatchEnd {
                rows: Vec::new(),
                problems: w.problems(),
                error: Some(e),
            };
        }
    };
    let problems = w.problems();
    WatchEnd {
        rows: w.finish(error.as_ref()),
        error,
        problems,
    }
}

impl<'a> DeviceWatch<'a> {
    /// The device's lab ports (those `opts.ports` names, or all), none polled yet.
    pub fn new(
        dev: &'a Device,
        vendor: &'a Vendor,
        opts: &'a WatchOptions,
        folder: &'a RunFolder,
        on_event: OnEvent<'a>,
    ) -> DeviceWatch<'a> {
        let mut ports = BTreeMap::new();
        for p in &dev.ports {
            let name = p.name.get_ref();
            if !opts.ports.is_empty() && !opts.ports.iter().any(|w| vendor.same_port(w, name)) {
                continue;
            }
            let facts = PortFacts {
                cable_kind: p.cable.as_ref().map(|c| c.kind.as_str().to_string()),
                length_m: p.cable.as_ref().and_then(|c| c.length_m),
                nic: p.peer.as_ref().and_then(|p| p.nic.clone()),
                ..Default::default()
            };
            ports.insert(
                vendor.port_key(name),
                Watched {
                    name: name.clone(),
                    facts,
                    tl: PortTimeline::default(),
                    written: 0,
                    unseen_written: 0,
                    err_disabled_written: false,
                    rejected: None,
                    last_polled: None,
                },
            );
        }
        let senders = dev.sender_addresses();
        if let Some(inbox) = &opts.syslog {
            inbox.claim(&senders);
        }
        DeviceWatch {
            dev,
            vendor,
            opts,
            folder,
            on_event,
            ports,
            seen_buffer: HashMap::new(),
            tolerance: opts.interval * opts.buffer_every.max(1) + SLACK,
            polls: 0,
            last_poll: Instant::now(),
            prev_poll: SystemTime::now(),
            last_buffer_read: SystemTime::now(),
            buffer_rejected: None,
            senders,
            syslog_stopped: None,
            transcript_lost: None,
        }
    }

    fn uses(&self, s: FlapSource) -> bool {
        match s {
            FlapSource::Buffer if self.buffer_rejected.is_some() => false,
            s => self.opts.sources.contains(&s),
        }
    }

    /// The log buffer's lines, or None when the device rejects the command: that is said
    /// once (a problem of the device) and the watch goes on with its other sources.
    async fn buffer(&mut self, d: &mut Driver) -> Result<Option<Vec<String>>, DeviceError> {
        match read_buffer(d, &self.vendor.profile.commands.logging).await {
            Ok(lines) => Ok(Some(lines)),
            Err(DeviceError::Driver(e @ DriverError::CommandRejected { .. })) => {
                tracing::warn!("{e}; the log buffer is left out of this watch");
                self.buffer_rejected = Some(format!("log buffer not read: {e}"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The starting point: what the log buffer already holds is history, not news; the
    /// first poll is the counters' baseline.
    pub async fn begin(&mut self, d: &mut Driver) -> Result<(), DeviceError> {
        if self.uses(FlapSource::Buffer)
            && let Some(old) = self.buffer(d).await?
        {
            fresh_lines(&mut self.seen_buffer, old);
            self.last_buffer_read = SystemTime::now();
        }
        d.ch.log_lines.clear();
        self.poll(d, false).await
    }

    /// Poll every interval, listening between polls, until the time `until` holds (it may
    /// be set or moved while the watch runs; None = not yet known), then a last poll.
    pub async fn run_until(&mut self, d: &mut Driver, until: End) -> Result<(), DeviceError> {
        loop {
            let end = *until.borrow();
            let next = self.last_poll + self.opts.interval;
            let next = end.map_or(next, |e| next.min(e));
            // Not a sleep: the session is read until the next poll, so log lines keep their times.
            d.ch.listen_until(next).await?;
            let done = end.is_some_and(|e| Instant::now() >= e);
            self.poll(d, done).await?;
            if done {
                return Ok(());
            }
        }
    }

    /// One poll: the watched ports' state and counters, log lines the session showed and
    /// syslog messages since the last poll, now and then the log buffer; then write what
    /// has settled.
    async fn poll(&mut self, d: &mut Driver, last: bool) -> Result<(), DeviceError> {
        self.last_poll = Instant::now();
        let record = last || self.polls < RECORDED_POLLS;
        if !record && !d.ch.transcript.paused {
            d.ch.transcript.note(
                "the watch's polls from here to the last one are not recorded; what they found is in flaps.csv",
            );
        }
        d.ch.transcript.paused = !record;
        let now = SystemTime::now();
        // One change seen by two sources may be as far apart as the polls really were.
        let since_poll = now.duration_since(self.prev_poll).unwrap_or_default() + SLACK;
        let tolerance = self.tolerance.max(since_poll);
        let outputs = self.read_states(d, now).await?;
        self.take_log_lines(d, tolerance)
            .and_then(|()| self.take_states(outputs))
            .map_err(|e| self.io(e))?;
        self.polls += 1;
        let every = self.opts.buffer_every.max(1);
        if self.uses(FlapSource::Buffer) && (last || self.polls.is_multiple_of(every)) {
            self.read_buffer_news(d, tolerance).await?;
        }
        // Settled: what no later poll or buffer read can still match.
        let mut settled = self.prev_poll.min(now - self.tolerance);
        if self.uses(FlapSource::Buffer) {
            settled = settled.min(self.last_buffer_read);
        }
        self.prev_poll = now;
        d.ch.transcript.flush();
        if let Some(e) = d.ch.transcript.take_error() {
            self.transcript_lost.get_or_insert(e);
        }
        self.write_settled((!last).then(|| settled - SLACK))
            .map_err(|e| self.io(e))
    }

    /// A run folder write failed: the watch cannot keep its record, an error of the device.
    fn io(&self, error: std::io::Error) -> DeviceError {
        DeviceError::from(crate::channel::ChannelError::Io {
            device: self.dev.name().into(),
            error,
        })
    }

    /// The watched ports' `interfaces` output, each with the time its command went out:
    /// one command per port where the profile has one, else the whole switch's. A port
    /// whose command the device rejects is marked and not asked again (a problem of the
    /// device); when no port is left to read, or the whole-switch command is rejected,
    /// nothing can be watched and that is the device's error.
    async fn read_states(
        &mut self,
        d: &mut Driver,
        now: SystemTime,
    ) -> Result<Vec<(SystemTime, String)>, DeviceError> {
        let cmds = &self.vendor.profile.commands;
        let mut outputs = Vec::new();
        let Some(one) = &cmds.interface else {
            outputs.push((now, d.show(&cmds.interfaces).await?));
            return Ok(outputs);
        };
        let mut last_rejection = None;
        for w in self.ports.values_mut().filter(|w| w.rejected.is_none()) {
            let at = SystemTime::now();
            match d.show(&one.replace("{port}", &w.name)).await {
                Ok(out) => outputs.push((at, out)),
                Err(e @ DriverError::CommandRejected { .. }) => {
                    w.rejected = Some(e.to_string());
                    (self.on_event)(self.dev.name(), &w.name, WatchEvent::Unreadable, at);
                    last_rejection = Some(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(e) = last_rejection
            && self.ports.values().all(|w| w.rejected.is_some())
        {
            return Err(e.into());
        }
        Ok(outputs)
    }

    /// What went wrong without ending the watch: ports whose show command the device
    /// rejected, a rejected log-buffer command. Each is an error of the device in run.json.
    pub fn problems(&self) -> Vec<String> {
        let ports = self.ports.values().filter_map(|w| w.rejected.clone());
        ports
            .chain(self.buffer_rejected.clone())
            .chain(self.syslog_stopped.clone())
            .chain(self.transcript_lost.clone())
            .collect()
    }

    /// A log line's link event: into the port's timeline, and at once into events.jsonl.
    fn sighted(
        &mut self,
        ev: &crate::parse::LinkEvent,
        time: SystemTime,
        source: FlapSource,
        window: Duration,
    ) -> std::io::Result<()> {
        let Some(w) = self.ports.get_mut(&self.vendor.port_key(&ev.port)) else {
            return Ok(());
        };
        let up = ev.state == "up";
        w.tl.observe(time, up, source, window);
        WatchRecords::sighting(
            self.folder,
            &Sighting {
                time,
                device: self.dev.name(),
                port: &w.name,
                up,
                source,
                link_changes: None,
            },
        )
    }

    /// Link events from the console lines the session showed and from syslog.
    fn take_log_lines(&mut self, d: &mut Driver, tolerance: Duration) -> std::io::Result<()> {
        let vendor = self.vendor;
        for line in std::mem::take(&mut d.ch.log_lines) {
            if let (true, Some(ev)) = (self.uses(FlapSource::Console), &line.event) {
                self.sighted(ev, line.time, FlapSource::Console, tolerance)?;
            }
        }
        if let (Some(inbox), None) = (&self.opts.syslog, &self.syslog_stopped) {
            let names = [self.dev.hostname().to_string(), self.dev.name().to_string()];
            match inbox.take_for(&names, &self.senders) {
                Ok(messages) => {
                    for m in messages {
                        if let Some(ev) = crate::parse::link_event(vendor, &m.text) {
                            self.sighted(&ev, m.time, FlapSource::Syslog, tolerance)?;
                        }
                    }
                }
                Err(why) => {
                    // Said once; the other sources go on.
                    tracing::warn!("{}: {why}", self.dev.name());
                    self.syslog_stopped = Some(why);
                }
            }
        }
        Ok(())
    }

    /// Port states and counters from `read_states` into the timelines; a poll that finds
    /// a port's state or flap counter changed goes into events.jsonl at once.
    fn take_states(&mut self, outputs: Vec<(SystemTime, String)>) -> std::io::Result<()> {
        let vendor = self.vendor;
        let (counters, state) = (
            self.uses(FlapSource::Counters),
            self.uses(FlapSource::State),
        );
        if !(counters || state) {
            return Ok(());
        }
        for (at, out) in outputs {
            let rule = &vendor.profile.commands.interfaces;
            let Ok(Parsed::Ports(states)) = parse_output(vendor, rule, &out) else {
                continue;
            };
            for mut s in states {
                let Some(w) = self.ports.get_mut(&vendor.port_key(&s.port)) else {
                    continue;
                };
                if !counters {
                    s.link_changes = None;
                    s.last_change_s = None;
                }
                w.tl.poll(at, &s, self.opts.interval);
                let up = s.oper.as_deref() == Some("up");
                let now = (up, s.link_changes);
                if w.last_polled.replace(now).is_some_and(|was| was != now) {
                    WatchRecords::sighting(
                        self.folder,
                        &Sighting {
                            time: at,
                            device: self.dev.name(),
                            port: &w.name,
                            up,
                            source: FlapSource::State,
                            link_changes: s.link_changes,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Link events from the log buffer's new lines. A buffer line happened at some time
    /// since the last read, so it matches other sources' sightings that far back.
    async fn read_buffer_news(
        &mut self,
        d: &mut Driver,
        tolerance: Duration,
    ) -> Result<(), DeviceError> {
        let vendor = self.vendor;
        let Some(lines) = self.buffer(d).await? else {
            return Ok(());
        };
        let at = SystemTime::now();
        let since_read = at.duration_since(self.last_buffer_read).unwrap_or_default() + SLACK;
        let window = tolerance.max(since_read);
        for line in fresh_lines(&mut self.seen_buffer, lines) {
            if let Some(ev) = crate::parse::link_event(vendor, &line) {
                self.sighted(&ev, at, FlapSource::Buffer, window)
                    .map_err(|e| self.io(e))?;
            }
        }
        self.last_buffer_read = at;
        Ok(())
    }

    /// Append transitions from before `cutoff` (all of them when None), new unseen entries
    /// and newly err-disabled ports to flaps.csv.
    fn write_settled(&mut self, cutoff: Option<SystemTime>) -> std::io::Result<()> {
        let device = self.dev.name();
        for w in self.ports.values_mut() {
            while let Some(t) = w.tl.transitions.get(w.written) {
                if cutoff.is_some_and(|c| t.time > c) {
                    break;
                }
                self.folder.transition(device, &w.name, t)?;
                let e = if t.up {
                    WatchEvent::Up
                } else {
                    WatchEvent::Down
                };
                (self.on_event)(device, &w.name, e, t.time);
                w.written += 1;
            }
            // Unseen entries settle too: a log line read later may still turn one into a seen flap.
            while let Some(u) = w.tl.unseen.get(w.unseen_written) {
                if cutoff.is_some_and(|c| u.to > c) {
                    break;
                }
                if u.flaps > 0 {
                    self.folder.unseen(device, &w.name, u)?;
                    (self.on_event)(device, &w.name, WatchEvent::Unseen(u.flaps), u.to);
                }
                w.unseen_written += 1;
            }
            if let (false, Some(at)) = (w.err_disabled_written, w.tl.err_disabled_at) {
                self.folder.err_disabled(device, &w.name, at)?;
                (self.on_event)(device, &w.name, WatchEvent::ErrDisabled, at);
                w.err_disabled_written = true;
            }
        }
        Ok(())
    }

    /// The diagnosis: one ports.csv row per watched port. `lost`: the error that cut the
    /// watch short, if one did (its ports that had not failed by now are `lost`).
    pub fn finish(self, lost: Option<&DeviceError>) -> Vec<PortRow> {
        let cmds = &self.vendor.profile.commands;
        let now = jiff::Timestamp::now();
        let judge = super::diagnosis::Judge {
            device: self.dev.name(),
            hints: &self.opts.hints,
            max_flaps: self.opts.max_flaps_per_port as u64,
            polled: self.uses(FlapSource::State) || self.uses(FlapSource::Counters),
            shown_by: cmds.interface.as_deref().unwrap_or(&cmds.interfaces),
            lost: lost.map(|e| (format!("{now:.3}"), e.to_string())),
        };
        self.ports
            .values()
            .map(|w| judge.row(&w.name, &w.facts, &w.tl, w.rejected.as_deref()))
            .collect()
    }
}

/// The lines of a buffer read that the last read (`seen`) did not have, in order;
/// identical lines count by occurrence. `seen` becomes this read.
fn fresh_lines(seen: &mut HashMap<String, usize>, lines: Vec<String>) -> Vec<String> {
    let mut now: HashMap<String, usize> = HashMap::new();
    let mut fresh = Vec::new();
    for line in lines {
        let n = now.entry(line.clone()).or_default();
        *n += 1;
        if *n > seen.get(&line).copied().unwrap_or(0) {
            fresh.push(line);
        }
    }
    *seen = now;
    fresh
}

/// The log buffer's lines. The channel takes log-looking lines out of command output (so
/// they are not mistaken for it); here they are the output, so they are taken back.
async fn read_buffer(d: &mut Driver, command: &str) -> Result<Vec<String>, DeviceError> {
    let before = d.ch.log_lines.len();
    let out = d.show(command).await?;
    let mut lines: Vec<String> = d.ch.log_lines.drain(before..).map(|l| l.line).collect();
    lines.extend(
        out.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
    );
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn buffer_lines_are_new_by_occurrence_not_by_text() {
        let mut seen = HashMap::new();
        let down = "Nov 27 08:09:15 sw Ebra: Ethernet1 changed state to down";
        assert_eq!(
            fresh_lines(&mut seen, lines(&["boot", down])),
            lines(&["boot", down])
        );
        // A second flap in the same second logs the very same line: it is news.
        assert_eq!(
            fresh_lines(&mut seen, lines(&["boot", down, "up", down])),
            lines(&["up", down])
        );
        assert!(fresh_lines(&mut seen, lines(&["boot", down, "up", down])).is_empty());
    }
}
