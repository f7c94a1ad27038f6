//! The writer of a run folder, as the run goes: `flaps.csv` (a row per link event,
//! appended and flushed as events settle), `events.jsonl` (every sighting the moment it is
//! taken in), `throughput.csv` (a row per interval as the engine reports it), and at the
//! end `ports.csv` and `run.json`, which says `incomplete` until then, so an interrupted
//! run never looks complete. The lab (and manifest, configs, transcripts) as run sit
//! beside them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use super::rfc2544::Rfc2544Row;
use super::rows::{EventLine, FlapRow, PortRow, ThroughputRow};
use super::run::RunRecord;
use super::{CsvLog, FORMAT_VERSION};
use crate::locks::lock;

/// run.json until the run ends: what the run will be judged by, once it is known.
#[derive(serde::Serialize)]
struct Incomplete<'a> {
    format_version: u32,
    outcome: crate::states::RunOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    flaps: Option<&'a super::run::FlapSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    criteria: Option<&'a crate::format::manifest::Criteria>,
}

pub struct RunFolder {
    pub path: PathBuf,
    /// flaps.csv and events.jsonl, appended by a writer thread of their own.
    journal: super::journal::Journal,
    /// throughput.csv, once the traffic starts.
    throughput: Mutex<Option<CsvLog>>,
    /// rfc2544.csv, from the first benchmark row.
    rfc2544: Mutex<Option<CsvLog>>,
    /// When each measurement ran, and through what.
    traffic: Mutex<Vec<Measurement>>,
}

/// A throughput test or benchmark trial through one device: flaps on the ports of its
/// path while it ran are its flaps.
struct Measurement {
    label: String,
    /// The device the traffic crossed and its ports on the path (None: no cabling says
    /// which device: every flap while it ran is its).
    path: Option<(String, Vec<String>)>,
    from: SystemTime,
    to: Option<SystemTime>,
}

/// Longest slug kept whole; a longer one (a watch of 47 devices joins all their names) is
/// cut, and a hash of the whole keeps two such runs apart: file names have a limit.
const SLUG_MAX: usize = 64;

fn bounded(slug: &str) -> String {
    if slug.len() <= SLUG_MAX {
        return slug.to_string();
    }
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let hash = slug.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    // The slug is ASCII (made so below), so any byte index is a char boundary.
    format!("{}-{:08x}", &slug[..SLUG_MAX - 9], hash as u32)
}

impl RunFolder {
    /// `runs/<UTC timestamp>-<slug>/` with the lab file copied in and run.json saying the
    /// run is incomplete until `finish`.
    pub fn create(runs: &Path, slug: &str, lab: &Path) -> std::io::Result<RunFolder> {
        let ts = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        // The slug comes from a manifest name or device names: keep it one safe path part.
        let slug: String = slug
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let slug = bounded(&slug);
        if runs.exists() && !runs.is_dir() {
            // ENOTDIR: what making a folder inside a file is.
            return Err(std::io::Error::from_raw_os_error(20));
        }
        std::fs::create_dir_all(runs)?;
        // Made, not looked for: two runs started in the same second (two processes) each
        // get a folder of their own, since only one `create_dir` of a name succeeds.
        let mut n = 1;
        let path = loop {
            let name = match n {
                1 => format!("{ts}-{slug}"),
                n => format!("{ts}-{slug}-{n}"),
            };
            let path = runs.join(name);
            match std::fs::create_dir(&path) {
                Ok(()) => break path,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(e),
            }
        };
        super::atomic::write(&path.join("lab.toml"), &std::fs::read(lab)?)?;
        let placeholder = Incomplete {
            format_version: FORMAT_VERSION,
            outcome: crate::states::RunOutcome::Incomplete,
            flaps: None,
            criteria: None,
        };
        let text = serde_json::to_string_pretty(&placeholder)?;
        super::atomic::write(&path.join("run.json"), text.as_bytes())?;
        let flaps = CsvLog::create::<FlapRow>(&path.join("flaps.csv"))?;
        let journal = std::fs::File::create(path.join("events.jsonl"))?;
        Ok(RunFolder {
            path,
            journal: super::journal::Journal::start(journal, flaps)?,
            throughput: Mutex::new(None),
            rfc2544: Mutex::new(None),
            traffic: Mutex::new(Vec::new()),
        })
    }

