//! Replays: a device recorded once (a run folder's transcript, a `switchlab record` file)
//! served again over SSH or a pty console, answering as the recorded one did.
//!
//! Layout: `recording` (a transcript read back into prompts, inputs and answers), `book`
//! (the answers of all recordings, looked up by what is typed where), `session` (one
//! client: echo, answers, delays), `serve` (the SSH and console front ends).
//!
//! What the vendor adds (its prompts, error lines, port names, its invalid-input answer)
//! comes in as a [`ReplayProfile`], built by the caller from the vendor's profile: the
//! simulators do not read profiles.

pub mod book;
pub mod recording;
mod serve;
pub mod session;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

pub use book::Book;
pub use recording::Recording;
pub use serve::{ReplayServer, serve_console, serve_ssh};

/// Secrets as recordings hold them (secrets.rs writes this mask).
pub(crate) const MASK: &str = "********";

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{file}: cannot read it")]
    Io {
        file: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{file}: not a transcript (no `--- sent` or `--- received` block)")]
    NotATranscript { file: String },
    #[error("{file}:{line}: `--- {text}` is not a sent, received or switchlab block")]
    Block {
        file: String,
        line: usize,
        text: String,
    },
    #[error("{file}: nothing was typed in it, so there is nothing to replay")]
    Empty { file: String },
    #[error(
        "{file} does not say which vendor it recorded (a transcript from before its first line named one): give --vendor"
    )]
    NoVendor { file: String },
    #[error("{file} recorded {found}, {first} recorded {vendor}: one replay plays one device")]
    Mixed {
        file: String,
        found: String,
        first: String,
        vendor: String,
    },
}

/// What a replay takes from the vendor's profile.
#[derive(Debug, Clone, Default)]
pub struct ReplayProfile {
    pub vendor: String,
    /// Every prompt the device shows: modes, login, dialogs, pager.
    pub prompts: Vec<regex_lite::Regex>,
    /// Lines that are the device's error messages.
    pub errors: Option<regex::RegexSet>,
    /// The invalid-input message, from the profile's first error pattern.
    pub invalid: String,
    /// Port types: long name, short names.
    pub port_names: Vec<(String, Vec<String>)>,
}

impl ReplayProfile {
    /// Whether `text`, before an echo on its line, is a prompt: one of the profile's, or a
    /// line ending as prompts do (`#`, `>`, `$`, `:`, `?`, `]`).
    pub fn is_prompt(&self, text: &str) -> bool {
        let t = text.trim_end();
        !t.is_empty()
            && (self.prompts.iter().any(|p| p.is_match(text))
                || t.ends_with(['#', '>', '$', ':', '?', ']']))
    }
}

/// How fast recorded delays pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Recorded delays divided by this factor.
    Times(f64),
    /// No delays.
    Max,
}

/// A replayed device: its answers, the vendor's part, and what was asked of it.
pub struct Replay {
    pub book: Book,
    pub profile: ReplayProfile,
    /// The answer to a command never recorded.
    pub invalid: String,
    pub speed: Speed,
    /// The one login password accepted; any when None.
    pub password: Option<String>,
    /// The one enable secret accepted; any when None.
    pub secret: Option<String>,
    /// Commands asked that no recording answers, in the order first asked.
    asked_unrecorded: Mutex<Vec<String>>,
    /// With `strict`: the first such command ends the replay.
    pub strict: Option<tokio::sync::Notify>,
}

impl Replay {
    /// Read `files` (one device's recordings) with `profile`.
    pub fn load(
        files: &[PathBuf],
        profile: ReplayProfile,
        speed: Speed,
        password: Option<String>,
        strict: bool,
    ) -> Result<Replay, ReplayError> {
        let mut recordings = Vec::new();
        for f in files {
            let text = read_text(f)?;
            let rec = recording::read(&f.display().to_string(), &text, &|t| profile.is_prompt(t))?;
            recordings.push(rec);
        }
        Ok(Replay::of(&recordings, profile, speed, password, strict))
    }

    /// A replay of recordings already read.
    pub fn of(
        recordings: &[Recording],
        profile: ReplayProfile,
        speed: Speed,
        password: Option<String>,
        strict: bool,
    ) -> Replay {
        let book = Book::new(recordings);
        let is_error = |l: &str| profile.errors.as_ref().is_some_and(|e| e.is_match(l));
        let invalid = book
            .invalid_answer(&is_error)
            .unwrap_or_else(|| profile.invalid.clone());
        Replay {
            book,
            profile,
            invalid,
            speed,
            password,
            secret: None,
            asked_unrecorded: Mutex::new(Vec::new()),
            strict: strict.then(tokio::sync::Notify::new),
        }
    }

    /// Only `secret` as the enable secret (default: any).
    pub fn with_secret(mut self, secret: Option<String>) -> Replay {
        self.secret = secret;
        self
    }

    /// Whether a password typed at a console's login, or over SSH, is accepted.
    pub fn accepts_password(&self, typed: &str) -> bool {
        self.password.as_deref().is_none_or(|p| p == typed)
    }

    /// Whether a password or secret typed in a session is accepted: a console's login
    /// password, or the enable secret (which of the two a prompt asks is the recording's,
    /// not known here: either given one is taken).
    pub fn accepts_secret(&self, typed: &str) -> bool {
        match (&self.password, &self.secret) {
            (None, None) => true,
            (p, s) => p.as_deref() == Some(typed) || s.as_deref() == Some(typed),
        }
    }

    fn delay(&self, recorded: Duration) -> Duration {
        match self.speed {
            Speed::Max => Duration::ZERO,
            Speed::Times(f) => recorded.div_f64(f),
        }
    }

    fn unrecorded(&self, line: &str) {
        let mut asked = self
            .asked_unrecorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let line = line.trim().to_string();
        if !asked.contains(&line) {
            asked.push(line);
        }
        if let Some(stop) = &self.strict {
            stop.notify_one();
        }
    }

    /// Commands asked that no recording answered.
    pub fn asked_unrecorded(&self) -> Vec<String> {
        self.asked_unrecorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

fn read_text(f: &Path) -> Result<String, ReplayError> {
    let bytes = std::fs::read(f).map_err(|error| ReplayError::Io {
        file: f.display().to_string(),
        error,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The vendor the first of `files` names, and that all name the same one; `given` wins.
pub fn vendor_of(files: &[PathBuf], given: Option<&str>) -> Result<String, ReplayError> {
    let mut first: Option<(String, String)> = None;
    for f in files {
        let text = read_text(f)?;
        let named = recording::vendor_named(&text);
        let file = f.display().to_string();
        match (&first, named) {
            (None, Some(v)) => first = Some((file, v)),
            (Some((ff, fv)), Some(v)) if *fv != v && given.is_none() => {
                return Err(ReplayError::Mixed {
                    file,
                    found: v,
                    first: ff.clone(),
                    vendor: fv.clone(),
                });
            }
            _ => {}
        }
    }
    if let Some(v) = given {
        return Ok(v.to_string());
    }
    let file = files
        .first()
        .map(|f| f.display().to_string())
        .unwrap_or_default();
    first.map(|(_, v)| v).ok_or(ReplayError::NoVendor { file })
}
