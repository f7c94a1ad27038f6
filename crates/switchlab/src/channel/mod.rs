//! Bytes ⇄ prompts. Reads a device's output until a prompt (or a dialog, a login prompt, a
//! pattern) shows at the end of the buffer, with a timeout that names the device and what
//! was awaited. On the way it strips ANSI escapes and echo, answers pagers, pulls
//! asynchronous log lines out of the output (handing link events on), and keeps a
//! transcript of every byte each way with secrets redacted.

use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::parse::LinkEvent;
use crate::transport::{ByteStream, Connected};
use crate::vendor::{Pattern, Vendor};

mod answer;
mod buffer;
mod clean;
mod stop;
mod transcript;
mod utf8;
pub(crate) use buffer::{BufferRead, BufferSeen};
use stop::line_start;
pub(crate) use transcript::Transcript;

/// What a read may stop at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Prompt,
    Pager,
    Dialog(usize),
    Username,
    Password,
    LoginFailed,
    /// An extra pattern given to the read (index into `extra`).
    Pattern(usize),
}

/// Where a read stops.
#[derive(Clone, Copy)]
enum Stop<'a> {
    /// At one of these, at the end of the text.
    Wants(&'a [Want], &'a [Pattern]),
    /// At the prompt after a line typed ahead of `next` (see `answer.rs`).
    Answer { next: Option<&'a str> },
}

/// What a read stopped at, and the text before it (echo and log lines included, prompt not).
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) want: Want,
    /// The mode whose prompt matched, for `Want::Prompt`.
    pub(crate) mode: Option<crate::vendor::ModeName>,
    pub(crate) before: String,
    /// The matched tail (the prompt, the question).
    pub(crate) tail: String,
}

/// A log line seen on the session, with the time it arrived.
#[derive(Debug, Clone)]
pub(crate) struct SessionLogLine {
    pub(crate) time: SystemTime,
    pub(crate) line: String,
    pub(crate) event: Option<LinkEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(
        "device '{device}': timed out after {after:?} waiting for {what}; last output: {tail:?}"
    )]
    Timeout {
        device: String,
        what: String,
        after: Duration,
        tail: String,
    },
    #[error(
        "device '{device}': the session closed while waiting for {what}; last output: {tail:?}"
    )]
    Closed {
        device: String,
        what: String,
        tail: String,
    },
    #[error(
        "device '{device}': gave up waiting for {what} after {after:?} (--command-timeout): output kept arriving without it, the last of it {kept:?}"
    )]
    Deadline {
        device: String,
        what: String,
        after: Duration,
        /// The last line that arrived (secrets masked).
        kept: String,
    },
    #[error("device '{device}': {error}")]
    Io {
        device: String,
        error: std::io::Error,
    },
}

pub(crate) struct Channel {
    pub(crate) device: String,
    vendor: Vendor,
    stream: Box<dyn ByteStream>,
    _keep: Vec<Box<dyn Send + Sync>>,
    /// Cleaned text not yet consumed by a read.
    text: String,
    /// Byte offset in `text` up to which complete lines were checked for log lines.
    scanned: usize,
    /// A log line was removed right at the end of `text`.
    log_at_end: bool,
    pending_cr: bool,
    /// A character cut between two reads waits here for its rest.
    utf8: utf8::Utf8,
    esc: Esc,
    pub(crate) transcript: Transcript,
    pub(crate) log_lines: Vec<SessionLogLine>,
    /// A log buffer being read (`Driver::show_log`): its lines go here as they arrive,
    /// not into `log_lines`.
    pub(crate) buffer: Option<BufferRead>,
    /// How long a read may go without a byte before it fails.
    pub(crate) idle_timeout: Duration,
    /// How long a read may take however much arrives (log lines keep the idle timeout away).
    pub(crate) command_timeout: Duration,
    /// The last line that arrived, log line or output: what a deadline error shows.
    last_line: String,
    /// The stream holds lines typed ahead until the device reads them (SSH).
    pub(crate) holds_type_ahead: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Esc {
    None,
    Start,
    Csi,
    Charset,
}

impl Channel {
    pub(crate) fn new(device: &str, vendor: &Vendor, conn: Connected) -> Channel {
        Channel {
            device: device.to_string(),
            vendor: vendor.clone(),
            stream: conn.stream,
            _keep: conn.keep_alive,
            text: String::new(),
            scanned: 0,
            log_at_end: false,
            pending_cr: false,
            utf8: utf8::Utf8::default(),
            esc: Esc::None,
            transcript: Transcript::default(),
            log_lines: Vec::new(),
            buffer: None,
            idle_timeout: Duration::from_secs(15),
            command_timeout: crate::transport::COMMAND_TIMEOUT,
            last_line: String::new(),
            holds_type_ahead: conn.holds_type_ahead,
        }
    }

    /// Secrets never reach the transcript.
    pub(crate) fn add_secret(&mut self, s: &str) {
        self.transcript.add_secret(s);
    }

    pub(crate) async fn send(&mut self, data: &str) -> Result<(), ChannelError> {
        self.transcript.sent(data);
        let io = |error| ChannelError::Io {
            device: self.device.clone(),
            error,
        };
        self.stream.write_all(data.as_bytes()).await.map_err(io)?;
        self.stream.flush().await.map_err(|error| ChannelError::Io {
            device: self.device.clone(),
            error,
        })
    }

