//! One simulated switch's state, shared by all its sessions: ports and their link model,
//! running and startup config, the log buffer, and the ground truth of every link change.

use std::collections::VecDeque;
use std::time::{Instant, SystemTime};

use tokio::sync::broadcast;

/// A port of the simulated switch.
#[derive(Debug, Clone)]
pub struct SimPort {
    /// Type name as the vendor spells it in full ("GigabitEthernet", "TenGigabitEthernet ").
    pub long_type: &'static str,
    pub short_type: &'static str,
    /// Number part ("0/1", "1/1/1").
    pub number: String,
    pub speed_mbps: u64,
    /// The speed the data plane forwards at where it scales ports down (`--max-gbit-s`):
    /// what the port shows, so a benchmark's line rate is what it gets.
    pub line_mbps: Option<u64>,
    pub admin_up: bool,
    /// A peer is plugged in (the lab cables this port, or the simulator was told all are).
    pub cabled: bool,
    /// Held down by flap injection right now.
    pub flap_down: bool,
    pub oper_up: bool,
    pub err_disabled: bool,
    pub link_changes: u64,
    pub last_change: Instant,
    pub in_errors: u64,
    pub crc: u64,
    pub resets: u64,
    /// Frames and bytes the data plane moved through the port (GSO super-frames counted
    /// as the packets they stand for); zero without a data plane.
    pub traffic: PortTraffic,
    pub description: Option<String>,
    /// Recent link-down times, for the err-disable rule (more than 5 flaps in 10 s).
    pub recent_downs: VecDeque<Instant>,
    /// What its cage holds.
    pub slot: Slot,
}

/// A port's cage: a fixed RJ45 port has none; a pluggable one holds a module or nothing.
#[derive(Debug, Clone)]
pub enum Slot {
    Fixed,
    /// Pluggable, and the simulator was told nothing of what is in it: it says nothing.
    Unknown,
    Empty,
    Module(super::module::Module),
}

impl Slot {
    /// Pluggable ports are the 10G and faster ones; what they hold is the lab's cable, or
    /// the part its `sim` names (`absent`: nothing), or an SR optic where the lab says
    /// nothing of the port's cable; unknown where the simulator has no cabling at all
    /// (`cable` None). Err(part) for a part the simulator cannot read.
    pub fn for_port(
        p: &SimPort,
        cable: Option<Option<&super::Cabling>>,
        idx: usize,
    ) -> Result<Slot, String> {
        let Some(cable) = cable else {
            return Ok(match p.speed_mbps < 10_000 {
                true => Slot::Fixed,
                false => Slot::Unknown,
            });
        };
        use super::module::Module;
        if let Some(part) = cable.and_then(|c| c.transceiver.as_deref()) {
            if part.eq_ignore_ascii_case("absent") {
                return Ok(Slot::Empty);
            }
            let m = Module::for_part(part, idx).ok_or_else(|| part.to_string())?;
            let drift = cable.and_then(|c| c.rx_drift_db).unwrap_or(0.0);
            return Ok(Slot::Module(m.with_rx_drift(drift)));
        }
        if p.speed_mbps < 10_000 {
            return Ok(Slot::Fixed);
        }
        let declared = cable.and_then(|c| Module::for_cable(c.kind.as_deref(), c.length_m, idx));
        let m = declared.unwrap_or_else(|| Module::optic(idx));
        let drift = cable.and_then(|c| c.rx_drift_db).unwrap_or(0.0);
        Ok(Slot::Module(m.with_rx_drift(drift)))
    }

    pub fn module(&self) -> Option<&super::module::Module> {
        match self {
            Slot::Module(m) => Some(m),
            _ => None,
        }
    }
}

/// A port's packet and byte counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortTraffic {
    pub in_packets: u64,
    pub in_bytes: u64,
    pub out_packets: u64,
    pub out_bytes: u64,
    /// Frames the modelled switch took in on the port and dropped (input queue full and
    /// the like), as its `show interfaces` counts them.
    pub in_discards: u64,
    /// Frames the modelled switch had to send from the port and dropped (output queue
    /// full, the port down), as its `show interfaces` counts them.
    pub out_discards: u64,
}

impl SimPort {
    /// The speed the port shows: what it forwards at (Mbit/s).
    pub fn shown_mbps(&self) -> u64 {
        self.line_mbps.unwrap_or(self.speed_mbps)
    }

