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
    /// For keys and secrets: the command line they continue (a pager's space belongs to
    /// the command it pages, a password to `enable` or to the login), so two commands'
    /// pages never share one cursor.
    pub context: String,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub text: String,
    pub latency: std::time::Duration,
    /// When it was asked, from the first recorded session's start: sessions merged in
    /// order follow each other in time.
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
        let mut offset = std::time::Duration::ZERO;
        let sessions = recordings.iter().flat_map(|r| &r.sessions);
        for (n, session) in sessions.enumerate() {
            if n == 0 {
                book.greeting = session.greeting.clone();
            }
            let ex = &session.exchanges;
            let mut context = String::new();
            for (i, e) in ex.iter().enumerate() {
                if let Input::Line(l) = &e.input
                    && !l.trim().is_empty()
                {
                    lines += 1;
                    echoed += usize::from(e.echoed);
                    context = words(l).join(" ");
                }
                let next = match ex.get(i + 1).map(|n| &n.input) {
                    Some(Input::Secret) => Next::Secret,
                    Some(Input::Keys(_)) => Next::Keys,
                    _ => Next::Line,
                };
                book.add(e, next, &context, offset);
            }
            offset += ex.last().map_or(std::time::Duration::ZERO, |e| e.at);
        }
        book.echoes = echoed * 2 >= lines;
        book
    }

    fn add(&mut self, e: &Exchange, next: Next, context: &str, offset: std::time::Duration) {
        let (input, context) = match &e.input {
            Input::Line(l) => (Input::Line(words(l).join(" ")), String::new()),
            other => (other.clone(), context.to_string()),
        };
        let answer = Answer {
            text: e.answer.clone(),
            latency: e.latency,
            at: offset + e.at,
            next,
        };
        let same = |k: &&mut Key| k.prompt == e.prompt && k.input == input && k.context == context;
        match self.keys.iter_mut().find(same) {
            Some(k) => k.answers.push(answer),
            None => self.keys.push(Key {
                prompt: e.prompt.clone(),
                input,
                context,
                answers: vec![answer],
            }),
        }
    }

    /// The key `input` typed at `prompt` (continuing the command `context`) means: at
    /// this prompt first, then at any; in the same context first; the most words as
    /// recorded first, then the first recorded. Enter alone and keys are only ever
    /// answered at their own prompt.
    pub fn find(
        &self,
        prompt: &str,
        input: &Input,
        context: &str,
        ports: &[(String, Vec<String>)],
    ) -> Option<usize> {
        let mut best: Option<(usize, (bool, bool, usize))> = None;
        for (i, k) in self.keys.iter().enumerate() {
            let exact = match (input, &k.input) {
                (Input::Secret, Input::Secret) => Some(0),
                (Input::Keys(a), Input::Keys(b)) if a == b && k.prompt == prompt => Some(0),
                (Input::Line(a), Input::Line(_)) if a.trim().is_empty() && k.prompt != prompt => {
                    None
                }
                (Input::Line(a), Input::Line(b)) => line_match(a, b, ports),
                _ => None,
            };
            let Some(exact) = exact else { continue };
            let rank = (k.prompt == prompt, k.context == context, exact);
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((i, rank));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The text of an invalid-input answer the device gave, if the recording has one: its
    /// error lines (a caret line, which points into the command it answered, left out).
    pub fn invalid_answer(&self, is_error: &dyn Fn(&str) -> bool) -> Option<String> {
        let errors = self.keys.iter().flat_map(|k| &k.answers).filter_map(|a| {
            let mut lines: Vec<&str> = a
                .text
                .split('\n')
                .map(|l| l.trim_end_matches('\r'))
                .collect();
            lines.pop();
            // The error lines alone: an answer that only mentions an error (a log line
            // saying "invalid") is not the device's invalid-input answer.
            let kept: Vec<&str> = lines.into_iter().filter(|l| is_error(l)).collect();
            (!kept.is_empty()).then(|| kept.join("\r\n"))
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
