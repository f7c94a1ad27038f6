//! The throughput search of RFC 2544 as a pure core: it says what to try next and takes
//! what each trial came to, so a unit test drives it with made-up outcomes.
//!
//! First the top (line rate, or the generator's ceiling where that is lower), then, as
//! TRex's optimized search does, just under what the switch forwarded at the top, then
//! halving until the gap is within the resolution. Search trials shorter than the full
//! length overstate what a switch with a buffer forwards, so their answer is confirmed: a
//! rate is the throughput only once a full-length trial at that very rate lost nothing
//! (within the tolerance). A confirming trial that loses steps below it, under what the
//! switch forwarded; after [`CONFIRM_STEPS`] of them the result is `unconfirmed`.

use super::search::Outcome;
use crate::states::LimitedBy;

/// Within this share of the generator's own ceiling, the generator's jitter is as likely
/// the cause of a loss as the switch: such a result is the generator's, never the switch's.
pub(crate) const CEILING_MARGIN: f64 = 0.9;
/// How many full-length trials may confirm the search's rate before it is unconfirmed.
pub(crate) const CONFIRM_STEPS: u32 = 3;

/// How long a trial runs: the plan's search trial or its full one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    Search,
    Full,
}

/// One trial: the rate asked, what it came to, and which trial it was (from 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tried {
    pub(crate) rate: f64,
    pub(crate) outcome: Outcome,
    pub(crate) trial: u32,
}

/// The no-drop (or partial-drop) rate search.
#[derive(Debug, Clone)]
pub(crate) struct Throughput {
    line: f64,
    ceiling: f64,
    top: f64,
    resolution: f64,
    tolerance: f64,
    /// The fastest passing search trial (its rate: what was offered).
    pass: Option<Tried>,
    /// The slowest rate that lost too much (or could not be offered).
    fail: Option<f64>,
    /// Rates to try before halving: just under and just over what the switch forwarded
    /// when offered the top.
    guesses: Vec<f64>,
    /// The generator fell short of a rate asked: nothing above it could be tried.
    short: bool,
    trials: u32,
    /// The search's trials are shorter than full length: its answer needs confirming.
    confirm: bool,
    confirms: u32,
    confirmed: Option<Tried>,
    /// The slowest confirming trial that lost.
    lossy: Option<Tried>,
}

/// What a search found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    /// The throughput: a trial at full length that lost nothing (within the tolerance).
    /// None: nothing passed, or nothing was confirmed (`limited_by` is `unconfirmed`).
    pub(crate) pass: Option<Tried>,
    /// Unconfirmed: the slowest confirming trial, which lost.
    pub(crate) lossy: Option<Tried>,
    pub(crate) limited_by: LimitedBy,
    pub(crate) trials: u32,
}

impl Throughput {
    /// A search up to `line` fps (the generator reaching `ceiling` fps), to within
    /// `resolution_percent` of the top, passing trials that lose at most `tolerance`
    /// percent; `confirm` when its trials are shorter than full length. Of the top, not of
    /// the line: a generator that reaches 0.3 % of line rate is still searched to 1 % of
    /// what it can offer, not ended by one lossy trial.
    pub(crate) fn new(
        line: f64,
        ceiling: f64,
        resolution_percent: f64,
        tolerance: f64,
        confirm: bool,
    ) -> Throughput {
        let top = line.min(ceiling);
        Throughput {
            line,
            ceiling,
            top,
            resolution: (top * resolution_percent / 100.0).max(1.0),
            tolerance,
            pass: None,
            fail: None,
            guesses: Vec::new(),
            short: false,
            trials: 0,
            confirm,
            confirms: 0,
            confirmed: None,
            lossy: None,
        }
    }

