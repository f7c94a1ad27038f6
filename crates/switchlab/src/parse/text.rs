//! Device output as a terminal shows it: ANSI escapes gone, and a line a pager overwrote
//! after a bare CR is what was written last on it.

/// The text as a terminal shows it: ANSI escapes gone, and a line overwritten after a bare
/// CR (a pager erasing itself: `--More--\r        \r  5 input errors`) is what was written
/// last on it.
pub(crate) fn visible(text: &str) -> String {
    // A channel's output is clean already: nothing to apply.
    if !text.bytes().any(|b| b == b'\r' || b == 0x1b) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let shown = strip_ansi(line);
        let last = match shown.rsplit_once('\r') {
            Some((before, after)) => overlay(before.rsplit('\r').next().unwrap_or(""), after),
            None => shown,
        };
        out.push_str(&last);
        out.push('\n');
    }
    out.pop();
    out
}

/// `after` written over `before` from the line's start (what the terminal keeps).
fn overlay(before: &str, after: &str) -> String {
    if after.trim().is_empty() {
        return before.to_string();
    }
    let rest: String = before.chars().skip(after.chars().count()).collect();
    format!("{after}{}", if rest.trim().is_empty() { "" } else { &rest })
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // CSI: parameters, then one final letter (or ~).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() || c == '~' {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}
