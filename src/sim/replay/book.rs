//! The answers of one or more recordings of a device, looked up by what is typed at which
//! prompt. A command matches as typed or in another form of the same words (`sh int` for
//! `show interfaces`, `Gi0/1` for `GigabitEthernet0/1`): a word matches a recorded word it
//! abbreviates or that abbreviates it, letters before digits alike, the digits equal.

use super::recording::{Exchange, Input, Recording};

/// What the recording's next input after an answer was: how the device took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A line, echoed or not.
    Line,
    /// A password: not echoed.
    Secret,
    /// Keys without Enter (a pager's space).
    Keys,
}

/// Recorded answers to one input at one prompt, in the order they were given.
#[derive(Debug)]
pub struct Key {
    pub prompt: String,
    pub input: Input,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub text: String,
    pub latency: std::time::Duration,
    /// When it was asked, from its session's start.
    pub at: std::time::Duration,
    /// What came next in the recording.
    pub next: Next,
}

/// Every recorded answer of a device.
#[derive(Debug, Default)]
pub struct Book {
    pub keys: Vec<Key>,
    /// The first session's greeting.
    pub greeting: String,
    /// Most recorded lines were echoed.
    pub echoes: bool,
}

impl Book {
    /// The answers of `recordings`, merged in order.
    pub fn new(recordings: &[Recording]) -> Book {
        let mut book = Book::default();
        let (mut echoed, mut lines) = (0usize, 0usize);
        let sessions = recordings.iter().flat_map(|r| &r.sessions);
        for (n, session) in sessions.enumerate() {
            if n == 0 {
                book.greeting = session.greeting.clone();
            }
            let ex = &session.exchanges;
            for (i, e) in ex.iter().enumerate() {
                if matches!(&e.input, Input::Line(l) if !l.trim().is_empty()) {
                    lines += 1;
                    echoed += usize::from(e.echoed);
                }
                let next = match ex.get(i + 1).map(|n| &n.input) {
                    Some(Input::Secret) => Next::Secret,
                    Some(Input::Keys(_)) => Next::Keys,
                    _ => Next::Line,
                };
                book.add(e, next);
            }
        }
        book.echoes = echoed * 2 >= lines;
        book
    }

    fn add(&mut self, e: &Exchange, next: Next) {
        let input = match &e.input {
            Input::Line(l) => Input::Line(words(l).join(" ")),
            other => other.clone(),
        };
        let answer = Answer {
            text: e.answer.clone(),
            latency: e.latency,
            at: e.at,
            next,
        };
        match self
            .keys
            .iter_mut()
            .find(|k| k.prompt == e.prompt && k.input == input)
        {
            Some(k) => k.answers.push(answer),
            None => self.keys.push(Key {
                prompt: e.prompt.clone(),
                input,
                answers: vec![answer],
            }),
        }
    }

    /// The key `input` typed at `prompt` means: at this prompt first, then at any; the most
    /// words as recorded first, then the first recorded.
    pub fn find(
        &self,
        prompt: &str,
        input: &Input,
        ports: &[(String, Vec<String>)],
    ) -> Option<usize> {
        let mut best: Option<(usize, (bool, usize))> = None;
        for (i, k) in self.keys.iter().enumerate() {
            let exact = match (input, &k.input) {
                (Input::Secret, Input::Secret) => Some(0),
                (Input::Keys(a), Input::Keys(b)) if a == b => Some(0),
                (Input::Line(a), Input::Line(b)) => line_match(a, b, ports),
                _ => None,
            };
            let Some(exact) = exact else { continue };
            let rank = (k.prompt == prompt, exact);
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((i, rank));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The text of an invalid-input answer the device gave, if the recording has one: its
    /// lines before the prompt, a caret line (which points into the command it answered)
    /// left out.
    pub fn invalid_answer(&self, is_error: &dyn Fn(&str) -> bool) -> Option<String> {
        let errors = self.keys.iter().flat_map(|k| &k.answers).filter_map(|a| {
            let mut lines: Vec<&str> = a
                .text
                .split('\n')
                .map(|l| l.trim_end_matches('\r'))
                .collect();
            lines.pop();
            lines.iter().any(|l| is_error(l)).then(|| {
                let kept: Vec<&str> = lines
                    .into_iter()
                    .filter(|l| !l.is_empty() && !l.chars().all(|c| c == ' ' || c == '^'))
                    .collect();
                kept.join("\r\n")
            })
        });
        let all: Vec<String> = errors.collect();
        let invalid = all
            .iter()
            .find(|t| t.to_ascii_lowercase().contains("invalid"));
        invalid.or(all.first()).cloned()
    }
}

/// A line's words.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Whether typed `a` means recorded `b`; how many words were as recorded.
fn line_match(a: &str, b: &str, ports: &[(String, Vec<String>)]) -> Option<usize> {
    let (wa, wb) = (words(a), words(b));
    if wa.len() != wb.len() {
        return None;
    }
    let mut exact = 0;
    for (x, y) in wa.iter().zip(&wb) {
        if x.eq_ignore_ascii_case(y) || *y == super::MASK {
            exact += 1;
        } else if !word_match(x, y, ports) {
            return None;
        }
    }
    Some(exact)
}

/// `sh` ~ `show`, `Gi0/1` ~ `GigabitEthernet0/1` ~ `gi 0/1`'s halves: the letters before
/// the first digit abbreviate each other (or are a port type's short and long names), the
/// rest is equal.
fn word_match(x: &str, y: &str, ports: &[(String, Vec<String>)]) -> bool {
    let split = |w: &str| {
        let i = w.find(|c: char| c.is_ascii_digit()).unwrap_or(w.len());
        (w[..i].to_ascii_lowercase(), w[i..].to_ascii_lowercase())
    };
    let ((lx, rx), (ly, ry)) = (split(x), split(y));
    if rx != ry || lx.is_empty() || ly.is_empty() {
        return false;
    }
    let named = |short: &str, long: &str| {
        ports.iter().any(|(l, s)| {
            l.eq_ignore_ascii_case(long) && s.iter().any(|s| s.eq_ignore_ascii_case(short))
        })
    };
    ly.starts_with(&lx) || lx.starts_with(&ly) || named(&lx, &ly) || named(&ly, &lx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_match_both_ways_and_ports_by_their_digits() {
        let ports = vec![("Port-channel".to_string(), vec!["Po".to_string()])];
        assert_eq!(line_match("sh int", "show interfaces", &ports), Some(0));
        assert_eq!(line_match("show interfaces", "sh int", &ports), Some(0));
        assert_eq!(
            line_match(
                "show int gi0/1",
                "show interfaces GigabitEthernet0/1",
                &ports
            ),
            Some(1)
        );
        assert_eq!(
            line_match(
                "show int gi0/2",
                "show interfaces GigabitEthernet0/1",
                &ports
            ),
            None
        );
        assert_eq!(
            line_match("sh int Et1", "show interfaces Ethernet1,Ethernet2", &ports),
            None
        );
        assert_eq!(line_match("show version", "show interfaces", &ports), None);
        assert_eq!(
            line_match("int po1", "interface Port-channel1", &ports),
            Some(0)
        );
        assert_eq!(
            line_match("enable secret x", "enable secret ********", &ports),
            Some(3)
        );
    }
}
