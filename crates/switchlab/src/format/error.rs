//! Errors for the input files (lab, manifest, vendor profiles): every one names the file,
//! the line and column, the key, and where it can, a hint with what would have been valid.

use std::fmt;
use std::path::PathBuf;

/// A position in an input file, 1-based, as editors show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// What went wrong with an input file. Each variant carries where and which key.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{file}: cannot read: {error}{hint}", file = file.display(), hint = io_hint(error))]
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
    /// TOML syntax, a wrong type, a missing or an unknown key (as the TOML reader saw it).
    #[error("{at}: {message}")]
    Syntax { at: Location, message: String },
    /// A name that should refer to something defined elsewhere and does not.
    #[error("{at}: key `{key}`: {what} '{name}' not in {inside}; known: {known}", known = list_or_none(known))]
    UnknownRef {
        at: Location,
        key: String,
        what: &'static str,
        name: String,
        inside: String,
        known: Vec<String>,
    },
    /// A name given on the command line that the lab does not have.
    #[error("{arg} on the command line: {what} '{name}' not in {inside}; known: {known}", known = list_or_none(known))]
    Argument {
        arg: String,
        what: &'static str,
        name: String,
        inside: String,
        known: Vec<String>,
    },
    /// A value that parses but makes no sense (a bad duration, two access methods, …).
    #[error("{at}: key `{key}`: {message}")]
    Invalid {
        at: Location,
        key: String,
        message: String,
    },
}

/// What a file error means for a path the user gave: what was expected there.
pub fn io_hint(e: &std::io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(21) => " (a folder where a file was expected)",
        Some(20) => " (a file where a folder was expected, or a path through a file)",
        Some(17) => " (it exists and is not a folder)",
        Some(25) => " (not a serial device: a file, not a tty)",
        _ => "",
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

impl FormatError {
    /// Where the error points, if it points into a file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            FormatError::Read { .. } | FormatError::Argument { .. } => None,
            FormatError::Syntax { at, .. }
            | FormatError::UnknownRef { at, .. }
            | FormatError::Invalid { at, .. } => Some(at),
        }
    }
}
