//! Compiling a profile's patterns: each error names the profile key and is located at
//! the pattern's place in the file (what `vendor/compiled.rs` builds on). Session
//! patterns are `regex-lite`'s; what is tried on every line of long outputs (`[[parse]]`
//! rules, `errors`, `async_line`) is `regex`'s (see `pattern.rs`).

use super::compiled::Answer;
use super::pattern::{Pattern, PatternSet};
use super::profile::Dialog;
use crate::format::{FormatError, Source};
use regex_syntax::hir::Look;

/// Compiles regexes, naming the profile key and locating the pattern in the file.
pub(super) struct Compiler<'a> {
    src: &'a Source,
}

impl<'a> Compiler<'a> {
    pub(super) fn new(src: &'a Source) -> Compiler<'a> {
        Compiler { src }
    }

    /// A session pattern, compiled.
    pub(super) fn regex(&self, key: &str, pattern: &str) -> Result<Pattern, FormatError> {
        Pattern::new(pattern)
            .map_err(|e| self.invalid(pattern, key, format!("regex does not compile: {e}")))
    }

    /// A pattern tried on every line of long outputs (`[[parse]]` rules, `async_line`),
    /// compiled with `regex`, whose literal prefilters skip most lines at once.
    pub(super) fn scan_regex(&self, key: &str, pattern: &str) -> Result<regex::Regex, FormatError> {
        super::ascii::profile_regex(pattern)
            .map_err(|e| self.invalid(pattern, key, format!("regex does not compile: {e}")))
    }

    /// An optional pattern tried on every line of long outputs, compiled.
    pub(super) fn scan_opt(
        &self,
        key: &str,
        pattern: Option<&str>,
    ) -> Result<Option<regex::Regex>, FormatError> {
        pattern.map(|p| self.scan_regex(key, p)).transpose()
    }

    /// A pattern tried on every line that must say where the line starts (`^`, in each
    /// alternative): else it would match text that only quotes what it looks for.
    pub(super) fn line_start(&self, key: &str, pattern: &str) -> Result<regex::Regex, FormatError> {
        let re = self.scan_regex(key, pattern)?;
        let prefix = regex_syntax::parse(pattern).map(|h| h.properties().look_set_prefix());
        if prefix.is_ok_and(|l| l.contains(Look::Start) || l.contains(Look::StartLF)) {
            return Ok(re);
        }
        Err(self.invalid(
            pattern,
            key,
            format!(
                "'{pattern}' must describe where a log line starts: begin it (each alternative) with `^`, then the line's timestamp or sequence number, so that config quoting a message ID stays config"
            ),
        ))
    }

    /// `re` if it has the group `v` the value is taken from, else an error saying so.
    pub(super) fn with_v<R: Groups>(
        &self,
        re: R,
        pattern: &str,
        key: &str,
    ) -> Result<R, FormatError> {
        if re.has_group("v") {
            return Ok(re);
        }
        Err(self.invalid(
            pattern,
            key,
            format!("'{pattern}' has no group `v` to take the value from; write e.g. 'Version (?P<v>\\S+)'"),
        ))
    }

    /// An error located at the first place the offending text appears in the file.
    pub(super) fn invalid(&self, needle: &str, key: &str, message: String) -> FormatError {
        let at = self.src.text.find(needle).unwrap_or(0);
        self.src.invalid(&(at..at), key, message)
    }

    /// An optional pattern, compiled.
    pub(super) fn opt(
        &self,
        key: &str,
        pattern: Option<&str>,
    ) -> Result<Option<Pattern>, FormatError> {
        pattern.map(|p| self.regex(key, p)).transpose()
    }

    /// Every pattern of a list, compiled.
    pub(super) fn all(&self, key: &str, patterns: &[String]) -> Result<Vec<Pattern>, FormatError> {
        patterns.iter().map(|p| self.regex(key, p)).collect()
    }

    /// `patterns` as one set, the error naming the first that does not compile.
    pub(super) fn set(&self, key: &str, patterns: &[String]) -> Result<PatternSet, FormatError> {
        self.all(key, patterns).map(PatternSet::new)
    }

    /// `patterns` as one `regex` set, tried on every line of long outputs (`errors`);
    /// where it does not compile, each is compiled alone so the error names its pattern.
    pub(super) fn scan_set(
        &self,
        key: &str,
        patterns: &[String],
    ) -> Result<regex::RegexSet, FormatError> {
        super::ascii::profile_set(patterns).map_err(|e| {
            let alone = patterns.iter().find_map(|p| self.scan_regex(key, p).err());
            alone.unwrap_or_else(|| {
                let first = patterns.first().map_or("", String::as_str);
                self.invalid(
                    first,
                    key,
                    format!("the patterns do not compile together: {e}"),
                )
            })
        })
    }

    pub(super) fn answers(
        &self,
        key: &str,
        dialogs: &[Dialog],
    ) -> Result<Vec<Answer>, FormatError> {
        dialogs
            .iter()
            .map(|d| {
                Ok(Answer {
                    pattern: self.regex(key, &d.pattern)?,
                    answer: d.answer.clone(),
                })
            })
            .collect()
    }
}

/// A compiled regex's named groups, whichever engine compiled it.
pub(super) trait Groups {
    fn has_group(&self, name: &str) -> bool;
}

impl Groups for Pattern {
    fn has_group(&self, name: &str) -> bool {
        self.capture_names().flatten().any(|g| g == name)
    }
}

impl Groups for regex::Regex {
    fn has_group(&self, name: &str) -> bool {
        self.capture_names().flatten().any(|g| g == name)
    }
}
