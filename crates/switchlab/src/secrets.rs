//! Secrets masked wherever text goes out: transcripts, errors, log lines, run.json, stderr.
//!
//! A session masks with its own secrets where text from the device becomes an error (the
//! source). Every value read from a variable the lab names is also remembered here, so
//! the sinks (errors on stderr and stdout, log lines, run.json `errors`) mask as a last
//! guard whatever got past. Only errors and log lines: a password such as `admin` would
//! otherwise turn `administratively down` in a progress line into nonsense.

use std::sync::Mutex;

/// What replaces a secret.
pub(crate) const MASK: &str = "********";

/// Secret values, masked in any text given to `mask`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    /// Remember `s` (an empty value hides nothing).
    pub(crate) fn add(&mut self, s: &str) {
        if !s.is_empty() && !self.0.iter().any(|k| k == s) {
            self.0.push(s.to_string());
            // Longest first: a secret inside another is not masked half.
            self.0.sort_by_key(|k| std::cmp::Reverse(k.len()));
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }

    /// `text` with every secret replaced by the mask.
    pub(crate) fn mask(&self, text: &str) -> String {
        let mut text = text.to_string();
        for s in &self.0 {
            if text.contains(s.as_str()) {
                text = text.replace(s.as_str(), MASK);
            }
        }
        text
    }
}

/// Every secret this process read from the environment.
static KNOWN: Mutex<Secrets> = Mutex::new(Secrets(Vec::new()));

/// Remember a secret read from the environment, for the sinks' guard.
pub(crate) fn remember(s: &str) {
    crate::locks::lock(&KNOWN).add(s);
}

/// `text` with every secret this process knows masked: the last guard before a sink.
pub fn masked(text: &str) -> String {
    crate::locks::lock(&KNOWN).mask(text)
}

/// Stderr for log lines, with secrets masked (each event is one write).
pub struct MaskedStderr;

impl std::io::Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = masked(&String::from_utf8_lossy(buf));
        std::io::stderr().write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_masked_and_a_longer_secret_first() {
        let mut s = Secrets::default();
        s.add("pw");
        s.add("pw-long");
        s.add("");
        assert_eq!(s.mask("a pw-long b pw"), format!("a {MASK} b {MASK}"));
        remember("t0p-s3cret-value");
        assert_eq!(masked("said t0p-s3cret-value!"), format!("said {MASK}!"));
    }
}
