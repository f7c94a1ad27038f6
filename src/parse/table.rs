//! The `table` and `blocks` parse styles: port states from one line per port (read by the
//! header's column positions where the device prints one) or one block per port.

use super::PortState;
use super::values::{duration_s, fold_spaces, number, speed_mbps, unquote, up_down, yes_no};
use crate::vendor::compiled::CompiledParse;

pub(super) fn table(rule: &CompiledParse, text: &str) -> Vec<PortState> {
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

pub(super) fn blocks(rule: &CompiledParse, text: &str) -> Vec<PortState> {
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
        "link_downs" => p.link_downs = number(v),
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
