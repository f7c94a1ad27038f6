//! The `table` and `blocks` parse styles: records (port states, transceivers) from one
//! line per port (read by the header's columns where the device prints one, `columns.rs`)
//! or one block per port, within the rule's section of the output (`after`, `until`).

use super::columns::{self, Columns};
use crate::vendor::compiled::CompiledParse;

/// What a parse rule fills: a field by its schema name, from the device's (mapped) word.
pub(crate) trait Record: Default {
    fn set(&mut self, field: &str, value: &str);
    fn port(&self) -> &str;
}

/// The lines of `text` the rule reads: after its `after` line, up to its `until` line.
fn section<'a>(rule: &'a CompiledParse, text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut inside = rule.after.is_none();
    text.lines().filter(move |line| {
        if !inside {
            inside = rule.after.as_ref().is_some_and(|a| a.is_match(line));
            return false;
        }
        if rule.until.as_ref().is_some_and(|u| u.is_match(line)) {
            inside = false;
            return false;
        }
        true
    })
}

pub(super) fn table<R: Record>(rule: &CompiledParse, text: &str) -> Vec<R> {
    let mut out = Vec::new();
    let mut columns: Option<Columns> = None;
    // The header lines since the last blank one: the labels over a dash rule.
    let mut above: Vec<&str> = Vec::new();
    for line in section(rule, text) {
        let header =
            columns::header_words(rule, line).or_else(|| columns::header_ruled(rule, &above, line));
        keep_above(&mut above, line);
        // A ruled table whose labels name none of the rule's columns: not the rule's table.
        let foreign = header.is_none() && !rule.columns.is_empty() && columns::is_rule(line);
        if header.is_some() || foreign {
            columns = header.or(Some(Columns::Foreign));
            continue;
        }
        if let Some(p) = row(rule, columns.as_ref(), line) {
            out.push(p);
        }
    }
    out
}

/// The last few lines since a blank one (a header is at most a few lines high).
fn keep_above<'a>(above: &mut Vec<&'a str>, line: &'a str) {
    if line.trim().is_empty() {
        above.clear();
        return;
    }
    if above.len() == 4 {
        above.remove(0);
    }
    above.push(line);
}

/// The pattern's match in `line`, or else in `line` without its indentation: no header,
/// row or field depends on how far a firmware indents it.
fn captures<'t>(re: &regex::Regex, line: &'t str) -> Option<regex::Captures<'t>> {
    let trimmed = line.trim_start();
    re.captures(line)
        .or_else(|| (trimmed.len() < line.len()).then(|| re.captures(trimmed))?)
}

/// The record one line gives, if a row regex reads it (a row that names none of the
/// columns' fields leaves them to the columns: it is read only under a header).
fn row<R: Record>(rule: &CompiledParse, columns: Option<&Columns>, line: &str) -> Option<R> {
    // Columns read the line as printed, whatever its indentation.
    if matches!(columns, Some(Columns::Foreign)) {
        return None;
    }
    let (re, caps) = (rule.rows.iter()).find_map(|re| Some((re, captures(re, line)?)))?;
    let mut p = R::default();
    set_groups(rule, &mut p, re, &caps);
    let names: Vec<&str> = re.capture_names().flatten().collect();
    let named = |f: &String| names.contains(&f.as_str());
    let all = rule.columns.iter().all(|(f, _)| named(f));
    let none = !rule.columns.iter().any(|(f, _)| named(f));
    match columns.filter(|c| (all || none) && c.fit(line)) {
        Some(cols) => cols.set(rule, &mut p, line),
        None if none && !rule.columns.is_empty() => return None,
        None => {}
    }
    Some(p).filter(|p| !p.port().is_empty())
}

pub(super) fn blocks<R: Record>(rule: &CompiledParse, text: &str) -> Vec<R> {
    let Some(start) = &rule.start else {
        return Vec::new();
    };
    let mut out: Vec<R> = Vec::new();
    let mut open = false;
    let mut seen: Vec<&str> = Vec::new();
    for line in section(rule, text) {
        // A header may be indented (module ports, some firmwares indent every header).
        if let Some(caps) = captures(start, line) {
            let mut p = R::default();
            set_groups(rule, &mut p, start, &caps);
            out.push(p);
            (open, seen) = (true, Vec::new());
            continue;
        }
        // Another block's header: what follows is not the open port's.
        if (rule.ends.as_ref()).is_some_and(|e| captures(e, line).is_some()) {
            open = false;
        }
        let Some(cur) = out.last_mut().filter(|_| open) else {
            continue;
        };
        for (field, re) in &rule.fields {
            if seen.contains(&field.as_str()) {
                continue;
            }
            if let Some(v) = captures(re, line).as_ref().and_then(|c| c.name("v")) {
                set_field(rule, cur, field, v.as_str());
                seen.push(field);
            }
        }
    }
    out.retain(|p| !p.port().is_empty());
    out
}

/// Whether `text` is output the rule knows, though it may hold no record: a line opens
/// or ends a block, or is the header of the rule's table.
pub(super) fn recognized(rule: &CompiledParse, text: &str) -> bool {
    let mut above: Vec<&str> = Vec::new();
    section(rule, text).any(|line| {
        let block = (rule.start.iter().chain(&rule.ends)).any(|re| captures(re, line).is_some());
        let header = columns::header_words(rule, line).is_some()
            || columns::header_ruled(rule, &above, line).is_some();
        keep_above(&mut above, line);
        block || header
    })
}

/// Every named group of a matching line, then the fields derived from them.
fn set_groups<R: Record>(
    rule: &CompiledParse,
    p: &mut R,
    re: &regex::Regex,
    caps: &regex::Captures,
) {
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

pub(super) fn set_field<R: Record>(rule: &CompiledParse, p: &mut R, field: &str, raw: &str) {
    let mapped = match rule.map.iter().find(|(f, _)| f == field) {
        Some((_, pairs)) => match pairs.iter().find(|(re, _)| re.is_match(raw.trim())) {
            Some((_, v)) => v.clone(),
            None => return,
        },
        None => raw.trim().to_string(),
    };
    p.set(field, &mapped);
}