    /// The rate (fps) to try next and how long; None when the search is done.
    pub(crate) fn next(&mut self) -> Option<(f64, Length)> {
        if let Some(rate) = self.next_search() {
            return Some((rate, Length::Search));
        }
        if !self.confirm || self.confirmed.is_some() || self.confirms >= CONFIRM_STEPS {
            return None;
        }
        let rate = match self.lossy {
            None => self.pass?.rate,
            // Below the rate that lost, and under what the switch forwarded at it.
            Some(t) => (t.rate.min(t.outcome.sent_fps) - self.resolution)
                .min(t.outcome.forwarded_fps - self.resolution / 2.0),
        };
        (rate >= 1.0).then_some((rate, Length::Full))
    }

    fn next_search(&mut self) -> Option<f64> {
        let Some(fail) = self.fail else {
            // Nothing has failed: the top first, and if it passed, done.
            return self.pass.is_none().then_some(self.top);
        };
        let lo = self.pass.map_or(0.0, |t| t.rate);
        if fail - lo <= self.resolution {
            return None;
        }
        while !self.guesses.is_empty() {
            let g = self.guesses.remove(0);
            if g > lo && g < fail {
                return Some(g);
            }
        }
        Some((lo + fail) / 2.0)
    }

    /// What the trial of `length` at `asked` fps came to.
    pub(crate) fn record(&mut self, asked: f64, length: Length, o: Outcome) {
        self.trials += 1;
        match length {
            Length::Search => self.record_search(asked, o),
            Length::Full => self.record_full(asked, o),
        }
    }

    fn record_search(&mut self, asked: f64, o: Outcome) {
        let first = self.trials == 1;
        let trial = self.trials;
        if o.loss_percent <= self.tolerance {
            // Short of the rate asked, it lost nothing at what was sent, but the rate asked
            // was never offered: above this the generator cannot tell.
            let rate = match o.short_of(asked) {
                true => {
                    self.short = true;
                    self.fail = Some(self.fail.map_or(asked, |f| f.min(asked)));
                    o.sent_fps
                }
                false => asked,
            };
            if self.pass.is_none_or(|p| rate > p.rate) {
                self.pass = Some(Tried {
                    rate,
                    outcome: o,
                    trial,
                });
            }
        } else {
            // The loss happened at the rate actually offered.
            let offered = o.sent_fps.min(asked);
            self.fail = Some(self.fail.map_or(offered, |f| f.min(offered)));
            if first {
                let half = self.resolution / 2.0;
                self.guesses = vec![o.forwarded_fps - half, o.forwarded_fps + half];
            }
        }
    }

    fn record_full(&mut self, asked: f64, o: Outcome) {
        self.confirms += 1;
        let trial = self.trials;
        if o.loss_percent > self.tolerance {
            self.lossy = Some(Tried {
                rate: asked,
                outcome: o,
                trial,
            });
            return;
        }
        // Short of the rate asked: what was sent is the rate that held.
        let rate = match o.short_of(asked) {
            true => {
                self.short = true;
                o.sent_fps
            }
            false => asked,
        };
        self.confirmed = Some(Tried {
            rate,
            outcome: o,
            trial,
        });
    }

    pub(crate) fn found(&self) -> Found {
        let pass = if self.confirm {
            self.confirmed
        } else {
            self.pass
        };
        let limited_by = match pass {
            None if self.confirm && self.pass.is_some() => LimitedBy::Unconfirmed,
            None => LimitedBy::Switch,
            Some(_) if self.short => LimitedBy::Generator,
            // Within the resolution of line rate, and only there, the line is the limit.
            Some(t) if t.rate >= self.line - self.resolution => LimitedBy::Line,
            Some(t) if self.ceiling < self.line && t.rate >= CEILING_MARGIN * self.ceiling => {
                LimitedBy::Generator
            }
            Some(_) => LimitedBy::Switch,
        };
        Found {
            pass,
            lossy: pass.is_none().then_some(self.lossy).flatten(),
            limited_by,
            trials: self.trials,
        }
    }
}

#[cfg(test)]
#[path = "throughput_tests.rs"]
mod tests;
