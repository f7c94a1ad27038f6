//! A port's link counters within one epoch: what they read when it began, whether a
//! reading went back (a new epoch), and the downs they prove since.

use std::time::SystemTime;

use crate::parse::PortState;

/// What a port's counters read at the start of their epoch (the first poll, or the last
/// poll before they went back: `clear counters`, a wrap, a reboot); flaps are proven
/// against it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Baseline {
    changes: Option<u64>,
    downs: Option<u64>,
    ups: Option<u64>,
    up: Option<bool>,
    /// The epoch began at this poll: what was seen and proven up to it belongs to the
    /// epochs before, and the counter since is compared only with what was seen since.
    pub(super) since: Option<SystemTime>,
    pub(super) seen_before: u64,
    pub(super) unseen_before: u64,
}

impl Baseline {
    /// The epoch of the first poll.
    pub(super) fn first(state: &PortState) -> Baseline {
        Baseline {
            changes: state.link_changes,
            downs: state.link_downs,
            ups: state.link_ups,
            up: state.is_up(),
            since: None,
            seen_before: 0,
            unseen_before: 0,
        }
    }

    /// A new epoch when a counter of `state` is below the highest reading of this one so
    /// far (`prev` the poll before, at `prev_time`): a counter only goes back by a reset.
    /// It begins at `prev`, in the state `prev` found; a counter that went back counts
    /// from zero, one that did not (another wrapped) from its reading then.
    pub(super) fn reset(
        &self,
        prev: &PortState,
        state: &PortState,
        prev_time: SystemTime,
        (seen_before, unseen_before): (u64, u64),
    ) -> Option<Baseline> {
        let high = |now: Option<u64>, was: Option<u64>| match (now, was) {
            (Some(n), Some(w)) => Some(n.max(w)),
            (n, w) => n.or(w),
        };
        let mut back = false;
        let mut from = |p: Option<u64>, b: Option<u64>, now: Option<u64>| {
            let h = high(p, b);
            match (h, now) {
                (Some(h), Some(n)) if n < h => {
                    back = true;
                    Some(0)
                }
                (h, now) => now.and(h),
            }
        };
        let next = Baseline {
            changes: from(prev.link_changes, self.changes, state.link_changes),
            downs: from(prev.link_downs, self.downs, state.link_downs),
            ups: from(prev.link_ups, self.ups, state.link_ups),
            up: prev.is_up(),
            since: Some(prev_time),
            seen_before,
            unseen_before,
        };
        back.then_some(next)
    }

    /// The downs the counters prove in the epoch: counters of downs and of ups apart
    /// (FRR's `Link downs`, `Link ups`) by whichever moved more, as one can miss a short
    /// down the other caught; one of every change by the state it started in. None
    /// without a counter.
    pub(super) fn proven_downs(&self, state: &PortState) -> Option<u64> {
        let moved = |b: Option<u64>, now: Option<u64>| Some(now?.saturating_sub(b?));
        // From down, the first up follows no down of this epoch.
        let ups = moved(self.ups, state.link_ups).map(|n| match self.up {
            Some(false) => n.saturating_sub(1),
            _ => n,
        });
        if let Some(n) = moved(self.downs, state.link_downs).max(ups) {
            return Some(n);
        }
        let changes = state.link_changes?.saturating_sub(self.changes?);
        // From up, changes go down, up, down…; from down, up, down…
        Some(match self.up {
            Some(false) => changes / 2,
            _ => changes.div_ceil(2),
        })
    }
}
