//! A session's transcript: every byte each way, written to its file as the session goes
//! (from the connect on, flushed at every prompt), so a failed login leaves the bytes that
//! explain it. Secrets are masked in the byte stream, not per read: a console that echoes a
//! password in pieces (`c`, then `isco`) is masked all the same.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::secrets::Secrets;

#[derive(Debug, Default)]
pub(crate) struct Transcript {
    /// Buffered: written out at every prompt (`flush`) and at the end, not per send.
    sink: Option<(PathBuf, BufWriter<File>)>,
    secrets: Secrets,
    /// Nothing is recorded while paused (the repeated polls of a long watch).
    pub(crate) paused: bool,
    /// Received text not yet written: a secret may still be arriving across reads.
    pending: String,
    pending_since: Option<jiff::Timestamp>,
    /// The last thing written was received text: more of it continues that block.
    in_received: bool,
    /// The first write error, kept for the caller (a transcript must not fail a session
    /// midway, but a lost transcript must not go unsaid either: `take_error`).
    error: Option<std::io::Error>,
}

impl Transcript {
    /// A transcript appended to `path` (created; its folder too). Fails when the path is
    /// not a file that can be written (a folder, a missing parent that cannot be made).
    pub(crate) fn to_file(path: &Path) -> std::io::Result<Transcript> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let mut t = Transcript::default();
        // Flushed at every prompt, so a small buffer does: 8 KiB each adds up over 500
        // sessions.
        t.sink = Some((path.to_path_buf(), BufWriter::with_capacity(2048, file)));
        Ok(t)
    }

    /// The first failed write, said once (then None): the transcript is incomplete from there.
    pub(crate) fn take_error(&mut self) -> Option<String> {
        let e = self.error.take()?;
        let path = self
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Some(format!(
            "transcript {path}: {e}; it is incomplete from here"
        ))
    }

    /// Where it is written, if anywhere.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.sink.as_ref().map(|(p, _)| p.as_path())
    }

    /// Secrets never reach the transcript.
    pub(crate) fn add_secret(&mut self, s: &str) {
        self.secrets.add(s);
    }

    /// The secrets masked here, for errors built from the same session's text.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// A line of our own in the transcript, paused or not.
    pub(crate) fn note(&mut self, text: &str) {
        self.flush();
        let ts = jiff::Timestamp::now();
        let line = format!("\n--- switchlab {ts}: {}\n", self.mask(text));
        self.write(line.as_bytes());
        self.in_received = false;
    }

    /// What was sent: written at once (whole, so a secret in it is masked whole).
    pub(crate) fn sent(&mut self, data: &str) {
        if self.paused {
            return;
        }
        // An answer went out: what came before it is complete.
        self.flush_received(true);
        let ts = jiff::Timestamp::now();
        let block = format!("\n--- sent {ts}\n{}", self.mask(data));
        self.write(block.as_bytes());
        self.in_received = false;
    }

    /// What was received: kept until `flush` (or the next send), so a secret echoed in
    /// pieces is masked as a whole.
    pub(crate) fn received(&mut self, data: &str) {
        if self.paused {
            return;
        }
        self.pending_since.get_or_insert_with(jiff::Timestamp::now);
        self.pending.push_str(data);
    }

    /// Write what was received so far, masked; a tail that may be the start of a secret
    /// stays pending unless the session is over (`last`).
    pub(crate) fn flush_received(&mut self, last: bool) {
        if self.pending.is_empty() {
            return;
        }
        let masked = self.mask(&self.pending);
        let keep = if last {
            0
        } else {
            self.secret_prefix_len(&masked)
        };
        let (now, later) = masked.split_at(masked.len() - keep);
        let since = self
            .pending_since
            .take()
            .unwrap_or_else(jiff::Timestamp::now);
        let block = match self.in_received {
            true => now.to_string(),
            false => format!("\n--- received {since}\n{now}"),
        };
        let later = later.to_string();
        self.write(block.as_bytes());
        self.in_received = true;
        if !later.is_empty() {
            self.pending_since = Some(jiff::Timestamp::now());
        }
        self.pending = later;
    }

    /// Write everything received so far (at a prompt: the secret, if any, is complete).
    pub(crate) fn flush(&mut self) {
        self.flush_received(false);
        if let Some((_, f)) = &mut self.sink
            && let Err(e) = f.flush()
        {
            self.error.get_or_insert(e);
        }
    }

    fn mask(&self, text: &str) -> String {
        self.secrets.mask(text)
    }

    /// The length of the longest end of `text` that begins some secret (and is not all of it).
    fn secret_prefix_len(&self, text: &str) -> usize {
        let mut best = 0;
        for s in self.secrets.iter() {
            for (i, _) in s.char_indices().skip(1) {
                if i > best && text.ends_with(&s[..i]) {
                    best = i;
                }
            }
        }
        best
    }

    fn write(&mut self, bytes: &[u8]) {
        if let Some((_, f)) = &mut self.sink
            && let Err(e) = f.write_all(bytes)
        {
            self.error.get_or_insert(e);
        }
    }
}

impl Drop for Transcript {
    fn drop(&mut self) {
        self.flush_received(true);
        if let Some((_, f)) = &mut self.sink {
            let _ = f.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(t: &Transcript) -> String {
        std::fs::read_to_string(t.path().unwrap()).unwrap()
    }

    #[test]
    fn a_secret_echoed_in_pieces_is_masked_across_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Transcript::to_file(&dir.path().join("t.log")).unwrap();
        t.add_secret("cisco");
        t.received("Password: c");
        t.flush();
        assert!(
            !written(&t).contains("Password: c"),
            "the first piece waits"
        );
        t.received("is");
        t.received("co\r\nSwitch>");
        t.flush();
        let text = written(&t);
        assert!(text.contains("Password: ********\r\nSwitch>"), "{text}");
        assert!(!text.contains("isco") && !text.contains(": c"), "{text}");
    }

    #[test]
    fn text_that_only_looks_like_a_secret_start_is_written_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        {
            let mut t = Transcript::to_file(&path).unwrap();
            t.add_secret("cisco");
            t.received("disc");
            t.flush();
            t.sent("show clock\r");
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (disc, show) = (text.find("disc").unwrap(), text.find("show clock").unwrap());
        assert!(disc < show, "in order: {text}");
    }

    #[test]
    fn sends_are_buffered_until_a_prompt_flushes_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Transcript::to_file(&dir.path().join("t.log")).unwrap();
        t.sent("show clock\r");
        assert!(
            !written(&t).contains("show clock"),
            "not one write per send"
        );
        t.flush();
        assert!(written(&t).contains("show clock"));
    }
}
