//! An input file held in memory with its path, so that any byte offset (from the TOML
//! reader's spans) becomes `file:line:col` in an error.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::{FormatError, Location};

/// The text of one input file and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    /// Where its relative paths resolve, when not beside it (a run folder's copy of a
    /// lab resolves beside the original).
    base: Option<PathBuf>,
}

impl Source {
    pub fn read(path: &Path) -> Result<Source, FormatError> {
        let text = std::fs::read_to_string(path).map_err(|error| FormatError::Read {
            file: path.to_path_buf(),
            error,
        })?;
        Ok(Source {
            path: path.to_path_buf(),
            text,
            base: None,
        })
    }

    /// The same text, its relative paths resolved in `base`.
    pub fn resolved_in(self, base: &Path) -> Source {
        Source {
            base: Some(base.to_path_buf()),
            ..self
        }
    }

    /// The folder its relative paths resolve in: its own, unless `resolved_in` said.
    pub fn dir(&self) -> PathBuf {
        match &self.base {
            Some(b) => b.clone(),
            None => self
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        }
    }

    pub fn from_text(path: impl Into<PathBuf>, text: impl Into<String>) -> Source {
        Source {
            path: path.into(),
            text: text.into(),
            base: None,
        }
    }

    /// The 1-based line and column of a byte offset (columns count characters).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Location {
            file: self.path.clone(),
            line,
            col,
        }
    }

    pub fn location_of(&self, span: &Range<usize>) -> Location {
        self.location(span.start)
    }

    /// Deserialize the whole file, turning the TOML reader's message into a located error.
    /// A wrong type or value names its key (`device.ssh.port`), as the TOML reader alone
    /// would not.
    pub fn parse_toml<T: DeserializeOwned>(&self) -> Result<T, FormatError> {
        let located = |e: &toml::de::Error, key: Option<String>| {
            let at = self.location(e.span().map_or(0, |s| s.start));
            let message = e.message().trim().to_string();
            FormatError::Syntax {
                at,
                message: match key {
                    Some(k) => format!("key `{k}`: {message}"),
                    None => message,
                },
            }
        };
        let de = toml::Deserializer::parse(&self.text).map_err(|e| located(&e, None))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = key_of(e.path());
            located(e.inner(), key)
        })
    }

    pub fn invalid(
        &self,
        span: &Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> FormatError {
        FormatError::Invalid {
            at: self.location_of(span),
            key: key.to_string(),
            message: message.into(),
        }
    }

    pub fn unknown_ref(
        &self,
        span: &Range<usize>,
        key: &str,
        what: &'static str,
        name: &str,
        inside: &str,
        known: Vec<String>,
    ) -> FormatError {
        FormatError::UnknownRef {
            at: self.location_of(span),
            key: key.to_string(),
            what,
            name: name.to_string(),
            inside: inside.to_string(),
            known,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `device[2].ssh.port` → `device.ssh.port` (as the README names keys); None at the top.
fn key_of(path: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;
    let parts: Vec<String> = path
        .iter()
        .filter_map(|s| match s {
            Segment::Map { key } | Segment::Enum { variant: key }
                if !key.starts_with("$__serde_spanned") =>
            {
                Some(key.clone())
            }
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("."))
}
