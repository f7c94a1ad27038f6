//! One client's session with a replayed device: typed bytes in, the recorded answers out,
//! each after its recorded delay (divided by the replay's speed). Each session starts at
//! the first recorded answer of every command, so a watch's polls walk through the
//! recorded ones in order (the last repeats).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::book::Next;
use super::recording::Input;
use super::{Replay, Speed};

/// Bytes to write after `delay`.
#[derive(Debug, Default)]
pub struct Reply {
    pub delay: Duration,
    pub bytes: Vec<u8>,
}

pub struct ReplaySession {
    replay: Arc<Replay>,
    /// Per key, how many of its answers this session has had.
    cursors: HashMap<usize, usize>,
    prompt: String,
    next: Next,
    line: String,
    last_cr: bool,
    /// The last command line typed: what keys and secrets continue.
    context: String,
    /// The first input: the recorded times count from there (a console served long
    /// before its client comes still starts at the recording's beginning).
    started: Option<std::time::Instant>,
}

impl ReplaySession {
    /// A session and what the device prints first.
    pub fn new(replay: Arc<Replay>) -> (ReplaySession, Vec<u8>) {
        let greeting = replay.book.greeting.clone();
        let prompt = prompt_of(&greeting, &replay.profile).to_string();
        let s = ReplaySession {
            replay,
            cursors: HashMap::new(),
            prompt,
            next: Next::Line,
            line: String::new(),
            last_cr: false,
            context: String::new(),
            started: None,
        };
        (s, greeting.into_bytes())
    }

    /// Feed typed bytes; what to print, in order.
    pub fn feed(&mut self, input: &[u8]) -> Vec<Reply> {
        self.started.get_or_insert_with(std::time::Instant::now);
        let mut out = vec![Reply::default()];
        for &b in input {
            if self.next == Next::Keys {
                let keys = Input::Keys(char::from(b).to_string());
                if let Some(reply) = self.answer(&keys) {
                    out.push(reply);
                    continue;
                }
            }
            match b {
                b'\r' | b'\n' => {
                    let skip = b == b'\n' && self.last_cr;
                    self.last_cr = b == b'\r';
                    if !skip {
                        let line = std::mem::take(&mut self.line);
                        out.push(self.enter(&line));
                    }
                }
                0x08 | 0x7f => {
                    self.last_cr = false;
                    if self.line.pop().is_some() && self.echoes() {
                        push_now(&mut out, b"\x08 \x08");
                    }
                }
                b if b < 0x20 => self.last_cr = false,
                b => {
                    self.last_cr = false;
                    self.line.push(char::from(b));
                    if self.echoes() {
                        push_now(&mut out, &[b]);
                    }
                }
            }
        }
        out.retain(|r| !r.bytes.is_empty());
        out
    }

    fn echoes(&self) -> bool {
        self.replay.book.echoes && self.next != Next::Secret
    }

