//! One timeline per port from every source. The same transition seen by several sources
//! (a console line, a syslog message, a state poll) is one entry with several sources; a
//! counter that proves more flaps than were seen adds an explicit "unseen" entry. So a flap
//! a counter proves is never lost, and no flap is counted twice.
//!
//! Entries stay open while a later sighting may still join them; once settled they are
//! handed out ([`PortTimeline::settle`]) to be written, folded into the [`Tally`] and
//! forgotten: memory grows with the ports, not with the flaps.
//!
//! Counters are reconciled cumulatively: the flaps a counter proves since the first poll,
//! against every down seen up to the poll. A counter that goes back (`clear counters`, a
//! wrap, a reboot) starts a new epoch: its count from zero against what was seen since. A
//! sighting read late (a log buffer line dated at its read) that makes an open unseen entry
//! redundant takes that entry's place, so a window two sources overlap is never counted
//! twice.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use super::epoch::Baseline;
use super::tally::Tally;
use crate::format::manifest::FlapSource;
use crate::parse::PortState;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transition {
    pub(crate) time: SystemTime,
    pub(crate) up: bool,
    pub(crate) sources: BTreeSet<FlapSource>,
    /// The time came from a source that sees the moment itself (console, syslog).
    pub(crate) precise: bool,
}

/// Flaps a counter proves that no source saw, between two polls.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unseen {
    pub(crate) from: SystemTime,
    pub(crate) to: SystemTime,
    pub(crate) flaps: u64,
}

