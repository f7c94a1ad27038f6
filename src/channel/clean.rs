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
        for c in chunk.chars() {
            match self.esc {
                Esc::Start => {
                    self.esc = match c {
                        '[' => Esc::Csi,
                        '(' | ')' => Esc::Charset,
                        _ => Esc::None,
                    };
                    continue;
                }
                Esc::Csi => {
                    if c.is_ascii_alphabetic() || c == '~' {
                        self.esc = Esc::None;
                    }
                    continue;
                }
                Esc::Charset => {
                    self.esc = Esc::None;
                    continue;
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
    }

    /// Remove complete log lines (the profile's `async_line`) from the text and keep them.
    pub(super) fn pull_log_lines(&mut self) {
        // Borrowed, not copied: a copied `Regex` builds its caches anew, and this runs on
        // every read.
        let Some(re) = self.vendor.async_line.as_ref() else {
            return;
        };
        let mut out = String::with_capacity(self.text.len());
        out.push_str(&self.text[..self.scanned]);
        let rest = self.text[self.scanned..].to_string();
        let mut removed_last = false;
        let mut consumed = 0;
        for line in rest.split_inclusive('\n') {
            if !line.ends_with('\n') {
                break;
            }
            consumed += line.len();
            let body = line.trim_end_matches('\n');
            if re.is_match(body) {
                let event = link_event(&self.vendor, body);
                self.log_lines.push(SessionLogLine {
                    time: SystemTime::now(),
                    line: body.trim().to_string(),
                    event,
                });
                removed_last = true;
            } else {
                out.push_str(line);
                removed_last = false;
            }
        }
        let scanned = out.len();
        out.push_str(&rest[consumed..]);
        if consumed > 0 {
            self.log_at_end = removed_last && consumed == rest.len();
        }
        self.text = out;
        self.scanned = scanned;
    }
}
