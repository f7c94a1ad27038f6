//! RFC 2544 results on the console: a line per row as it is found (throughput and
//! back-to-back; latency and frame loss are in rfc2544.csv and the report), and at the
//! end a table per device and frame size: the no-drop rate against line rate, latency at
//! it, what limited it, the verdict last. An unconfirmed throughput shows no rate.

use super::board::human_count;
use super::table::{Col, Grid};
use switchlab::format::manifest::BenchmarkTest;
use switchlab::record::rfc2544::{Rfc2544Row, shown_latency};
use switchlab::states::{LatencyKind, LimitedBy};

/// The median where the row has one (the statistic the report's chart plots), else the
/// mean of rows written before it was kept.
fn latency(r: &Rfc2544Row) -> String {
    latency_of(r, r.latency_median_us.or(r.latency_avg_us))
}

fn latency_of(r: &Rfc2544Row, us: Option<f64>) -> String {
    match (us, r.latency_kind) {
        (Some(l), Some(LatencyKind::HalfRoundTrip)) => format!("{l:.1} µs (RTT/2)"),
        (Some(l), _) => format!("{l:.1} µs"),
        (None, _) => "-".into(),
    }
}

/// The no-drop rate in percent of line, with the band its trials leave open;
/// `unconfirmed` where no full-length trial held one.
fn no_drop(r: &Rfc2544Row) -> String {
    let spread = r.spread_percent.filter(|s| *s >= 0.05);
    match r.no_drop_percent() {
        Some(p) if r.unstable == Some(true) => format!("{p:.1} % unstable"),
        Some(p) => match spread {
            Some(s) => format!("{p:.1} % +{s:.1}"),
            None => format!("{p:.1} %"),
        },
        None if r.limited_by == Some(LimitedBy::Unconfirmed) => "unconfirmed".into(),
        None => "-".into(),
    }
}

fn limited(r: &Rfc2544Row) -> String {
    r.limited_by.map_or("-".into(), |l| l.to_string())
}

/// The line said as a row is found; None for rows not said live.
pub(crate) fn row_line(r: &Rfc2544Row) -> Option<String> {
    let verdict = r.verdict.map(|v| format!(" {v}")).unwrap_or_default();
    match r.test {
        // Short enough for 80 columns with a long device name: the frames/s are in the
        // table at the end.
        BenchmarkTest::Throughput => Some(format!(
            "rfc2544 {} {} B: no-drop {}, {}, limit {}{verdict}",
            r.device,
            r.frame_size,
            no_drop(r),
            latency(r),
            limited(r),
        )),
        BenchmarkTest::BackToBack => Some(format!(
            "rfc2544 {} {} B: lossless burst {} frames, limit {}",
            r.device,
            r.frame_size,
            human_count(r.burst_frames.unwrap_or(0) as f64),
            limited(r),
        )),
        BenchmarkTest::Latency | BenchmarkTest::FrameLoss => None,
    }
}

/// What the table's latency is, in one line under it: at which load, and the testers'
/// own latency taken off where a direct cable measured it.
pub(crate) fn latency_note(rows: &[Rfc2544Row]) -> Option<String> {
    let shown: Vec<&Rfc2544Row> = (rows.iter())
        .filter(|r| r.test == BenchmarkTest::Throughput)
        .filter_map(|t| shown_latency(rows, t).map(|(l, _)| l))
        .collect();
    let first = shown.first()?;
    let at = match first.test {
        BenchmarkTest::Latency => "at the lowest load measured",
        _ => "at the no-drop rate",
    };
    let calibrated = match shown.iter().any(|r| r.calibration_us.is_some()) {
        true => ", the testers' own taken off",
        false => "",
    };
    Some(format!("latency: median {at}{calibrated}"))
}

/// The demo's one line on its ports' scale (None at full speed): a figure against a
/// port's speed is against what it was made to carry here.
pub(crate) fn port_scale(scale: f64) -> Option<String> {
    (scale < 1.0).then(|| {
        format!("ports run at {scale:.2} of their speed here: a 1G port carries {scale:.2} Gbit/s")
    })
}

/// The throughput rows as a table (None without any), their latency as
/// [`shown_latency`] gives it.
pub(crate) fn table(rows: &[Rfc2544Row]) -> Option<Grid> {
    let mut g = Grid::new(&[
        ("device", Col::Name),
        ("frame", Col::Value),
        ("no-drop", Col::Value),
        ("fps", Col::Optional(2)),
        ("line fps", Col::Optional(3)),
        ("latency", Col::Value),
        ("limit", Col::Optional(1)),
        ("verdict", Col::Value),
    ]);
    let mut any = false;
    for r in rows.iter().filter(|r| r.test == BenchmarkTest::Throughput) {
        any = true;
        let shown = shown_latency(rows, r);
        g.row(vec![
            r.device.clone(),
            format!("{} B", r.frame_size),
            no_drop(r),
            r.forwarded_fps.map_or("-".into(), human_count),
            human_count(r.line_fps),
            shown.map_or("-".into(), |(l, us)| latency_of(l, Some(us))),
            limited(r),
            r.verdict.map_or("-".into(), |v| v.to_string()),
        ]);
    }
    any.then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconfirmed_throughput_is_said_so_with_no_rate() {
        let mut r = Rfc2544Row::new("sw1", "rfc2544", 64, BenchmarkTest::Throughput);
        (r.line_fps, r.load_percent) = (1_488_095.0, Some(35.4));
        r.limited_by = Some(LimitedBy::Unconfirmed);
        let line = row_line(&r).unwrap();
        assert_eq!(
            line,
            "rfc2544 sw1 64 B: no-drop unconfirmed, -, limit unconfirmed"
        );
        let t = table(std::slice::from_ref(&r)).unwrap();
        let text = t.render_at(Some(120));
        assert!(
            text.contains("unconfirmed") && !text.contains(" %"),
            "{text}"
        );
    }
}
