//! A transcript read back as a device's answers: the blocks `--- sent`, `--- received`
//! and `--- switchlab` notes (channel/transcript.rs writes them) become, per session, what
//! the device printed before anything was typed, and for every input the prompt it was
//! typed at and what the device printed after it up to the next input's prompt.
//!
//! Received text is one stream per session; an input is placed in it by its echo (the
//! command after a prompt on the same line), since a client types ahead and the device
//! answers later. An input with no echo (a password, a pager key) answers from where the
//! stream stood when it was sent.

use std::time::Duration;

use super::ReplayError;

/// The mask secrets are written as (secrets.rs): a recorded input that is only the mask
/// was a password or a secret.
const MASK: &str = "********";

/// What was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line ended by Enter (the command without it; empty for Enter alone).
    Line(String),
    /// A password or secret, masked in the recording: any typed line stands for it.
    Secret,
    /// Keys sent without Enter (a pager's space, a `[y/n]` answer on some devices).
    Keys(String),
}

/// One input and what the device printed after it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The line the input was typed at (`sw1#`, `Password: `), without line breaks.
    pub prompt: String,
    pub input: Input,
    /// From after the echo to the next input's prompt, included.
    pub answer: String,
    /// The device echoed the input.
    pub echoed: bool,
    /// From the input sent to the first of its answer received.
    pub latency: Duration,
    /// When the input was sent, from the session's first block.
    pub at: Duration,
}

/// One session of a recording.
#[derive(Debug, Clone, Default)]
pub struct RecordedSession {
    /// Printed before anything was typed.
    pub greeting: String,
    pub exchanges: Vec<Exchange>,
}

/// A recording file read: the vendor its first line names (if it names one), its sessions.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    pub vendor: Option<String>,
    pub device: Option<String>,
    pub sessions: Vec<RecordedSession>,
}

/// A block of the transcript.
enum Block<'a> {
    Sent(jiff::Timestamp, &'a str),
    Received(jiff::Timestamp, &'a str),
    Note(&'a str),
}

/// A session's blocks gathered: received text as one stream, each input at its offset.
#[derive(Default)]
struct Stream {
    text: String,
    /// (offset in `text` when sent, time sent, input)
    inputs: Vec<(usize, jiff::Timestamp, Input)>,
    /// (offset, time) where each received block began.
    arrivals: Vec<(usize, jiff::Timestamp)>,
    /// The session's first block.
    began: Option<jiff::Timestamp>,
}

/// Read a transcript; `file` names it in errors. `is_prompt` says whether a line's text
/// before an echo is a prompt the device shows (the profile's prompts).
pub fn read(
    file: &str,
    text: &str,
    is_prompt: &dyn Fn(&str) -> bool,
) -> Result<Recording, ReplayError> {
    let blocks = blocks(file, text)?;
    let mut rec = Recording::default();
    let mut stream: Option<Stream> = None;
    for block in blocks {
        match block {
            Block::Note(note) => {
                if let Some(rest) = note.strip_prefix("connecting to device '") {
                    let (name, vendor) = parse_connect(rest);
                    rec.device.get_or_insert(name);
                    if let Some(v) = vendor {
                        rec.vendor.get_or_insert(v);
                    }
                    if let Some(s) = stream.take() {
                        rec.sessions.push(s.session(is_prompt));
                    }
                    stream = Some(Stream::default());
                }
            }
            Block::Sent(at, data) => {
                let s = stream.get_or_insert_with(Stream::default);
                s.began.get_or_insert(at);
                for input in inputs(data) {
                    s.inputs.push((s.text.len(), at, input));
                }
            }
            Block::Received(at, data) => {
                let s = stream.get_or_insert_with(Stream::default);
                s.began.get_or_insert(at);
                s.arrivals.push((s.text.len(), at));
                s.text.push_str(data);
            }
        }
    }
    if let Some(s) = stream {
        rec.sessions.push(s.session(is_prompt));
    }
    if rec.sessions.iter().all(|s| s.exchanges.is_empty()) {
        return Err(ReplayError::Empty {
            file: file.to_string(),
        });
    }
    Ok(rec)
}

/// The vendor a transcript's first connect note names.
pub fn vendor_named(text: &str) -> Option<String> {
    let note = "switchlab ";
    text.lines()
        .filter(|l| l.starts_with("--- ") && l[4..].starts_with(note))
        .find_map(|l| l.split_once(": connecting to device '"))
        .and_then(|(_, rest)| parse_connect(rest).1)
}

/// `NAME' (vendor V)` → (NAME, V).
fn parse_connect(rest: &str) -> (String, Option<String>) {
    let (name, tail) = rest.split_once('\'').unwrap_or((rest, ""));
    let vendor = tail
        .split_once("(vendor ")
        .and_then(|(_, v)| v.split_once(')'))
        .map(|(v, _)| v.to_string());
    (name.to_string(), vendor)
}

/// The transcript's blocks in order; a line that starts a block but cannot be read is an
/// error naming its line.
fn blocks<'a>(file: &str, text: &'a str) -> Result<Vec<Block<'a>>, ReplayError> {
    const HEAD: &str = "\n--- ";
    let mut out = Vec::new();
    // A block starts at a line `--- sent|received|switchlab …`; other lines that begin
    // with `--- ` (ping's statistics, a diff) are the device's text.
    let is_head = |at: usize| {
        let rest = text[at..]
            .trim_start_matches('\n')
            .trim_start_matches("--- ");
        ["sent ", "received ", "switchlab "]
            .iter()
            .any(|k| rest.starts_with(k))
    };
    let mut starts: Vec<usize> = text
        .match_indices(HEAD)
        .map(|(i, _)| i)
        .filter(|&i| is_head(i))
        .collect();
    if text.starts_with("--- ") && is_head(0) {
        starts.insert(0, 0);
    }
    for (n, &start) in starts.iter().enumerate() {
        let from = if start == 0 && !text.starts_with('\n') {
            4
        } else {
            start + HEAD.len()
        };
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let body = &text[from..end];
        let (head, data) = body.split_once('\n').unwrap_or((body, ""));
        let line = 1 + text[..from].matches('\n').count();
        let bad = || ReplayError::Block {
            file: file.to_string(),
            line,
            text: head.chars().take(60).collect(),
        };
        let (kind, rest) = head.split_once(' ').ok_or_else(bad)?;
        let block = match kind {
            "sent" => Block::Sent(rest.trim().parse().map_err(|_| bad())?, data),
            "received" => Block::Received(rest.trim().parse().map_err(|_| bad())?, data),
            "switchlab" => Block::Note(rest.split_once(": ").map_or("", |(_, n)| n)),
            _ => return Err(bad()),
        };
        out.push(block);
    }
    if starts.is_empty() {
        return Err(ReplayError::NotATranscript {
            file: file.to_string(),
        });
    }
    Ok(out)
}

