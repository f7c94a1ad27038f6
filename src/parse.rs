//! Saved or live CLI output → the common port-state schema (DESIGN.md), or link events,
//! using only the vendor profile's parse rules. Unknown is `None` (null), never 0.

use serde::Serialize;

use crate::vendor::Vendor;
use crate::vendor::compiled::CompiledParse;
use crate::vendor::profile::ParseStyle;

/// One port as any vendor's show command describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PortState {
    pub port: String,
    pub admin: Option<String>,
    pub oper: Option<String>,
    pub link_changes: Option<u64>,
    pub last_change_s: Option<u64>,
    pub speed_mbps: Option<u64>,
    pub in_errors: Option<u64>,
    pub crc: Option<u64>,
    pub resets: Option<u64>,
    pub description: Option<String>,
    /// Shut by the switch itself (link-flap guard and the like); null where the vendor's
    /// output does not say.
    pub err_disabled: Option<bool>,
}

/// A link going up or down, as a log line reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkEvent {
    pub port: String,
    pub state: String,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Parsed {
    Ports(Vec<PortState>),
    Events(Vec<LinkEvent>),
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
            known: vendor
                .parse
                .iter()
                .map(|r| r.command.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let text = visible(text);
    Ok(match rule.style {
        ParseStyle::Events => Parsed::Events(link_events(vendor, &text)),
        ParseStyle::Table => Parsed::Ports(table(rule, &text)),
        ParseStyle::Blocks => Parsed::Ports(blocks(rule, &text)),
    })
}

/// The text as a terminal shows it: ANSI escapes gone, and a line overwritten after a bare
/// CR (a pager erasing itself: `--More--\r        \r  5 input errors`) is what was written
/// last on it.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let shown = strip_ansi(line);
        let last = match shown.rsplit_once('\r') {
            Some((before, after)) => overlay(before.rsplit('\r').next().unwrap_or(""), after),
            None => shown,
        };
        out.push_str(&last);
        out.push('\n');
    }
    out.pop();
    out
}

/// `after` written over `before` from the line's start (what the terminal keeps).
fn overlay(before: &str, after: &str) -> String {
    if after.trim().is_empty() {
        return before.to_string();
    }
    let rest: String = before.chars().skip(after.chars().count()).collect();
    format!("{after}{}", if rest.trim().is_empty() { "" } else { &rest })
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // CSI: parameters, then one final letter (or ~).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() || c == '~' {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
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
        let port = fold_spaces(caps.name("port")?.as_str());
        let state = r
            .state
            .clone()
            .or_else(|| caps.name("state").map(|m| m.as_str().to_lowercase()))?;
        Some(LinkEvent {
            port,
            state,
            raw: line.trim().to_string(),
        })
    })
}

fn table(rule: &CompiledParse, text: &str) -> Vec<PortState> {
    let mut out = Vec::new();
    let mut columns: Option<Vec<Column>> = None;
    for line in text.lines() {
        if let Some(c) = header_columns(rule, line) {
            columns = Some(c);
            continue;
        }
        if let Some((row, caps)) = rule
            .rows
            .iter()
            .find_map(|re| Some((re, re.captures(line)?)))
        {
            let mut p = PortState::default();
            set_groups(rule, &mut p, row, &caps);
            // Only for the rows the columns describe (a row regex naming every column field).
            let names: Vec<&str> = row.capture_names().flatten().collect();
            let described = rule
                .columns
                .iter()
                .all(|(f, _)| names.contains(&f.as_str()));
            if let Some(cols) = columns.as_deref().filter(|c| described && aligned(c, line)) {
                set_columns(rule, &mut p, cols, line);
            }
            if !p.port.is_empty() {
                out.push(p);
            }
        }
    }
    out
}

/// A column of a table's header: the field it gives (if any), where it starts and ends.
struct Column {
    field: Option<String>,
    start: usize,
    end: Option<usize>,
}

/// The columns of `line` if it is the rule's header: every header word of `columns` is a
/// word of it. Each column runs from its word to the next word of the header.
fn header_columns(rule: &CompiledParse, line: &str) -> Option<Vec<Column>> {
    if rule.columns.is_empty() {
        return None;
    }
    let words: Vec<(usize, &str)> = line
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect();
    if !rule
        .columns
        .iter()
        .all(|(_, h)| words.iter().any(|(_, w)| w == h))
    {
        return None;
    }
    let cols = words
        .iter()
        .enumerate()
        .map(|(i, (start, w))| Column {
            field: rule
                .columns
                .iter()
                .find(|(_, h)| h == w)
                .map(|(f, _)| f.clone()),
            start: *start,
            end: words.get(i + 1).map(|(s, _)| *s),
        })
        .collect();
    Some(cols)
}

