//! `switchlab recover`: a run folder whose process was killed (SIGKILL, a power cut) made
//! readable from what reached the disk. events.jsonl holds everything the watch took in,
//! each line written as it happened; replayed through the same timeline and judge as the
//! live run ([`super::replay`]), by the settings run.json took when the run started, it
//! gives ports.csv and summary.csv: a port with evidence of a failure fails, a device
//! whose watch had reached its end is judged as the live run would have been, and every
//! other port is `lost`. run.json says `interrupted (recovered)` and when the run
//! stopped. flaps.csv is kept as it is; a row of it that cannot be read is named.

use std::path::{Path, PathBuf};

use super::hints::HintFile;
use super::replay::{Replayed, replay};
use crate::format::{Lab, Manifest, Source};
use crate::record::read::{RunData, read_run};
use crate::record::rows::{EventLine, FlapRow, PortRow};
use crate::record::run::{DeviceRecord, FlapSettings, RunKind, RunRecord, WatchedDevice};
use crate::record::summary::SummaryRow;
use crate::record::{ReadError, write_csv};
use crate::states::{DeviceVerdict, PortVerdict, RunOutcome, WatchState};

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error("{}: the run finished (its run.json is complete): nothing to recover", path.display())]
    Finished { path: PathBuf },
    #[error(transparent)]
    Read(ReadError),
    #[error(transparent)]
    Lab(#[from] crate::format::FormatError),
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// What was rebuilt.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub ports: usize,
    pub flaps: u64,
    /// The time of the last event on disk: when the run was last seen alive.
    pub last_event: String,
    /// Lines of flaps.csv and events.jsonl that could not be read (`file:line: why`).
    pub unreadable: Vec<String>,
}

/// Whether a rebuild is written (`recover`) or only read (a `report` or `compare` of a
/// killed run, which leaves the folder as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rebuilt {
    ForGood,
    ForReading,
}

/// Rebuild the result files of the killed run in `folder` (flaps.csv stays as it is).
pub fn recover(folder: &Path) -> Result<Recovered, RecoverError> {
    let (data, unreadable) = rebuild(folder, Rebuilt::ForGood)?;
    let io = |path: PathBuf| move |error| RecoverError::Io { path, error };
    write_csv(&folder.join("ports.csv"), &data.ports).map_err(io(folder.join("ports.csv")))?;
    write_csv(&folder.join("summary.csv"), &data.summary)
        .map_err(io(folder.join("summary.csv")))?;
    crate::record::run::write_run_json(folder, &data.run).map_err(io(folder.join("run.json")))?;
    Ok(Recovered {
        ports: data.ports.len(),
        flaps: data.summary.iter().map(|s| s.flaps).sum(),
        last_event: data.run.ended.clone(),
        unreadable,
    })
}

/// A finished folder read, or a killed one (run.json still `incomplete`) rebuilt in
/// memory, marked unfinished with the time it stopped; the folder is left as it is.
pub(crate) fn read_or_rebuild(path: &Path) -> Result<RunData, ReadError> {
    match RunData::read(path) {
        Err(ReadError::Incomplete { .. }) => rebuild(path, Rebuilt::ForReading)
            .map(|(data, _)| data)
            .map_err(|e| ReadError::Rebuild {
                path: path.to_path_buf(),
                why: e.to_string(),
            }),
        read => read,
    }
}

/// The killed run in `folder` as a [`RunData`], from what reached the disk, and the
/// lines that could not be read; nothing is written.
pub(crate) fn rebuild(folder: &Path, how: Rebuilt) -> Result<(RunData, Vec<String>), RecoverError> {
    let (settings, criteria) = started_settings(folder)?;
    let mut unreadable = Vec::new();
    let flaps: Vec<FlapRow> = csv_rows(&folder.join("flaps.csv"), &mut unreadable)?;
    let events = event_lines(&folder.join("events.jsonl"), &mut unreadable)?;
    let lab = Lab::recorded(&Source::read(&folder.join("lab.toml"))?)?;
    // A run's copy of its manifest (a watch has none): its name, and the criterion of a
    // folder from before run.json kept the settings.
    let copy = folder.join("manifest.toml");
    let manifest: Option<Manifest> = match copy.exists() {
        true => Some(Source::read(&copy)?.parse_toml()?),
        false => None,
    };
    let settings = settings.unwrap_or_else(|| older_settings(folder, &lab, manifest.as_ref()));
    let last_event = (events.iter().map(|e| e.time.as_str()))
        .chain(flaps.iter().map(|f| f.time.as_str()))
        .max()
        .unwrap_or_default()
        .to_string();
    let first_event = events.first().map(|e| e.time.clone()).unwrap_or_default();
    let replayed = replay(&settings, &lab, &events, &HintFile::builtin(), &last_event);
    let summary: Vec<SummaryRow> = replayed.iter().map(|r| summary_row(r, &lab)).collect();
    let kind = match manifest {
        Some(_) => RunKind::Run,
        None => RunKind::Watch,
    };
    let mut record = RunRecord::new(kind, first_event, last_event.clone(), settings);
    record.criteria = criteria.or_else(|| manifest.as_ref().map(|m| m.criteria.clone()));
    record.manifest = manifest.map(|m| m.name);
    record.devices = replayed.iter().map(device_record).collect();
    record.outcome = match how {
        Rebuilt::ForGood => RunOutcome::Recovered,
        Rebuilt::ForReading => RunOutcome::Incomplete,
    };
    record.errors = vec![match how {
        Rebuilt::ForGood => format!(
            "the run was killed before it wrote its results; rebuilt by `switchlab recover` from events.jsonl (last event {last_event})"
        ),
        Rebuilt::ForReading => format!(
            "unfinished: the run stopped (killed) at its last event, {last_event}; what is shown was rebuilt from events.jsonl (`switchlab recover` writes it into the folder)"
        ),
    }];
    record.errors.extend(unreadable.iter().cloned());
    let ports: Vec<PortRow> = replayed.into_iter().flat_map(|r| r.ports).collect();
    let data = RunData {
        path: folder.to_path_buf(),
        run: record,
        ports,
        flaps,
        events,
        transceivers: optional(folder, "transceivers.csv", &mut unreadable)?,
        throughput: optional(folder, "throughput.csv", &mut unreadable)?,
        summary,
        rfc2544: optional(folder, "rfc2544.csv", &mut unreadable)?,
    };
    Ok((data, unreadable))
}

