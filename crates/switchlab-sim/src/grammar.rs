//! Matching a typed line against a dialect's command patterns, the way switch CLIs do:
//! keywords may be abbreviated to any unambiguous prefix (`conf t`, `sh run`, `int gi0/1`),
//! port names come in any form (`gi0/1`, `Gi 0/1`, `GigabitEthernet0/1`); `<ports>` is
//! one port or a list (`Et1,Et2`).

use super::dialect::Cmd;
use super::state::{SimPort, squash};

/// A matched command with its canonical (fully spelled) form.
#[derive(Debug, Clone)]
pub struct Matched {
    pub cmd: Cmd,
    /// The line with keywords in full and ports in their long form.
    pub canonical: String,
    /// The literal words only: the key under which a replacing line is stored.
    pub key: String,
    pub ports: Vec<usize>,
    pub nums: Vec<u32>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// No command fits; the index of the word where matching failed furthest.
    Invalid {
        word: usize,
    },
    Incomplete,
    Ambiguous,
}

struct Attempt {
    matched: Option<Matched>,
    exact: usize,
    failed_at: usize,
    incomplete: bool,
}

/// Find the one command `words` means among `cmds` (already filtered by mode).
pub fn find(cmds: &[Cmd], words: &[&str], ports: &[SimPort]) -> Result<Matched, Mismatch> {
    let attempts: Vec<Attempt> = cmds.iter().map(|c| attempt(c, words, ports)).collect();
    let mut full: Vec<&Attempt> = attempts.iter().filter(|a| a.matched.is_some()).collect();
    if full.is_empty() {
        if attempts.iter().any(|a| a.incomplete) {
            return Err(Mismatch::Incomplete);
        }
        let word = attempts.iter().map(|a| a.failed_at).max().unwrap_or(0);
        return Err(Mismatch::Invalid { word });
    }
    let best = full.iter().map(|a| a.exact).max().unwrap_or(0);
    full.retain(|a| a.exact == best);
    let first = full[0].matched.clone().ok_or(Mismatch::Ambiguous)?;
    if full
        .iter()
        .any(|a| a.matched.as_ref().is_some_and(|m| m.key != first.key))
    {
        return Err(Mismatch::Ambiguous);
    }
    Ok(first)
}

fn attempt(cmd: &Cmd, words: &[&str], ports: &[SimPort]) -> Attempt {
    let mut m = Matched {
        cmd: *cmd,
        canonical: String::new(),
        key: String::new(),
        ports: vec![],
        nums: vec![],
        text: None,
    };
    let mut canon: Vec<String> = Vec::new();
    let mut key: Vec<&str> = Vec::new();
    let (mut wi, mut exact) = (0usize, 0usize);
    let fail = |at: usize, incomplete: bool| Attempt {
        matched: None,
        exact: 0,
        failed_at: at,
        incomplete,
    };
    for tok in cmd.pattern.split_whitespace() {
        if wi >= words.len() {
            return fail(wi, true);
        }
        let Some(took) = take(tok, &words[wi..], ports, &mut m) else {
            return fail(wi, false);
        };
        if let Taken::Keyword { exact: is_exact } = took.how {
            exact += usize::from(is_exact);
            key.push(tok);
        }
        canon.push(took.canonical);
        wi += took.words;
    }
    if wi < words.len() {
        return fail(wi, false);
    }
    m.canonical = canon.join(" ");
    m.key = if cmd.replace {
        key.join(" ")
    } else {
        m.canonical.clone()
    };
    Attempt {
        matched: Some(m),
        exact,
        failed_at: wi,
        incomplete: false,
    }
}

/// What one token of a pattern took of the words typed.
struct Took {
    /// Its canonical form in the line.
    canonical: String,
    /// How many words it took.
    words: usize,
    how: Taken,
}

enum Taken {
    /// A keyword, typed in full or abbreviated.
    Keyword { exact: bool },
    /// A value (`<num>`, `<port>`, `<word>`, `<rest>`), kept in the match.
    Value,
}

/// Pattern token `tok` against the words from here (`words`, at least one), values added
/// to `m`; None when they do not fit.
fn take(tok: &str, words: &[&str], ports: &[SimPort], m: &mut Matched) -> Option<Took> {
    let word = words[0];
    let value = |canonical: String, words: usize| Took {
        canonical,
        words,
        how: Taken::Value,
    };
    match tok {
        "<rest>" => {
            let rest = words.join(" ");
            m.text = Some(rest.clone());
            Some(value(rest, words.len()))
        }
        "<word>" => {
            m.text = Some(word.to_string());
            Some(value(word.to_string(), 1))
        }
        "<num>" => {
            let n = word.parse::<u32>().ok()?;
            m.nums.push(n);
            Some(value(n.to_string(), 1))
        }
        // EOS takes a list: `show interfaces Ethernet1,Ethernet2`.
        "<ports>" if word.contains(',') => {
            let found: Vec<usize> = (word.split(','))
                .map(|p| resolve_port(p, ports, false))
                .collect::<Option<_>>()?;
            let long: Vec<String> = found.iter().map(|&i| ports[i].long()).collect();
            m.ports.extend(found);
            Some(value(long.join(","), 1))
        }
        "<port>" | "<bare>" | "<ports>" => {
            let bare = tok == "<bare>";
            let (idx, n) = (1..=2).find_map(|n| {
                let w = words.get(..n)?;
                resolve_port(&w.join(""), ports, bare).map(|i| (i, n))
            })?;
            m.ports.push(idx);
            let named = if bare {
                ports[idx].number.clone()
            } else {
                ports[idx].long()
            };
            Some(value(named, n))
        }
        lit => {
            let w = word.to_lowercase();
            let lit_lower = lit.to_lowercase();
            lit_lower.starts_with(&w).then(|| Took {
                canonical: lit.to_string(),
                words: 1,
                how: Taken::Keyword {
                    exact: w == lit_lower,
                },
            })
        }
    }
}

/// A port named in any form: a prefix of its type name followed by its number, or (bare)
/// the number alone.
pub fn resolve_port(typed: &str, ports: &[SimPort], bare: bool) -> Option<usize> {
    let t = squash(typed);
    if bare {
        return ports.iter().position(|p| p.number == t);
    }
    let hits: Vec<usize> = ports
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let num = squash(&p.number);
            let Some(prefix) = t.strip_suffix(&num) else {
                return false;
            };
            !prefix.is_empty()
                && (squash(p.long_type).starts_with(prefix) || squash(p.short_type) == prefix)
        })
        .map(|(i, _)| i)
        .collect();
    // Gi0/1 vs GigabitEthernet0/1 resolve to one port; "t0/1" may hit Te and others: refuse.
    match hits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}
