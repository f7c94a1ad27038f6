//! rfc2544.csv: the RFC 2544 benchmarks of a run, one row per device × frame size × test
//! × load, appended as each is measured.
//!
//! Columns: `device`, `benchmark`, `frame_size` (bytes, FCS counted), `test`
//! (`throughput`, `latency`, `frame_loss`, `back_to_back`), `load_percent` (the offered
//! load in percent of line rate), `offered_fps` (what the generator sent), `forwarded_fps`
//! (what arrived), `loss_percent`, `gbit_s` (forwarded, frame bits), `latency_min_us`,
//! `latency_avg_us`, `latency_p99_us`, `latency_max_us`, `burst_frames` (back-to-back:
//! the longest burst with no loss, the mean over its trials), `limited_by` (`switch`,
//! `line` (within the search's resolution of line rate), `generator`, `unconfirmed`: a
//! throughput whose every confirming full-length trial lost frames, so the row gives no
//! rate: `forwarded_fps`, `gbit_s` and latency are empty, `load_percent`, `offered_fps`
//! and `loss_percent` are the slowest of those trials, and no latency trial ran),
//! `trials` (how many trials the figure took); then `line_fps` (line
//! rate at this size on the slowest port of the path), `latency_kind` (`one-way`,
//! `half-round-trip`), `flaps` (link events on the path's ports during its trials; empty
//! until the run ends), `verdict` (against `[criteria]`; empty without one); then
//! `lost_at` (where the row's trial lost its frames, by each stage's own counters:
//! `tester-sender`, `tester-receiver`, `switch`, `host` (the virtual lab's host could not
//! keep up), `unaccounted`; empty when it lost none), `spread_percent` (throughput: the
//! band the trials leave open, in percent of line rate, from the rate found up to the
//! slowest rate that lost above it and down to any slower rate that lost too),
//! `unstable` (throughput: `yes` when a trial at or under the rate found lost frames, by
//! more than the resolution), `confirmations` (throughput: full-length lossless trials at
//! the rate found), `latency_median_us`, `timestamps` (`kernel`: tagged frames stamped
//! by the kernel as they left and as they arrived; `in-frame`: the sender's own stamp in
//! each frame, taken before its batch was handed over, to the kernel's arrival stamp),
//! `calibration_us` (the testers' own latency, measured over a direct cable between the
//! endpoints at this frame size and taken off every latency figure of the row; empty where
//! the lab has no such cable), `resolution_us` (how far the testers' own delay strays:
//! the calibration's p99 less its median, ± this). `limited_by` follows from where the frames of
//! the slowest lossy trial above the rate were lost: `switch`, `receiver` (the receiving
//! tester's NIC or socket), `host`, `unaccounted` (no stage counted them), `generator`
//! (the sending tester). A column that does not apply to a test is empty.

use serde::{Deserialize, Serialize};

use crate::format::manifest::BenchmarkTest;
use crate::states::{GeneratorPath, Judged, LatencyKind, LimitedBy, LostAt, Stamps};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rfc2544Row {
    pub device: String,
    pub benchmark: String,
    pub frame_size: u32,
    pub test: BenchmarkTest,
    pub load_percent: Option<f64>,
    pub offered_fps: Option<f64>,
    pub forwarded_fps: Option<f64>,
    pub loss_percent: Option<f64>,
    pub gbit_s: Option<f64>,
    pub latency_min_us: Option<f64>,
    pub latency_avg_us: Option<f64>,
    pub latency_p99_us: Option<f64>,
    pub latency_max_us: Option<f64>,
    pub burst_frames: Option<u64>,
    pub limited_by: Option<LimitedBy>,
    pub trials: u32,
    pub line_fps: f64,
    pub latency_kind: Option<LatencyKind>,
    pub flaps: Option<u64>,
    pub verdict: Option<Judged>,
    pub lost_at: Option<LostAt>,
    pub spread_percent: Option<f64>,
    #[serde(with = "crate::states::yes_no", default)]
    pub unstable: Option<bool>,
    pub confirmations: Option<u32>,
    pub latency_median_us: Option<f64>,
    pub timestamps: Option<Stamps>,
    pub calibration_us: Option<f64>,
    pub resolution_us: Option<f64>,
    /// How the trial's frames left, and why not the ring where they did not.
    pub generator_path: Option<GeneratorPath>,
    pub generator_path_why: Option<String>,
}