/// A settled entry, in the order it settled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled {
    Transition(Transition),
    Unseen(Unseen),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PortTimeline {
    /// Transitions a later sighting may still join, in time order.
    open: Vec<Transition>,
    /// Unseen entries not yet settled.
    open_unseen: Vec<Unseen>,
    last_by_source: Vec<(FlapSource, bool, SystemTime)>,
    last_poll: Option<(SystemTime, PortState)>,
    first_poll: Option<PortState>,
    baseline: Option<Baseline>,
    /// When a poll first found the port err-disabled.
    pub(crate) err_disabled_at: Option<SystemTime>,
    /// Whether any poll could say (the vendor's output shows err-disabled state).
    err_disabled_known: bool,
    /// Polls from `judged_from` on, and whether the link was up at any of them (or a
    /// source saw it come up): a port never up since the push has no link.
    judged_from: Option<SystemTime>,
    polls_judged: u32,
    up_judged: bool,
    pub(crate) tally: Tally,
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
    pub(crate) fn observe(
        &mut self,
        time: SystemTime,
        up: bool,
        src: FlapSource,
        tolerance: Duration,
    ) -> bool {
        if up && self.judged_from.is_some_and(|j| time >= j) {
            self.up_judged = true;
        }
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
        if self.claim_open(time, up, src, tolerance) {
            return false;
        }
        let (time, proven) = match up {
            false => self.take_unseen(time, src, tolerance),
            true => (time, false),
        };
        let at = self.open.partition_point(|t| t.time <= time);
        let mut sources = BTreeSet::from([src]);
        if proven {
            sources.insert(FlapSource::Counters);
        }
        self.open.insert(
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

    /// The earliest open transition to `up` near `time` that `src` has not claimed yet,
    /// claimed by it (at its time when `src` is the more precise); whether there was one.
    fn claim_open(
        &mut self,
        time: SystemTime,
        up: bool,
        src: FlapSource,
        tolerance: Duration,
    ) -> bool {
        let Some(t) = self
            .open
            .iter_mut()
            .find(|t| t.up == up && !t.sources.contains(&src) && within(t.time, time, tolerance))
        else {
            return false;
        };
        t.sources.insert(src);
        if precise(src) && !t.precise {
            t.time = time;
            t.precise = true;
            self.open.sort_by_key(|t| t.time);
        }
        true
    }

    /// A down a counter already proved (as unseen) is that flap, now seen: moved over. Its
    /// time (the unseen window's middle when `src` has no precise time) and whether it was.
    fn take_unseen(
        &mut self,
        time: SystemTime,
        src: FlapSource,
        tolerance: Duration,
    ) -> (SystemTime, bool) {
        let Some(u) = self.open_unseen.iter_mut().find(|u| {
            u.flaps > 0 && within(u.from, time, tolerance) && within(u.to, time, tolerance)
        }) else {
            return (time, false);
        };
        u.flaps -= 1;
        match precise(src) {
            true => (time, true),
            false => (
                u.from + u.to.duration_since(u.from).unwrap_or_default() / 2,
                true,
            ),
        }
    }

    /// From `time` on (the end of the push), a port the polls never find up has no link.
    pub(crate) fn judge_from(&mut self, time: SystemTime) {
        self.judged_from = Some(time);
        self.polls_judged = 0;
        self.up_judged = false;
    }

    /// A poll of the port's state and counters at `time`. Returns true when it found the
    /// state changed before any other source said so (a new transition).
    pub(crate) fn poll(&mut self, time: SystemTime, state: &PortState, interval: Duration) -> bool {
        let up_now = state.is_up();
        if self.judged_from.is_none_or(|j| time >= j) {
            self.polls_judged += 1;
            self.up_judged |= up_now == Some(true);
        }
        if let Some(up) = up_now {
            self.tally.state_at(time, up);
        }
        self.err_disabled_known |= state.err_disabled.is_some();
        if state.err_disabled == Some(true) && self.err_disabled_at.is_none() {
            self.err_disabled_at = Some(time);
        }
        let Some((prev_time, prev)) = self.last_poll.replace((time, state.clone())) else {
            self.first_poll = Some(state.clone());
            self.baseline = Some(Baseline::first(state));
            if let Some(up) = up_now {
                self.last_by_source.push((FlapSource::State, up, time));
            }
            return false;
        };
        // The state changed somewhere since the last poll, however long ago that was.
        let since = time.duration_since(prev_time).unwrap_or_default();
        let news = up_now.is_some_and(|up| {
            self.observe(
                time,
                up,
                FlapSource::State,
                since.max(interval) + Duration::from_secs(2),
            )
        });
        self.rebase_if_reset(state, &prev, prev_time);
        match self.baseline.and_then(|b| b.proven_downs(state)) {
            Some(proven) => self.reconcile(proven, prev_time, time),
            // No counter: a last-change time younger than the poll gap (by more than its
            // one-second granularity), with nothing seen and the same state at both polls,
            // proves at least one flap.
            None => self.unseen_by_last_change(state, (prev_time, &prev), time, since),
        }
        let window = |t: &&mut Transition| t.time > prev_time && t.time <= time;
        if [state.link_changes, state.link_downs, state.link_ups]
            .iter()
            .any(Option::is_some)
        {
            for t in self.open.iter_mut().filter(window) {
                t.sources.insert(FlapSource::Counters);
            }
        }
        news
    }

    /// With no counter, a last-change time younger than the gap `since` the poll before
    /// (by more than its one-second granularity), with nothing seen and the same state at
    /// both polls, proves at least one flap.
    fn unseen_by_last_change(
        &mut self,
        state: &PortState,
        (prev_time, prev): (SystemTime, &PortState),
        time: SystemTime,
        since: Duration,
    ) {
        let seen = self
            .open
            .iter()
            .any(|t| t.time > prev_time && t.time <= time);
        if let Some(age) = state.last_change_s
            && Duration::from_secs(age.saturating_add(1)) < since
            && !seen
            && prev.is_up() == state.is_up()
        {
            self.open_unseen.push(Unseen {
                from: prev_time,
                to: time,
                flaps: 1,
            });
        }
    }

    /// A counter that went back (`clear counters`, a wrap, a reboot) starts a new epoch at
    /// the last poll before: its count since then starts from zero, in the state that poll
    /// found, and is compared with what was seen since. What the epochs before proved stays.
    fn rebase_if_reset(&mut self, state: &PortState, prev: &PortState, prev_time: SystemTime) {
        let before = self.seen_and_unseen(prev_time);
        if let Some(next) = (self.baseline).and_then(|b| b.reset(prev, state, prev_time, before)) {
            self.baseline = Some(next);
        }
    }

    /// Downs seen up to `time` and unseen flaps proven so far, over the whole watch.
    fn seen_and_unseen(&self, time: SystemTime) -> (u64, u64) {
        let seen = self.tally.downs_seen
            + self.open.iter().filter(|t| !t.up && t.time <= time).count() as u64;
        let unseen = self.tally.unseen + self.open_unseen.iter().map(|u| u.flaps).sum::<u64>();
        (seen, unseen)
    }

    /// Make the unseen flaps of this counter epoch what the counter proves beyond the
    /// downs seen in it up to `time`: add the shortfall in this poll's window, or take
    /// back open unseen entries a late sighting made redundant.
    fn reconcile(&mut self, proven: u64, prev_time: SystemTime, time: SystemTime) {
        let Some(base) = self.baseline else {
            return;
        };
        let (seen, unseen) = self.seen_and_unseen(time);
        let seen = seen.saturating_sub(base.seen_before);
        let unseen = unseen.saturating_sub(base.unseen_before);
        let needed = proven.saturating_sub(seen);
        if needed > unseen {
            self.open_unseen.push(Unseen {
                from: prev_time,
                to: time,
                flaps: needed - unseen,
            });
            return;
        }
        let mut extra = unseen - needed;
        let this_epoch = |u: &&mut Unseen| base.since.is_none_or(|s| u.from >= s);
        for u in self.open_unseen.iter_mut().rev().filter(this_epoch) {
            let take = extra.min(u.flaps);
            u.flaps -= take;
            extra -= take;
        }
    }

    /// Hand out every entry from before `cutoff` (all of them when None), in time order,
    /// fold them into the tally and forget them.
    pub(crate) fn settle(&mut self, cutoff: Option<SystemTime>) -> Vec<Settled> {
        let due = |t: SystemTime| cutoff.is_none_or(|c| t <= c);
        let n = self.open.partition_point(|t| due(t.time));
        let mut out: Vec<Settled> = self.open.drain(..n).map(Settled::Transition).collect();
        let (ready, open): (Vec<Unseen>, Vec<Unseen>) =
            self.open_unseen.drain(..).partition(|u| due(u.to));
        self.open_unseen = open;
        out.extend(
            ready
                .into_iter()
                .filter(|u| u.flaps > 0)
                .map(Settled::Unseen),
        );
        out.sort_by_key(|s| match s {
            Settled::Transition(t) => t.time,
            Settled::Unseen(u) => u.to,
        });
        for s in &out {
            match s {
                Settled::Transition(t) => self.tally.transition(t.time, t.up),
                Settled::Unseen(u) => self.tally.unseen(u.from, u.to, u.flaps),
            }
        }
        out
    }

    /// Flaps so far: settled and open, downs seen plus the unseen ones counters prove.
    pub(crate) fn flaps(&self) -> u64 {
        self.tally.flaps()
            + self.open.iter().filter(|t| !t.up).count() as u64
            + self.open_unseen.iter().map(|u| u.flaps).sum::<u64>()
    }

    /// (crc, input errors) growth between the first and the last poll.
    pub(crate) fn error_deltas(&self) -> (Option<u64>, Option<u64>) {
        let (Some(first), Some((_, last))) = (&self.first_poll, &self.last_poll) else {
            return (None, None);
        };
        let d = |a: Option<u64>, b: Option<u64>| Some(b?.saturating_sub(a?));
        (d(first.crc, last.crc), d(first.in_errors, last.in_errors))
    }

    /// Whether the switch err-disabled the port during the watch; None when its output
    /// never says.
    pub(crate) fn err_disabled(&self) -> Option<bool> {
        self.err_disabled_known
            .then_some(self.err_disabled_at.is_some())
    }

    /// Whether any poll showed the port.
    pub(crate) fn shown(&self) -> bool {
        self.first_poll.is_some()
    }

    /// The last poll's reading of the port, and when it was taken.
    pub(crate) fn last_poll(&self) -> Option<&(SystemTime, PortState)> {
        self.last_poll.as_ref()
    }

    /// Whether the link came up at any poll (or sighting) since `judge_from`; None when no
    /// poll has been taken since.
    pub(crate) fn had_link(&self) -> Option<bool> {
        (self.polls_judged > 0).then_some(self.up_judged)
    }
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