/// What run.json took when the run started: the watch's settings and the criteria.
type Started = (
    Option<FlapSettings>,
    Option<crate::format::manifest::Criteria>,
);

/// The settings run.json took when the run started; an error when the run finished.
fn started_settings(folder: &Path) -> Result<Started, RecoverError> {
    let path = folder.join("run.json");
    match read_run(&path) {
        Err(ReadError::Incomplete { .. }) => {}
        Ok(_) => {
            return Err(RecoverError::Finished {
                path: folder.into(),
            });
        }
        Err(e) => return Err(RecoverError::Read(e)),
    }
    let text = std::fs::read_to_string(&path).map_err(|error| RecoverError::Io {
        path: path.clone(),
        error,
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let field = |key: &str| value.get(key).cloned().unwrap_or_default();
    Ok((
        serde_json::from_value(field("flaps")).ok(),
        serde_json::from_value(field("criteria")).ok(),
    ))
}

/// A folder from before run.json kept its settings: every lab port of each device the run
/// opened a session to (each has its transcript), the manifest's criterion.
fn older_settings(folder: &Path, lab: &Lab, manifest: Option<&Manifest>) -> FlapSettings {
    let opened = |d: &str| folder.join(format!("transcripts/{d}.log")).exists();
    let devices = (lab.devices.iter().filter(|d| opened(d.name())))
        .map(|d| WatchedDevice {
            device: d.name().to_string(),
            ports: d.ports.iter().map(|p| p.name.get_ref().clone()).collect(),
            ..Default::default()
        })
        .collect();
    FlapSettings {
        interval_ms: 1000,
        max_flaps_per_port: manifest.map_or(0, |m| m.criteria.max_flaps_per_port),
        sources: crate::format::manifest::FlapSource::ALL.to_vec(),
        devices,
        ..Default::default()
    }
}

fn summary_row(r: &Replayed, lab: &Lab) -> SummaryRow {
    let failing: Vec<&PortRow> = r.ports.iter().filter(|p| p.verdict.failed()).collect();
    let verdict = if !failing.is_empty() {
        DeviceVerdict::Fail
    } else if !r.ended {
        DeviceVerdict::Lost
    } else if r.ports.iter().all(|p| p.verdict == PortVerdict::Pass) {
        DeviceVerdict::Pass
    } else {
        DeviceVerdict::Unknown
    };
    let vendor = (lab.devices.iter().find(|d| d.name() == r.device))
        .map_or(String::new(), |d| d.vendor().to_string());
    SummaryRow {
        device: r.device.clone(),
        vendor,
        watch: watch_state(r),
        flaps: r.ports.iter().map(|p| p.flaps).sum(),
        unseen_flaps: r.ports.iter().map(|p| p.unseen_flaps).sum(),
        no_link_ports: (r.ports.iter())
            .filter(|p| p.verdict == PortVerdict::NoLink)
            .count(),
        failing_ports: failing
            .iter()
            .map(|p| p.port.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        verdict,
        ..Default::default()
    }
}

fn watch_state(r: &Replayed) -> WatchState {
    match r.ended {
        true => WatchState::Ok,
        false => WatchState::Lost,
    }
}

fn device_record(r: &Replayed) -> DeviceRecord {
    DeviceRecord {
        device: r.device.clone(),
        watch: watch_state(r),
        ..Default::default()
    }
}

/// A CSV file's rows where the folder has it (none where it does not).
fn optional<T: serde::de::DeserializeOwned>(
    folder: &Path,
    name: &str,
    unreadable: &mut Vec<String>,
) -> Result<Vec<T>, RecoverError> {
    let path = folder.join(name);
    match path.exists() {
        true => csv_rows(&path, unreadable),
        false => Ok(Vec::new()),
    }
}

/// A CSV file's rows; each row that cannot be read is named (`file:line: why`), never
/// dropped without a word.
fn csv_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
    unreadable: &mut Vec<String>,
) -> Result<Vec<T>, RecoverError> {
    let text = read(path)?;
    let mut rows = Vec::new();
    for row in csv::Reader::from_reader(text.as_bytes()).deserialize() {
        match row {
            Ok(r) => rows.push(r),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                unreadable.push(format!("{}:{line}: {e}", path.display()));
            }
        }
    }
    Ok(rows)
}

/// events.jsonl's lines; each that cannot be read (a last line cut short by the kill) is
/// named.
fn event_lines(path: &Path, unreadable: &mut Vec<String>) -> Result<Vec<EventLine>, RecoverError> {
    let text = read(path)?;
    let mut lines = Vec::new();
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str(l) {
            Ok(e) => lines.push(e),
            Err(e) => unreadable.push(format!("{}:{}: {e}", path.display(), i + 1)),
        }
    }
    lines.sort_by_key(|e: &EventLine| e.seq);
    Ok(lines)
}

fn read(path: &Path) -> Result<String, RecoverError> {
    std::fs::read_to_string(path).map_err(|error| RecoverError::Io {
        path: path.into(),
        error,
    })
}
