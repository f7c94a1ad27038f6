//! The throughput search of RFC 2544 as a pure core: it says what to try next and takes
//! what each trial came to, so a unit test drives it with made-up outcomes.
//!
//! First the top (line rate, or the generator's ceiling where that is lower), then, as
//! TRex's optimized search does, just under what the switch forwarded at the top, then
//! halving until the gap is within the resolution. Search trials shorter than the full
//! length overstate what a switch with a buffer forwards, and one trial may be lucky, so
//! the answer is confirmed: a rate is the throughput only once `times` full-length trials
//! at that very rate lost nothing (within the tolerance). A confirming trial that loses
//! steps below it, under what the switch forwarded, and the count starts again; after
//! [`CONFIRM_STEPS`] steps the result is `unconfirmed`. What held the rate follows from
//! where the frames of the slowest lossy trial above it were lost (`lost_at`).

use super::search::Outcome;
use crate::states::{LimitedBy, LostAt};

/// Within this share of the generator's own ceiling, the generator's jitter is as likely
/// the cause of an unaccounted loss as the switch: such a result is the generator's.
pub(crate) const CEILING_MARGIN: f64 = 0.9;
/// How many rates the confirmation may step down through before it is unconfirmed.
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

/// How the search's answer is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Confirm {
    /// Full-length lossless trials at the answer's rate (0: the search's answer stands).
    pub(crate) times: u32,
    /// The search's own trials are full length: its passing trial is the first of them.
    pub(crate) search_is_full: bool,
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
    confirm: Confirm,
    /// The rate being confirmed, and its lossless full-length trials so far.
    confirming: Option<f64>,
    held: Vec<Tried>,
    steps: u32,
    /// The slowest confirming trial that lost.
    lossy: Option<Tried>,
    /// Every lossy trial: the rate offered and where the frames were lost.
    losses: Vec<(f64, Option<LostAt>)>,
    /// The fastest rate at which a full-length trial held and a later one lost.
    disagreed: Option<f64>,
}

/// What a search found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    /// The throughput: a trial at full length that lost nothing (within the tolerance),
    /// confirmed as often as asked. None: nothing passed, or nothing was confirmed
    /// (`limited_by` is `unconfirmed`).
    pub(crate) pass: Option<Tried>,
    /// Unconfirmed: the slowest confirming trial, which lost.
    pub(crate) lossy: Option<Tried>,
    pub(crate) limited_by: LimitedBy,
    pub(crate) trials: u32,
    /// Full-length lossless trials at the rate found.
    pub(crate) confirmations: u32,
    /// The band the trials leave open, fps: from the rate found up to the slowest rate
    /// that lost above it, or to the fastest at which full-length trials disagreed, and
    /// the spread of what the confirming trials sent.
    pub(crate) spread_fps: f64,
    /// Trials disagree by more than the resolution: at a rate above the one found by more
    /// than it, one full-length trial held and another lost.
    pub(crate) unstable: bool,
}