/// A sent block as inputs: each line ended by CR or LF, and keys left without one.
fn inputs(data: &str) -> Vec<Input> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.find(['\r', '\n']) {
        let line = &rest[..i];
        out.push(if line == MASK {
            Input::Secret
        } else {
            Input::Line(line.to_string())
        });
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
    }
    if !rest.is_empty() {
        out.push(Input::Keys(rest.to_string()));
    }
    out
}

impl Stream {
    /// Place every input by its echo and cut the stream into answers.
    fn session(self, is_prompt: &dyn Fn(&str) -> bool) -> RecordedSession {
        let text = self.text.as_str();
        // (where the echo starts or the input was sent, where its answer starts, echoed)
        let mut placed = Vec::with_capacity(self.inputs.len());
        let mut from = 0;
        for (sent_at, _, input) in &self.inputs {
            let echo = match input {
                Input::Line(cmd) if !cmd.trim().is_empty() => {
                    find_echo(text, from, *sent_at, cmd, is_prompt)
                }
                _ => None,
            };
            let p = match echo {
                Some((start, end)) => (start, end, true),
                None => {
                    let at = (*sent_at).max(from);
                    (at, at, false)
                }
            };
            from = p.1;
            placed.push(p);
        }
        let first_sent = self.inputs.first().map_or(text.len(), |i| i.0);
        let mut exchanges = Vec::with_capacity(placed.len());
        for (i, (sent_at, at, input)) in self.inputs.into_iter().enumerate() {
            let (start, answer_from, echoed) = placed[i];
            let answer_to = placed
                .get(i + 1)
                .map_or(text.len(), |n| n.0.max(answer_from));
            let prompt = prompt_at(text, start, is_prompt);
            let first_byte = self
                .arrivals
                .iter()
                .find(|(o, _)| *o >= sent_at)
                .map(|(_, t)| *t);
            let latency = first_byte
                .and_then(|t| t.duration_since(at).try_into().ok())
                .unwrap_or_default();
            let since = |t: jiff::Timestamp| -> Duration {
                self.began
                    .and_then(|b| t.duration_since(b).try_into().ok())
                    .unwrap_or_default()
            };
            exchanges.push(Exchange {
                prompt: prompt.to_string(),
                input,
                answer: text[answer_from..answer_to].to_string(),
                echoed,
                latency,
                at: since(at),
            });
        }
        RecordedSession {
            greeting: text[..first_sent].to_string(),
            exchanges,
        }
    }
}

/// Where a line's text starts (after the last LF before `at`).
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The first echo of `cmd` at or after `from`: the command right after a prompt on its
/// line, or at the start of a line once it was sent (a console that printed log lines
/// after its prompt echoes on a line of its own).
fn find_echo(
    text: &str,
    from: usize,
    sent_at: usize,
    cmd: &str,
    is_prompt: &dyn Fn(&str) -> bool,
) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(i) = text[at..].find(cmd) {
        let start = at + i;
        let end = start + cmd.len();
        let before = text[line_start(text, start)..start].trim_start_matches('\r');
        let line_ends = text[end..].starts_with(['\r', '\n']) || end == text.len();
        // An echo comes after the input was sent, and ends its line.
        let placed = start >= sent_at && line_ends;
        if placed && (is_prompt(before) || before.is_empty()) {
            return Some((start, end));
        }
        at = start + cmd.len().max(1);
    }
    None
}

/// The prompt an input at `at` was typed at: its line's text before it, or where that is
/// empty (log lines came after the prompt), the last line before that is a prompt.
pub fn prompt_at<'a>(text: &'a str, at: usize, is_prompt: &dyn Fn(&str) -> bool) -> &'a str {
    let own = text[line_start(text, at)..at].trim_start_matches('\r');
    if !own.is_empty() {
        return own;
    }
    let before = &text[..line_start(text, at)];
    before
        .split('\n')
        .rev()
        .map(|l| l.trim_matches('\r'))
        .find(|l| is_prompt(l))
        .unwrap_or("")
}

#[cfg(test)]
#[path = "recording_tests.rs"]
mod tests;