    /// The answer to a line typed at the current prompt: recorded, or the vendor's
    /// invalid-input answer (the command noted as never recorded).
    fn enter(&mut self, line: &str) -> Reply {
        let input = match self.next {
            Next::Secret => Input::Secret,
            _ => Input::Line(line.to_string()),
        };
        if input == Input::Secret && !self.replay.accepts_secret(line) {
            return Reply {
                delay: Duration::ZERO,
                bytes: format!("\r\n{}", self.prompt).into_bytes(),
            };
        }
        if let Input::Line(l) = &input
            && !l.trim().is_empty()
        {
            self.context = l.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        if let Some(reply) = self.answer(&input) {
            return reply;
        }
        let bytes = if line.trim().is_empty() {
            format!("\r\n{}", self.prompt)
        } else {
            self.replay.unrecorded(line);
            format!("\r\n{}\r\n{}", self.replay.invalid, self.prompt)
        };
        Reply {
            delay: Duration::ZERO,
            bytes: bytes.into_bytes(),
        }
    }

    /// The next recorded answer to `input` at this prompt, if there is one.
    fn answer(&mut self, input: &Input) -> Option<Reply> {
        let book = &self.replay.book;
        let ports = &self.replay.profile.port_names;
        let key = book.find(&self.prompt, input, &self.context, ports)?;
        let answers = &book.keys[key].answers;
        // The next answer not yet given, or, where the recording's time has passed later
        // ones, the latest (a watch that polls less often than the recorded one still
        // ends at the recorded end).
        let due = match self.replay.speed {
            Speed::Max => None,
            Speed::Times(f) => {
                let since = self.started.map(|s| s.elapsed()).unwrap_or_default();
                let now = since.mul_f64(f);
                answers.iter().rposition(|a| a.at <= now)
            }
        };
        let n = self.cursors.entry(key).or_default();
        // Never past the last: a key holds at least the answer it was made with.
        let i = (*n).max(due.unwrap_or(0)).min(answers.len() - 1);
        let a = &answers[i];
        *n = i + 1;
        let typed_at = &book.keys[key].prompt;
        let ends_at = prompt_of(&a.text, &self.replay.profile);
        // An answer recorded at another prompt fits here only where it left the device
        // where it found it (a `show` in config mode): then it ends at this prompt.
        let text = match typed_at == &self.prompt {
            true => a.text.clone(),
            false if ends_at == typed_at => {
                let body = a.text.strip_suffix(typed_at.as_str()).unwrap_or(&a.text);
                format!("{body}{}", self.prompt)
            }
            false => return None,
        };
        self.prompt = prompt_of(&text, &self.replay.profile).to_string();
        self.next = a.next;
        Some(Reply {
            delay: self.replay.delay(a.latency),
            bytes: text.into_bytes(),
        })
    }
}

/// Echo goes out at once, before any answer of the same read.
fn push_now(out: &mut Vec<Reply>, bytes: &[u8]) {
    match out.last_mut() {
        Some(r) if r.delay.is_zero() => r.bytes.extend_from_slice(bytes),
        _ => out.push(Reply {
            delay: Duration::ZERO,
            bytes: bytes.to_vec(),
        }),
    }
}

/// The prompt an answer leaves the device at: its last line, or where log lines came after
/// the prompt, the last line that is a prompt.
fn prompt_of<'a>(text: &'a str, profile: &super::ReplayProfile) -> &'a str {
    super::recording::prompt_at(text, text.len(), &|l| profile.is_prompt(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::{Book, Recording, ReplayProfile, recording};

    fn rec(polls: &[&str]) -> Recording {
        let mut t = String::from(
            "\n--- switchlab 2026-12-07T10:00:00Z: connecting to device 'sw' (vendor v)\n",
        );
        t.push_str("\n--- received 2026-12-07T10:00:00Z\nsw#");
        for (i, answer) in polls.iter().enumerate() {
            t.push_str(&format!(
                "\n--- sent 2026-12-07T10:00:0{i}Z\nshow interfaces\r\n--- received 2026-12-07T10:00:0{i}Z\nshow interfaces\r\n{answer}\r\nsw#"
            ));
        }
        let profile = ReplayProfile::default();
        recording::read("t", &t, &|l| profile.is_prompt(l)).unwrap()
    }

    fn replay(recs: &[Recording]) -> Arc<Replay> {
        let profile = ReplayProfile {
            invalid: "% Invalid input".into(),
            ..Default::default()
        };
        Arc::new(Replay::of(recs, profile, Speed::Max, None, false))
    }

    fn typed(s: &mut ReplaySession, line: &str) -> String {
        let out: Vec<u8> = s
            .feed(line.as_bytes())
            .into_iter()
            .flat_map(|r| r.bytes)
            .collect();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_command_asked_again_gets_the_next_recorded_answer_and_the_last_repeats() {
        let (mut s, greeting) = ReplaySession::new(replay(&[rec(&["up 1", "down 2", "up 3"])]));
        assert_eq!(greeting, b"sw#");
        assert_eq!(
            typed(&mut s, "sh int\r"),
            "sh int\r\nup 1\r\nsw#",
            "echo, then the answer"
        );
        assert!(typed(&mut s, "show interfaces\r").contains("down 2"));
        assert!(typed(&mut s, "show interfaces\r").contains("up 3"));
        assert!(typed(&mut s, "show interfaces\r").contains("up 3"));
        // A new session starts at the first answer again.
        let (mut again, _) = ReplaySession::new(s.replay.clone());
        assert!(typed(&mut again, "show interfaces\r").contains("up 1"));
    }

    #[test]
    fn recordings_merge_and_a_command_none_answers_is_the_vendors_invalid_input_and_listed() {
        let r = replay(&[rec(&["first"]), rec(&["second"])]);
        let (mut s, _) = ReplaySession::new(r.clone());
        assert!(typed(&mut s, "show interfaces\r").contains("first"));
        assert!(typed(&mut s, "show interfaces\r").contains("second"));
        assert_eq!(
            typed(&mut s, "show vlan\r"),
            "show vlan\r\n% Invalid input\r\nsw#"
        );
        assert_eq!(typed(&mut s, "\r"), "\r\nsw#", "Enter alone: the prompt");
        assert_eq!(r.asked_unrecorded(), ["show vlan"]);
    }

    #[test]
    fn merged_recordings_follow_each_other_in_time() {
        // Two recordings of three answers a second apart: the second one's come after.
        let book = Book::new(&[rec(&["a", "b", "c"]), rec(&["d", "e", "f"])]);
        let at: Vec<u64> = book.keys[0]
            .answers
            .iter()
            .map(|a| a.at.as_secs())
            .collect();
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
        assert!(at[3] >= at[2], "{at:?}");
    }
}
