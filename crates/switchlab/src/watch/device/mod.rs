//! Watching one device: poll its interfaces (counters, states), take every log line the
//! session shows as it arrives, read its log buffer now and then, and fold all of it into
//! the ports' timelines; between polls it keeps listening, so console times stay exact.
//!
//! [`DeviceWatch`] works on a driver someone else opened, so `run` can start the watch,
//! push a config over the same session (a console has only one), and go on watching:
//! log lines the push met keep their times and join the timeline at the next poll.
//!
//! Layout: this file (the loop: begin, poll, end), `sources` (what each source gives),
//! `settle` (what has settled goes to flaps.csv and to the live view).

mod settle;
mod sources;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use super::diagnosis::{Judge, Watched as Judged};
use super::events::{OnEvent, Problem};
use super::hints::PortFacts;
use super::output::WatchRecords;
use super::timeline::PortTimeline;
use super::{End, WatchOptions};
use crate::driver::Driver;
use crate::driver::session::DeviceError;
use crate::format::lab::Device;
use crate::format::manifest::FlapSource;
use crate::record::folder::RunFolder;
use crate::record::rows::PortRow;
use crate::record::run::WatchedDevice;
use crate::vendor::Vendor;

struct Watched {
    name: String,
    facts: PortFacts,
    tl: PortTimeline,
    err_disabled_written: bool,
    /// The device rejected the command that shows this port: it is not asked again, and
    /// the port has no verdict.
    rejected: Option<Problem>,
    /// The manifest expects it down (a deliberately unplugged port).
    expect_down: bool,
    /// Its running config says it is shut (looked up for a port without link).
    shut: bool,
    /// What the last poll found: a change goes to events.jsonl.
    last_polled: Option<crate::record::rows::PollReading>,
}

/// Polls recorded in full in the transcript at the start of a watch (the baseline and, in a
/// run, the one after the push), besides the last: the ones between repeat the same show
/// command, and an hour of them would be gigabytes.
const RECORDED_POLLS: u32 = 2;

/// Slack around the windows above: device and local clocks, log lines mid-output.
const SLACK: Duration = Duration::from_secs(2);

/// The lab ports of `dev` that its watch covers: those `opts.ports` names, or all.
fn watched_ports<'d>(
    dev: &'d Device,
    vendor: &Vendor,
    opts: &WatchOptions,
) -> impl Iterator<Item = &'d crate::format::lab::Port> {
    let named = |p: &&crate::format::lab::Port| {
        opts.ports.is_empty()
            || opts
                .ports
                .iter()
                .any(|w| vendor.same_port(w, p.name.get_ref()))
    };
    dev.ports.iter().filter(named)
}

/// How `dev`'s watch will be judged, for run.json when the run starts.
pub(crate) fn judged(dev: &Device, vendor: &Vendor, opts: &WatchOptions) -> WatchedDevice {
    let ports: Vec<String> = watched_ports(dev, vendor, opts)
        .map(|p| p.name.get_ref().clone())
        .collect();
    let expect_down = (ports.iter())
        .filter(|n| opts.expect_down.iter().any(|e| vendor.same_port(e, n)))
        .cloned()
        .collect();
    let cmds = &vendor.profile.commands;
    WatchedDevice {
        device: dev.name().to_string(),
        ports,
        expect_down,
        shown_by: cmds
            .interface
            .as_deref()
            .unwrap_or(&cmds.interfaces)
            .to_string(),
    }
}

