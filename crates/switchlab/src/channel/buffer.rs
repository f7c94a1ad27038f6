//! A device's log buffer read line by line as it arrives, against what the last read held:
//! only the new lines are kept. The last read is kept as one hash a line (8 bytes, not the
//! line), and a read never holds the whole buffer: a thousand lines of a full buffer once
//! passed through the session as strings, with a link event and a copy each, every few
//! seconds on every device, and the watch's memory rose as the devices' buffers filled.

use std::hash::{Hash, Hasher};

/// What the last read of a log buffer held: each line's hash, sorted (a line that occurred
/// twice is there twice: a device that stamps to the second logs two flaps in one second
/// as identical lines).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct BufferSeen(Vec<u64>);

/// One read of a log buffer, fed its lines in order: which of them the last read did not
/// have (identical lines count by occurrence).
#[derive(Debug)]
pub(crate) struct BufferRead {
    /// The last read's hashes, sorted, and which of them this read has met so far.
    last: Vec<u64>,
    met: Vec<bool>,
    /// This read's hashes: the next read's `last`.
    now: Vec<u64>,
    fresh: Vec<String>,
}

/// SipHash with fixed keys: the same line hashes alike on every read.
fn hash(line: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    line.hash(&mut h);
    h.finish()
}

impl BufferRead {
    pub(crate) fn new(seen: BufferSeen) -> BufferRead {
        let last = seen.0;
        BufferRead {
            met: vec![false; last.len()],
            now: Vec::with_capacity(last.len() + 64),
            last,
            fresh: Vec::new(),
        }
    }

    /// The next line of the buffer (blank lines are no lines).
    pub(crate) fn line(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        let h = hash(line);
        self.now.push(h);
        // The first occurrence of it in the last read that this read has not met yet.
        let from = self.last.partition_point(|&x| x < h);
        let old = (from..self.last.len())
            .take_while(|&i| self.last[i] == h)
            .find(|&i| !self.met[i]);
        match old {
            Some(i) => self.met[i] = true,
            None => self.fresh.push(line.to_string()),
        }
    }

    /// The read is complete: its new lines in order, and what it held for the next read.
    pub(crate) fn finish(self) -> (Vec<String>, BufferSeen) {
        let mut now = self.now;
        now.sort_unstable();
        now.shrink_to_fit();
        (self.fresh, BufferSeen(now))
    }

    /// The read failed: the last read stays what the next one is compared with.
    pub(crate) fn abandon(self) -> BufferSeen {
        BufferSeen(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(seen: &mut BufferSeen, lines: &[&str]) -> Vec<String> {
        let mut r = BufferRead::new(std::mem::take(seen));
        for l in lines {
            r.line(l);
        }
        let (fresh, next) = r.finish();
        *seen = next;
        fresh
    }

    #[test]
    fn buffer_lines_are_new_by_occurrence_not_by_text() {
        let mut seen = BufferSeen::default();
        let down = "Nov 27 08:09:15 sw Ebra: Ethernet1 changed state to down";
        assert_eq!(read(&mut seen, &["boot", down]), ["boot", down]);
        // A second flap in the same second logs the very same line: it is news.
        assert_eq!(read(&mut seen, &["boot", down, "up", down]), ["up", down]);
        assert!(read(&mut seen, &["boot", down, "up", down]).is_empty());
        // The oldest lines rolled out of a full buffer: only the one at the end is new.
        assert_eq!(read(&mut seen, &["up", down, "  ", "later "]), ["later"]);
    }

    #[test]
    fn a_read_keeps_eight_bytes_a_line_and_a_failed_one_keeps_the_last() {
        let mut seen = BufferSeen::default();
        let lines: Vec<String> = (0..1000).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(read(&mut seen, &refs).len(), 1000);
        assert!(
            seen.0.len() == 1000 && seen.0.capacity() <= 1024,
            "8 bytes a line"
        );
        let mut r = BufferRead::new(seen.clone());
        r.line("line 1000");
        assert_eq!(r.abandon(), seen);
    }
}
