//! A profile's session patterns: prompts, dialogs, the pager, login prompts, `[save]`,
//! `[[link_event]]`, `verify.ignore`, `[restore]`, `type_ahead.alone`, and the version,
//! clock and shutdown patterns.
//!
//! They are compiled with `regex-lite`, not `regex`: a push compiles some thirty of them
//! and uses each on short lines only (a prompt, an answer line, a line of config). `regex`
//! builds automata and literal searchers for fast scans of long texts, which took 30 to
//! 200 µs a pattern, a quarter of a short push's CPU; `regex-lite` compiles the same ones
//! in 3 to 6 µs and matches a line in about 0.1 µs. What is tried on every line of long
//! outputs stays on `regex` (`ascii.rs`): `[[parse]]` rules, `errors` and `async_line`,
//! run over whole command outputs on every poll of a watch. There `regex`'s literal
//! prefilter passes over a line without `async_line`'s `%` in 20 ns, where `regex-lite`'s
//! unanchored search takes 1.2 µs; and with `errors` as lite patterns, a 200-switch watch
//! spent 8 % of its CPU in them.
//!
//! What a profile author sees: `\d`, `\w`, `\s` and `\b` are ASCII (switches print ASCII),
//! `(?i)` folds ASCII case, and Unicode classes (`\pL`) and nested brackets are refused
//! with the crate's own message.

/// One compiled session pattern (`Pattern::new` compiles one, or gives the crate's reason
/// it does not compile).
pub type Pattern = regex_lite::Regex;

/// Patterns any of which may match a line (a profile's `type_ahead.alone`).
#[derive(Debug, Clone, Default)]
pub struct PatternSet(Vec<Pattern>);

impl PatternSet {
    pub fn new(patterns: Vec<Pattern>) -> PatternSet {
        PatternSet(patterns)
    }

    /// Whether one of the patterns matches `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.iter().any(|p| p.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_and_case_folding_are_ascii() {
        // Arabic-Indic digits and an accented letter: Unicode's \d and \w would take them.
        assert!(!Pattern::new(r"^\d+$").unwrap().is_match("٣٤"));
        assert!(!Pattern::new(r"^\w+$").unwrap().is_match("é"));
        assert!(
            Pattern::new(r"(?i)^password:\s*$")
                .unwrap()
                .is_match("PassWord: ")
        );
        // A negated class still takes any character that is not ASCII whitespace.
        assert!(Pattern::new(r"^\S+$").unwrap().is_match("25°C"));
    }

    #[test]
    fn what_a_switch_prints_is_read_as_with_the_full_engine() {
        let clock = r"(?P<time>\d{1,2}:\d{2}:\d{2})(?:\.\d+)? (?P<zone>\S+) \w{3} (?P<mon>\w{3}) (?P<day>\d{1,2}) (?P<year>\d{4})";
        let text = "*10:02:03.123 UTC Sat Dec 5 2026";
        let ours = Pattern::new(clock).unwrap();
        let theirs = regex::Regex::new(clock).unwrap();
        let (a, b) = (ours.captures(text).unwrap(), theirs.captures(text).unwrap());
        for g in ["time", "zone", "mon", "day", "year"] {
            assert_eq!(
                a.name(g).map(|m| m.as_str()),
                b.name(g).map(|m| m.as_str()),
                "{g}"
            );
        }
        assert_eq!(&a["time"], "10:02:03");
    }

    #[test]
    fn a_set_matches_when_any_pattern_does() {
        let set = PatternSet::new(vec![
            Pattern::new("^% Invalid").unwrap(),
            Pattern::new("^% Incomplete").unwrap(),
        ]);
        assert!(set.is_match("% Incomplete command."));
        assert!(!set.is_match("Switch(config)#"));
        assert!(!PatternSet::default().is_match("anything"));
    }

    #[test]
    fn what_it_refuses_says_why() {
        let e = Pattern::new(r"(\d+").unwrap_err().to_string();
        assert!(!e.is_empty());
        assert!(Pattern::new(r"\pL").is_err());
    }
}
