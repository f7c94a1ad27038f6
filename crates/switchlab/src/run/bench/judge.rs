//! A benchmark row judged against `[criteria]`: pure, so the bounds are tested without a
//! trial.

use crate::format::manifest::{BenchmarkTest, Criteria};
use crate::record::rfc2544::Rfc2544Row;
use crate::states::{Judged, LimitedBy};

/// A row against `[criteria]`: a throughput row's no-drop rate and latency; None for
/// other tests and where no bound applies.
pub(super) fn judge(c: &Criteria, row: &Rfc2544Row) -> Option<Judged> {
    if row.test != BenchmarkTest::Throughput {
        return None;
    }
    let min = c
        .min_no_drop_percent
        .as_ref()
        .and_then(|b| b.at(row.frame_size));
    let max = c.max_latency_us.as_ref().and_then(|b| b.at(row.frame_size));
    if min.is_none() && max.is_none() {
        return None;
    }
    let rate_ok = min.is_none_or(|m| row.no_drop_percent().is_some_and(|p| p >= m));
    let latency_ok = max.is_none_or(|m| row.latency_avg_us.is_some_and(|l| l <= m));
    if !latency_ok {
        return Some(Judged::Fail);
    }
    // Below the bound at a limit of the testers or the host says nothing of the switch;
    // nor does a rate no full-length trial confirmed, or a loss no stage counted.
    let unjudged = [
        LimitedBy::Generator,
        LimitedBy::Unconfirmed,
        LimitedBy::Receiver,
        LimitedBy::Host,
        LimitedBy::Unaccounted,
    ];
    if !rate_ok && row.limited_by.is_some_and(|l| unjudged.contains(&l)) {
        return None;
    }
    Some(Judged::of(rate_ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::manifest::NoDropCriteria as PerFrameSize;

    fn found(percent: f64, latency_us: Option<f64>, limited_by: LimitedBy) -> Rfc2544Row {
        let mut r = Rfc2544Row::new("sw", "rfc", 64, BenchmarkTest::Throughput);
        r.line_fps = 1000.0;
        r.forwarded_fps = Some(percent * 10.0);
        r.latency_avg_us = latency_us;
        r.limited_by = Some(limited_by);
        r
    }

    fn bounds(min: Option<f64>, max: Option<f64>) -> Criteria {
        Criteria {
            min_no_drop_percent: min.map(PerFrameSize::All),
            max_latency_us: max.map(PerFrameSize::All),
            ..Criteria::default()
        }
    }

    #[test]
    fn a_rate_under_the_bound_fails_unless_the_generator_was_the_limit() {
        let c = bounds(Some(90.0), None);
        assert_eq!(
            judge(&c, &found(95.0, None, LimitedBy::Switch)),
            Some(Judged::Pass)
        );
        assert_eq!(
            judge(&c, &found(80.0, None, LimitedBy::Switch)),
            Some(Judged::Fail)
        );
        assert_eq!(judge(&c, &found(80.0, None, LimitedBy::Generator)), None);
        let mut unconfirmed = found(95.0, None, LimitedBy::Unconfirmed);
        unconfirmed.forwarded_fps = None;
        assert_eq!(judge(&c, &unconfirmed), None);
    }

    #[test]
    fn latency_over_the_bound_or_unmeasured_fails_and_other_tests_are_not_judged() {
        let c = bounds(None, Some(10.0));
        assert_eq!(
            judge(&c, &found(99.0, Some(4.0), LimitedBy::Switch)),
            Some(Judged::Pass)
        );
        assert_eq!(
            judge(&c, &found(99.0, Some(12.0), LimitedBy::Generator)),
            Some(Judged::Fail)
        );
        assert_eq!(
            judge(&c, &found(99.0, None, LimitedBy::Switch)),
            Some(Judged::Fail)
        );
        let mut latency = found(99.0, Some(50.0), LimitedBy::Switch);
        latency.test = BenchmarkTest::Latency;
        assert_eq!(judge(&c, &latency), None);
        assert_eq!(
            judge(&Criteria::default(), &found(1.0, None, LimitedBy::Switch)),
            None
        );
    }
}