    /// Send a line and Enter (the profile's newline).
    pub(crate) async fn send_line(&mut self, line: &str) -> Result<(), ChannelError> {
        let nl = self.vendor.profile.session.newline.clone();
        self.send(&format!("{line}{nl}")).await
    }

    /// Read until one of `wants` shows; `what` names it in a timeout error.
    pub(crate) async fn read_until(
        &mut self,
        wants: &[Want],
        extra: &[Pattern],
        what: &str,
    ) -> Result<Hit, ChannelError> {
        self.read_to(Stop::Wants(wants, extra), what).await
    }

    /// Read until `stop` is found in the text.
    async fn read_to(&mut self, stop: Stop<'_>, what: &str) -> Result<Hit, ChannelError> {
        let started = Instant::now();
        let mut last_byte = Instant::now();
        let mut buf = [0u8; 4096];
        let wants = match stop {
            Stop::Wants(wants, _) => wants,
            Stop::Answer { .. } => &[],
        };
        loop {
            let hit = match stop {
                Stop::Wants(wants, extra) => self.check(wants, extra),
                Stop::Answer { next } => self.check_answer(next),
            };
            if let Some(hit) = hit {
                self.transcript.flush();
                return Ok(hit);
            }
            if self.answer_pager(wants).await? {
                continue;
            }
            let give_up = started + self.command_timeout;
            let deadline = (last_byte + self.idle_timeout).min(give_up);
            let now = Instant::now();
            if now >= give_up {
                return Err(self.deadline(what, started));
            }
            if now >= deadline {
                return Err(self.timeout(what, started));
            }
            match tokio::time::timeout(deadline - now, self.stream.read(&mut buf)).await {
                Err(_) if Instant::now() >= give_up => return Err(self.deadline(what, started)),
                Err(_) => return Err(self.timeout(what, started)),
                Ok(Ok(0)) => {
                    self.transcript.flush_received(true);
                    return Err(ChannelError::Closed {
                        device: self.device.clone(),
                        what: what.into(),
                        tail: self.tail_for_error(),
                    });
                }
                Ok(Ok(n)) => {
                    last_byte = Instant::now();
                    self.take_in(&buf[..n]);
                }
                Ok(Err(error)) => {
                    return Err(ChannelError::Io {
                        device: self.device.clone(),
                        error,
                    });
                }
            }
        }
    }

    /// Keep reading until `until`, only to catch log lines as they arrive (their times
    /// stay exact); whatever else arrives stays for the next read.
    pub(crate) async fn listen_until(&mut self, until: Instant) -> Result<(), ChannelError> {
        let mut buf = [0u8; 4096];
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            match tokio::time::timeout(until - now, self.stream.read(&mut buf)).await {
                Err(_) => return Ok(()),
                Ok(Ok(0)) => {
                    return Err(ChannelError::Closed {
                        device: self.device.clone(),
                        what: "log lines".into(),
                        tail: self.tail_for_error(),
                    });
                }
                Ok(Ok(n)) => self.take_in(&buf[..n]),
                Ok(Err(error)) => {
                    return Err(ChannelError::Io {
                        device: self.device.clone(),
                        error,
                    });
                }
            }
        }
    }

    /// Received bytes: into the transcript, cleaned into the text, log lines taken out.
    fn take_in(&mut self, bytes: &[u8]) {
        let chunk = self.utf8.decode(bytes);
        self.transcript.received(&chunk);
        self.clean_into_text(&chunk);
        let logs = self.log_lines.len();
        self.pull_log_lines();
        let last_text = self.text.lines().rev().find(|l| !l.trim().is_empty());
        let last = match self.log_lines.get(logs..).and_then(<[_]>::last) {
            Some(log) => Some(log.line.as_str()),
            None if !chunk.trim().is_empty() => last_text,
            None => None,
        };
        if let Some(line) = last {
            self.last_line = line.trim().chars().take(160).collect();
        }
    }

    fn timeout(&mut self, what: &str, started: Instant) -> ChannelError {
        self.transcript.flush_received(true);
        ChannelError::Timeout {
            device: self.device.clone(),
            what: what.into(),
            after: started.elapsed(),
            tail: self.tail_for_error(),
        }
    }

    fn deadline(&mut self, what: &str, started: Instant) -> ChannelError {
        self.transcript.flush_received(true);
        ChannelError::Deadline {
            device: self.device.clone(),
            what: what.into(),
            after: started.elapsed(),
            kept: self.transcript.secrets().mask(&self.last_line),
        }
    }

    fn tail_for_error(&self) -> String {
        let t = self.text.trim_end();
        let start = t.char_indices().rev().nth(160).map_or(0, |(i, _)| i);
        self.transcript.secrets().mask(&t[start..])
    }

    /// Answer a pager the caller did not ask to see; true if one was answered.
    async fn answer_pager(&mut self, wants: &[Want]) -> Result<bool, ChannelError> {
        if wants.contains(&Want::Pager) {
            return Ok(false);
        }
        let Some(pager) = &self.vendor.pager else {
            return Ok(false);
        };
        let tail_start = line_start(&self.text);
        if !pager.is_match(&self.text[tail_start..]) {
            return Ok(false);
        }
        self.text.truncate(tail_start);
        let answer = self.vendor.profile.session.pager_answer.clone();
        self.send(&answer).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
