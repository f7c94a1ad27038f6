//! One timeline per port from every source. The same transition seen by several sources
//! (a console line, a syslog message, a state poll) is one entry with several sources; a
//! counter that proves more changes than were seen adds an explicit "unseen" entry. So a
//! flap a counter proves is never lost, and no flap is counted twice.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use crate::format::manifest::FlapSource;
use crate::parse::PortState;

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub time: SystemTime,
    pub up: bool,
    pub sources: BTreeSet<FlapSource>,
    /// The time came from a source that sees the moment itself (console, syslog).
    pub precise: bool,
}

/// Flaps a counter proves that no source saw, between two polls.
#[derive(Debug, Clone, PartialEq)]
pub struct Unseen {
    pub from: SystemTime,
    pub to: SystemTime,
    pub flaps: u64,
}

#[derive(Debug, Clone, Default)]
pub struct PortTimeline {
    pub transitions: Vec<Transition>,
    pub unseen: Vec<Unseen>,
    last_by_source: Vec<(FlapSource, bool, SystemTime)>,
    last_poll: Option<(SystemTime, PortState)>,
    pub first_poll: Option<PortState>,
    /// When a poll first found the port err-disabled.
    pub err_disabled_at: Option<SystemTime>,
    /// Whether any poll could say (the vendor's output shows err-disabled state).
    err_disabled_known: bool,
}

fn precise(src: FlapSource) -> bool {
    matches!(src, FlapSource::Console | FlapSource::Syslog)
}

fn within(a: SystemTime, b: SystemTime, tol: Duration) -> bool {
    let d = a
        .duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or_default();
    d <= tol
}

impl PortTimeline {
    /// A link event from one source. Repeats from the same source without the opposite
    /// state between (IOS logs LINK and LINEPROTO for one change) are the same change.
    /// Returns true when it made a new transition.
    pub fn observe(
        &mut self,
        time: SystemTime,
        up: bool,
        src: FlapSource,
        tolerance: Duration,
    ) -> bool {
        // A repeat within a second is the same change told twice; a repeat later means this
        // log source missed the change between, so it is a new one. (A state poll repeats
        // its state every poll: only a different state is news.)
        match self.last_by_source.iter_mut().find(|(s, _, _)| *s == src) {
            Some((_, last, at))
                if *last == up
                    && (src == FlapSource::State || within(*at, time, Duration::from_secs(1))) =>
            {
                return false;
            }
            Some((_, last, at)) => (*last, *at) = (up, time),
            None => self.last_by_source.push((src, up, time)),
        }
        // The earliest transition of this state that this source has not claimed yet.
        if let Some(t) = self
            .transitions
            .iter_mut()
            .find(|t| t.up == up && !t.sources.contains(&src) && within(t.time, time, tolerance))
        {
            t.sources.insert(src);
            if precise(src) && !t.precise {
                t.time = time;
                t.precise = true;
            }
            return false;
        }
        // A down a counter already proved (as unseen) is that flap, now seen: move it over.
        let mut time = time;
        let mut proven = false;
        if !up
            && let Some(u) = self.unseen.iter_mut().find(|u| {
                u.flaps > 0 && within(u.from, time, tolerance) && within(u.to, time, tolerance)
            })
        {
            u.flaps -= 1;
            proven = true;
            if !precise(src) {
                time = u.from + u.to.duration_since(u.from).unwrap_or_default() / 2;
            }
        }
        let at = self
            .transitions
            .iter()
            .position(|t| t.time > time)
            .unwrap_or(self.transitions.len());
        let mut sources = BTreeSet::from([src]);
        if proven {
            sources.insert(FlapSource::Counters);
        }
        self.transitions.insert(
            at,
            Transition {
                time,
                up,
                sources,
                precise: precise(src),
            },
        );
        true
    }

