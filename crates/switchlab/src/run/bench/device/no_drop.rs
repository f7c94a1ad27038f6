//! Throughput (searched, then confirmed at full trial length) and the latency trials at
//! fractions of it: never at a rate no full-length trial held.

use super::{Bench, Halt, outcome};
use crate::format::manifest::BenchmarkTest;
use crate::record::rfc2544::Rfc2544Row;
use crate::run::bench::account::StageDrops;
use crate::run::bench::throughput::{Confirm, Found, Length, Throughput};
use crate::run::traffic::frames::TrialReport;
use crate::states::LimitedBy;

impl Bench<'_, '_> {
    /// The search and its confirmation, its row kept: the rate found, None when no rate
    /// held (nothing passed, or nothing was confirmed).
    pub(super) async fn throughput(
        &mut self,
        size: u32,
        line: f64,
        ceiling: f64,
    ) -> Result<Option<f64>, Halt> {
        let plan = self.plan;
        let confirm = Confirm {
            times: plan.confirm,
            search_is_full: plan.trial <= plan.search_trial,
        };
        let tolerance = plan.loss_tolerance_percent;
        let mut s = Throughput::new(line, ceiling, plan.resolution_percent, tolerance, confirm);
        let (mut windows, mut reports) = (Vec::new(), Vec::new());
        while let Some((rate, length)) = s.next() {
            let d = match length {
                Length::Search => plan.search_trial,
                Length::Full => plan.trial,
            };
            let ask = self.ask(size, rate, d);
            let (r, drops, w) = self.trial(BenchmarkTest::Throughput, ask).await?;
            windows.push(w);
            s.record(rate, length, outcome(&r, &drops));
            reports.push((r, drops));
        }
        let found = s.found();
        let row = self.found_row(size, line, &found, &reports);
        self.keep(row, windows)?;
        Ok(found.pass.map(|t| t.rate))
    }

    /// The throughput row: the confirmed trial's figures; unconfirmed, the slowest
    /// confirming trial's load and loss without a rate or latency; else nothing forwarded.
    fn found_row(
        &self,
        size: u32,
        line: f64,
        f: &Found,
        reports: &[(TrialReport, StageDrops)],
    ) -> Rfc2544Row {
        let test = BenchmarkTest::Throughput;
        let tried = f.pass.or(f.lossy);
        let report =
            tried.and_then(|t| Some((t.rate, reports.get(t.trial.checked_sub(1)? as usize)?)));
        let mut row = match report {
            Some((rate, (r, drops))) => self.row(test, size, line, rate, r, drops),
            None => Rfc2544Row::new(&self.plan.device, &self.plan.name, size, test),
        };
        match (f.pass, f.lossy) {
            (Some(_), _) => {}
            (None, Some(_)) => {
                row.forwarded_fps = None;
                row.gbit_s = None;
                clear_latency(&mut row);
            }
            (None, None) => row.forwarded_fps = Some(0.0),
        }
        row.limited_by = Some(match row.limited_by {
            Some(LimitedBy::Generator) if f.pass.is_some() => LimitedBy::Generator,
            _ => f.limited_by,
        });
        row.trials = f.trials;
        row.line_fps = line.round();
        row.confirmations = Some(f.confirmations);
        row.spread_percent =
            (line > 0.0).then(|| crate::record::milli(f.spread_fps * 100.0 / line));
        row.unstable = Some(f.unstable);
        // The row's own trial lost nothing; where the frames above it were lost is what
        // held it.
        if f.pass.is_some() {
            row.lost_at = None;
        }
        row
    }

    pub(super) async fn latency(&mut self, size: u32, line: f64, found: f64) -> Result<(), Halt> {
        for load in self.plan.latency_loads_percent.clone() {
            let rate = found * load / 100.0;
            let (r, drops, w) = self
                .trial(
                    BenchmarkTest::Latency,
                    self.ask(size, rate, self.plan.trial),
                )
                .await?;
            let row = self.row(BenchmarkTest::Latency, size, line, rate, &r, &drops);
            self.keep(row, vec![w])?;
        }
        Ok(())
    }
}

/// An unconfirmed row's latency: the lossy trial's is not at the throughput.
fn clear_latency(row: &mut Rfc2544Row) {
    row.latency_min_us = None;
    row.latency_avg_us = None;
    row.latency_median_us = None;
    row.timestamps = None;
    row.calibration_us = None;
    row.resolution_us = None;
    row.latency_p99_us = None;
    row.latency_max_us = None;
    row.latency_kind = None;
}