    /// The settings the run's ports and tests are judged by, into run.json (still
    /// `incomplete`) as the run starts: what `recover` judges a killed run by.
    pub fn started(
        &self,
        flaps: &super::run::FlapSettings,
        criteria: Option<&crate::format::manifest::Criteria>,
    ) -> std::io::Result<()> {
        let placeholder = Incomplete {
            format_version: FORMAT_VERSION,
            outcome: crate::states::RunOutcome::Incomplete,
            flaps: Some(flaps),
            criteria,
        };
        let text = serde_json::to_string_pretty(&placeholder)?;
        super::atomic::write(&self.path.join("run.json"), text.as_bytes())
    }

    /// Append an event seen somewhere in `from..=to` to flaps.csv, naming the
    /// measurements on its port's path that ran then (the row's `traffic`).
    pub fn flap(&self, from: SystemTime, to: SystemTime, mut row: FlapRow) -> std::io::Result<()> {
        row.traffic = self.traffic_during(&row.device, &row.port, from, to);
        self.journal.flap(row)
    }

    /// Append a sighting to events.jsonl at once (a SIGKILL a moment later loses nothing
    /// seen), numbered in the order sightings are taken in (its `seq` is set there).
    pub fn sighting(&self, line: EventLine) -> std::io::Result<()> {
        self.journal.sighting(line)
    }

    /// Append a row to throughput.csv (created, with its header, by the first).
    pub fn throughput(&self, row: &ThroughputRow) -> std::io::Result<()> {
        let mut t = lock(&self.throughput);
        match &mut *t {
            Some(log) => log.append(row),
            None => {
                let mut log = CsvLog::create::<ThroughputRow>(&self.path.join("throughput.csv"))?;
                log.append(row)?;
                *t = Some(log);
                Ok(())
            }
        }
    }

    /// Append a row to rfc2544.csv (created, with its header, by the first); the run's
    /// end writes it again with each row's flaps.
    pub fn rfc2544(&self, row: &Rfc2544Row) -> std::io::Result<()> {
        let mut t = lock(&self.rfc2544);
        if t.is_none() {
            *t = Some(CsvLog::create::<Rfc2544Row>(
                &self.path.join("rfc2544.csv"),
            )?);
        }
        match &mut *t {
            Some(log) => log.append(row),
            None => Ok(()),
        }
    }

    /// rfc2544.csv written whole, as the run ends (each row now with its flaps): a new
    /// file renamed over the one appended to as the trials ran, never rewritten in place.
    pub fn rewrite_rfc2544(&self, rows: &[Rfc2544Row]) -> std::io::Result<()> {
        let mut t = lock(&self.rfc2544);
        *t = None;
        super::write_csv(&self.path.join("rfc2544.csv"), rows)
    }

    /// Every event taken in is in flaps.csv and events.jsonl: the rows so far.
    pub fn flaps_so_far(&self) -> std::io::Result<Vec<super::rows::FlapRow>> {
        self.journal.sync()?;
        super::read_csv(&self.path.join("flaps.csv")).map_err(std::io::Error::other)
    }

    /// Create throughput.csv with its header now (a run whose tests all fail still has it).
    pub fn start_throughput(&self) -> std::io::Result<()> {
        let mut t = lock(&self.throughput);
        if t.is_none() {
            *t = Some(CsvLog::create::<ThroughputRow>(
                &self.path.join("throughput.csv"),
            )?);
        }
        Ok(())
    }