    /// The shown speed in whole Gbit/s with `giga` after it where it is, else in Mbit/s
    /// with `mega`: `10Gb/s`, `400Mb/s`.
    pub fn shown_speed(&self, giga: &str, mega: &str) -> String {
        match self.shown_mbps() {
            m if m >= 1000 && m % 1000 == 0 => format!("{}{giga}", m / 1000),
            m => format!("{m}{mega}"),
        }
    }

    pub fn long(&self) -> String {
        format!("{}{}", self.long_type, self.number)
    }
    pub fn short(&self) -> String {
        format!("{}{}", self.short_type, self.number)
    }
}

/// One link change that really happened, for tests to compare detections against.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthEvent {
    pub time: SystemTime,
    pub device: String,
    pub port: String,
    pub up: bool,
}

/// A config section: a top-level line and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub head: String,
    pub lines: Vec<(String, String)>,
}

/// A log message as the device records it: time and text.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub time: SystemTime,
    pub text: String,
}

#[derive(Debug)]
pub struct Device {
    pub name: String,
    pub hostname: String,
    pub ports: Vec<SimPort>,
    /// Accepted config, as (section head, [(key, line)]); global lines live under head "".
    pub running: Vec<Section>,
    pub startup: Option<Vec<Section>>,
    pub log_buffer: VecDeque<LogLine>,
    pub truth: Vec<TruthEvent>,
    pub booted: Instant,
    pub secret: Option<String>,
    pub user: String,
    pub password: String,
    /// Factory-fresh: the console starts in the initial-configuration dialog.
    pub factory: bool,
    /// Asynchronous log lines for console sessions.
    pub console_tx: broadcast::Sender<String>,
    pub zerotouch: bool,
    /// Hosts and ports `logging host` named; log messages go there by UDP syslog (RFC 3164
    /// framing).
    pub syslog_targets: Vec<(String, u16)>,
    /// Where `logging host` without a port sends.
    pub syslog_port: u16,
    /// Syslog datagrams name the host (else IOS's default `<PRI>SEQ: TEXT`), and go out
    /// from this address (a loopback address of the test's own, say).
    pub syslog_names_host: bool,
    pub syslog_source: Option<std::net::IpAddr>,
    pub syslog_seq: u64,
    /// How far its clock is off, in seconds (`show clock`).
    pub clock_offset_s: i64,
    /// Flaps to inject when a typed command line starts with the text (once each), the
    /// flap's `at` later: a flap at a known point of a config push, or some time after it.
    pub flap_on_command: Vec<(String, super::link::Flap)>,
    /// The flap schedule's clock starts when a typed command line first starts with this
    /// text (`SimOptions::flaps_from`), so tests trigger flaps from what the client does,
    /// not from wall-clock offsets a loaded machine can miss.
    pub schedule_trigger: Option<(String, std::sync::Arc<tokio::sync::Notify>)>,
    /// A command line starting with this text never ends (`SimOptions::hang_on`).
    pub hang_on: Option<String>,
}

impl Device {
    /// A command line was typed: the flaps it sets off (once each), and the flap
    /// schedule's clock started if it waits for this line.
    pub fn typed(&mut self, line: &str) -> Vec<super::link::Flap> {
        let typed = line.trim().to_lowercase();
        let (due, keep) = std::mem::take(&mut self.flap_on_command)
            .into_iter()
            .partition(|(text, _)| typed.starts_with(&text.to_lowercase()));
        self.flap_on_command = keep;
        if self
            .schedule_trigger
            .as_ref()
            .is_some_and(|(text, _)| typed.starts_with(&text.to_lowercase()))
            && let Some((_, start)) = self.schedule_trigger.take()
        {
            start.notify_one();
        }
        due.into_iter().map(|(_, f)| f).collect()
    }

    /// Whether `line` is the command that never ends.
    pub fn hangs_on(&self, line: &str) -> bool {
        let typed = line.trim().to_lowercase();
        self.hang_on
            .as_ref()
            .is_some_and(|h| typed.starts_with(&h.to_lowercase()))
    }

    pub fn port_index(&self, long_or_short: &str) -> Option<usize> {
        let want = squash(long_or_short);
        self.ports.iter().position(|p| {
            squash(&p.long()) == want || squash(&p.short()) == want || p.number == want
        })
    }

