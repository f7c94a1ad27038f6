//! `compare`: the summaries of several runs as one table, one row per (run, device), with
//! deltas against the first run's row for the same device; and which inputs differ
//! between the runs (by the SHA-256 of each that run.json records).

use crate::record::ReadError;
use crate::record::read::RunData;
use crate::record::summary::SummaryRow;

/// The columns compare adds after the summary's.
pub(crate) const DELTAS: [&str; 7] = [
    "gbit_s_delta",
    "min_second_gbit_s_delta",
    "flaps_delta",
    "push_seconds_delta",
    "no_drop_percent_smallest_delta",
    "no_drop_percent_largest_delta",
    "latency_us_largest_delta",
];

/// The joined table: a header and rows of text; and what differs between the runs' inputs.
pub struct Comparison {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub differing_inputs: Vec<String>,
}

fn delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:+.3}", a - b),
        _ => String::new(),
    }
}

/// Join the runs' summaries (the first is the base the deltas are against).
pub fn compare(runs: &[RunData]) -> Comparison {
    let mut header = vec!["run".to_string()];
    header.extend(crate::record::header::<SummaryRow>());
    header.extend(DELTAS.iter().map(|d| d.to_string()));
    let mut rows = Vec::new();
    let base: &[SummaryRow] = runs.first().map_or(&[], |r| &r.summary);
    for run in runs {
        for r in &run.summary {
            let b = base.iter().find(|b| b.device == r.device);
            let mut row = vec![run.name()];
            row.extend(r.columns().1);
            row.extend([
                delta(r.gbit_s, b.and_then(|b| b.gbit_s)),
                delta(r.min_second_gbit_s, b.and_then(|b| b.min_second_gbit_s)),
                delta(Some(r.flaps as f64), b.map(|b| b.flaps as f64)),
                delta(Some(r.push_seconds), b.map(|b| b.push_seconds)),
                delta(
                    r.no_drop_percent_smallest,
                    b.and_then(|b| b.no_drop_percent_smallest),
                ),
                delta(
                    r.no_drop_percent_largest,
                    b.and_then(|b| b.no_drop_percent_largest),
                ),
                delta(r.latency_us_largest, b.and_then(|b| b.latency_us_largest)),
            ]);
            rows.push(row);
        }
    }
    Comparison {
        header,
        rows,
        differing_inputs: differing(runs),
    }
}

/// Read every run folder (a killed one rebuilt from its events, marked unfinished), or
/// say which file of which could not be read.
pub fn read_runs(paths: &[std::path::PathBuf]) -> Result<Vec<RunData>, ReadError> {
    paths
        .iter()
        .map(|p| crate::watch::recover::read_or_rebuild(p))
        .collect()
}

/// The inputs that are not the same in every run, by the digests each run.json records
/// (`manifest`, `lab`, `hints`, `profile arista_eos`, `template arista_eos/baseline`).
pub(crate) fn differing(runs: &[RunData]) -> Vec<String> {
    let all: Vec<Vec<(String, String)>> = runs
        .iter()
        .map(|r| {
            r.run
                .inputs
                .as_ref()
                .map(|i| i.labelled())
                .unwrap_or_default()
        })
        .collect();
    differing_digests(&all)
}

/// The labels whose digest is not the same in every list (missing counts as different).
pub(crate) fn differing_digests(all: &[Vec<(String, String)>]) -> Vec<String> {
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
        let inputs = |template: &str| {
            let mut i = crate::record::run::Inputs {
                manifest: "m1".into(),
                lab: "l1".into(),
                hints: "h1".into(),
                ..Default::default()
            };
            i.profiles.insert("arista_eos".into(), "p1".into());
            i.templates
                .insert("arista_eos/baseline".into(), template.into());
            i.labelled()
        };
        let (a, b, c) = (inputs("t1"), inputs("t1"), inputs("t2"));
        assert!(differing_digests(&[a.clone(), b]).is_empty());
        assert_eq!(differing_digests(&[a, c]), ["template arista_eos/baseline"]);
    }
}
