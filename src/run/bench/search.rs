//! The searches of RFC 2544 as pure cores: each says what to try next and takes what the
//! trial came to, so a unit test drives them with made-up outcomes and the benchmark with
//! real trials.
//!
//! - [`Throughput`]: the fastest rate with no loss (or loss within the tolerance): first
//!   the top (line rate, or the generator's ceiling where that is lower), then, as TRex's
//!   optimized search does, just under what the switch forwarded at the top, then halving
//!   until the gap is within the resolution.
//! - [`FrameLoss`]: from 100 % of line rate down in steps until two trials in a row lose
//!   nothing.
//! - [`Burst`]: the longest burst at line rate with no loss, halving down from the longest
//!   asked to a granularity.

use crate::states::LimitedBy;

/// A trial whose generator sent less than this share of the rate asked did not offer it.
pub(crate) const SHORTFALL: f64 = 0.99;
/// Within this share of the generator's own ceiling, the generator's jitter is as likely
/// the cause of a loss as the switch: such a result is the generator's, never the switch's.
pub(crate) const CEILING_MARGIN: f64 = 0.9;

/// Frames per second at line rate: 20 bytes of preamble, start delimiter and gap per frame.
pub(crate) fn line_fps(speed_mbps: u64, frame_size: u32) -> f64 {
    speed_mbps as f64 * 1e6 / ((frame_size as f64 + 20.0) * 8.0)
}

/// The rate a trial asks of the generator: `fps` under the plan's `cap`, and at least one
/// frame a second. The generator takes whole frames per second and refuses 0: a
/// throughput found under 1 fps (a generator starved on a loaded machine) put the latency
/// trials after it at `--fps 0`, and the whole benchmark failed.
pub(crate) fn asked_fps(fps: f64, cap: Option<u64>) -> f64 {
    fps.min(cap.map_or(f64::INFINITY, |c| c as f64)).max(1.0)
}

/// What one trial came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) sent_fps: f64,
    pub(crate) forwarded_fps: f64,
    pub(crate) loss_percent: f64,
}

impl Outcome {
    fn short_of(&self, asked: f64) -> bool {
        self.sent_fps < asked * SHORTFALL
    }
}

/// The no-drop (or partial-drop) rate search.
#[derive(Debug, Clone)]
pub(crate) struct Throughput {
    line: f64,
    ceiling: f64,
    top: f64,
    resolution: f64,
    tolerance: f64,
    /// The fastest passing trial: the rate asked and what it came to.
    pass: Option<(f64, Outcome)>,
    /// The slowest rate that lost too much (or could not be offered).
    fail: Option<f64>,
    /// Rates to try before halving: just under and just over what the switch forwarded
    /// when offered the top.
    guesses: Vec<f64>,
    /// The generator fell short of a rate asked: nothing above it could be tried.
    short: bool,
    trials: u32,
}

/// What a search found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    /// The passing trial (None: not even the slowest rate tried passed).
    pub(crate) outcome: Option<Outcome>,
    /// The rate asked of it (fps).
    pub(crate) rate: Option<f64>,
    pub(crate) limited_by: LimitedBy,
    pub(crate) trials: u32,
}

