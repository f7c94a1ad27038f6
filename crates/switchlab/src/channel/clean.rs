//! Cleaning what a device sends into text the prompt matcher reads: terminal controls
//! applied (CR, backspace, ANSI escapes), and asynchronous log lines taken out with the
//! time they arrived, their link events read.

use std::time::SystemTime;

use super::{Channel, Esc, SessionLogLine, line_start};
use crate::parse::link_event;

impl Channel {
    /// Terminal bytes → text: `\r\n` → `\n`, a lone `\r` returns to the line start (what
    /// pagers use to erase themselves), backspace deletes, ANSI escapes vanish.
    pub(super) fn clean_into_text(&mut self, chunk: &str) {
        let mut rest = chunk;
        while !rest.is_empty() {
            // Printable ASCII outside an escape goes in as a run: most of what a show
            // command prints.
            if self.esc == Esc::None && !self.pending_cr {
                let run = (rest.bytes())
                    .position(|b| !(b == b'\t' || (0x20..0x7f).contains(&b)))
                    .unwrap_or(rest.len());
                self.text.push_str(&rest[..run]);
                rest = &rest[run..];
            }
            let Some(c) = rest.chars().next() else {
                break;
            };
            rest = &rest[c.len_utf8()..];
            self.clean_char(c);
        }
    }

    fn clean_char(&mut self, c: char) {
        match self.esc {
            Esc::Start => {
                self.esc = match c {
                    '[' => Esc::Csi,
                    '(' | ')' => Esc::Charset,
                    _ => Esc::None,
                };
                return;
            }
            Esc::Csi => {
                if c.is_ascii_alphabetic() || c == '~' {
                    self.esc = Esc::None;
                }
                return;
            }
            Esc::Charset => {
                self.esc = Esc::None;
                return;
            }
            Esc::None => {}
        }
        if self.pending_cr {
            self.pending_cr = false;
            if c != '\n' {
                // (`scanned` only covers complete lines, so it never lies past this.)
                self.text.truncate(line_start(&self.text));
            }
        }
        match c {
            '\x1b' => self.esc = Esc::Start,
            '\r' => self.pending_cr = true,
            '\n' => self.text.push('\n'),
            '\x08' => {
                if !self.text.ends_with('\n') {
                    self.text.pop();
                }
            }
            c if c.is_control() && c != '\t' => {}
            c => self.text.push(c),
        }
    }

    /// Remove complete log lines (the profile's `async_line`) from the text and keep them
    /// (a log buffer's being read: only the new ones, see `buffer.rs`). In place: only the
    /// lines after `scanned` are looked at, and the text is moved only where a log line
    /// comes out of it.
    pub(super) fn pull_log_lines(&mut self) {
        // Borrowed, not copied: a copied `Regex` builds its caches anew, and this runs on
        // every read.
        let Some(re) = self.vendor.async_line.as_ref() else {
            return;
        };
        let mut at = self.scanned;
        let mut removed_last = None;
        while let Some(nl) = self.text[at..].find('\n') {
            let end = at + nl + 1;
            let body = &self.text[at..end - 1];
            if !re.is_match(body) {
                at = end;
                removed_last = Some(false);
                continue;
            }
            match &mut self.buffer {
                // A log buffer's line: compared with the last read as it arrives, kept
                // only if it is new.
                Some(read) => read.line(body),
                None => {
                    let event = link_event(&self.vendor, body);
                    self.log_lines.push(SessionLogLine {
                        time: SystemTime::now(),
                        line: body.trim().to_string(),
                        event,
                    });
                }
            }
            self.text.replace_range(at..end, "");
            removed_last = Some(true);
        }
        if let Some(removed) = removed_last {
            self.log_at_end = removed && at == self.text.len();
        }
        self.scanned = at;
    }
}