/// The watch of one device's ports, fed by polls on a driver it does not own.
pub(crate) struct DeviceWatch<'a> {
    dev: &'a Device,
    vendor: &'a Vendor,
    opts: &'a WatchOptions,
    folder: &'a RunFolder,
    on_event: OnEvent<'a>,
    /// Boxed: a map's node has room for eleven, and most devices watch two ports.
    ports: BTreeMap<String, Box<Watched>>,
    /// The log buffer's lines at the last read, a hash each (a device that stamps to the
    /// second logs two flaps in one second as identical lines: each occurrence counts).
    seen_buffer: crate::channel::BufferSeen,
    /// How far apart two sources' sightings of one change may be at the nominal pace.
    tolerance: Duration,
    polls: u32,
    last_poll: Instant,
    /// When the previous poll and the last buffer read happened: what a poll or a buffer
    /// read reports happened since then, however slow the session (a 9600-baud console).
    prev_poll: SystemTime,
    last_buffer_read: SystemTime,
    /// What went wrong without ending the watch (rejected buffer, stopped syslog, lost
    /// transcript), each said once; unreadable ports are kept with their port.
    problems: Vec<Problem>,
    /// Where its syslog comes from (claimed in the receiver's inbox).
    senders: Vec<std::net::IpAddr>,
    /// The device rejected `commands.interface_list`: its ports are polled one command
    /// each from then on.
    list_rejected: bool,
}