    /// Write `rel` (say `configs/sw1.cfg`) inside the folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        super::atomic::write(&path, bytes)
    }

    /// A measurement starts now: flaps from now until it ends on `path` (the device it
    /// crosses and its ports there) name it.
    pub fn traffic_started(&self, label: &str, path: Option<(&str, Vec<String>)>) {
        lock(&self.traffic).push(Measurement {
            label: label.to_string(),
            path: path.map(|(d, ports)| (d.to_string(), ports)),
            from: SystemTime::now(),
            to: None,
        });
    }

    pub fn traffic_ended(&self, label: &str) {
        let mut t = lock(&self.traffic);
        if let Some(w) = t
            .iter_mut()
            .rev()
            .find(|w| w.label == label && w.to.is_none())
        {
            w.to = Some(SystemTime::now());
        }
    }

    /// The measurements on `device`'s `port` that ran at some time in `from..=to`, joined
    /// with `+`; empty: the event fell outside every measurement of its path.
    fn traffic_during(&self, device: &str, port: &str, from: SystemTime, to: SystemTime) -> String {
        let t = lock(&self.traffic);
        let on_path = |m: &Measurement| {
            m.path
                .as_ref()
                .is_none_or(|(d, ports)| d == device && ports.iter().any(|p| p == port))
        };
        let names: Vec<&str> = (t.iter())
            .filter(|m| on_path(m) && m.from <= to && m.to.is_none_or(|end| end >= from))
            .map(|m| m.label.as_str())
            .collect();
        names.join("+")
    }

    /// ports.csv and the whole run.json: the run is over.
    pub fn finish(&self, ports: &[PortRow], run: &RunRecord) -> std::io::Result<()> {
        // Every event is on disk before the run says it is complete.
        self.journal.sync()?;
        super::write_csv(&self.path.join("ports.csv"), ports)?;
        super::run::write_run_json(&self.path, run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run folder under `dir` for an empty lab file.
    fn folder(dir: &Path, slug: &str) -> RunFolder {
        let lab = dir.join("lab.toml");
        std::fs::write(&lab, "").unwrap();
        RunFolder::create(dir, slug, &lab).unwrap()
    }

    #[test]
    fn a_new_folder_is_marked_incomplete_and_its_name_is_one_safe_part() {
        let dir = tempfile::tempdir().unwrap();
        let f = folder(dir.path(), "night run/rack 2");
        let name = f.path.file_name().unwrap().to_string_lossy().to_string();
        assert!(name.ends_with("-night-run-rack-2"), "{name}");
        assert_eq!(f.path.parent(), Some(dir.path()));
        let e = crate::record::read::RunData::read(&f.path)
            .unwrap_err()
            .to_string();
        assert!(e.contains("run.json: the run never finished"), "{e}");
        let again = folder(dir.path(), "night run/rack 2");
        assert_ne!(again.path, f.path, "two runs in one second get two folders");
    }

    // Regression: two runs started in the same second checked for the name, then made it:
    // both could take one folder.
    #[test]
    fn runs_started_at_once_by_many_threads_each_get_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let lab = dir.path().join("lab.toml");
        std::fs::write(&lab, "").unwrap();
        let paths: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| s.spawn(|| RunFolder::create(dir.path(), "same", &lab).unwrap().path))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let unique: std::collections::BTreeSet<_> = paths.iter().collect();
        assert_eq!(unique.len(), 16, "{paths:?}");
    }

    // Regression: a watch of 47 devices failed with "File name too long".
    #[test]
    fn a_slug_of_many_device_names_is_bounded_and_still_tells_runs_apart() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..47).map(|i| format!("leaf-switch-{i:03}")).collect();
        let f = folder(dir.path(), &format!("watch-{}", names.join("-")));
        let name = f.path.file_name().unwrap().to_string_lossy().to_string();
        assert!(name.len() <= 17 + SLUG_MAX, "{name}");
        assert!(name.contains("watch-leaf-switch-000-"), "{name}");
        let other = bounded(&format!("watch-{}", names[1..].join("-")));
        assert_ne!(bounded(&format!("watch-{}", names.join("-"))), other);
    }

    #[test]
    fn an_event_names_the_tests_that_ran_at_its_time_or_within_its_window() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let f = folder(dir.path(), "t");
        let path = |d: &'static str| Some((d, vec!["Et1".to_string(), "Et2".to_string()]));
        let before = SystemTime::now() - Duration::from_secs(1);
        f.traffic_started("t1", path("a"));
        let during = SystemTime::now();
        f.traffic_ended("t1");
        f.traffic_started("t2", path("a"));
        let later = SystemTime::now() + Duration::from_secs(1);
        let on = |from, to| f.traffic_during("a", "Et1", from, to);
        assert_eq!(on(before, before), "");
        assert_eq!(on(during, during), "t1");
        assert_eq!(on(later, later), "t2", "t2 still runs");
        assert_eq!(on(before, later), "t1+t2", "an unseen window spans both");
    }

    // Regression: a flap on one switch was named after the test then running through
    // another (by the test's name alone), and drawn on its chart past the end of its line.
    #[test]
    fn an_event_names_only_the_measurements_through_its_own_port() {
        let dir = tempfile::tempdir().unwrap();
        let f = folder(dir.path(), "t");
        f.traffic_started("t1", Some(("cisco", vec!["Gi0/1".into(), "Gi0/2".into()])));
        let now = SystemTime::now();
        assert_eq!(
            f.traffic_during("arista", "Et1", now, now),
            "",
            "another switch"
        );
        assert_eq!(
            f.traffic_during("cisco", "Gi0/3", now, now),
            "",
            "off the path"
        );
        assert_eq!(f.traffic_during("cisco", "Gi0/2", now, now), "t1");
        f.traffic_started("any", None);
        assert_eq!(
            f.traffic_during("arista", "Et1", now, SystemTime::now()),
            "any"
        );
    }
}
