//! What a simulated vendor is: its command grammar per mode (as data), its prompts, its
//! error wording, its show-command formats and its log messages. One file per vendor in
//! `sim/vendors/` fills a [`Dialect`]; the session engine is shared.

use std::time::SystemTime;

use super::state::{Device, SimPort, squash};

/// Where a CLI session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    User,
    Privileged,
    Config,
    /// An interface sub-mode, by port index.
    Interface(usize),
    /// A VLAN sub-mode (IOS `vlan 10`, FastIron `vlan 10 by port`, FTOS `interface Vlan 10`).
    Vlan(u16),
}

impl Mode {
    pub fn bit(&self) -> u8 {
        match self {
            Mode::User => USER,
            Mode::Privileged => PRIV,
            Mode::Config => CONF,
            Mode::Interface(_) => IF,
            Mode::Vlan(_) => VLAN,
        }
    }
}

pub const USER: u8 = 1;
pub const PRIV: u8 = 2;
pub const CONF: u8 = 4;
pub const IF: u8 = 8;
pub const VLAN: u8 = 16;
pub const EXEC: u8 = USER | PRIV;
pub const SUB: u8 = IF | VLAN;

/// What a command does; the engine implements each once for all vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Enable,
    Disable,
    /// `exit`: up one mode (logout from exec).
    Exit,
    /// `end`: back to privileged.
    End,
    Logout,
    Configure,
    TermLength,
    TermWidth,
    /// FastIron `skip-page-display`.
    SkipPage,
    ShowVersion,
    ShowClock,
    ShowInterfaces,
    ShowStatus,
    ShowLogging,
    ShowRunning,
    /// One interface's part of the running config (a port never configured shows its
    /// default: `shutdown` where ports start shut).
    ShowRunningInterface,
    ShowStartup,
    WriteMemory,
    CopyRunStart,
    ZerotouchCancel,
    ClearCounters,
    Hostname,
    Interface,
    /// Enter a VLAN sub-mode, storing the line as the section head.
    Vlan,
    AdminUp,
    AdminDown,
    Description,
    /// Store the line in the current section, nothing else.
    Store,
    /// `logging host ADDR`: store, and send log messages there by UDP syslog.
    LoggingHost,
    /// One of the dialect's module shows (`module_shows[i]`): transceivers, inventory, DOM.
    Modules(u8),
    /// Accept and do nothing (and store nothing).
    Nothing,
    /// EOS `configure session NAME`: config mode on a staged copy (`config_session`).
    ConfigSession,
    /// `rollback clean-config` in a session: the staged copy back to factory defaults.
    RollbackClean,
    /// `commit` in a session: the staged copy becomes the running config.
    Commit,
    /// `abort` in a session: the staged copy dropped.
    Abort,
}

/// One command of the grammar: the modes it is valid in, its words, what it does.
/// Pattern words: literals (abbreviable), `<port>` (a port name in any form), `<bare>`
/// (a bare port number such as 1/1/1), `<num>`, `<word>`, `<rest>` (the rest of the line).
#[derive(Debug, Clone, Copy)]
pub struct Cmd {
    pub modes: u8,
    pub pattern: &'static str,
    pub act: Act,
    /// A later line with the same literal words replaces this one in the running config.
    pub replace: bool,
}

pub const fn cmd(modes: u8, pattern: &'static str, act: Act) -> Cmd {
    Cmd {
        modes,
        pattern,
        act,
        replace: false,
    }
}

pub const fn set(modes: u8, pattern: &'static str, act: Act) -> Cmd {
    Cmd {
        modes,
        pattern,
        act,
        replace: true,
    }
}

/// How saving behaves.
#[derive(Debug, Clone, Copy)]
pub struct SaveStyle {
    /// Printed by `write memory` before any question.
    pub write_intro: &'static str,
    /// A yes/no question `write memory` asks (FASTPATH), and what a yes prints.
    pub write_confirm: Option<&'static str>,
    pub write_done: &'static str,
    /// `copy running-config startup-config`: its question and what follows the answer.
    pub copy_question: Option<&'static str>,
    pub copy_done: &'static str,
}

/// Console login wording.
#[derive(Debug, Clone, Copy)]
pub struct LoginStyle {
    pub banner: &'static str,
    pub user_prompt: &'static str,
    pub password_prompt: &'static str,
    pub failure: &'static str,
}

