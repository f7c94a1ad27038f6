//! A run folder read back, every file through its record type: what `compare`, `report`
//! and `rerun` start from. A missing or damaged file is an error naming it (and the row or
//! line), never a panic and never a half-read result.

use std::path::{Path, PathBuf};

use super::rfc2544::Rfc2544Row;
use super::rows::{EventLine, FlapRow, PortRow, ThroughputRow, TransceiverRow};
use super::run::{RunKind, RunRecord};
use super::summary::SummaryRow;
use super::{FORMAT_VERSION, ReadError, read_csv};
use crate::states::RunOutcome;

/// Everything a finished run folder holds, checked.
#[derive(Debug, Clone)]
pub struct RunData {
    pub path: PathBuf,
    pub run: RunRecord,
    pub ports: Vec<PortRow>,
    pub flaps: Vec<FlapRow>,
    pub events: Vec<EventLine>,
    /// Empty for a folder from before the cable audit.
    pub transceivers: Vec<TransceiverRow>,
    /// Empty when the run had no throughput tests.
    pub throughput: Vec<ThroughputRow>,
    /// Empty for a `watch` of an older switchlab.
    pub summary: Vec<SummaryRow>,
    /// Empty when the run had no `[[benchmark]]` or measured none.
    pub rfc2544: Vec<Rfc2544Row>,
}

impl RunData {
    /// Read the folder `path`.
    pub fn read(path: &Path) -> Result<RunData, ReadError> {
        let run = read_run(&path.join("run.json"))?;
        let ports = read_csv(&path.join("ports.csv"))?;
        let flaps = read_csv(&path.join("flaps.csv"))?;
        let events = read_events(&path.join("events.jsonl"))?;
        let audit = path.join("transceivers.csv");
        let transceivers = match audit.exists() {
            true => read_csv(&audit)?,
            false => Vec::new(),
        };
        let throughput_file = path.join("throughput.csv");
        // A run with tests planned must have measured into throughput.csv (or made it,
        // when every test failed); without tests there is none.
        let throughput = if run.throughput_planned > 0 || throughput_file.exists() {
            read_csv(&throughput_file)?
        } else {
            Vec::new()
        };
        // A run always has one; a watch has one since watches became runs without a push.
        let summary_file = path.join("summary.csv");
        let summary = match run.kind {
            RunKind::Watch if !summary_file.exists() => Vec::new(),
            _ => read_csv(&summary_file)?,
        };
        let rfc2544_file = path.join("rfc2544.csv");
        let rfc2544 = match rfc2544_file.exists() {
            true => read_csv(&rfc2544_file)?,
            false => Vec::new(),
        };
        Ok(RunData {
            path: path.to_path_buf(),
            run,
            ports,
            flaps,
            events,
            transceivers,
            throughput,
            summary,
            rfc2544,
        })
    }

    /// The folder's name (`20261129T101500Z-demo`).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// run.json, its version checked before its shape: an old folder is said to be old, not
/// "missing field".
pub fn read_run(path: &Path) -> Result<RunRecord, ReadError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::NotARun {
                path: path.parent().unwrap_or(path).to_path_buf(),
            });
        }
        Err(error) => {
            return Err(ReadError::Io {
                path: path.to_path_buf(),
                error,
            });
        }
    };
    let json_error = |error: serde_json::Error| ReadError::Json {
        path: path.to_path_buf(),
        line: error.line(),
        key: None,
        error,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(json_error)?;
    check_version(path, &value)?;
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = e.path().to_string();
        let error = e.into_inner();
        ReadError::Json {
            path: path.to_path_buf(),
            line: error.line(),
            key: Some(key),
            error,
        }
    })
}

/// run.json's `format_version` is this switchlab's, and its run finished.
fn check_version(path: &Path, value: &serde_json::Value) -> Result<(), ReadError> {
    let incomplete = value
        .get("outcome")
        .and_then(|o| serde_json::from_value::<RunOutcome>(o.clone()).ok())
        == Some(RunOutcome::Incomplete);
    let path = path.to_path_buf();
    match value.get("format_version").and_then(|v| v.as_u64()) {
        None if incomplete => Err(ReadError::Incomplete { path }),
        None => Err(ReadError::Unversioned { path }),
        Some(v) if v != FORMAT_VERSION as u64 => Err(ReadError::Version {
            path,
            found: u32::try_from(v).unwrap_or(u32::MAX),
            writer: value
                .get("switchlab")
                .and_then(|s| s.as_str())
                .unwrap_or("unknown")
                .to_string(),
        }),
        Some(_) if incomplete => Err(ReadError::Incomplete { path }),
        Some(_) => Ok(()),
    }
}

/// events.jsonl, line by line. A last line cut short (the process was killed while
/// writing it) is a damaged file too: the folder is not what the run saw.
fn read_events(path: &Path) -> Result<Vec<EventLine>, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|error| ReadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|error| ReadError::Json {
                path: path.to_path_buf(),
                line: i + 1,
                key: None,
                error,
            })
        })
        .collect()
}
