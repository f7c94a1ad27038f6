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
    started: std::time::Instant,
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
            started: std::time::Instant::now(),
        };
        (s, greeting.into_bytes())
    }

    /// Feed typed bytes; what to print, in order.
    pub fn feed(&mut self, input: &[u8]) -> Vec<Reply> {
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
        let key = book.find(&self.prompt, input, &self.replay.profile.port_names)?;
        let answers = &book.keys[key].answers;
        // The next answer not yet given, or, where the recording's time has passed later
        // ones, the latest (a watch that polls less often than the recorded one still
        // ends at the recorded end).
        let due = match self.replay.speed {
            Speed::Max => None,
            Speed::Times(f) => {
                let now = self.started.elapsed().mul_f64(f);
                answers.iter().rposition(|a| a.at <= now)
            }
        };
        let n = self.cursors.entry(key).or_default();
        // Never past the last: a key holds at least the answer it was made with.
        let i = (*n).max(due.unwrap_or(0)).min(answers.len() - 1);
        let a = &answers[i];
        *n = i + 1;
        self.prompt = prompt_of(&a.text, &self.replay.profile).to_string();
        self.next = a.next;
        Some(Reply {
            delay: self.replay.delay(a.latency),
            bytes: a.text.clone().into_bytes(),
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