impl<'a> DeviceWatch<'a> {
    /// The device's lab ports (those `opts.ports` names, or all), none polled yet.
    pub(crate) fn new(
        dev: &'a Device,
        vendor: &'a Vendor,
        opts: &'a WatchOptions,
        folder: &'a RunFolder,
        on_event: OnEvent<'a>,
    ) -> DeviceWatch<'a> {
        let mut ports = BTreeMap::new();
        for p in watched_ports(dev, vendor, opts) {
            let name = p.name.get_ref();
            let watched = Watched {
                name: name.clone(),
                facts: PortFacts::declared(p),
                tl: PortTimeline::default(),
                err_disabled_written: false,
                rejected: None,
                expect_down: opts.expect_down.iter().any(|e| vendor.same_port(e, name)),
                shut: false,
                last_polled: None,
            };
            ports.insert(vendor.port_key(name), Box::new(watched));
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
            seen_buffer: Default::default(),
            tolerance: opts.interval * opts.buffer_every.max(1) + SLACK,
            polls: 0,
            last_poll: Instant::now(),
            prev_poll: SystemTime::now(),
            last_buffer_read: SystemTime::now(),
            problems: Vec::new(),
            senders,
            list_rejected: false,
        }
    }

    fn uses(&self, s: FlapSource) -> bool {
        match s {
            FlapSource::Buffer if self.buffer_rejected() => false,
            s => self.opts.sources.contains(&s),
        }
    }

    fn buffer_rejected(&self) -> bool {
        self.problems
            .iter()
            .any(|p| matches!(p, Problem::BufferRejected { .. }))
    }

    /// A problem, said once.
    fn problem(&mut self, p: Problem) {
        if !self.problems.contains(&p) {
            tracing::warn!("{}: {p}", self.dev.name());
            self.problems.push(p);
        }
    }

    /// The starting point: what the log buffer already holds is history, not news; the
    /// first poll is the counters' baseline. Ports are judged by their link from here on
    /// until [`DeviceWatch::judge_from_now`] (the end of a push) moves that on.
    pub(crate) async fn begin(&mut self, d: &mut Driver) -> Result<(), DeviceError> {
        if self.uses(FlapSource::Buffer) && self.buffer(d).await?.is_some() {
            self.last_buffer_read = SystemTime::now();
        }
        d.take_log_lines();
        self.poll(d, false).await
    }

    /// From now on (the baseline is in), a port the polls never find up has no link.
    pub(crate) fn judge_from_now(&mut self) -> std::io::Result<()> {
        let now = SystemTime::now();
        for w in self.ports.values_mut() {
            w.tl.judge_from(now);
        }
        let kind = crate::states::EventKind::JudgedFrom;
        WatchRecords::mark(self.folder, self.dev.name(), kind, now)
    }

    /// Poll every interval, listening between polls, until the time `until` holds (it may
    /// be set or moved while the watch runs; None = not yet known), then a last poll.
    pub(crate) async fn run_until(
        &mut self,
        d: &mut Driver,
        until: End,
    ) -> Result<(), DeviceError> {
        loop {
            let end = *until.borrow();
            let next = self.last_poll + self.opts.interval;
            let next = end.map_or(next, |e| next.min(e));
            // Not a sleep: the session is read until the next poll, so log lines keep their times.
            d.listen_until(next).await?;
            let done = end.is_some_and(|e| Instant::now() >= e);
            self.poll(d, done).await?;
            if done {
                let kind = crate::states::EventKind::Ended;
                return WatchRecords::mark(self.folder, self.dev.name(), kind, SystemTime::now())
                    .map_err(|e| self.io(e));
            }
        }
    }

    /// One poll: the watched ports' state and counters, log lines the session showed and
    /// syslog messages since the last poll, now and then the log buffer; then write what
    /// has settled.
    async fn poll(&mut self, d: &mut Driver, last: bool) -> Result<(), DeviceError> {
        self.last_poll = Instant::now();
        d.record(
            last || self.polls < RECORDED_POLLS || self.opts.transcript_every_poll,
            "the watch's polls from here to the last one are not recorded; what they found is in flaps.csv",
        );
        let now = SystemTime::now();
        // One change seen by two sources may be as far apart as the polls really were.
        let since_poll = now.duration_since(self.prev_poll).unwrap_or_default() + SLACK;
        let tolerance = self.tolerance.max(since_poll);
        let outputs = self.read_states(d, now).await?;
        self.take_log_lines(d, tolerance)
            .and_then(|()| self.take_states(outputs, last))
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
        // A benchmark's loss account may be waiting for this poll's counters.
        self.opts.speeds.poll_done();
        if let Some(why) = d.flush_transcript() {
            self.problem(Problem::TranscriptLost { why });
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

    /// The watched ports, as the lab names them.
    pub(crate) fn port_names(&self) -> Vec<String> {
        self.ports.values().map(|w| w.name.clone()).collect()
    }

    /// What the cable audit saw in `port`: the cable the switch reports (its kind and
    /// length stand for the port's hint rules over the lab's declaration), what it says
    /// of the module (`absent`, `unsupported`), its findings.
    pub(crate) fn learn_cable(
        &mut self,
        port: &str,
        seen: Option<(crate::format::lab::CableKind, Option<f64>)>,
        transceiver: Option<&'static str>,
        notes: Vec<super::hints::CableNote>,
    ) {
        let Some(w) = self.ports.values_mut().find(|w| w.name == port) else {
            return;
        };
        if let Some((kind, length)) = seen {
            w.facts.cable_kind = Some(kind);
            w.facts.length_m = length.or(w.facts.length_m);
        }
        w.facts.transceiver = transceiver.map(String::from);
        w.facts.cable_notes = notes;
    }

    /// What went wrong without ending the watch: ports whose show command the device
    /// rejected, a rejected log-buffer command, a stopped receiver, a lost transcript.
    /// Each is an error of the device in run.json.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let ports = self.ports.values().filter_map(|w| w.rejected.clone());
        ports.chain(self.problems.iter().cloned()).collect()
    }

    /// The diagnosis: one ports.csv row per watched port, after everything still open is
    /// written. `lost`: the error that cut the watch short, if one did (its ports that had
    /// not failed by then are `lost`).
    pub(crate) fn finish(mut self, lost: Option<&DeviceError>) -> Vec<PortRow> {
        if let Err(e) = self.write_settled(None) {
            tracing::warn!("{}: flaps.csv: {e}", self.dev.name());
        }
        let cmds = &self.vendor.profile.commands;
        let now = jiff::Timestamp::now();
        let judge = Judge {
            device: self.dev.name(),
            hints: &self.opts.hints,
            max_flaps: self.opts.max_flaps_per_port as u64,
            polled: self.uses(FlapSource::State) || self.uses(FlapSource::Counters),
            shown_by: cmds.interface.as_deref().unwrap_or(&cmds.interfaces),
            lost: lost.map(|e| (format!("{now:.3}"), e.to_string())),
        };
        self.ports
            .values()
            .map(|w| {
                let rejected = match &w.rejected {
                    Some(Problem::PortUnreadable {
                        command, message, ..
                    }) => Some(format!("the device rejected `{command}`: {message}")),
                    _ => None,
                };
                judge.row(&Judged {
                    name: &w.name,
                    cabling: &w.facts,
                    tl: &w.tl,
                    rejected: rejected.as_deref(),
                    expect_down: w.expect_down,
                    shut: w.shut,
                })
            })
            .collect()
    }
}
