//! Bytes into text across reads: a character cut between two reads (a 9600-baud console
//! delivers a byte at a time) waits for its rest instead of becoming two U+FFFD.

#[derive(Debug, Default)]
pub(super) struct Utf8 {
    /// The start of a character whose rest has not come yet (at most 3 bytes).
    pending: Vec<u8>,
}

impl Utf8 {
    /// The text `bytes` complete; bytes that are not UTF-8 at all become U+FFFD.
    pub(super) fn decode(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(text);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (good, after) = rest.split_at(e.valid_up_to());
                    out.push_str(&String::from_utf8_lossy(good));
                    match e.error_len() {
                        Some(bad) => {
                            out.push('\u{FFFD}');
                            rest = &after[bad..];
                        }
                        // Cut short: the rest of the character comes with the next read.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: a character split across two reads became two U+FFFD.
    #[test]
    fn a_character_cut_between_reads_is_whole() {
        let mut u = Utf8::default();
        let text = "Description: Büro µ-link ✓".as_bytes();
        let mut out = String::new();
        for b in text {
            out.push_str(&u.decode(std::slice::from_ref(b)));
        }
        assert_eq!(out, "Description: Büro µ-link ✓");
        assert_eq!(
            u.decode(b"a\xffb"),
            "a\u{FFFD}b",
            "bytes that are not UTF-8 still read"
        );
    }
}