    /// A poll of the port's state and counters at `time`.
    pub fn poll(&mut self, time: SystemTime, state: &PortState, interval: Duration) {
        if self.first_poll.is_none() {
            self.first_poll = Some(state.clone());
        }
        self.err_disabled_known |= state.err_disabled.is_some();
        if state.err_disabled == Some(true) && self.err_disabled_at.is_none() {
            self.err_disabled_at = Some(time);
        }
        let Some((prev_time, prev)) = self.last_poll.replace((time, state.clone())) else {
            if let Some(up) = oper(state) {
                self.last_by_source.push((FlapSource::State, up, time));
            }
            return;
        };
        // The state changed somewhere since the last poll, however long ago that was.
        let since = time.duration_since(prev_time).unwrap_or_default();
        if let Some(up) = oper(state) {
            self.observe(
                time,
                up,
                FlapSource::State,
                since.max(interval) + Duration::from_secs(2),
            );
        }
        let seen = self
            .transitions
            .iter()
            .filter(|t| t.time > prev_time && t.time <= time)
            .count() as u64;
        let proven = match (prev.link_changes, state.link_changes) {
            (Some(a), Some(b)) if b >= a => Some(b - a),
            _ => None,
        };
        let missing_flaps = match proven {
            Some(changes) if changes > seen => (changes - seen).div_ceil(2),
            Some(_) => 0,
            // No counter: a last-change time younger than the poll gap (by more than its
            // one-second granularity), with nothing seen and the same state at both polls,
            // proves at least one flap.
            None => match state.last_change_s {
                Some(age)
                    if Duration::from_secs(age.saturating_add(1)) < since
                        && seen == 0
                        && oper(&prev) == oper(state) =>
                {
                    1
                }
                _ => 0,
            },
        };
        if missing_flaps > 0 {
            self.unseen.push(Unseen {
                from: prev_time,
                to: time,
                flaps: missing_flaps,
            });
        }
        if let Some(changes) = proven {
            for t in self
                .transitions
                .iter_mut()
                .filter(|t| t.time > prev_time && t.time <= time)
                .take(changes as usize)
            {
                t.sources.insert(FlapSource::Counters);
            }
        }
    }

    /// Flaps: every down seen, plus the unseen ones counters prove.
    pub fn flaps(&self) -> u64 {
        // Every down seen, plus the flaps counters prove beyond them.
        self.transitions.iter().filter(|t| !t.up).count() as u64
            + self.unseen.iter().map(|u| u.flaps).sum::<u64>()
    }