impl Throughput {
    /// A search up to `line` fps (the generator reaching `ceiling` fps), to within
    /// `resolution_percent` of the top, passing trials that lose at most `tolerance`
    /// percent. Of the top, not of the line: a generator that reaches 0.3 % of line rate
    /// is still searched to 1 % of what it can offer, not ended by one lossy trial.
    pub(crate) fn new(
        line: f64,
        ceiling: f64,
        resolution_percent: f64,
        tolerance: f64,
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
        }
    }

    /// How close the search gets (fps).
    pub(crate) fn resolution(&self) -> f64 {
        self.resolution
    }

    /// The rate (fps) to try next; None when the search is done.
    pub(crate) fn next(&mut self) -> Option<f64> {
        let Some(fail) = self.fail else {
            // Nothing has failed: the top first, and if it passed, done.
            return self.pass.is_none().then_some(self.top);
        };
        let lo = self.pass.map_or(0.0, |(asked, _)| asked);
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

    /// What the trial at `asked` fps came to.
    pub(crate) fn record(&mut self, asked: f64, o: Outcome) {
        self.trials += 1;
        let first = self.trials == 1;
        if o.loss_percent <= self.tolerance {
            if o.short_of(asked) {
                // It lost nothing at what was sent, but the rate asked was never offered:
                // above this the generator cannot tell.
                self.short = true;
                self.fail = Some(self.fail.map_or(asked, |f| f.min(asked)));
                let sent = o.sent_fps;
                if self.pass.is_none_or(|(p, _)| sent > p) {
                    self.pass = Some((sent, o));
                }
            } else if self.pass.is_none_or(|(p, _)| asked > p) {
                self.pass = Some((asked, o));
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

    pub(crate) fn found(&self) -> Found {
        let outcome = self.pass.map(|(_, o)| o);
        let rate = self.pass.map_or(0.0, |(asked, _)| asked);
        let generator_bound = self.ceiling < self.line;
        let limited_by = if self.short && self.pass.is_some() {
            LimitedBy::Generator
        } else if self.fail.is_none() && self.top >= self.line {
            LimitedBy::Line
        } else if generator_bound && rate >= CEILING_MARGIN * self.ceiling {
            LimitedBy::Generator
        } else {
            LimitedBy::Switch
        };
        Found {
            outcome,
            rate: self.pass.map(|(asked, _)| asked),
            limited_by,
            trials: self.trials,
        }
    }
}

/// The frame-loss steps: loads in percent of line rate.
#[derive(Debug, Clone)]
pub(crate) struct FrameLoss {
    step: f64,
    load: f64,
    clean: u32,
    tolerance: f64,
}

impl FrameLoss {
    pub(crate) fn new(step_percent: f64, tolerance: f64) -> FrameLoss {
        FrameLoss {
            step: step_percent.max(1.0),
            load: 100.0,
            clean: 0,
            tolerance,
        }
    }

    /// The next load (percent of line rate); None after two clean trials in a row.
    pub(crate) fn next(&self) -> Option<f64> {
        (self.clean < 2 && self.load > 0.0).then_some(self.load)
    }

    pub(crate) fn record(&mut self, loss_percent: f64) {
        match loss_percent <= self.tolerance {
            true => self.clean += 1,
            false => self.clean = 0,
        }
        self.load -= self.step;
    }
}

/// The back-to-back search: burst lengths in frames.
#[derive(Debug, Clone)]
pub(crate) struct Burst {
    longest: u64,
    granularity: u64,
    pass: Option<u64>,
    fail: Option<u64>,
}

impl Burst {
    /// Bursts of at most `longest` frames, found to within `granularity`.
    pub(crate) fn new(longest: u64, granularity: u64) -> Burst {
        Burst {
            longest: longest.max(1),
            granularity: granularity.max(1),
            pass: None,
            fail: None,
        }
    }

    pub(crate) fn next(&self) -> Option<u64> {
        let Some(fail) = self.fail else {
            return self.pass.is_none().then_some(self.longest);
        };
        let lo = self.pass.unwrap_or(0);
        (fail - lo > self.granularity).then(|| (lo + fail) / 2)
    }

    pub(crate) fn record(&mut self, frames: u64, lossless: bool) {
        match lossless {
            true => self.pass = Some(self.pass.map_or(frames, |p| p.max(frames))),
            false => self.fail = Some(self.fail.map_or(frames, |f| f.min(frames))),
        }
    }

    /// The longest lossless burst (0: none), and whether it is the longest asked.
    pub(crate) fn found(&self) -> (u64, bool) {
        let p = self.pass.unwrap_or(0);
        (p, p >= self.longest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: a latency trial at a throughput under 1 fps was asked as `--fps 0`.
    #[test]
    fn a_trial_asks_at_least_one_frame_a_second_and_no_more_than_the_cap() {
        assert_eq!(asked_fps(0.3, None), 1.0);
        assert_eq!(asked_fps(0.0, Some(500)), 1.0);
        assert_eq!(asked_fps(9_000.0, Some(500)), 500.0);
        assert_eq!(asked_fps(250.0, Some(500)), 250.0);
    }

    /// A switch that forwards `cap` fps and drops the rest, and a generator that sends
    /// `gen_max` fps at most.
    fn trial(asked: f64, cap: f64, gen_max: f64) -> Outcome {
        let sent = asked.min(gen_max);
        let forwarded = sent.min(cap);
        Outcome {
            sent_fps: sent,
            forwarded_fps: forwarded,
            loss_percent: (sent - forwarded) * 100.0 / sent,
        }
    }

    fn search(line: f64, ceiling: f64, cap: f64, gen_max: f64) -> Found {
        let mut s = Throughput::new(line, ceiling, 0.5, 0.0);
        while let Some(r) = s.next() {
            s.record(r, trial(r, cap, gen_max));
            assert!(s.trials < 40, "the search ends");
        }
        s.found()
    }

    #[test]
    fn the_line_rate_passing_ends_the_search_at_once() {
        let f = search(1_488_095.0, 2e6, 1e9, 2e6);
        assert_eq!((f.limited_by, f.trials), (LimitedBy::Line, 1));
        assert_eq!(f.outcome.unwrap().sent_fps, 1_488_095.0);
    }

    #[test]
    fn a_switch_capped_below_line_rate_is_found_within_the_resolution_in_few_trials() {
        let line = 1_488_095.0;
        let f = search(line, 2e6, 500_000.0, 2e6);
        let rate = f.outcome.unwrap().sent_fps;
        assert!(
            rate <= 500_000.0 && rate >= 500_000.0 - line * 0.005,
            "{rate}"
        );
        assert_eq!(f.limited_by, LimitedBy::Switch);
        assert!(
            f.trials <= 4,
            "the guess from the top's forwarded rate: {f:?}"
        );
    }

    #[test]
    fn a_generator_slower_than_the_line_is_never_the_switch_s_limit() {
        // The generator's ceiling is 300k fps, the line 1.49M, the switch forwards all.
        let f = search(1_488_095.0, 300_000.0, 1e9, 300_000.0);
        assert_eq!(f.limited_by, LimitedBy::Generator);
        // Measured ceiling higher than what it reaches under load: a short trial.
        let f = search(1_488_095.0, 400_000.0, 1e9, 300_000.0);
        assert_eq!(f.limited_by, LimitedBy::Generator, "{f:?}");
        // A switch limit just under the ceiling is within the generator's margin.
        let f = search(1_488_095.0, 300_000.0, 290_000.0, 300_000.0);
        assert_eq!(f.limited_by, LimitedBy::Generator, "{f:?}");
        // Well under it, the switch is the limit.
        let f = search(1_488_095.0, 300_000.0, 100_000.0, 300_000.0);
        assert_eq!(f.limited_by, LimitedBy::Switch, "{f:?}");
    }

    /// Regression: a generator reaching 0.3 % of line rate lost a few frames at its
    /// ceiling (a loaded machine) and the search, whose resolution was 1 % of line,
    /// stopped there: "0 % no-drop, the switch's limit".
    #[test]
    fn a_loss_at_a_slow_generator_s_ceiling_searches_on_below_it() {
        let (line, ceiling) = (1_488_095.0, 5_000.0);
        let mut s = Throughput::new(line, ceiling, 1.0, 0.0);
        while let Some(r) = s.next() {
            // The generator's jitter: a frame or two lost at its very ceiling.
            let lost = if r >= ceiling * 0.999 { 0.05 } else { 0.0 };
            let o = Outcome {
                sent_fps: r,
                forwarded_fps: r * (1.0 - lost / 100.0),
                loss_percent: lost,
            };
            s.record(r, o);
            assert!(s.trials < 40, "the search ends");
        }
        let f = s.found();
        let rate = f.rate.unwrap_or_default();
        assert!((4_900.0..5_000.0).contains(&rate), "{f:?}");
        assert_eq!(f.limited_by, LimitedBy::Generator, "{f:?}");
    }

    #[test]
    fn nothing_passing_finds_nothing() {
        let mut s = Throughput::new(1000.0, 1e6, 1.0, 0.0);
        while let Some(r) = s.next() {
            s.record(
                r,
                Outcome {
                    sent_fps: r,
                    forwarded_fps: 0.0,
                    loss_percent: 100.0,
                },
            );
        }
        assert_eq!(s.found().outcome, None);
    }

    #[test]
    fn frame_loss_steps_down_until_two_clean_trials_in_a_row() {
        let mut f = FrameLoss::new(10.0, 0.0);
        let mut loads = Vec::new();
        // Loss above 65 % of line rate.
        while let Some(load) = f.next() {
            loads.push(load);
            f.record(if load > 65.0 { load - 65.0 } else { 0.0 });
        }
        assert_eq!(loads, vec![100.0, 90.0, 80.0, 70.0, 60.0, 50.0]);
    }

    #[test]
    fn the_longest_lossless_burst_is_found_to_its_granularity() {
        let mut b = Burst::new(100_000, 100);
        while let Some(n) = b.next() {
            b.record(n, n <= 12_345);
        }
        let (n, all) = b.found();
        assert!((12_245..=12_345).contains(&n) && !all, "{n}");
        let mut b = Burst::new(1000, 10);
        b.record(b.next().unwrap(), true);
        assert_eq!((b.next(), b.found()), (None, (1000, true)));
    }
}
