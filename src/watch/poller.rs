//! Watching one device: poll its interfaces (counters, states), take every log line the
//! session shows as it arrives, read its log buffer now and then, and fold all of it into
//! the ports' timelines; between polls it keeps listening, so console times stay exact.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use super::WatchOptions;
use super::hints::PortFacts;
use super::output::{PortRow, RunFolder};
use super::timeline::PortTimeline;
use crate::format::lab::Device;
use crate::format::manifest::FlapSource;
use crate::parse::{Parsed, parse_output};
use crate::run::{DeviceError, open};
use crate::vendor::Vendor;

struct Watched {
    name: String,
    facts: PortFacts,
    tl: PortTimeline,
    written: usize,
    unseen_written: usize,
}

/// Watch `dev` for the options' duration; returns one ports.csv row per watched port.
pub async fn watch_device(
    dev: &Device,
    vendor: &Vendor,
    opts: &WatchOptions,
    folder: &RunFolder,
    mut on_event: impl FnMut(&str, &str, &str),
) -> Result<Vec<PortRow>, DeviceError> {
    let mut ports: BTreeMap<String, Watched> = BTreeMap::new();
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
            },
        );
    }
    let uses = |s: FlapSource| opts.sources.contains(&s);
    let tolerance = opts.interval * opts.buffer_every.max(1) + Duration::from_secs(2);
    let mut d = open(dev, vendor, &opts.connect).await?;
    let cmds = vendor.profile.commands.clone();
    // What the log buffer held before the watch started is history, not news.
    let mut seen_buffer: HashSet<String> = HashSet::new();
    if uses(FlapSource::Buffer) {
        seen_buffer.extend(read_buffer(&mut d, &cmds.logging).await?);
    }
    d.ch.log_lines.clear();
    let started = Instant::now();
    let mut polls: u32 = 0;
    loop {
        let poll_start = Instant::now();
        let now = SystemTime::now();
        let out = d.send_command(&cmds.interfaces).await?;
        for line in std::mem::take(&mut d.ch.log_lines) {
            if let (true, Some(ev)) = (uses(FlapSource::Console), &line.event)
                && let Some(w) = ports.get_mut(&vendor.port_key(&ev.port))
            {
                w.tl.observe(line.time, ev.state == "up", FlapSource::Console, tolerance);
            }
        }
        if let Some(inbox) = &opts.syslog {
            for m in inbox.take_for(&[dev.hostname().to_string(), dev.name().to_string()]) {
                if let Some(ev) = crate::parse::link_event(vendor, &m.text)
                    && let Some(w) = ports.get_mut(&vendor.port_key(&ev.port))
                {
                    w.tl.observe(m.time, ev.state == "up", FlapSource::Syslog, tolerance);
                }
            }
        }
        if let Ok(Parsed::Ports(states)) = parse_output(vendor, &cmds.interfaces, &out) {
            for s in states {
                if let Some(w) = ports.get_mut(&vendor.port_key(&s.port)) {
                    let mut s = s;
                    if !uses(FlapSource::Counters) {
                        s.link_changes = None;
                        s.last_change_s = None;
                    }
                    if uses(FlapSource::State) || uses(FlapSource::Counters) {
                        w.tl.poll(now, &s, opts.interval);
                    }
                }
            }
        }
        polls += 1;
        let done = started.elapsed() >= opts.duration;
        if uses(FlapSource::Buffer) && (done || polls.is_multiple_of(opts.buffer_every.max(1))) {
            let lines = read_buffer(&mut d, &cmds.logging).await?;
            let at = SystemTime::now();
            for line in lines {
                if !seen_buffer.insert(line.clone()) {
                    continue;
                }
                if let Some(ev) = crate::parse::link_event(vendor, &line)
                    && let Some(w) = ports.get_mut(&vendor.port_key(&ev.port))
                {
                    w.tl.observe(at, ev.state == "up", FlapSource::Buffer, tolerance);
                }
            }
        }
        write_settled(
            dev.name(),
            &mut ports,
            folder,
            if done { None } else { Some(tolerance) },
            &mut on_event,
        )
        .map_err(|error| crate::channel::ChannelError::Io {
            device: dev.name().into(),
            error,
        })?;
        if done {
            break;
        }
        // Not a sleep: the session is read until the next poll, so log lines keep their times.
        let next = (poll_start + opts.interval).min(started + opts.duration);
        d.ch.listen_until(next).await?;
    }
    Ok(ports
        .into_values()
        .map(|w| {
            let flaps = w.tl.flaps();
            let burst = w.tl.worst_burst(Duration::from_secs(10));
            let (crc, ie) = w.tl.error_deltas();
            let facts = PortFacts {
                flaps,
                burst,
                crc_delta: crc,
                ..w.facts.clone()
            };
            PortRow {
                device: dev.name().into(),
                port: w.name.clone(),
                flaps,
                unseen_flaps: w.tl.unseen.iter().map(|u| u.flaps).sum(),
                worst_burst_10s: burst,
                crc_delta: crc,
                in_errors_delta: ie,
                cable: match (&facts.cable_kind, facts.length_m) {
                    (Some(k), Some(l)) => format!("{l} m {k}"),
                    (Some(k), None) => k.clone(),
                    _ => String::new(),
                },
                nic: facts.nic.clone().unwrap_or_default(),
                verdict: if flaps <= opts.max_flaps_per_port as u64 {
                    "pass"
                } else {
                    "fail"
                }
                .into(),
                hint: opts.hints.explain(&facts).unwrap_or_default(),
            }
        })
        .collect())
}

/// The log buffer's lines. The channel takes log-looking lines out of command output (so
/// they are not mistaken for it); here they are the output, so they are taken back.
async fn read_buffer(
    d: &mut crate::driver::Driver,
    command: &str,
) -> Result<Vec<String>, DeviceError> {
    let before = d.ch.log_lines.len();
    let out = d.send_command(command).await?;
    let mut lines: Vec<String> = d.ch.log_lines.drain(before..).map(|l| l.line).collect();
    lines.extend(
        out.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
    );
    Ok(lines)
}

/// Append transitions older than `settle` (all of them when None) and new unseen entries.
fn write_settled(
    device: &str,
    ports: &mut BTreeMap<String, Watched>,
    folder: &RunFolder,
    settle: Option<Duration>,
    on_event: &mut impl FnMut(&str, &str, &str),
) -> std::io::Result<()> {
    let cutoff = settle.map(|s| SystemTime::now() - s);
    for w in ports.values_mut() {
        while let Some(t) = w.tl.transitions.get(w.written) {
            if cutoff.is_some_and(|c| t.time > c) {
                break;
            }
            folder.transition(device, &w.name, t)?;
            on_event(device, &w.name, if t.up { "up" } else { "down" });
            w.written += 1;
        }
        // Unseen entries settle too: a log line read later may still turn one into a seen flap.
        while let Some(u) = w.tl.unseen.get(w.unseen_written) {
            if cutoff.is_some_and(|c| u.to > c) {
                break;
            }
            if u.flaps > 0 {
                folder.unseen(device, &w.name, u)?;
                on_event(device, &w.name, &format!("{} unseen flap(s)", u.flaps));
            }
            w.unseen_written += 1;
        }
    }
    Ok(())
}
