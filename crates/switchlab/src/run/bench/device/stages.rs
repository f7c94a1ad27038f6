//! A trial's stages beyond the testers, read before and after it for the loss account:
//! the virtual lab's own count of each simulated switch's drops where it runs in this
//! process, else the switch's discard counters as the watch's polls read them over its
//! session (a poll after the trial is awaited, and only when the trial lost frames).

use std::time::{Duration, SystemTime};

use super::Bench;
use crate::run::bench::account::{StageDrops, lost};
use crate::run::traffic::frames::TrialReport;
use crate::run::traffic::lab_drops::LabDropCount;
use crate::watch::SwitchCounts;

/// How long a trial's account waits for the watch's next poll of the switch.
const POLL_WAIT: Duration = Duration::from_secs(15);

/// What the stages said as a trial started.
pub(super) struct Before {
    lab: Option<LabDropCount>,
    /// Each port of the path on the switch, as the last poll read it.
    ports: Vec<(String, Option<SwitchCounts>)>,
}

/// Discards on a port between two readings (None: the switch shows none).
fn discards(a: &SwitchCounts, z: &SwitchCounts) -> Option<u64> {
    let d = |x: Option<u64>, y: Option<u64>| Some(y?.saturating_sub(x?));
    match (
        d(a.in_discards, z.in_discards),
        d(a.out_discards, z.out_discards),
    ) {
        (None, None) => None,
        (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
    }
}

impl Bench<'_, '_> {
    pub(super) fn stages_before(&self) -> Before {
        let plan = self.plan;
        let lab = (self.at.traffic.lab_drops.as_ref()).and_then(|l| l.0.drops(&plan.device));
        let ports = [&plan.from.port, &plan.to.port].into_iter().flatten();
        let speeds = self.at.speeds;
        Before {
            lab,
            ports: ports
                .map(|p| (p.clone(), speeds.counts(&plan.device, p)))
                .collect(),
        }
    }

    /// The trial's account: the testers' counts from its report, and the switch's (and
    /// the host's, in the virtual lab) from what changed since `before`.
    pub(super) async fn stages_after(
        &mut self,
        before: &Before,
        r: &TrialReport,
        ended: SystemTime,
    ) -> StageDrops {
        let mut drops = StageDrops::of_testers(r);
        if lost(r) == 0 {
            return drops;
        }
        let device = &self.plan.device;
        if let Some(a) = before.lab {
            let lab = self.at.traffic.lab_drops.as_ref();
            if let Some(z) = lab.and_then(|l| l.0.drops(device)) {
                drops.switch = Some(z.switch.saturating_sub(a.switch));
                drops.host = Some(z.host.saturating_sub(a.host));
            }
            return drops;
        }
        let mut total = None::<u64>;
        for (port, a) in &before.ports {
            let Some(a) = a.filter(|_| !self.unpolled) else {
                continue;
            };
            let speeds = self.at.speeds;
            let Some(z) = speeds.counts_after(device, port, ended, POLL_WAIT).await else {
                // No poll came: the watch of the device has ended; not asked again.
                self.unpolled = true;
                continue;
            };
            if let Some(n) = discards(&a, &z) {
                total = Some(total.unwrap_or(0) + n);
            }
        }
        drops.switch = total;
        drops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discards_are_what_changed_in_and_out_where_the_switch_shows_them() {
        let at = SystemTime::UNIX_EPOCH;
        let c = |i: Option<u64>, o: Option<u64>| SwitchCounts {
            at,
            in_packets: None,
            out_packets: None,
            in_discards: i,
            out_discards: o,
        };
        assert_eq!(
            discards(&c(Some(1), Some(10)), &c(Some(4), Some(30))),
            Some(23)
        );
        assert_eq!(discards(&c(None, Some(10)), &c(None, Some(12))), Some(2));
        assert_eq!(discards(&c(None, None), &c(None, None)), None);
        assert_eq!(
            discards(&c(None, Some(10)), &c(None, Some(2))),
            Some(0),
            "cleared"
        );
    }
}
