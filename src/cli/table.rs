//! Every table switchlab prints: borderless, two spaces between columns, one line per row,
//! as cargo and `ip -br` print. A table fits the terminal's width (`COLUMNS`, else the
//! terminal's own; no limit in a pipe) without ever splitting a name: long notes move
//! under the table as numbered notes, then columns drop in their stated order, then text
//! columns are cut with `…`.

use std::fmt::Write as _;

/// How a column may give way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// A name (device, port, test): always shown whole.
    Name,
    /// A short value (a count, a verdict): always shown whole.
    Value,
    /// May be left out; the highest number goes first.
    Optional(u8),
    /// Free text that may be cut with `…` (never below 8 characters).
    Text,
    /// Free text that becomes a numbered note under the table when the row is too wide.
    Note,
}

pub(crate) struct Grid {
    header: Vec<String>,
    cols: Vec<Col>,
    rows: Vec<Vec<String>>,
}

/// The terminal's width: `COLUMNS` where set, else the terminal's; None in a pipe.
pub(crate) fn width() -> Option<usize> {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    {
        return Some(w.max(20));
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .or_else(|| terminal_size::terminal_size_of(std::io::stderr()))
        .map(|(w, _)| usize::from(w.0))
}

/// The terminal's height (stderr's), for the live region; None in a pipe.
pub(crate) fn height() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stderr()).map(|(_, h)| usize::from(h.0))
}

