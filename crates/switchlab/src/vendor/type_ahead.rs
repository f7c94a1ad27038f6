//! `[session.type_ahead]` checked: how many config lines a push may send ahead of their
//! answers, and which lines must go alone (see [`super::profile::TypeAhead`]).

use super::compiler::Compiler;
use crate::format::FormatError;

/// How many config lines may be in flight, and which must go alone.
#[derive(Debug, Clone)]
pub struct TypeAhead {
    pub lines: usize,
    pub alone: super::pattern::PatternSet,
}

/// `[session.type_ahead]`: 2 to 1000 lines in flight, its `alone` patterns compiled.
pub(super) fn compile(
    c: &Compiler,
    t: Option<&super::profile::TypeAhead>,
) -> Result<Option<TypeAhead>, FormatError> {
    let Some(t) = t else { return Ok(None) };
    if !(2..=1000).contains(&t.lines) {
        return Err(c.invalid(
            "type_ahead",
            "session.type_ahead.lines",
            format!(
                "{} lines in flight: give 2 to 1000 (leave [session.type_ahead] out to send line by line)",
                t.lines
            ),
        ));
    }
    Ok(Some(TypeAhead {
        lines: t.lines,
        alone: c.set("session.type_ahead.alone", &t.alone)?,
    }))
}
