//! The searches of RFC 2544 as pure cores: each says what to try next and takes what the
//! trial came to, so a unit test drives them with made-up outcomes and the benchmark with
//! real trials.
//!
//! - [`Throughput`](super::throughput::Throughput) (a file of its own): the fastest rate
//!   with no loss, searched then confirmed at full trial length.
//! - [`FrameLoss`]: from 100 % of line rate down in steps until two trials in a row lose
//!   nothing.
//! - [`Burst`]: the longest burst at line rate with no loss, halving down from the longest
//!   asked to a granularity.

/// A trial whose generator sent less than this share of the rate asked did not offer it.
pub(crate) const SHORTFALL: f64 = 0.99;

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
    /// Where the lost frames were lost, by the stages' counters (None: nothing lost).
    pub(crate) lost_at: Option<crate::states::LostAt>,
}

impl Outcome {
    pub(super) fn short_of(&self, asked: f64) -> bool {
        self.sent_fps < asked * SHORTFALL
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
