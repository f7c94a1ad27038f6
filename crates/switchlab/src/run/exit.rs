//! The exit code of `run`, `watch` and `restore` after a run: the decision, so a CI job or
//! a script acts on it without reading a CSV.
//!
//! | code | when |
//! | --- | --- |
//! | 0 | every device pushed and watched, every test ran, and every verdict passed |
//! | 1 | something could not be done (a device unreachable, a test that could not run) |
//! | 2 | bad input (a flag, the lab, the manifest): nothing was run |
//! | 3 | everything was done and a verdict failed (a port `fail`, `no-link`, `unknown` or `lost`; a test under its criterion) |
//! | 130 | Ctrl-C or SIGTERM ended it early |
//!
//! The worse wins: interrupted over not done over failed; a verdict cannot be trusted
//! when its run was not whole.

/// What a run came to, as its exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Passed,
    VerdictFailed,
    NotDone,
    Interrupted,
}

impl Decision {
    /// From what the run knows: a signal ended it, everything was done, every verdict passed.
    pub(crate) fn of(interrupted: bool, all_done: bool, all_passed: bool) -> Decision {
        match (interrupted, all_done, all_passed) {
            (true, ..) => Decision::Interrupted,
            (false, false, _) => Decision::NotDone,
            (false, true, false) => Decision::VerdictFailed,
            (false, true, true) => Decision::Passed,
        }
    }

    /// The process's exit code.
    pub fn code(self) -> u8 {
        match self {
            Decision::Passed => 0,
            Decision::NotDone => EXIT_NOT_DONE,
            Decision::VerdictFailed => EXIT_VERDICT_FAILED,
            Decision::Interrupted => crate::watch::EXIT_INTERRUPTED,
        }
    }
}

/// Something could not be done.
pub const EXIT_NOT_DONE: u8 = 1;
/// Everything was done, and a verdict failed.
pub(crate) const EXIT_VERDICT_FAILED: u8 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worse_outcome_decides_the_code() {
        assert_eq!(Decision::of(false, true, true).code(), 0);
        assert_eq!(Decision::of(false, true, false).code(), 3);
        assert_eq!(Decision::of(false, false, false).code(), 1);
        assert_eq!(Decision::of(false, false, true).code(), 1);
        assert_eq!(Decision::of(true, false, false).code(), 130);
        assert!(Decision::Interrupted > Decision::NotDone);
        assert!(Decision::NotDone > Decision::VerdictFailed);
    }
}
