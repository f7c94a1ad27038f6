//! In the patterns `regex` compiles (`[[parse]]` rules, `errors`, `async_line`, the cables
//! table), `\d`, `\w` and `\s` (and `\D`, `\W`, `\S`) mean their ASCII classes, as they
//! do in the session patterns `regex-lite` compiles (`pattern.rs`).
//!
//! Switches print ASCII. In Unicode, `\w` is some 770 ranges of code points and `\d` some
//! 70, and each compiles to a large automaton: IOS's clock pattern alone took 1.7 ms to
//! compile, and a profile's patterns took most of a short command's CPU. Written as
//! `[[:word:]]`, `[[:digit:]]` and `[[:space:]]` (always ASCII), the clock pattern compiles
//! ten times faster. The other Unicode classes (`\pL`, `.`, negated brackets) are left as
//! they are.

use std::borrow::Cow;

use regex::Regex;
use regex_syntax::ast::{
    self, Ast, ClassAscii, ClassAsciiKind, ClassBracketed, ClassPerl, ClassPerlKind, ClassSet,
    ClassSetItem,
};

/// `pattern` compiled with its Perl classes ASCII; the regex crate's own error where the
/// pattern does not compile.
pub fn profile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&ascii(pattern))
}

/// `patterns` as one set, each pattern's Perl classes ASCII.
pub fn profile_set(patterns: &[String]) -> Result<regex::RegexSet, regex::Error> {
    regex::RegexSet::new(patterns.iter().map(|p| ascii(p)))
}

/// `pattern` with its Perl classes ASCII, or as it is where it has none or does not parse
/// (the regex crate then says why).
fn ascii(pattern: &str) -> Cow<'_, str> {
    ascii_classes(pattern).map_or(Cow::Borrowed(pattern), Cow::Owned)
}

/// `pattern` with every Perl class written as its ASCII class; `None` if it does not parse
/// or has no Perl class.
fn ascii_classes(pattern: &str) -> Option<String> {
    if !pattern.contains('\\') {
        return None;
    }
    let mut tree = ast::parse::Parser::new().parse(pattern).ok()?;
    if !in_ast(&mut tree) {
        return None;
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    ast::print::Printer::new().print(&tree, &mut out).ok()?;
    Some(out)
}

/// Rewrites the Perl classes under `node`; whether there was one.
fn in_ast(node: &mut Ast) -> bool {
    match node {
        Ast::ClassPerl(perl) => {
            let span = perl.span;
            let item = ClassSetItem::Ascii(ascii_class(perl));
            *node = Ast::class_bracketed(ClassBracketed {
                span,
                negated: false,
                kind: ClassSet::Item(item),
            });
            true
        }
        Ast::ClassBracketed(b) => in_set(&mut b.kind),
        Ast::Repetition(r) => in_ast(&mut r.ast),
        Ast::Group(g) => in_ast(&mut g.ast),
        Ast::Alternation(a) => a.asts.iter_mut().fold(false, |any, n| in_ast(n) | any),
        Ast::Concat(c) => c.asts.iter_mut().fold(false, |any, n| in_ast(n) | any),
        _ => false,
    }
}

fn in_set(set: &mut ClassSet) -> bool {
    match set {
        ClassSet::Item(item) => in_item(item),
        ClassSet::BinaryOp(op) => in_set(&mut op.lhs) | in_set(&mut op.rhs),
    }
}

fn in_item(item: &mut ClassSetItem) -> bool {
    match item {
        ClassSetItem::Perl(perl) => {
            *item = ClassSetItem::Ascii(ascii_class(perl));
            true
        }
        ClassSetItem::Bracketed(b) => in_set(&mut b.kind),
        ClassSetItem::Union(u) => u.items.iter_mut().fold(false, |any, i| in_item(i) | any),
        _ => false,
    }
}

/// The ASCII class a Perl class means in ASCII: `\s` is `[\t\n\v\f\r ]` either way.
fn ascii_class(perl: &ClassPerl) -> ClassAscii {
    ClassAscii {
        span: perl.span,
        kind: match perl.kind {
            ClassPerlKind::Digit => ClassAsciiKind::Digit,
            ClassPerlKind::Space => ClassAsciiKind::Space,
            ClassPerlKind::Word => ClassAsciiKind::Word,
        },
        negated: perl.negated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_become_ascii_classes_anywhere() {
        let cases = [
            (r"\d{4}", "[[:digit:]]{4}"),
            (r"(?P<v>\w+)\s", "(?P<v>[[:word:]]+)[[:space:]]"),
            (r"\S+ \D", "[[:^space:]]+ [[:^digit:]]"),
            (r"-?[\d.]+", "-?[[:digit:].]+"),
            (r"a|(?:b\W)*", "a|(?:b[[:^word:]])*"),
            (r"[^\s,]+", "[^[:space:],]+"),
        ];
        for (pattern, want) in cases {
            assert_eq!(ascii_classes(pattern).as_deref(), Some(want), "{pattern}");
        }
    }

    #[test]
    fn patterns_without_perl_classes_are_left_alone() {
        for p in [r"^[A-Za-z]+#$", r"\(config\)#", "", r"\p{Greek}"] {
            assert_eq!(ascii_classes(p), None, "{p}");
        }
    }

    #[test]
    fn what_a_switch_prints_matches_as_before() {
        let clock = r"(?P<t>\d{1,2}:\d{2}:\d{2})(?:\.\d+)? (?P<zone>\S+) \w{3} (?P<mon>\w{3})";
        let text = "*10:02:03.123 UTC Sat Dec 5";
        let ours = profile_regex(clock)
            .unwrap()
            .captures(text)
            .map(|c| c[0].to_string());
        let theirs = Regex::new(clock)
            .unwrap()
            .captures(text)
            .map(|c| c[0].to_string());
        assert_eq!(ours, theirs);
        assert_eq!(ours.as_deref(), Some("10:02:03.123 UTC Sat Dec"));
    }

    #[test]
    fn unicode_digits_and_letters_are_not_read_as_ascii_ones() {
        // Arabic-Indic digits and an accented letter: Unicode's \d and \w take them.
        assert!(!profile_regex(r"^\d+$").unwrap().is_match("٣٤"));
        assert!(!profile_regex(r"^\w+$").unwrap().is_match("é"));
        // A negated class still takes any non-ASCII character, as before.
        assert!(profile_regex(r"^\S+$").unwrap().is_match("25°C"));
    }

    #[test]
    fn a_pattern_that_does_not_compile_keeps_the_regex_crates_error() {
        let e = profile_regex(r"(\d+").unwrap_err().to_string();
        assert!(e.contains("unclosed group"), "{e}");
    }
}