    /// The most downs within any `window` (the switches' err-disable rule: > 5 in 10 s).
    pub fn worst_burst(&self, window: Duration) -> usize {
        let downs: Vec<SystemTime> = self
            .transitions
            .iter()
            .filter(|t| !t.up)
            .map(|t| t.time)
            .collect();
        (0..downs.len())
            .map(|i| {
                downs[i..]
                    .iter()
                    .take_while(|t| t.duration_since(downs[i]).unwrap_or_default() <= window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// (crc, input errors) growth between the first and the last poll.
    pub fn error_deltas(&self) -> (Option<u64>, Option<u64>) {
        let (Some(first), Some((_, last))) = (&self.first_poll, &self.last_poll) else {
            return (None, None);
        };
        let d = |a: Option<u64>, b: Option<u64>| Some(b?.saturating_sub(a?));
        (d(first.crc, last.crc), d(first.in_errors, last.in_errors))
    }

    /// Whether the switch err-disabled the port during the watch; None when its output
    /// never says.
    pub fn err_disabled(&self) -> Option<bool> {
        self.err_disabled_known
            .then_some(self.err_disabled_at.is_some())
    }

    pub fn last_state(&self) -> Option<&PortState> {
        self.last_poll.as_ref().map(|(_, s)| s)
    }
}

fn oper(s: &PortState) -> Option<bool> {
    s.oper.as_deref().map(|o| o == "up")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000 + ms)
    }
    const TOL: Duration = Duration::from_secs(3);

    fn poll(t: &mut PortTimeline, ms: u64, up: bool, changes: Option<u64>) {
        let s = PortState {
            port: "Et1".into(),
            oper: Some(if up { "up" } else { "down" }.into()),
            link_changes: changes,
            ..Default::default()
        };
        t.poll(at(ms), &s, Duration::from_secs(1));
    }

    #[test]
    fn one_flap_seen_by_three_sources_counts_once() {
        let mut t = PortTimeline::default();
        poll(&mut t, 0, true, Some(0));
        t.observe(at(100), false, FlapSource::Console, TOL);
        t.observe(at(101), false, FlapSource::Console, TOL); // LINEPROTO after LINK
        t.observe(at(105), false, FlapSource::Syslog, TOL);
        poll(&mut t, 1000, false, Some(1));
        t.observe(at(1100), true, FlapSource::Syslog, TOL);
        t.observe(at(1102), true, FlapSource::Console, TOL);
        poll(&mut t, 2000, true, Some(2));
        assert_eq!(t.flaps(), 1);
        assert_eq!(t.transitions.len(), 2);
        assert_eq!(
            t.transitions[0].time,
            at(100),
            "the console's precise time wins"
        );
        assert!(
            t.transitions[0].sources.contains(&FlapSource::State)
                && t.transitions[0].sources.contains(&FlapSource::Counters)
        );
        assert!(t.unseen.is_empty());
    }

    #[test]
    fn a_counter_proves_flaps_nobody_saw() {
        let mut t = PortTimeline::default();
        poll(&mut t, 0, true, Some(4));
        poll(&mut t, 1000, true, Some(10)); // 3 flaps inside one poll interval, no log line
        assert_eq!(
            t.unseen,
            vec![Unseen {
                from: at(0),
                to: at(1000),
                flaps: 3
            }]
        );
        assert_eq!(t.flaps(), 3);
    }

    #[test]
    fn a_log_line_read_later_turns_an_unseen_flap_into_a_seen_one() {
        let mut t = PortTimeline::default();
        poll(&mut t, 0, true, Some(0));
        poll(&mut t, 1000, true, Some(2));
        assert_eq!(t.flaps(), 1);
        t.observe(at(2500), false, FlapSource::Buffer, TOL);
        t.observe(at(2500), true, FlapSource::Buffer, TOL);
        assert_eq!(
            t.flaps(),
            1,
            "the buffer's line is the flap the counter proved"
        );
        assert_eq!(t.unseen[0].flaps, 0);
        assert_eq!(t.transitions[0].time, at(500));
    }

    #[test]
    fn rapid_flaps_from_two_sources_stay_distinct() {
        let mut t = PortTimeline::default();
        for k in 0..4u64 {
            t.observe(at(k * 100), false, FlapSource::Console, TOL);
            t.observe(at(k * 100 + 40), true, FlapSource::Console, TOL);
        }
        for k in 0..4u64 {
            t.observe(at(k * 100 + 3), false, FlapSource::Buffer, TOL);
            t.observe(at(k * 100 + 43), true, FlapSource::Buffer, TOL);
        }
        assert_eq!(t.flaps(), 4);
        assert!(t.transitions.iter().all(|x| x.sources.len() == 2));
        assert_eq!(t.worst_burst(Duration::from_secs(10)), 4);
    }

    #[test]
    fn without_a_counter_a_young_last_change_proves_a_flap() {
        let mut t = PortTimeline::default();
        let s = |age| PortState {
            port: "Te 0/1".into(),
            oper: Some("up".into()),
            last_change_s: Some(age),
            ..Default::default()
        };
        t.poll(at(0), &s(3600), Duration::from_secs(5));
        t.poll(at(5000), &s(2), Duration::from_secs(5));
        assert_eq!(t.flaps(), 1);
        // Still young one poll later, but that is the same change: whole seconds are coarse.
        t.poll(at(5500), &s(2), Duration::from_millis(500));
        assert_eq!(t.flaps(), 1);
        // Regression: an absurd age from a garbled line overflowed `age + 1` (a panic that
        // ended every device's watch).
        t.poll(at(6000), &s(u64::MAX), Duration::from_millis(500));
        t.poll(at(6500), &s(u64::MAX), Duration::from_millis(500));
        assert_eq!(t.flaps(), 1);
    }
}
