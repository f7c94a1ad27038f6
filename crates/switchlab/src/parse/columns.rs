//! A table's columns, read off its header: by the header words' positions
//! (`Port Name Status …`), or by the dashes under a header of one or more lines
//! (`---------  -----------`), each column's label being the header words above its dashes.
//! A row's fields are then read by column, so an extra column is only a column more.

use super::table::{Record, set_field};
use crate::vendor::compiled::CompiledParse;

/// A column of a table's header: the field it gives (if any), where it starts and ends.
pub(super) struct Column {
    field: Option<String>,
    start: usize,
    end: Option<usize>,
}

/// How a header places its columns.
pub(super) enum Columns {
    /// By the header words: a column runs from its word to the next.
    Words(Vec<Column>),
    /// By the dash rule under the header: a value belongs to the dashes it lies over.
    Ruled(Vec<Column>),
    /// A ruled table whose labels name none of the rule's columns: another table's rows.
    Foreign,
}

/// Each word of `line` with its byte offset.
fn words(line: &str) -> Vec<(usize, &str)> {
    line.split_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect()
}

/// The columns of `line` if it is the rule's one-line header: every header of `columns`
/// is a word of it.
pub(super) fn header_words(rule: &CompiledParse, line: &str) -> Option<Columns> {
    if rule.columns.is_empty() {
        return None;
    }
    let words = words(line);
    let has = |h: &str| words.iter().any(|(_, w)| *w == h);
    if !rule.columns.iter().all(|(_, h)| has(h)) {
        return None;
    }
    let field = |w: &str| rule.columns.iter().find(|(_, h)| h == w).map(|(f, _)| f);
    let cols = (words.iter().enumerate())
        .map(|(i, (start, w))| Column {
            field: field(w).cloned(),
            start: *start,
            end: words.get(i + 1).map(|(s, _)| *s),
        })
        .collect();
    Some(Columns::Words(cols))
}

/// The columns a dash rule (`line`) draws under the header lines `above` (top first), if
/// the labels name any of the rule's `columns` (a label holds the header's words in order).
pub(super) fn header_ruled(rule: &CompiledParse, above: &[&str], line: &str) -> Option<Columns> {
    if rule.columns.is_empty() || !is_rule(line) {
        return None;
    }
    let dashes = words(line);
    let spans: Vec<(usize, usize)> = dashes.iter().map(|(s, w)| (*s, s + w.len())).collect();
    let mut labels = vec![Vec::new(); spans.len()];
    for l in above {
        for (s, w) in words(l) {
            labels[nearest(&spans, s, s + w.len())].push(w);
        }
    }
    let named = |label: &[&str], h: &str| {
        let h: Vec<&str> = h.split_whitespace().collect();
        !h.is_empty()
            && label
                .windows(h.len())
                .any(|win| win.iter().zip(&h).all(|(a, b)| a.eq_ignore_ascii_case(b)))
    };
    let cols: Vec<Column> = (spans.iter().zip(&labels))
        .map(|((start, end), label)| Column {
            field: (rule.columns.iter())
                .find(|(_, h)| named(label, h))
                .map(|(f, _)| f.clone()),
            start: *start,
            end: Some(*end),
        })
        .collect();
    cols.iter()
        .any(|c| c.field.is_some())
        .then_some(Columns::Ruled(cols))
}

/// Whether `line` is a dash rule under a table's header (`---------  -------`).
pub(super) fn is_rule(line: &str) -> bool {
    let dash = |w: &str| w.len() >= 2 && w.bytes().all(|b| b == b'-' || b == b'=');
    line.split_whitespace().filter(|w| dash(w)).count() >= 2 && line.split_whitespace().all(dash)
}

/// The span that `[s, e)` overlaps most, else the closest one (ties to the left).
fn nearest(spans: &[(usize, usize)], s: usize, e: usize) -> usize {
    let score = |(a, b): (usize, usize)| {
        let overlap = e.min(b).saturating_sub(s.max(a));
        let gap = a.saturating_sub(e) + s.saturating_sub(b);
        (overlap, std::cmp::Reverse(gap))
    };
    let mut best = 0;
    for (i, span) in spans.iter().enumerate() {
        if score(*span) > score(spans[best]) {
            best = i;
        }
    }
    best
}

impl Columns {
    /// Whether `line` can be read by these columns: by words, every column but the first
    /// starts after a space (or past the row's end), else its values spilled over.
    pub(super) fn fit(&self, line: &str) -> bool {
        match self {
            Columns::Ruled(_) => true,
            Columns::Foreign => false,
            Columns::Words(cols) => cols.iter().skip(1).all(|c| {
                c.start >= line.len()
                    || (line.is_char_boundary(c.start)
                        && line[..c.start].ends_with(char::is_whitespace))
            }),
        }
    }

    /// Each column that gives a field, with its value in `line`.
    fn cells<'a>(&'a self, line: &str) -> Vec<(&'a str, String)> {
        match self {
            Columns::Words(cols) => (cols.iter())
                .filter_map(|c| {
                    let end = c.end.unwrap_or(line.len()).min(line.len());
                    let v = line.get(c.start.min(end)..end)?;
                    Some((c.field.as_deref()?, v.trim().to_string()))
                })
                .collect(),
            Columns::Ruled(cols) => {
                let spans: Vec<_> = (cols.iter())
                    .map(|c| (c.start, c.end.unwrap_or(c.start)))
                    .collect();
                let mut cells = vec![Vec::new(); cols.len()];
                for (s, w) in words(line) {
                    cells[nearest(&spans, s, s + w.len())].push(w);
                }
                (cols.iter().zip(cells))
                    .filter_map(|(c, v)| Some((c.field.as_deref()?, v.join(" "))))
                    .collect()
            }
            Columns::Foreign => Vec::new(),
        }
    }

    /// Fields from their columns, over what the row regex read (and what they derive).
    pub(super) fn set<R: Record>(&self, rule: &CompiledParse, p: &mut R, line: &str) {
        for (field, value) in self.cells(line) {
            // The column's value is the field's, over what the row regex read.
            p.set(field, "");
            set_field(rule, p, field, &value);
            for (target, source) in &rule.derive {
                if source == field {
                    set_field(rule, p, target, &value);
                }
            }
        }
    }
}
