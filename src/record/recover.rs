//! `switchlab recover`: a run folder whose process was killed (SIGKILL, a power cut)
//! made readable from what reached the disk. flaps.csv holds the events that had
//! settled and events.jsonl every sighting, each written as it happened; a last line cut
//! short is dropped. From them: ports.csv (a port that flapped more than allowed fails;
//! every other is `lost`: the watch never reached its end, so nothing passes), summary.csv
//! and run.json, whose outcome says `interrupted (recovered)` and when the run stopped.

use std::path::{Path, PathBuf};

use super::read::{RunData, read_run};
use super::rows::{EventLine, FlapRow, PortRow};
use super::run::{DeviceRecord, RunKind, RunRecord};
use super::summary::SummaryRow;
use super::{FORMAT_VERSION, ReadError, write_csv};
use crate::format::{Lab, Manifest, Source};
use crate::states::{DeviceVerdict, FlapEvent, LinkState, PortVerdict, RunOutcome, WatchState};

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
}

/// Rebuild the result files of the killed run in `folder`.
pub fn recover(folder: &Path) -> Result<Recovered, RecoverError> {
    let data = rebuild(folder, Rebuilt::ForGood)?;
    let io = |path: PathBuf| move |error| RecoverError::Io { path, error };
    write_csv(&folder.join("flaps.csv"), &data.flaps).map_err(io(folder.join("flaps.csv")))?;
    write_csv(&folder.join("ports.csv"), &data.ports).map_err(io(folder.join("ports.csv")))?;
    super::summary::write(&folder.join("summary.csv"), &data.summary)
        .map_err(io(folder.join("summary.csv")))?;
    super::run::write_run_json(folder, &data.run).map_err(io(folder.join("run.json")))?;
    Ok(Recovered {
        ports: data.ports.len(),
        flaps: data.summary.iter().map(|s| s.flaps).sum(),
        last_event: data.run.ended.clone(),
    })
}

/// Whether a rebuild is written (`recover`) or only read (a `report` or `compare` of a
/// killed run, which leaves the folder as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuilt {
    ForGood,
    ForReading,
}