    /// Where `p` (one of this device's ports) stands in its port list: what its MAC address
    /// and ifIndex are made from. Type and number together, as `Gi0/1` and `Te0/1` differ.
    pub fn position_of(&self, p: &SimPort) -> usize {
        self.ports
            .iter()
            .position(|x| x.number == p.number && x.long_type == p.long_type)
            .unwrap_or(0)
    }

    /// Recompute a port's oper state; returns Some(up) when it changed.
    /// Port `idx` brought up as a baseline's `no shutdown` would: admin up, and the
    /// factory `shutdown` gone from its section of the running config.
    /// What `clear counters` does: every port's counters from zero (its state stays).
    pub fn clear_counters(&mut self) {
        for p in &mut self.ports {
            p.link_changes = 0;
            p.in_errors = 0;
            p.crc = 0;
            p.resets = 0;
        }
    }

    pub fn bring_up(&mut self, idx: usize) -> Option<bool> {
        self.ports[idx].admin_up = true;
        let own = format!(" {}", self.ports[idx].long());
        for s in self.running.iter_mut().filter(|s| s.head.ends_with(&own)) {
            s.lines
                .retain(|(k, l)| !(k == "admin-state" && l == "shutdown"));
        }
        self.refresh_oper(idx)
    }

    pub fn refresh_oper(&mut self, idx: usize) -> Option<bool> {
        let now = Instant::now();
        let p = &mut self.ports[idx];
        let up = p.admin_up && p.cabled && !p.flap_down && !p.err_disabled;
        if up == p.oper_up {
            return None;
        }
        p.oper_up = up;
        p.link_changes += 1;
        p.last_change = now;
        if !up {
            p.recent_downs.push_back(now);
            while p
                .recent_downs
                .front()
                .is_some_and(|t| now.duration_since(*t).as_secs_f64() > 10.0)
            {
                p.recent_downs.pop_front();
            }
        }
        self.truth.push(TruthEvent {
            time: SystemTime::now(),
            device: self.name.clone(),
            port: self.ports[idx].long(),
            up,
        });
        Some(up)
    }

    /// Record a log line in the buffer and send it to the console sessions.
    pub fn log(&mut self, text: String) {
        self.log_buffer.push_back(LogLine {
            time: SystemTime::now(),
            text: text.clone(),
        });
        while self.log_buffer.len() > 1000 {
            self.log_buffer.pop_front();
        }
        self.syslog_seq += 1;
        self.send_syslog(&text);
        let _ = self.console_tx.send(text);
    }

    fn send_syslog(&self, text: &str) {
        if self.syslog_targets.is_empty() {
            return;
        }
        let from = self
            .syslog_source
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let Ok(sock) = std::net::UdpSocket::bind((from, 0)) else {
            return;
        };
        let msg = if self.syslog_names_host {
            let stamp = jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .strftime("%b %e %H:%M:%S")
                .to_string();
            let host = self.hostname.replace(' ', "-");
            format!("<189>{stamp} {host} {}", text.trim())
        } else {
            format!("<189>{}: {}", self.syslog_seq, text.trim())
        };
        for (host, port) in &self.syslog_targets {
            let _ = sock.send_to(msg.as_bytes(), (host.as_str(), *port));
        }
    }

    pub fn section_mut(&mut self, head: &str) -> &mut Section {
        if let Some(i) = self.running.iter().position(|s| s.head == head) {
            return &mut self.running[i];
        }
        self.running.push(Section {
            head: head.to_string(),
            lines: Vec::new(),
        });
        let last = self.running.len() - 1;
        &mut self.running[last]
    }

    /// Store a config line under a section, replacing a line with the same key.
    pub fn store(&mut self, head: &str, key: &str, line: &str) {
        let s = self.section_mut(head);
        match s.lines.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = line.to_string(),
            None => s.lines.push((key.to_string(), line.to_string())),
        }
    }

    pub fn unstore(&mut self, head: &str, key: &str) {
        if let Some(s) = self.running.iter_mut().find(|s| s.head == head) {
            s.lines.retain(|(k, _)| k != key);
        }
    }
}

pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// The device, even from a thread that panicked holding it (the simulator's state stays
/// usable for the tests that read it).
pub fn lock(dev: &std::sync::Arc<std::sync::Mutex<Device>>) -> std::sync::MutexGuard<'_, Device> {
    switchlab::locks::lock(dev)
}
