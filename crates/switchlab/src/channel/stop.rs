//! Where a read stops: a want (prompt, login question, dialog, pager, failure) matched at
//! the end of the text, and the text it consumes.

use super::{Channel, Hit, Want};
use crate::vendor::{ModeName, Pattern};

impl Channel {
    pub(super) fn check(&mut self, wants: &[Want], extra: &[Pattern]) -> Option<Hit> {
        if wants.contains(&Want::LoginFailed)
            && let Some(m) = self.vendor.login_failure.find(&self.text)
        {
            // Up to the end of the failure's line: a prompt after it is read on its own.
            let end = self.text[m.end()..]
                .find('\n')
                .map_or(self.text.len(), |i| m.end() + i + 1);
            self.scanned = self.scanned.saturating_sub(end);
            return Some(Hit {
                want: Want::LoginFailed,
                mode: None,
                before: self.text.drain(..end).collect(),
                tail: String::new(),
            });
        }
        let tail_start = line_start(&self.text);
        let tail = &self.text[tail_start..];
        if let Some(hit) = self.match_tail(wants, extra, tail) {
            let (want, mode) = hit;
            return Some(self.consume(want, mode, tail_start));
        }
        // A question may be followed by blank lines ("Press RETURN to get started!\n\n").
        let last_line = self.text.trim_end_matches('\n');
        let last_start = line_start(last_line);
        let dialogs: Vec<Want> = wants
            .iter()
            .copied()
            .filter(|w| matches!(w, Want::Dialog(_)))
            .collect();
        if tail.is_empty()
            && !dialogs.is_empty()
            && let Some((want, mode)) = self.match_tail(&dialogs, extra, &last_line[last_start..])
        {
            return Some(self.consume(want, mode, last_start));
        }
        // A log line that landed right after a prompt leaves the prompt on the line before.
        // (Consoles frame each log line with blank lines: look past them all.)
        if tail.is_empty() && self.log_at_end && wants.contains(&Want::Prompt) {
            let body_len = self.text.trim_end_matches('\n').len();
            let body = &self.text[..body_len];
            let prev_start = line_start(body);
            if let Some((want, mode)) = self.match_tail(&[Want::Prompt], &[], &body[prev_start..]) {
                self.text.truncate(body_len);
                return Some(self.consume(want, mode, prev_start));
            }
        }
        None
    }

    fn match_tail(
        &self,
        wants: &[Want],
        extra: &[Pattern],
        tail: &str,
    ) -> Option<(Want, Option<ModeName>)> {
        let v = &self.vendor;
        for &w in wants {
            let hit = match w {
                Want::Pager => v.pager.as_ref().is_some_and(|p| p.is_match(tail)),
                Want::Dialog(i) => v.dialogs.get(i).is_some_and(|d| d.pattern.is_match(tail)),
                Want::Username => v.username_prompt.is_match(tail),
                // The login's password prompt, or a mode's own (`enable` asking its secret).
                Want::Password => {
                    v.password_prompt.is_match(tail)
                        || v.modes
                            .iter()
                            .any(|m| m.auth_prompt.as_ref().is_some_and(|r| r.is_match(tail)))
                }
                Want::Pattern(i) => extra.get(i).is_some_and(|r| r.is_match(tail)),
                Want::LoginFailed => false,
                Want::Prompt => {
                    if let Some(m) = v.modes.iter().find(|m| m.prompt.is_match(tail)) {
                        return Some((w, Some(m.name.clone())));
                    }
                    false
                }
            };
            if hit {
                return Some((w, None));
            }
        }
        None
    }

    pub(super) fn consume(&mut self, want: Want, mode: Option<ModeName>, tail_start: usize) -> Hit {
        let before = self.text[..tail_start].to_string();
        let tail = self.text[tail_start..].to_string();
        self.text.clear();
        // A long output (a log buffer of a thousand lines) would otherwise keep its room
        // for the life of the session: the watch's memory would follow the devices'
        // buffers as they fill.
        self.text.shrink_to(KEPT_ROOM);
        self.scanned = 0;
        self.log_at_end = false;
        Hit {
            want,
            mode,
            before,
            tail,
        }
    }
}

/// Room the session's text keeps between commands, bytes.
const KEPT_ROOM: usize = 16 * 1024;

/// Where the last line of `s` starts (just after its last newline).
pub(super) fn line_start(s: &str) -> usize {
    s.rfind('\n').map_or(0, |i| i + 1)
}
