//! `compare`: the summaries of several runs as one table, one row per (run, device), with
//! deltas against the first run's row for the same device; and which inputs differ
//! between the runs (by the SHA-256 of each that run.json records).

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

/// The inputs that are not the same in every run, by the digests each run.json records
/// (`manifest`, `lab`, `hints`, `profile arista_eos`, `template arista_eos/baseline`).
fn differing(runs: &[PathBuf]) -> Vec<String> {
    let digests = |run: &Path| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(run.join("run.json")).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let i = &v["inputs"];
        let mut out = Vec::new();
        for k in ["manifest", "lab", "hints"] {
            out.push((k.to_string(), i[k].as_str().unwrap_or("?").to_string()));
        }
        for (group, label) in [("profiles", "profile"), ("templates", "template")] {
            for (k, d) in i[group].as_object().into_iter().flatten() {
                out.push((
                    format!("{label} {k}"),
                    d.as_str().unwrap_or("?").to_string(),
                ));
            }
        }
        out
    };
    let all: Vec<Vec<(String, String)>> = runs.iter().map(|r| digests(r)).collect();
    let mut keys: Vec<String> = all.iter().flatten().map(|(k, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| {
            let of =
                |d: &Vec<(String, String)>| d.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
            let first = all.first().and_then(of);
            all.iter().any(|d| of(d) != first)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_that_differ_are_named_by_their_digests() {
        let dir = tempfile::tempdir().unwrap();
        let run = |name: &str, template: &str| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(&p).unwrap();
            let json = format!(
                r#"{{"inputs": {{"manifest": "m1", "lab": "l1", "hints": "h1", "profiles": {{"arista_eos": "p1"}}, "templates": {{"arista_eos/baseline": "{template}"}}}}}}"#
            );
            std::fs::write(p.join("run.json"), json).unwrap();
            p
        };
        let (a, b, c) = (run("a", "t1"), run("b", "t1"), run("c", "t2"));
        assert!(differing(&[a.clone(), b]).is_empty());
        assert_eq!(differing(&[a, c]), ["template arista_eos/baseline"]);
    }
}
