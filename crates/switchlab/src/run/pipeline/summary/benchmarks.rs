//! What the RFC 2544 benchmarks through one device came to, for its summary.csv row: the
//! no-drop rate at the smallest and largest frame size, the latency at the largest, and
//! each bound of `[criteria]` missed, with the figure and the bound.

use crate::format::manifest::{BenchmarkTest, Criteria};
use crate::record::milli;
use crate::record::rfc2544::{Rfc2544Row, shown_latency};
use crate::record::summary::SummaryRow;
use crate::run::bench::BenchResult;
use crate::states::{Judged, LimitedBy, TestState};

#[derive(Default)]
pub(super) struct Benchmarks {
    pub(super) error: bool,
    pub(super) unmeasured: bool,
    /// One hint per bound missed (or not judged: the generator was the limit).
    pub(super) misses: Vec<String>,
    notes: Vec<String>,
    smallest: Option<f64>,
    largest: Option<f64>,
    latency: Option<f64>,
    limits: Vec<String>,
}

impl Benchmarks {
    pub(super) fn of(
        device: &str,
        results: &[BenchResult],
        rows: &[Rfc2544Row],
        criteria: &Criteria,
    ) -> Benchmarks {
        let mut b = Benchmarks::default();
        for r in results.iter().filter(|r| r.plan.device == device) {
            b.error |= r.outcome == TestState::Failed;
            b.unmeasured |= r.outcome == TestState::Interrupted;
        }
        let mut found: Vec<&Rfc2544Row> = (rows.iter())
            .filter(|r| r.device == device && r.test == BenchmarkTest::Throughput)
            .collect();
        found.sort_by_key(|r| r.frame_size);
        b.smallest = found.first().and_then(|r| r.no_drop_percent()).map(milli);
        b.largest = found.last().and_then(|r| r.no_drop_percent()).map(milli);
        b.latency = (found.last()).and_then(|r| shown_latency(rows, r).map(|(_, us)| us));
        for r in found {
            b.limits.extend(limit(r));
            b.judge(r, criteria);
        }
        b
    }

    fn judge(&mut self, r: &Rfc2544Row, c: &Criteria) {
        let size = r.frame_size;
        let min = c.min_no_drop_percent.as_ref().and_then(|b| b.at(size));
        let max = c.max_latency_us.as_ref().and_then(|b| b.at(size));
        if r.limited_by == Some(LimitedBy::Unconfirmed) {
            self.notes.push(format!(
                "{size} B: unconfirmed, every full-length trial lost frames: no rate, no latency"
            ));
        }
        let rate = r.no_drop_percent().unwrap_or(0.0);
        if let Some(min) = min
            && rate < min
            && r.limited_by != Some(LimitedBy::Unconfirmed)
        {
            let text = format!("{size} B no-drop rate {rate:.1} % of line, under {min} %");
            match (r.verdict, r.limited_by) {
                (Some(Judged::Fail), _) => self.misses.push(text),
                (None, Some(by)) if by != LimitedBy::Switch && by != LimitedBy::Line => {
                    self.notes.push(format!(
                        "{size} B: held by the {} ({rate:.1} % of line), under {min} %: not judged",
                        held_by(by)
                    ))
                }
                _ => {}
            }
        }
        if let Some(max) = max {
            match r.latency_avg_us {
                Some(l) if l > max => self
                    .misses
                    .push(format!("{size} B latency {l:.1} µs, over {max} µs")),
                None => self
                    .misses
                    .push(format!("{size} B latency not measured (bound {max} µs)")),
                _ => {}
            }
        }
    }

    pub(super) fn fill(&self, row: &mut SummaryRow) {
        row.no_drop_percent_smallest = self.smallest;
        row.no_drop_percent_largest = self.largest;
        row.latency_us_largest = self.latency;
        row.rfc2544_limits = self.limits.join("; ");
        let hints = self.misses.iter().chain(&self.notes).cloned();
        let mut all: Vec<String> = (!row.suspects.is_empty())
            .then(|| row.suspects.clone())
            .into_iter()
            .collect();
        all.extend(hints.map(|h| format!("rfc2544: {h}")));
        row.suspects = all.join("; ");
    }
}

/// Who held a rate, in a note's words.
fn held_by(by: LimitedBy) -> &'static str {
    match by {
        LimitedBy::Generator => "generator",
        LimitedBy::Receiver => "receiving tester",
        LimitedBy::Host => "virtual lab's host",
        LimitedBy::Unaccounted => "loss no stage counted",
        LimitedBy::Switch | LimitedBy::Line | LimitedBy::Unconfirmed => "switch",
    }
}

/// A throughput row's limit for `rfc2544_limits`: `64 B switch +0.4 % unstable`.
fn limit(r: &Rfc2544Row) -> Option<String> {
    let by = r.limited_by?;
    let spread = (r.spread_percent)
        .filter(|s| *s >= 0.05)
        .map(|s| format!(" +{s:.1} %"))
        .unwrap_or_default();
    let unstable = match r.unstable {
        Some(true) => " unstable",
        _ => "",
    };
    Some(format!("{} B {by}{spread}{unstable}", r.frame_size))
}
