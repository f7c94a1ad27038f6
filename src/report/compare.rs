//! `compare`: the summaries of several runs as one table, one row per (run, device), with
//! deltas against the first run's row for the same device; and which inputs differ
//! between the runs (the lab and manifest copies each run folder keeps).

use std::path::{Path, PathBuf};

use crate::record::summary::{self, ReadError, SummaryRow};

/// The columns compare adds after the summary's.
pub const DELTAS: [&str; 4] = [
    "gbit_s_delta",
    "min_second_gbit_s_delta",
    "flaps_delta",
    "push_seconds_delta",
];

/// The joined table: a header and rows of text; and what differs between the runs' inputs.
pub struct Comparison {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub differing_inputs: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}: not a run folder with a summary.csv (runs from before summaries existed have none; rerun them)", .0.display())]
    NoSummary(PathBuf),
}

fn delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:+.3}", a - b),
        _ => String::new(),
    }
}

/// Join the runs' summaries (the first is the base the deltas are against).
pub fn compare(runs: &[PathBuf]) -> Result<Comparison, CompareError> {
    let mut all: Vec<(String, Vec<SummaryRow>)> = Vec::new();
    for run in runs {
        let path = run.join("summary.csv");
        if !path.exists() {
            return Err(CompareError::NoSummary(run.clone()));
        }
        let name = run
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        all.push((name, summary::read(&path)?));
    }
    let mut header = vec!["run".to_string()];
    let mut rows = Vec::new();
    let base = all.first().map(|(_, r)| r.clone()).unwrap_or_default();
    for (run, summary) in &all {
        for r in summary {
            let (h, values) = r.columns();
            if header.len() == 1 {
                header.extend(h);
                header.extend(DELTAS.iter().map(|d| d.to_string()));
            }
            let b = base.iter().find(|b| b.device == r.device);
            let mut row = vec![run.clone()];
            row.extend(values);
            row.extend([
                delta(r.gbit_s, b.and_then(|b| b.gbit_s)),
                delta(r.min_second_gbit_s, b.and_then(|b| b.min_second_gbit_s)),
                delta(Some(r.flaps as f64), b.map(|b| b.flaps as f64)),
                delta(Some(r.push_seconds), b.map(|b| b.push_seconds)),
            ]);
            rows.push(row);
        }
    }
    Ok(Comparison {
        header,
        rows,
        differing_inputs: differing(runs),
    })
}

/// The input copies (lab.toml, manifest.toml) that are not the same in every run.
fn differing(runs: &[PathBuf]) -> Vec<String> {
    let read = |run: &Path, f: &str| std::fs::read(run.join(f)).ok();
    ["manifest.toml", "lab.toml"]
        .iter()
        .filter(|f| {
            let first = runs.first().and_then(|r| read(r, f));
            runs.iter().any(|r| read(r, f) != first)
        })
        .map(|f| f.to_string())
        .collect()
}
