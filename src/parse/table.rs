//! The `table` and `blocks` parse styles: records (port states, transceivers) from one
//! line per port (read by the header's column positions where the device prints one) or
//! one block per port, within the rule's section of the output (`after`, `until`).

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
    let mut columns: Option<Vec<Column>> = None;
    for line in section(rule, text) {
        if let Some(c) = header_columns(rule, line) {
            columns = Some(c);
            continue;
        }
        if let Some((row, caps)) = rule
            .rows
            .iter()
            .find_map(|re| Some((re, re.captures(line)?)))
        {
            let mut p = R::default();
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
            if !p.port().is_empty() {
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
fn set_columns<R: Record>(rule: &CompiledParse, p: &mut R, cols: &[Column], line: &str) {
    for c in cols {
        let Some(field) = &c.field else { continue };
        let end = c.end.unwrap_or(line.len()).min(line.len());
        let Some(value) = line.get(c.start.min(end)..end) else {
            continue;
        };
        let value = value.trim();
        // The column's value is the field's, over what the row regex read.
        p.set(field, "");
        set_field(rule, p, field, value);
        for (target, source) in &rule.derive {
            if source == field {
                set_field(rule, p, target, value);
            }
        }
    }
}

pub(super) fn blocks<R: Record>(rule: &CompiledParse, text: &str) -> Vec<R> {
    let Some(start) = &rule.start else {
        return Vec::new();
    };
    let mut out: Vec<R> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for line in section(rule, text) {
        // A header may be indented (module ports, some firmwares indent every header).
        if let Some(caps) = start
            .captures(line)
            .or_else(|| start.captures(line.trim_start()))
        {
            let mut p = R::default();
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
    out.retain(|p| !p.port().is_empty());
    out
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

fn set_field<R: Record>(rule: &CompiledParse, p: &mut R, field: &str, raw: &str) {
    let mapped = match rule.map.iter().find(|(f, _)| f == field) {
        Some((_, pairs)) => match pairs.iter().find(|(re, _)| re.is_match(raw.trim())) {
            Some((_, v)) => v.clone(),
            None => return,
        },
        None => raw.trim().to_string(),
    };
    p.set(field, &mapped);
}
