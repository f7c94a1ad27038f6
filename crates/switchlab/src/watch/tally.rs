//! What a port's settled events add up to: flaps seen and proven, the worst burst of downs
//! in 10 s, how long the link was up, when it last went down. Settled events are folded in
//! here and forgotten, so a port that flaps all night costs the same memory as one that
//! never does.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

/// The window of the switches' err-disable rule (more than 5 flaps in 10 s).
pub(crate) const BURST_WINDOW: Duration = Duration::from_secs(10);

/// Down times kept for the burst count: the window and room for events that settle a
/// little out of order (a buffer sighting dated back into its window).
const KEPT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// Downs some source saw.
    pub(crate) downs_seen: u64,
    /// Flaps a counter proves that no source saw.
    pub(crate) unseen: u64,
    /// The most downs (seen or proven) within any 10 s.
    pub(crate) worst_burst: usize,
    /// Recent down times, sorted, for the burst count.
    recent: VecDeque<SystemTime>,
    /// The link state from a time on, and the up time before it.
    state: Option<(SystemTime, bool)>,
    up_for: Duration,
    /// When the first state was known (the share of up time counts from here).
    since: Option<SystemTime>,
    /// The latest down.
    pub(crate) last_down: Option<SystemTime>,
}

impl Tally {
    /// Every flap: downs seen plus the ones counters prove.
    pub(crate) fn flaps(&self) -> u64 {
        self.downs_seen + self.unseen
    }

    /// The link's state at `time` (a poll's), where no transition said it.
    pub(crate) fn state_at(&mut self, time: SystemTime, up: bool) {
        if self.state.is_none() {
            self.state = Some((time, up));
            self.since = Some(time);
        }
    }

    /// A settled change of state.
    pub(crate) fn transition(&mut self, time: SystemTime, up: bool) {
        match self.state {
            None => {
                self.since = Some(time);
                self.state = Some((time, up));
            }
            Some((from, was_up)) => {
                if was_up {
                    self.up_for += time.duration_since(from).unwrap_or_default();
                }
                // Out of order by a little: the later time stands, the state is the news.
                self.state = Some((from.max(time), up));
            }
        }
        if !up {
            self.downs_seen += 1;
            self.down_at(time);
        }
    }

    /// `n` flaps a counter proves somewhere in `from..to`, spread over the window for the
    /// burst count (4 flaps inside a 1 s poll window are a burst of 4).
    pub(crate) fn unseen(&mut self, from: SystemTime, to: SystemTime, n: u64) {
        self.unseen += n;
        let span = to.duration_since(from).unwrap_or_default();
        for k in 0..n {
            let frac = (k as f64 + 0.5) / n as f64;
            self.down_at(from + span.mul_f64(frac));
        }
    }

    fn down_at(&mut self, t: SystemTime) {
        self.last_down = Some(self.last_down.map_or(t, |d| d.max(t)));
        let at = self.recent.partition_point(|x| *x <= t);
        self.recent.insert(at, t);
        let newest = self.recent.back().copied().unwrap_or(t);
        while self
            .recent
            .front()
            .is_some_and(|x| newest.duration_since(*x).unwrap_or_default() > KEPT)
        {
            self.recent.pop_front();
        }
        // The windows that hold `t`: each starts at one of the downs up to 10 s before it.
        let in_window = |start: SystemTime| {
            self.recent
                .iter()
                .filter(|x| {
                    **x >= start && x.duration_since(start).unwrap_or_default() <= BURST_WINDOW
                })
                .count()
        };
        let best = self
            .recent
            .iter()
            .filter(|x| **x <= t && t.duration_since(**x).unwrap_or_default() <= BURST_WINDOW)
            .map(|start| in_window(*start))
            .max()
            .unwrap_or(1);
        self.worst_burst = self.worst_burst.max(best);
    }

    /// The share of `since..end` the link was up, in percent; None before any state.
    pub(crate) fn up_percent(&self, end: SystemTime) -> Option<f64> {
        let (since, (from, up)) = (self.since?, self.state?);
        let total = end.duration_since(since).unwrap_or_default();
        let mut up_for = self.up_for;
        if up {
            up_for += end.duration_since(from).unwrap_or_default();
        }
        if total.is_zero() {
            return Some(if up { 100.0 } else { 0.0 });
        }
        Some((up_for.as_secs_f64() / total.as_secs_f64() * 100.0).clamp(0.0, 100.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000 + ms)
    }

    #[test]
    fn up_time_counts_from_the_first_state_to_the_end() {
        let mut t = Tally::default();
        t.state_at(at(0), true);
        t.transition(at(6_000), false);
        t.transition(at(8_000), true);
        assert_eq!(t.up_percent(at(10_000)), Some(80.0));
        assert_eq!(t.flaps(), 1);
        assert_eq!(t.last_down, Some(at(6_000)));
        let mut never = Tally::default();
        never.state_at(at(0), false);
        never.state_at(at(5_000), false);
        assert_eq!(never.up_percent(at(10_000)), Some(0.0));
        assert_eq!(Tally::default().up_percent(at(1)), None);
    }

    #[test]
    fn flaps_a_counter_proves_make_a_burst_and_old_ones_fall_out_of_the_window() {
        let mut t = Tally::default();
        t.unseen(at(0), at(1_000), 4);
        assert_eq!(t.worst_burst, 4, "4 proven inside one poll window");
        t.transition(at(30_000), false);
        t.transition(at(30_100), true);
        assert_eq!(t.worst_burst, 4);
        for k in 0..6 {
            t.transition(at(40_000 + k * 1_500), false);
        }
        assert_eq!(t.worst_burst, 6, "six downs within 7.5 s");
        assert_eq!(t.flaps(), 11);
    }

    #[test]
    fn a_down_settled_out_of_order_still_counts_in_its_window() {
        let mut t = Tally::default();
        t.transition(at(5_000), false);
        t.transition(at(9_000), false);
        t.transition(at(1_000), false); // a buffer line dated back into its window
        assert_eq!(t.worst_burst, 3);
    }
}