impl Throughput {
    /// A search up to `line` fps (the generator reaching `ceiling` fps), to within
    /// `resolution_percent` of the top, passing trials that lose at most `tolerance`
    /// percent, its answer confirmed as `confirm` says. Of the top, not of the line: a
    /// generator that reaches 0.3 % of line rate is still searched to 1 % of what it can
    /// offer, not ended by one lossy trial.
    pub(crate) fn new(
        line: f64,
        ceiling: f64,
        resolution_percent: f64,
        tolerance: f64,
        confirm: Confirm,
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
            confirming: None,
            held: Vec::new(),
            steps: 0,
            lossy: None,
            losses: Vec::new(),
            disagreed: None,
        }
    }

    /// The rate (fps) to try next and how long; None when the search is done.
    pub(crate) fn next(&mut self) -> Option<(f64, Length)> {
        if let Some(rate) = self.next_search() {
            return Some((rate, Length::Search));
        }
        let done = self.held.len() as u32 >= self.confirm.times;
        if self.confirm.times == 0 || done || self.steps >= CONFIRM_STEPS {
            return None;
        }
        if self.confirming.is_none() {
            let pass = self.pass?;
            if self.confirm.search_is_full {
                self.held.push(pass);
                if self.held.len() as u32 >= self.confirm.times {
                    return None;
                }
            }
            self.confirming = Some(pass.rate);
        }
        let rate = self.confirming?;
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
        if o.loss_percent > self.tolerance {
            self.losses.push((o.sent_fps.min(asked), o.lost_at));
        }
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
        let trial = self.trials;
        if o.loss_percent > self.tolerance {
            self.lossy = Some(Tried {
                rate: asked,
                outcome: o,
                trial,
            });
            if !self.held.is_empty() {
                self.disagreed = Some(self.disagreed.map_or(asked, |d| d.max(asked)));
            }
            self.held.clear();
            self.steps += 1;
            // Below the rate that lost, and under what the switch forwarded at it.
            self.confirming = Some(
                (asked.min(o.sent_fps) - self.resolution)
                    .min(o.forwarded_fps - self.resolution / 2.0),
            );
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
        self.held.push(Tried {
            rate,
            outcome: o,
            trial,
        });
    }

    /// The answer: the slowest of the confirming trials (every one of them held).
    fn answer(&self) -> Option<Tried> {
        if self.confirm.times == 0 {
            return self.pass;
        }
        if (self.held.len() as u32) < self.confirm.times {
            return None;
        }
        self.held
            .iter()
            .copied()
            .min_by(|a, b| a.rate.total_cmp(&b.rate))
    }

    pub(crate) fn found(&self) -> Found {
        let pass = self.answer();
        let (spread_fps, unstable) = self.spread(pass.map(|t| t.rate));
        Found {
            pass,
            lossy: pass.is_none().then_some(self.lossy).flatten(),
            limited_by: self.limit(pass),
            trials: self.trials,
            confirmations: match pass {
                Some(_) => self.held.len().max(1) as u32,
                None => 0,
            },
            spread_fps,
            unstable,
        }
    }

    /// Where the slowest lossy rate above `rate` lost its frames.
    fn lost_above(&self, rate: f64) -> Option<LostAt> {
        (self.losses.iter())
            .filter(|(r, _)| *r > rate)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .and_then(|(_, at)| *at)
    }

    fn limit(&self, pass: Option<Tried>) -> LimitedBy {
        let Some(t) = pass else {
            if self.confirm.times > 0 && self.pass.is_some() {
                return LimitedBy::Unconfirmed;
            }
            return self
                .lost_above(-1.0)
                .map_or(LimitedBy::Switch, LostAt::limit);
        };
        if self.short {
            return LimitedBy::Generator;
        }
        // Within the resolution of line rate, and only there, the line is the limit.
        if t.rate >= self.line - self.resolution {
            return LimitedBy::Line;
        }
        let near_ceiling = self.ceiling < self.line && t.rate >= CEILING_MARGIN * self.ceiling;
        match self.lost_above(t.rate) {
            Some(LostAt::Switch) => LimitedBy::Switch,
            None | Some(LostAt::Unaccounted) if near_ceiling => LimitedBy::Generator,
            // Losses no stage reported (a tester that cannot count them): the switch, as
            // before any accounting; a stage that says otherwise is believed.
            None => LimitedBy::Switch,
            Some(at) => at.limit(),
        }
    }

    /// The band the trials leave open above `rate`, and whether they disagree.
    fn spread(&self, rate: Option<f64>) -> (f64, bool) {
        let Some(rate) = rate else {
            return (0.0, false);
        };
        let above = (self.losses.iter().map(|(r, _)| *r)).filter(|r| *r > rate);
        let upper = above.fold(None, |u: Option<f64>, r| Some(u.map_or(r, |u| u.min(r))));
        let disagreed = self.disagreed.map_or(0.0, |d| d - rate);
        let sent = self.held.iter().map(|t| t.outcome.sent_fps);
        let (lo, hi) = sent.fold((f64::INFINITY, 0f64), |(lo, hi), s| (lo.min(s), hi.max(s)));
        let confirmations = if hi >= lo { hi - lo } else { 0.0 };
        let bracket = upper.map_or(0.0, |u| u - rate);
        let spread = bracket.max(disagreed).max(confirmations);
        // (A step down of exactly the resolution is the search working, not noise.)
        (spread, disagreed > self.resolution + 1.0)
    }
}

#[cfg(test)]
#[path = "throughput_tests.rs"]
mod tests;