/// A row lines up with the header when every column but the first starts after a space
/// (or past the row's end): else its values spilled over and the row regex reads it.
fn aligned(cols: &[Column], line: &str) -> bool {
    cols.iter().skip(1).all(|c| {
        c.start >= line.len()
            || (line.is_char_boundary(c.start) && line[..c.start].ends_with(char::is_whitespace))
    })
}

/// Fields from their columns, over what the row regex read (and what they derive).
fn set_columns(rule: &CompiledParse, p: &mut PortState, cols: &[Column], line: &str) {
    for c in cols {
        let Some(field) = &c.field else { continue };
        let end = c.end.unwrap_or(line.len()).min(line.len());
        let Some(value) = line.get(c.start.min(end)..end) else {
            continue;
        };
        let value = value.trim();
        if field == "description" {
            p.description = None;
        }
        set_field(rule, p, field, value);
        for (target, source) in &rule.derive {
            if source == field {
                set_field(rule, p, target, value);
            }
        }
    }
}

fn blocks(rule: &CompiledParse, text: &str) -> Vec<PortState> {
    let Some(start) = &rule.start else {
        return Vec::new();
    };
    let mut out: Vec<PortState> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for line in text.lines() {
        // A header may be indented (module ports, some firmwares indent every header).
        if let Some(caps) = start
            .captures(line)
            .or_else(|| start.captures(line.trim_start()))
        {
            let mut p = PortState::default();
            set_groups(rule, &mut p, start, &caps);
            out.push(p);
            seen.clear();
            continue;
        }
        let Some(cur) = out.last_mut() else { continue };
        for (field, re) in &rule.fields {
            if seen.contains(&field.as_str()) {
                continue;
            }
            if let Some(v) = re.captures(line).and_then(|c| c.name("v")) {
                set_field(rule, cur, field, v.as_str());
                seen.push(field);
            }
        }
    }
    out.retain(|p| !p.port.is_empty());
    out
}

/// Every named group of a matching line, then the fields derived from them.
fn set_groups(rule: &CompiledParse, p: &mut PortState, re: &regex::Regex, caps: &regex::Captures) {
    for name in re.capture_names().flatten() {
        if let Some(m) = caps.name(name) {
            set_field(rule, p, name, m.as_str());
        }
    }
    for (target, source) in &rule.derive {
        if let Some(m) = caps.name(source) {
            set_field(rule, p, target, m.as_str());
        }
    }
}

fn set_field(rule: &CompiledParse, p: &mut PortState, field: &str, raw: &str) {
    let mapped = match rule.map.iter().find(|(f, _)| f == field) {
        Some((_, pairs)) => match pairs.iter().find(|(re, _)| re.is_match(raw.trim())) {
            Some((_, v)) => v.clone(),
            None => return,
        },
        None => raw.trim().to_string(),
    };
    let v = mapped.as_str();
    match field {
        "port" => p.port = fold_spaces(v),
        "admin" => p.admin = up_down(v),
        "oper" => p.oper = up_down(v),
        "link_changes" => p.link_changes = number(v),
        "in_errors" => p.in_errors = number(v),
        "crc" => p.crc = number(v),
        "resets" => p.resets = number(v),
        "speed_mbps" => p.speed_mbps = speed_mbps(v),
        "last_change_s" => p.last_change_s = duration_s(v),
        "description" => p.description = Some(unquote(v).to_string()).filter(|s| !s.is_empty()),
        "err_disabled" => p.err_disabled = yes_no(v),
        _ => {}
    }
}

/// A description the device printed in quotes, without them; any other quote is its own.
fn unquote(v: &str) -> &str {
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner,
        _ => v,
    }
}

