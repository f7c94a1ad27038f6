//! What one benchmark through one device came to: its rows as measured, each with the
//! windows its trials ran in, and how it ended.

use std::time::SystemTime;

use super::bench_error::BenchError;
use super::bench_plan::BenchPlan;
use crate::record::rfc2544::Rfc2544Row;
use crate::states::TestState;

/// When a row's trials ran: flaps in these windows on the path's ports mark it.
pub type Windows = Vec<(SystemTime, SystemTime)>;

/// One benchmark through one device.
#[derive(Debug)]
pub struct BenchResult {
    pub(crate) plan: BenchPlan,
    /// In the order measured, each with its trials' windows.
    pub rows: Vec<(Rfc2544Row, Windows)>,
    pub(crate) started: SystemTime,
    pub(crate) ended: SystemTime,
    pub(crate) outcome: TestState,
    pub error: Option<BenchError>,
}

impl BenchResult {
    /// run.json's entry.
    pub(crate) fn to_record(&self) -> crate::record::run::BenchmarkRecord {
        let stamp = |t: SystemTime| jiff::Timestamp::try_from(t).map(|t| t.to_string()).ok();
        crate::record::run::BenchmarkRecord {
            benchmark: self.plan.name.clone(),
            device: self.plan.device.clone(),
            from: self.plan.from.name.clone(),
            to: self.plan.to.name.clone(),
            started: stamp(self.started),
            ended: stamp(self.ended),
            rows: self.rows.len(),
            outcome: self.outcome,
            error: self.error.as_ref().map(|e| e.to_string()),
        }
    }
}
