//! RFC 2544's calibration: where the lab cables the benchmark's two endpoints straight
//! to each other (`direct`, no switch between: a loopback cable, or a veth pair in the
//! virtual lab), the testers' own latency is measured over that cable at each frame size,
//! at a low rate, and taken off every latency through the switch; the rows say how much
//! and to within what.

use std::time::Duration;

use super::{Bench, Halt};
use crate::record::rfc2544::Rfc2544Row;
use crate::run::bench::trials::{Ask, Ends};

/// The calibration's rate: low enough that nothing queues anywhere.
const CALIBRATION_FPS: f64 = 1_000.0;

/// The testers' own latency at one frame size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Calibration {
    /// The median over the direct cable, µs: what is taken off.
    pub(crate) us: f64,
    /// How far the testers' own delay strays from it (p99 less median), µs.
    pub(crate) plus_minus_us: f64,
}

impl Calibration {
    /// `row`'s latencies less the testers' own (never below 0), and the calibration said.
    pub(crate) fn apply(&self, row: &mut Rfc2544Row) {
        let less = |v: &mut Option<f64>| {
            if let Some(x) = v.as_mut() {
                *x = ((*x - self.us).max(0.0) * 100.0).round() / 100.0;
            }
        };
        if row.latency_avg_us.is_none() {
            return;
        }
        for v in [
            &mut row.latency_min_us,
            &mut row.latency_avg_us,
            &mut row.latency_median_us,
            &mut row.latency_p99_us,
            &mut row.latency_max_us,
        ] {
            less(v);
        }
        row.calibration_us = Some((self.us * 100.0).round() / 100.0);
        row.resolution_us = Some((self.plus_minus_us * 100.0).round() / 100.0);
    }
}

impl Bench<'_, '_> {
    /// The direct cable between the benchmark's endpoints, as a plan whose two ends are
    /// its NICs; None where the lab has none.
    pub(super) fn direct_plan(&self) -> Option<crate::run::bench::BenchPlan> {
        let eps = &self.at.traffic.endpoints;
        let (from, to) = (&self.plan.from.name, &self.plan.to.name);
        let ep = |name: &str| eps.iter().find(|e| e.name.get_ref() == name);
        let a = ep(from)?.direct_to(to)?;
        let z = ep(to)?.direct_to(from)?;
        let mut plan = self.plan.clone();
        plan.from.address = a.address.clone();
        plan.to.address = z.address.clone();
        Some(plan)
    }

    /// The testers' own latency at `size` over the direct cable `ends` reach.
    pub(super) async fn calibrate(
        &mut self,
        ends: &mut Ends,
        size: u32,
    ) -> Result<Option<Calibration>, Halt> {
        let ask = Ask {
            frame_size: size,
            fps: Some(CALIBRATION_FPS),
            duration: self.plan.search_trial.max(Duration::from_millis(200)),
            frames: None,
            ramp: Duration::ZERO,
        };
        let r = ends.trial(&ask, "calibration").await?;
        Ok(r.count.latency.map(|l| Calibration {
            us: l.p50_us,
            plus_minus_us: (l.p99_us - l.p50_us).max(0.0),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::manifest::BenchmarkTest;

    #[test]
    fn the_testers_own_latency_is_taken_off_every_figure_and_said() {
        let mut row = Rfc2544Row::new("sw", "rfc", 1518, BenchmarkTest::Latency);
        (row.latency_min_us, row.latency_avg_us) = (Some(3.0), Some(20.0));
        (row.latency_median_us, row.latency_p99_us) = (Some(18.0), Some(40.0));
        row.latency_max_us = Some(90.0);
        let c = Calibration {
            us: 5.0,
            plus_minus_us: 1.5,
        };
        c.apply(&mut row);
        assert_eq!(row.latency_min_us, Some(0.0), "never below 0");
        assert_eq!(row.latency_median_us, Some(13.0));
        assert_eq!(row.latency_max_us, Some(85.0));
        assert_eq!(
            (row.calibration_us, row.resolution_us),
            (Some(5.0), Some(1.5))
        );
        let mut untimed = Rfc2544Row::new("sw", "rfc", 64, BenchmarkTest::Throughput);
        c.apply(&mut untimed);
        assert_eq!(untimed.calibration_us, None, "no latency, nothing said");
    }
}