fn fold_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn up_down(v: &str) -> Option<String> {
    match v.to_lowercase().as_str() {
        "up" => Some("up".into()),
        "down" => Some("down".into()),
        _ => None,
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

fn number(v: &str) -> Option<u64> {
    v.replace(',', "").trim().parse().ok()
}

/// "10Gb/s", "1Gbit", "10000 Mbit", "a-1000", "a-10G", "100M", "40G" → Mbit/s.
///
/// ```
/// assert_eq!(switchlab::parse::speed_mbps("a-10G"), Some(10_000));
/// assert_eq!(switchlab::parse::speed_mbps("auto"), None);
/// ```
pub fn speed_mbps(v: &str) -> Option<u64> {
    let s = v.trim().trim_start_matches("a-").to_lowercase();
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: f64 = digits.parse().ok()?;
    let unit = s[digits.len()..].trim_start();
    let factor = if unit.starts_with('g') {
        1000.0
    } else if unit.starts_with('k') {
        0.001
    } else {
        1.0
    };
    let mbps = (n * factor).round();
    // A port faster than a petabit is a misread, not a speed.
    (mbps.is_finite() && mbps <= 1e9).then_some(mbps as u64)
}

/// Ages beyond this are misreads (a device's clock, a garbled line), not ages: null.
const MAX_AGE_S: u64 = 100 * 365 * 86_400;

/// Uptime-style durations → seconds: "14 minutes, 2 seconds", "05:18:35", "6d23h54m",
/// "23w1d6h", "2 day(s) 3 hour(s) 4 minute(s) 5 second(s)", "1:02:03".
///
/// ```
/// assert_eq!(switchlab::parse::duration_s("Up 14 minutes, 2 seconds".trim_start_matches("Up ")), Some(842));
/// assert_eq!(switchlab::parse::duration_s("05:18:35"), Some(19_115));
/// ```
pub fn duration_s(v: &str) -> Option<u64> {
    let s = v.trim().to_lowercase();
    if s.is_empty() || s == "never" {
        return None;
    }
    if s.contains(':') && s.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return s
            .split(':')
            .try_fold(0u64, |acc, part| {
                acc.checked_mul(60)?.checked_add(part.parse::<u64>().ok()?)
            })
            .filter(|t| *t <= MAX_AGE_S);
    }
    let mut total = 0u64;
    let mut num = String::new();
    let mut any = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if c.is_alphabetic() && !num.is_empty() {
            let n: u64 = num.parse().ok()?;
            num.clear();
            let unit = match c {
                'w' => 604_800,
                'd' => 86_400,
                'h' => 3_600,
                'm' if chars.peek() == Some(&'s') => return None, // milliseconds: not an uptime
                'm' => 60,
                's' => 1,
                'y' => 31_536_000,
                _ => return None,
            };
            total = total.checked_add(n.checked_mul(unit)?)?;
            any = true;
            // skip the rest of the unit word ("minutes", "hour(s)")
            while chars
                .peek()
                .is_some_and(|c| c.is_alphabetic() || *c == '(' || *c == ')')
            {
                chars.next();
            }
        }
    }
    (any && total <= MAX_AGE_S).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_vendor_format() {
        assert_eq!(duration_s("14 minutes, 2 seconds"), Some(842));
        assert_eq!(duration_s("05:18:35"), Some(5 * 3600 + 18 * 60 + 35));
        // Regression: these overflowed (a panic in debug, a wrapped age in release).
        assert_eq!(duration_s("999999999999999999:00:00"), None);
        assert_eq!(duration_s("99999999999999999999w"), None);
        assert_eq!(duration_s("30000000000w"), None);
        assert_eq!(speed_mbps("99999999999999999999999999999G"), None);
        assert_eq!(
            duration_s("6d23h54m"),
            Some(6 * 86400 + 23 * 3600 + 54 * 60)
        );
        assert_eq!(duration_s("23w1d6h"), Some(23 * 604800 + 86400 + 6 * 3600));
        assert_eq!(
            duration_s("2 day(s) 3 hour(s) 4 minute(s) 5 second(s)"),
            Some(2 * 86400 + 3 * 3600 + 4 * 60 + 5)
        );
        assert_eq!(duration_s("never"), None);
    }

    #[test]
    fn speeds_in_every_vendor_format() {
        assert_eq!(speed_mbps("10Gb/s"), Some(10_000));
        assert_eq!(speed_mbps("1Gbit"), Some(1000));
        assert_eq!(speed_mbps("10000 Mbit"), Some(10_000));
        assert_eq!(speed_mbps("a-1000"), Some(1000));
        assert_eq!(speed_mbps("a-10G"), Some(10_000));
        assert_eq!(speed_mbps("auto"), None);
    }
}
