//! summary.csv: one row per device of a run, the line a lab engineer compares vendors by.
//! Written at the end of every `run` and `demo`; read back by `compare`.
//!
//! Columns (stable; units in the names): `device`, `vendor`, `model`, `software`,
//! `push_seconds`, `config_lines`, `push` (`pushed`, `not-verified`, `failed`), `watch`
//! (`ok`, `lost`, `problems`, `not-run`), `gbit_s` (the lowest received Gbit/s of the tests
//! through the device), `gbit_s_by_test` (`test=Gbit/s` each), `min_second_gbit_s` (the
//! slowest whole second of those tests), `retransmits`, `lost_percent` (UDP, the worst),
//! `flaps`, `unseen_flaps`, `no_link_ports` (down at every poll since the push),
//! `failing_ports` (those failing and those without link), `cable_findings`,
//! `no_drop_percent_smallest`, `no_drop_percent_largest`, `latency_us_largest` (RFC 2544;
//! the latency is the median at the found rate), `rfc2544_limits` (what held each frame
//! size's rate, the band its trials left open, `unstable` where they disagreed),
//! `suspects` (`port: hint` for
//! failing ports with a hint), `verdict` (`pass`; `fail`: a port or a test failed its
//! criterion, or a port had no link; `lost`: the watch was cut short; `unknown`: a port
//! was never read or a test was interrupted before its end; `error`: the push, the watch
//! or a test through it could not be done).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ReadError;
use crate::states::{DeviceVerdict, PushState, WatchState};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub device: String,
    pub vendor: String,
    pub model: String,
    pub software: String,
    pub push_seconds: f64,
    pub config_lines: usize,
    /// None in a `watch` (nothing was pushed).
    pub push: Option<PushState>,
    pub watch: WatchState,
    pub gbit_s: Option<f64>,
    pub gbit_s_by_test: String,
    pub min_second_gbit_s: Option<f64>,
    pub retransmits: Option<u64>,
    pub lost_percent: Option<f64>,
    pub flaps: u64,
    pub unseen_flaps: u64,
    /// Ports that were down at every poll since the push.
    pub no_link_ports: usize,
    pub failing_ports: String,
    /// What the cable audit found (a declared cable that is not the one seen, a short
    /// DAC seen, a module gone or changed, low or falling Rx power, an unsupported module).
    pub cable_findings: usize,
    /// RFC 2544: the no-drop rate in percent of line rate at the smallest and the largest
    /// frame size benchmarked, and the latency (µs, the median at that rate) at the largest.
    pub no_drop_percent_smallest: Option<f64>,
    pub no_drop_percent_largest: Option<f64>,
    pub latency_us_largest: Option<f64>,
    /// RFC 2544: what held each frame size's no-drop rate, with the band its trials left
    /// open and `unstable` where they disagreed: `64 B switch +0.4 %; 1518 B line`.
    #[serde(default)]
    pub rfc2544_limits: String,
    pub suspects: String,
    pub verdict: DeviceVerdict,
}

impl SummaryRow {
    /// Its columns and values, as summary.csv writes them (one source for both).
    pub fn columns(&self) -> (Vec<String>, Vec<String>) {
        super::columns(self)
    }
}

/// Write `rows` to `path` (summary.csv).
pub fn write(path: &Path, rows: &[SummaryRow]) -> std::io::Result<()> {
    super::write_csv(path, rows)
}

/// Read a summary.csv, every row checked.
pub fn read(path: &Path) -> Result<Vec<SummaryRow>, ReadError> {
    super::read_csv(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_reads_back_as_written_and_a_damaged_one_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.csv");
        let row = SummaryRow {
            device: "arista-7048".into(),
            vendor: "arista_eos".into(),
            model: "DCS-7048T-A".into(),
            software: "4.20.15M".into(),
            push_seconds: 0.25,
            config_lines: 14,
            push: Some(PushState::Pushed),
            watch: WatchState::Ok,
            gbit_s: Some(9.41),
            gbit_s_by_test: "t1=9.41".into(),
            min_second_gbit_s: Some(2.5),
            retransmits: Some(3),
            lost_percent: None,
            flaps: 2,
            unseen_flaps: 0,
            no_link_ports: 0,
            failing_ports: "Ethernet49".into(),
            cable_findings: 1,
            no_drop_percent_smallest: Some(12.5),
            no_drop_percent_largest: Some(100.0),
            latency_us_largest: None,
            rfc2544_limits: String::new(),
            suspects: "Ethernet49: short SFP+ DAC".into(),
            verdict: DeviceVerdict::Fail,
        };
        write(&path, std::slice::from_ref(&row)).unwrap();
        assert_eq!(read(&path).unwrap(), vec![row]);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() - 30]).unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("summary.csv: row 1:"), "{e}");
        let e = read(&dir.path().join("none.csv")).unwrap_err().to_string();
        assert!(e.contains("none.csv: cannot read"), "{e}");
    }
}