/// The killed run in `folder` as a [`RunData`], from what reached the disk; nothing is
/// written.
pub fn rebuild(folder: &Path, how: Rebuilt) -> Result<RunData, RecoverError> {
    match read_run(&folder.join("run.json")) {
        Err(ReadError::Incomplete { .. }) => {}
        Ok(_) => {
            return Err(RecoverError::Finished {
                path: folder.into(),
            });
        }
        Err(e) => return Err(RecoverError::Read(e)),
    }
    let flaps: Vec<FlapRow> = csv_lines(&folder.join("flaps.csv"))?;
    let events: Vec<EventLine> = whole_lines(&folder.join("events.jsonl"), |text| {
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    })?;
    let lab = Lab::from_source(&Source::read(&folder.join("lab.toml"))?)?;
    // A run's copy of its manifest (a watch has none), checked against the lab when the
    // run started: only its criteria are needed now.
    let copy = folder.join("manifest.toml");
    let manifest: Option<Manifest> = match copy.exists() {
        true => Some(Source::read(&copy)?.parse_toml()?),
        false => None,
    };
    let max_flaps = manifest
        .as_ref()
        .map_or(0, |m| u64::from(m.criteria.max_flaps_per_port));
    // The devices the run opened a session to (each has its transcript).
    let opened = |d: &str| folder.join(format!("transcripts/{d}.log")).exists();
    let devices: Vec<_> = lab.devices.iter().filter(|d| opened(d.name())).collect();
    let last_event = (events.iter().map(|e| e.time.as_str()))
        .chain(flaps.iter().map(|f| f.time.as_str()))
        .max()
        .unwrap_or_default()
        .to_string();
    let first_event = events.first().map(|e| e.time.clone()).unwrap_or_default();
    let (mut ports, mut summary, mut records) = (Vec::new(), Vec::new(), Vec::new());
    for d in &devices {
        let mut row = SummaryRow {
            device: d.name().into(),
            vendor: d.vendor().into(),
            watch: WatchState::Lost,
            verdict: DeviceVerdict::Lost,
            ..Default::default()
        };
        let mut failing = Vec::new();
        for p in &d.ports {
            let port = p.name.get_ref();
            let (flapped, unseen) = port_flaps(&flaps, &events, d.name(), port);
            let verdict = match flapped > max_flaps {
                true => PortVerdict::Fail,
                false => PortVerdict::Lost,
            };
            if verdict == PortVerdict::Fail {
                failing.push(port.clone());
                row.verdict = DeviceVerdict::Fail;
            }
            row.flaps += flapped;
            row.unseen_flaps += unseen;
            ports.push(PortRow {
                device: d.name().into(),
                port: port.clone(),
                flaps: flapped,
                unseen_flaps: unseen,
                verdict,
                hint: match verdict {
                    PortVerdict::Fail => format!("{flapped} flap(s) before the run was killed"),
                    _ => "the run was killed before the watch ended: not judged".into(),
                },
                ..Default::default()
            });
        }
        row.failing_ports = failing.join(" ");
        summary.push(row);
        records.push(DeviceRecord {
            device: d.name().into(),
            watch: WatchState::Lost,
            ..Default::default()
        });
    }
    let record = RunRecord {
        format_version: FORMAT_VERSION,
        switchlab: env!("CARGO_PKG_VERSION").into(),
        kind: match manifest {
            Some(_) => RunKind::Run,
            None => RunKind::Watch,
        },
        manifest: manifest.map(|m| m.name),
        started: first_event,
        ended: last_event.clone(),
        inputs: None,
        invocation: None,
        devices: records,
        flaps: Default::default(),
        throughput: Vec::new(),
        throughput_planned: 0,
        benchmarks: Vec::new(),
        benchmarks_planned: 0,
        preflight: None,
        iperf3: None,
        outcome: match how {
            Rebuilt::ForGood => RunOutcome::Recovered,
            Rebuilt::ForReading => RunOutcome::Incomplete,
        },
        errors: vec![match how {
            Rebuilt::ForGood => format!(
                "the run was killed before it wrote its results; rebuilt by `switchlab recover` from flaps.csv and events.jsonl (last event {last_event})"
            ),
            Rebuilt::ForReading => format!(
                "unfinished: the run stopped (killed) at its last event, {last_event}; what is shown was rebuilt from flaps.csv and events.jsonl (`switchlab recover` writes it into the folder)"
            ),
        }],
    };
    let optional = |name: &str| folder.join(name).exists().then(|| folder.join(name));
    Ok(RunData {
        path: folder.to_path_buf(),
        run: record,
        ports,
        flaps,
        events,
        transceivers: optional("transceivers.csv")
            .map(|p| csv_lines(&p))
            .transpose()?
            .unwrap_or_default(),
        throughput: optional("throughput.csv")
            .map(|p| csv_lines(&p))
            .transpose()?
            .unwrap_or_default(),
        summary,
        rfc2544: optional("rfc2544.csv")
            .map(|p| csv_lines(&p))
            .transpose()?
            .unwrap_or_default(),
    })
}

/// A CSV file's whole rows (a last one cut short by the kill is dropped).
fn csv_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, RecoverError> {
    whole_lines(path, |text| {
        csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .filter_map(Result::ok)
            .collect()
    })
}

/// A file's whole lines (a last one cut short by the kill is dropped), parsed.
fn whole_lines<T>(path: &Path, parse: impl Fn(&str) -> Vec<T>) -> Result<Vec<T>, RecoverError> {
    let text = std::fs::read_to_string(path).map_err(|error| RecoverError::Io {
        path: path.into(),
        error,
    })?;
    let whole = text.rfind('\n').map_or("", |i| &text[..=i]);
    Ok(parse(whole))
}

/// A port's flaps: those settled in flaps.csv, and the downs sighted after its last
/// settled event (one per change: several sources may tell the same one).
fn port_flaps(flaps: &[FlapRow], events: &[EventLine], device: &str, port: &str) -> (u64, u64) {
    let own = |d: &str, p: &str| d == device && p == port;
    let rows: Vec<&FlapRow> = flaps.iter().filter(|f| own(&f.device, &f.port)).collect();
    let settled_to = rows.iter().map(|r| r.time.as_str()).max().unwrap_or("");
    let mut downs: u64 = 0;
    let mut unseen: u64 = 0;
    for r in &rows {
        match r.event {
            FlapEvent::Down => downs += r.flaps,
            FlapEvent::Unseen => unseen += r.flaps,
            _ => {}
        }
    }
    // In time order, a down after an up (or first) is a new flap; a down after a down is
    // the same change told by another source.
    let mut by_time: Vec<&EventLine> = (events.iter())
        .filter(|e| own(&e.device, &e.port) && e.time.as_str() > settled_to)
        .collect();
    by_time.sort_by(|a, b| (&a.time, a.seq).cmp(&(&b.time, b.seq)));
    let mut last = None;
    for e in by_time {
        if e.state == LinkState::Down && last != Some(LinkState::Down) {
            downs += 1;
        }
        last = Some(e.state);
    }
    (downs + unseen, unseen)
}