/// A simulated vendor: data plus formatting functions.
pub struct Dialect {
    pub name: &'static str,
    pub default_hostname: &'static str,
    pub commands: &'static [Cmd],
    pub ports: fn() -> Vec<SimPort>,
    /// Ports start shut (Force10, FASTPATH).
    pub ports_start_shut: bool,
    /// `exit` in a sub-mode leaves configuration altogether (FASTPATH as Netmiko's
    /// broadcom_icos driver expects it; UNSURE on a real Niagara).
    pub sub_exit_leaves_config: bool,
    /// A factory-fresh box refuses to save until ZeroTouch is cancelled (Arista).
    pub factory_zerotouch: bool,
    /// Config lines the running config does not show (IOS hides `no shutdown`).
    pub hidden: &'static [&'static str],
    pub prompt: fn(&str, &Mode) -> String,
    /// An invalid command: the full error text, given the prompt+line column of the bad word.
    pub invalid: fn(col: usize, word: &str) -> String,
    pub incomplete: &'static str,
    pub ambiguous: fn(&str) -> String,
    pub pager: &'static str,
    pub login: LoginStyle,
    pub enable_password_prompt: &'static str,
    pub enable_failure: &'static str,
    pub save: SaveStyle,
    pub term_length_reply: &'static str,
    pub term_width_reply: &'static str,
    pub show_version: fn(&Device) -> String,
    /// `show clock` at this moment of the switch's clock (UTC).
    pub show_clock: fn(jiff::Timestamp) -> String,
    pub show_interface: fn(&Device, &SimPort) -> String,
    pub show_status: fn(&Device) -> String,
    /// What `Act::Modules(i)` prints: the whole switch's modules, or one port's (a command
    /// with `<port>`).
    pub module_shows: &'static [fn(&Device, Option<&SimPort>) -> String],
    pub show_logging_header: &'static str,
    /// The log lines a link change produces.
    pub link_log: fn(&Device, &SimPort, bool, SystemTime) -> Vec<String>,
    /// How a section head for a port's interface looks in config.
    pub interface_head: fn(&SimPort) -> String,
    /// The running config lists every port's interface block, configured or not (IOS).
    pub lists_every_interface: bool,
    pub running_header: &'static str,
    /// Syslog datagrams carry the host name (RFC 3164). IOS leaves it out unless
    /// `logging origin-id hostname` is set: `<189>12: *Nov 27 05:00:01.000: %LINK-…`.
    pub syslog_names_host: bool,
    /// Syslog-style err-disable message, if the vendor err-disables on flaps.
    pub errdisable_log: Option<fn(&SimPort) -> String>,
}

/// `Mon dd hh:mm:ss.mmm` in UTC, the timestamp style of most switch logs.
pub fn log_stamp(t: SystemTime) -> String {
    let ts = jiff::Timestamp::try_from(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%b %e %H:%M:%S%.3f")
        .to_string()
}

/// "1 hours, 2 minutes" style ages, as EOS prints them.
pub fn age_words(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut parts = Vec::new();
    for (n, unit) in [(d, "days"), (h, "hours"), (m, "minutes"), (s, "seconds")] {
        if n > 0 || (unit == "seconds" && parts.is_empty()) {
            parts.push(format!("{n} {unit}"));
        }
    }
    parts.join(", ")
}

/// "hh:mm:ss" below a day, "1d02h" style above.
pub fn age_clock(secs: u64) -> String {
    if secs < 86400 {
        format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!(
            "{}d{:02}h{:02}m",
            secs / 86400,
            secs / 3600 % 24,
            secs / 60 % 60
        )
    }
}

/// The access VLAN of a port from the running config, whichever way the vendor sets it.
pub fn port_vlan(dev: &Device, p: &SimPort, head: &str) -> u16 {
    let own = dev.running.iter().find(|s| s.head == head);
    for (_, l) in own.map(|s| s.lines.as_slice()).unwrap_or_default() {
        for prefix in ["switchport access vlan ", "vlan pvid "] {
            if let Some(v) = l.strip_prefix(prefix).and_then(|v| v.trim().parse().ok()) {
                return v;
            }
        }
    }
    let (long, number) = (squash(&p.long()), squash(&p.number));
    for s in &dev.running {
        let id = s
            .head
            .split_whitespace()
            .find_map(|w| w.parse::<u16>().ok());
        let member = s.lines.iter().any(|(_, l)| {
            l.starts_with("untagged") && {
                let t = squash(
                    l.trim_start_matches("untagged")
                        .trim_start_matches(" ethernet"),
                );
                t == long || t == number
            }
        });
        if let (Some(id), true) = (id, member) {
            return id;
        }
    }
    1
}

/// A MAC address for a port, stable per device and port.
pub fn mac(base: u16, idx: usize) -> String {
    format!("001c.{base:04x}.{:04x}", idx + 1)
}

pub fn ports_of(
    long_type: &'static str,
    short_type: &'static str,
    prefix: &str,
    range: std::ops::RangeInclusive<u32>,
    speed_mbps: u64,
) -> Vec<SimPort> {
    range
        .map(|n| SimPort {
            long_type,
            short_type,
            number: format!("{prefix}{n}"),
            speed_mbps,
            line_mbps: None,
            admin_up: true,
            cabled: true,
            flap_down: false,
            oper_up: true,
            err_disabled: false,
            link_changes: 0,
            last_change: std::time::Instant::now(),
            in_errors: 0,
            crc: 0,
            resets: 0,
            traffic: Default::default(),
            description: None,
            recent_downs: Default::default(),
            slot: super::state::Slot::Fixed,
        })
        .collect()
}