impl Rfc2544Row {
    /// An empty row of `test` at `frame_size` for `device`'s `benchmark`.
    pub fn new(device: &str, benchmark: &str, frame_size: u32, test: BenchmarkTest) -> Self {
        Rfc2544Row {
            device: device.into(),
            benchmark: benchmark.into(),
            frame_size,
            test,
            ..Default::default()
        }
    }

    /// The found no-drop rate in percent of line rate (a throughput row's; None where no
    /// rate was confirmed).
    pub fn no_drop_percent(&self) -> Option<f64> {
        if self.limited_by == Some(LimitedBy::Unconfirmed) {
            return None;
        }
        match self.test {
            BenchmarkTest::Throughput if self.line_fps > 0.0 => {
                self.forwarded_fps.map(|f| f * 100.0 / self.line_fps)
            }
            _ => None,
        }
    }
}

/// The latency a table, the summary and the report's chart give a throughput row `t`: the
/// row of its benchmark's latency test at the lowest load at that frame size (the
/// switch's own latency, no queue of its limit in it; RFC 2544's figure at the rate itself
/// is the latency row at 100 %), else `t`'s own confirming trial's. Its median, else its
/// mean (a row written before the median was kept).
pub fn shown_latency<'a>(
    rows: &'a [Rfc2544Row],
    t: &'a Rfc2544Row,
) -> Option<(&'a Rfc2544Row, f64)> {
    let lowest = (rows.iter())
        .filter(|r| r.test == BenchmarkTest::Latency && r.device == t.device)
        .filter(|r| r.benchmark == t.benchmark && r.frame_size == t.frame_size)
        .filter(|r| r.latency_median_us.or(r.latency_avg_us).is_some())
        .min_by(|a, b| {
            a.load_percent
                .unwrap_or(0.0)
                .total_cmp(&b.load_percent.unwrap_or(0.0))
        });
    let r = lowest.unwrap_or(t);
    Some((r, r.latency_median_us.or(r.latency_avg_us)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_back_as_written_with_its_columns_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rfc2544.csv");
        let mut row = Rfc2544Row::new("sw1", "rfc2544", 64, BenchmarkTest::FrameLoss);
        row.load_percent = Some(90.0);
        row.limited_by = Some(LimitedBy::Generator);
        row.line_fps = 1_488_095.0;
        crate::record::write_csv(&path, std::slice::from_ref(&row)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("device,benchmark,frame_size,test,load_percent,offered_fps,forwarded_fps,loss_percent,gbit_s,latency_min_us,latency_avg_us,latency_p99_us,latency_max_us,burst_frames,limited_by,trials,"),
            "{text}"
        );
        assert!(text.contains(",frame_loss,90.0,"), "{text}");
        let back: Vec<Rfc2544Row> = crate::record::read_csv(&path).unwrap();
        assert_eq!(back, vec![row]);
    }

    #[test]
    fn an_unconfirmed_throughput_reads_back_without_a_no_drop_rate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rfc2544.csv");
        let mut row = Rfc2544Row::new("sw1", "rfc2544", 64, BenchmarkTest::Throughput);
        (row.load_percent, row.loss_percent) = (Some(35.4), Some(2.5));
        row.limited_by = Some(LimitedBy::Unconfirmed);
        row.line_fps = 1_488_095.0;
        crate::record::write_csv(&path, std::slice::from_ref(&row)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(",unconfirmed,"), "{text}");
        let back: Vec<Rfc2544Row> = crate::record::read_csv(&path).unwrap();
        assert_eq!(back, vec![row.clone()]);
        assert_eq!(back[0].no_drop_percent(), None);
        row.forwarded_fps = Some(500_000.0);
        assert_eq!(
            row.no_drop_percent(),
            None,
            "a stray figure is no rate either"
        );
    }
}