fn len(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to `max` characters, the last one `…`.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if len(s) <= max {
        return s.to_string();
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{keep}…")
}

impl Grid {
    pub(crate) fn new(columns: &[(&str, Col)]) -> Grid {
        Grid {
            header: columns.iter().map(|(h, _)| h.to_string()).collect(),
            cols: columns.iter().map(|(_, c)| *c).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table at the terminal's width.
    pub(crate) fn render(&self) -> String {
        self.render_at(width())
    }

    /// The table within `width` characters (None: any width).
    pub(crate) fn render_at(&self, width: Option<usize>) -> String {
        let empty = |v: &str| v.is_empty() || v == "-";
        // Columns no row has anything in are left out (a name column always stays).
        let mut keep: Vec<usize> = (0..self.cols.len())
            .filter(|&c| self.cols[c] == Col::Name || self.rows.iter().any(|r| !empty(cell(r, c))))
            .collect();
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..self.cols.len())
                    .map(|c| cell(r, c).to_string())
                    .collect()
            })
            .collect();
        let notes = match width {
            Some(max) => self.fit(max, &mut keep, &mut rows),
            None => Vec::new(),
        };
        self.lines(&keep, &rows, &notes, width)
    }

    /// The width of the `keep` columns of `rows`, gaps included.
    fn total(&self, keep: &[usize], rows: &[Vec<String>]) -> usize {
        let w: usize = keep.iter().map(|&c| col_width(c, rows, &self.header)).sum();
        w + 2 * keep.len().saturating_sub(1)
    }

    /// Fit the table in `max` characters: long notes become numbered references (the
    /// notes returned), then optional columns leave, least wanted first, then text columns
    /// are cut.
    fn fit(&self, max: usize, keep: &mut Vec<usize>, rows: &mut [Vec<String>]) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        if self.total(keep, rows) > max {
            for &c in keep.iter().filter(|&&c| self.cols[c] == Col::Note) {
                for r in rows.iter_mut().filter(|r| len(&r[c]) > 3) {
                    let at = notes.iter().position(|n| *n == r[c]).unwrap_or_else(|| {
                        notes.push(r[c].clone());
                        notes.len() - 1
                    });
                    r[c] = format!("[{}]", at + 1);
                }
            }
        }
        while self.total(keep, rows) > max {
            let drop = keep
                .iter()
                .copied()
                .filter_map(|c| match self.cols[c] {
                    Col::Optional(p) => Some((p, c)),
                    _ => None,
                })
                .max();
            let Some((_, c)) = drop else { break };
            keep.retain(|&k| k != c);
        }
        let over = self.total(keep, rows).saturating_sub(max);
        let texts: Vec<usize> = keep
            .iter()
            .copied()
            .filter(|&c| self.cols[c] == Col::Text)
            .collect();
        if over > 0 && !texts.is_empty() {
            let share = over.div_ceil(texts.len());
            for c in texts {
                let w = col_width(c, rows, &self.header)
                    .saturating_sub(share)
                    .max(8);
                for r in rows.iter_mut() {
                    r[c] = cut(&r[c], w);
                }
            }
        }
        notes
    }

    /// The header, the rows and the numbered notes, as text.
    fn lines(
        &self,
        keep: &[usize],
        rows: &[Vec<String>],
        notes: &[String],
        width: Option<usize>,
    ) -> String {
        let widths: Vec<usize> = keep
            .iter()
            .map(|&c| col_width(c, rows, &self.header))
            .collect();
        let mut out = String::new();
        let line = |out: &mut String, cells: Vec<&str>| {
            let mut l = String::new();
            for (i, (text, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    l.push_str("  ");
                }
                let _ = write!(l, "{text:<w$}");
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(
            &mut out,
            keep.iter().map(|&c| self.header[c].as_str()).collect(),
        );
        for r in rows {
            line(&mut out, keep.iter().map(|&c| r[c].as_str()).collect());
        }
        for (i, n) in notes.iter().enumerate() {
            let lead = format!("[{}] ", i + 1);
            let opts = textwrap::Options::new(width.unwrap_or(usize::MAX).max(24))
                .initial_indent(&lead)
                .subsequent_indent("    ");
            for l in textwrap::wrap(n, opts) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out.pop();
        out
    }
}

fn cell(r: &[String], c: usize) -> &str {
    r.get(c).map_or("", String::as_str)
}

fn col_width(c: usize, rows: &[Vec<String>], header: &[String]) -> usize {
    rows.iter()
        .map(|r| len(&r[c]))
        .chain([len(&header[c])])
        .max()
        .unwrap_or(0)
}

impl std::fmt::Display for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        let mut g = Grid::new(&[
            ("device", Col::Name),
            ("port", Col::Name),
            ("flaps", Col::Value),
            ("cable", Col::Optional(1)),
            ("nic", Col::Optional(2)),
            ("verdict", Col::Value),
            ("hint", Col::Note),
        ]);
        g.row(vec![
            "cisco-3560x".into(),
            "GigabitEthernet0/1".into(),
            "0".into(),
            "2 m copper".into(),
            "Intel I350".into(),
            "pass".into(),
            String::new(),
        ]);
        g.row(vec![
            "arista-7048".into(),
            "Ethernet49".into(),
            "3".into(),
            "0.5 m dac".into(),
            "Intel X520".into(),
            "fail".into(),
            "short SFP+ DAC: known to flicker, use 3 m or longer".into(),
        ]);
        g
    }

    #[test]
    fn a_wide_table_keeps_names_whole_moves_hints_under_it_and_drops_columns_in_order() {
        let wide = grid().render_at(None);
        assert!(wide.lines().nth(2).unwrap().ends_with("use 3 m or longer"));
        for w in [80, 60] {
            let t = grid().render_at(Some(w));
            for l in t.lines() {
                assert!(l.chars().count() <= w, "{w}: {l:?}\n{t}");
            }
            assert!(
                t.contains("GigabitEthernet0/1") && t.contains("arista-7048"),
                "{t}"
            );
        }
        let narrow = grid().render_at(Some(60));
        assert!(
            narrow.contains("[1]") && narrow.contains("[1] short SFP+ DAC"),
            "{narrow}"
        );
        assert!(
            !narrow.contains("nic"),
            "the nic column goes first: {narrow}"
        );
    }

    #[test]
    fn empty_columns_are_left_out_and_text_is_cut_with_an_ellipsis() {
        let mut g = Grid::new(&[("name", Col::Name), ("x", Col::Value), ("text", Col::Text)]);
        g.row(vec!["a".into(), "-".into(), "word ".repeat(20)]);
        let t = g.render_at(Some(30));
        assert!(!t.lines().next().unwrap().contains(" x "), "{t}");
        assert!(t.lines().nth(1).unwrap().ends_with('…'), "{t}");
        assert_eq!(cut("Ethernet49", 6), "Ether…");
    }
}
