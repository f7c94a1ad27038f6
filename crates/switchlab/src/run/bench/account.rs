//! Where a trial's lost frames went: each stage's own count of what it dropped, against
//! what was lost between the sender and the sink. Pure, so the attribution is tested
//! without a trial. A loss no stage counts is `unaccounted`, never the switch's by
//! elimination.

use crate::run::traffic::frames::TrialReport;
use crate::states::LostAt;

/// What each stage says it dropped during one trial (None: that stage could not be read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StageDrops {
    /// The sending tester's NIC (tx drops, or fewer sent than handed).
    pub(crate) sender: Option<u64>,
    /// The receiving tester: its NIC and its socket buffer.
    pub(crate) receiver: Option<u64>,
    /// The switch's own discard counters on both ports of the path.
    pub(crate) switch: Option<u64>,
    /// The virtual lab's host: frames the simulator could not keep up with.
    pub(crate) host: Option<u64>,
}

impl StageDrops {
    /// The testers' own counts, from the trial's report.
    pub(crate) fn of_testers(r: &TrialReport) -> StageDrops {
        StageDrops {
            sender: r.sender_dropped,
            receiver: r.count.receiver_dropped(),
            ..StageDrops::default()
        }
    }

    /// Where `lost` frames were lost: the stage that counted the most of them, unless
    /// more went uncounted than any one stage counted. None when nothing was lost.
    pub(crate) fn lost_at(&self, lost: u64) -> Option<LostAt> {
        if lost == 0 {
            return None;
        }
        // Ties go to the testers: the switch is blamed only on evidence that outweighs
        // theirs.
        let stages = [
            (LostAt::Sender, self.sender),
            (LostAt::Receiver, self.receiver),
            (LostAt::Host, self.host),
            (LostAt::Switch, self.switch),
        ];
        let counted = |n: Option<u64>| n.unwrap_or(0).min(lost);
        let accounted: u64 = stages.iter().map(|(_, n)| counted(*n)).sum();
        let unaccounted = lost.saturating_sub(accounted);
        let (at, most) = stages.iter().map(|(at, n)| (*at, counted(*n))).fold(
            (LostAt::Unaccounted, 0),
            |best, s| match s.1 > best.1 {
                true => s,
                false => best,
            },
        );
        match most > 0 && most >= unaccounted {
            true => Some(at),
            false => Some(LostAt::Unaccounted),
        }
    }
}

/// Frames sent that did not arrive once (duplicates are not arrivals).
pub(crate) fn lost(r: &TrialReport) -> u64 {
    let arrived = r.count.received.saturating_sub(r.count.duplicates);
    r.sent.saturating_sub(arrived)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_drop_is_the_tester_s() {
        let d = StageDrops {
            receiver: Some(900),
            switch: Some(0),
            ..StageDrops::default()
        };
        assert_eq!(d.lost_at(1000), Some(LostAt::Receiver));
        // The sender's own drops likewise.
        let d = StageDrops {
            sender: Some(1000),
            ..StageDrops::default()
        };
        assert_eq!(d.lost_at(1000), Some(LostAt::Sender));
    }

    #[test]
    fn a_switch_discard_is_the_switch_s() {
        let d = StageDrops {
            sender: Some(0),
            receiver: Some(3),
            switch: Some(997),
            host: None,
        };
        assert_eq!(d.lost_at(1000), Some(LostAt::Switch));
        // Host drops in the virtual lab are the host's, not the modelled switch's.
        let d = StageDrops {
            host: Some(600),
            switch: Some(400),
            ..d
        };
        assert_eq!(d.lost_at(1000), Some(LostAt::Host));
    }

    #[test]
    fn a_loss_no_stage_counts_is_unaccounted_never_the_switch_s() {
        assert_eq!(StageDrops::default().lost_at(50), Some(LostAt::Unaccounted));
        let d = StageDrops {
            sender: Some(0),
            receiver: Some(0),
            switch: Some(10),
            host: None,
        };
        assert_eq!(d.lost_at(1000), Some(LostAt::Unaccounted), "10 of 1000");
        assert_eq!(d.lost_at(0), None, "nothing lost");
        // Counts beyond the loss (other traffic on a port) count only up to it.
        let d = StageDrops {
            switch: Some(5000),
            receiver: Some(1000),
            ..StageDrops::default()
        };
        assert_eq!(
            d.lost_at(1000),
            Some(LostAt::Receiver),
            "a tie: the tester's"
        );
    }
}
