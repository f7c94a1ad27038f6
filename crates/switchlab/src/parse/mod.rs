//! Saved or live CLI output → the common port-state schema (DESIGN.md), or link events,
//! using only the vendor profile's parse rules. Unknown is `None` (null), never 0.
//!
//! Layout: `text` (what a terminal shows of the output), `table` (the `table` and `blocks`
//! styles), `columns` (a table read by its header), `values` (device words → schema values).

pub mod cable;
mod columns;
mod table;
#[cfg(test)]
mod tests;
mod text;
pub mod transceiver;
mod values;

use serde::Serialize;

pub use crate::states::LinkState;
pub use cable::{Cables, SeenKind};
pub use transceiver::Transceiver;
pub use values::{duration_s, speed_mbps};

use crate::vendor::Vendor;
use crate::vendor::profile::{ParseRecord, ParseStyle};

/// One port as any vendor's show command describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PortState {
    pub port: String,
    pub admin: Option<LinkState>,
    pub oper: Option<LinkState>,
    pub link_changes: Option<u64>,
    /// Link downs alone, where the device counts them apart from ups (FRR's `Link downs`):
    /// a direct flap count.
    pub link_downs: Option<u64>,
    /// Link ups alone, where the device counts them apart from downs (FRR's `Link ups`):
    /// a short down one counter misses the other may catch.
    pub link_ups: Option<u64>,
    pub last_change_s: Option<u64>,
    pub speed_mbps: Option<u64>,
    pub in_errors: Option<u64>,
    pub crc: Option<u64>,
    pub resets: Option<u64>,
    pub description: Option<String>,
    /// Shut by the switch itself (link-flap guard and the like); null where the vendor's
    /// output does not say.
    pub err_disabled: Option<bool>,
    /// Frames the port received and sent, by the switch's own counters (null where the
    /// output does not show them).
    pub in_packets: Option<u64>,
    pub out_packets: Option<u64>,
    /// Frames the switch received on the port, or had to send from it, and dropped
    /// (queue drops, discards); null where the vendor's output shows no such counter.
    pub in_discards: Option<u64>,
    pub out_discards: Option<u64>,
}

impl PortState {
    /// Whether the link is up; None where the output does not say.
    pub fn is_up(&self) -> Option<bool> {
        self.oper.map(LinkState::is_up)
    }
}

impl table::Record for PortState {
    fn set(&mut self, field: &str, v: &str) {
        use values::{duration_s, fold_spaces, number, speed_mbps, unquote, up_down, yes_no};
        match field {
            "port" => self.port = fold_spaces(v),
            "admin" => self.admin = up_down(v),
            "oper" => self.oper = up_down(v),
            "link_changes" => self.link_changes = number(v),
            "link_downs" => self.link_downs = number(v),
            "link_ups" => self.link_ups = number(v),
            "in_errors" => self.in_errors = number(v),
            "crc" => self.crc = number(v),
            "resets" => self.resets = number(v),
            "in_packets" => self.in_packets = number(v),
            "out_packets" => self.out_packets = number(v),
            "in_discards" => self.in_discards = number(v),
            "out_discards" => self.out_discards = number(v),
            "speed_mbps" => self.speed_mbps = speed_mbps(v),
            "last_change_s" => self.last_change_s = duration_s(v),
            "description" => {
                self.description = Some(unquote(v).to_string()).filter(|s| !s.is_empty())
            }
            "err_disabled" => self.err_disabled = yes_no(v),
            _ => {}
        }
    }

    fn port(&self) -> &str {
        &self.port
    }
}

/// A link going up or down, as a log line reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkEvent {
    pub port: String,
    pub state: LinkState,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Parsed {
    Ports(Vec<PortState>),
    Events(Vec<LinkEvent>),
    Transceivers(Vec<Transceiver>),
}

impl Parsed {
    /// Whether it read nothing at all (no port, no event, no module).
    pub fn is_empty(&self) -> bool {
        match self {
            Parsed::Ports(p) => p.is_empty(),
            Parsed::Events(e) => e.is_empty(),
            Parsed::Transceivers(t) => t.is_empty(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("vendor '{vendor}' has no parse rule for '{command}'; it parses: {known}")]
pub struct NoRule {
    pub vendor: String,
    pub command: String,
    pub known: String,
}

/// Parse the output of `command` with the vendor's rule for it.
pub fn parse_output(vendor: &Vendor, command: &str, text: &str) -> Result<Parsed, NoRule> {
    let Some(rule) = vendor.parse_rule(command) else {
        return Err(NoRule {
            vendor: vendor.name().to_string(),
            command: command.to_string(),
            known: (vendor.profile.parse.iter())
                .map(|r| r.command.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    Ok(parse_output_with(vendor, rule, text))
}

/// Parse `text` with this rule of the vendor's.
pub fn parse_output_with(
    vendor: &Vendor,
    rule: &crate::vendor::compiled::CompiledParse,
    text: &str,
) -> Parsed {
    let text = text::visible(text);
    match (rule.style, rule.record) {
        (ParseStyle::Events, _) => Parsed::Events(link_events(vendor, &text)),
        (ParseStyle::Table, ParseRecord::Port) => Parsed::Ports(table::table(rule, &text)),
        (ParseStyle::Blocks, ParseRecord::Port) => Parsed::Ports(table::blocks(rule, &text)),
        (style, ParseRecord::Transceiver) => {
            let found: Vec<Transceiver> = match style {
                ParseStyle::Blocks => table::blocks(rule, &text),
                _ => table::table(rule, &text),
            };
            Parsed::Transceivers(found)
        }
    }
}

/// Whether `text` is output the vendor's rule for `command` knows, though it may hold no
/// port or module (a switch without optics lists its chassis and fans): a line opens or
/// ends one of its blocks, or is its table's header.
pub fn recognized(vendor: &Vendor, command: &str, text: &str) -> bool {
    (vendor.parse_rule(command)).is_some_and(|rule| table::recognized(rule, &text::visible(text)))
}

/// Every link event in the text (log buffer, console output, syslog messages).
pub fn link_events(vendor: &Vendor, text: &str) -> Vec<LinkEvent> {
    text.lines()
        .filter_map(|line| link_event(vendor, line))
        .collect()
}

/// The link event one log line reports, if any.
pub fn link_event(vendor: &Vendor, line: &str) -> Option<LinkEvent> {
    let line = line.trim_end_matches(['\r', '\n']);
    vendor.link_events.iter().find_map(|r| {
        let caps = r.pattern.captures(line)?;
        let port = values::fold_spaces(caps.name("port")?.as_str());
        let state = r
            .state
            .or_else(|| caps.name("state").and_then(|m| values::up_down(m.as_str())))?;
        Some(LinkEvent {
            port,
            state,
            raw: line.trim().to_string(),
        })
    })
}
