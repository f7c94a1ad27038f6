//! The run folder of a watch or a run: `flaps.csv` (one row per link event, appended and
//! flushed as events settle), `ports.csv` (one row per watched port), `run.json` (written
//! first with outcome `incomplete`, so an interrupted run never looks complete), the lab
//! (and manifest) as run, and whatever else the run adds (configs, transcripts).
//!
//! flaps.csv: `time` (UTC, ms), `device`, `port`, `event` (`down`, `up`, `unseen` for
//! flaps a counter proves that no source saw, `err-disabled` when a poll first finds the
//! switch shut the port), `flaps` (1 per down, or how many unseen), `sources`
//! (`console+buffer+state+counters`…), `window_from`, `window_to` (for `unseen`),
//! `traffic` (the throughput test running then, in a `run`; empty when none was).
//! events.jsonl: every sighting the moment it is taken in (`seq`, `time`, `device`, `port`,
//! `state`, `source`, `link_changes`), flushed line by line: what a SIGKILL cannot take.
//! ports.csv: `device`, `port`, `flaps`, `unseen_flaps`, `worst_burst_10s`, `crc_delta`,
//! `in_errors_delta`, `err_disabled` (`yes`/`no`, empty where the vendor cannot say),
//! `cable`, `nic`, `verdict` (`pass`/`fail` against max_flaps_per_port; err-disabled
//! fails), `hint`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use super::timeline::{Transition, Unseen};

pub struct RunFolder {
    pub path: PathBuf,
    flaps: Mutex<csv::Writer<File>>,
    /// events.jsonl: every sighting as it is taken in, before it settles into flaps.csv.
    journal: Mutex<(u64, File)>,
    /// When each throughput test ran: (test, from, to or None while it runs).
    traffic: Mutex<Vec<(String, SystemTime, Option<SystemTime>)>>,
}

fn stamp(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|ts| format!("{ts:.3}"))
        .unwrap_or_default()
}

/// A port's state as one source saw it (a log line, a poll that found it changed).
pub struct Sighting<'a> {
    pub time: SystemTime,
    pub device: &'a str,
    pub port: &'a str,
    pub up: bool,
    pub source: crate::format::manifest::FlapSource,
    /// The flap counter at a poll, where the vendor keeps one.
    pub link_changes: Option<u64>,
}

/// One row of ports.csv.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PortRow {
    pub device: String,
    pub port: String,
    pub flaps: u64,
    pub unseen_flaps: u64,
    pub worst_burst_10s: usize,
    pub crc_delta: Option<u64>,
    pub in_errors_delta: Option<u64>,
    pub err_disabled: String,
    pub cable: String,
    pub nic: String,
    pub verdict: String,
    pub hint: String,
}

/// run.json's `outcome`: `interrupted` (Ctrl-C), `complete`, or `errors` (a device could
/// not be pushed or watched, or a throughput test could not run: run.json's `errors`).
pub fn outcome(interrupted: bool, all_ok: bool) -> &'static str {
    match (interrupted, all_ok) {
        (true, _) => "interrupted",
        (false, true) => "complete",
        (false, false) => "errors",
    }
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
    // The slug is ASCII (made so above), so any byte index is a char boundary.
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
        let mut path = runs.join(format!("{ts}-{slug}"));
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = runs.join(format!("{ts}-{slug}-{n}"));
        }
        std::fs::create_dir_all(&path)?;
        std::fs::copy(lab, path.join("lab.toml"))?;
        std::fs::write(
            path.join("run.json"),
            "{\n  \"outcome\": \"incomplete\"\n}\n",
        )?;
        let mut w =
            csv::Writer::from_path(path.join("flaps.csv")).map_err(std::io::Error::other)?;
        w.write_record([
            "time",
            "device",
            "port",
            "event",
            "flaps",
            "sources",
            "window_from",
            "window_to",
            "traffic",
        ])
        .map_err(std::io::Error::other)?;
        w.flush()?;
        let journal = File::create(path.join("events.jsonl"))?;
        Ok(RunFolder {
            path,
            flaps: Mutex::new(w),
            journal: Mutex::new((0, journal)),
            traffic: Mutex::new(Vec::new()),
        })
    }

    pub fn transition(&self, device: &str, port: &str, t: &Transition) -> std::io::Result<()> {
        let sources: Vec<String> = t
            .sources
            .iter()
            .map(|s| format!("{s:?}").to_lowercase())
            .collect();
        self.row(
            t.time,
            t.time,
            [
                device.into(),
                port.into(),
                if t.up { "up" } else { "down" }.into(),
                if t.up { "0" } else { "1" }.into(),
                sources.join("+"),
                String::new(),
                String::new(),
            ],
        )
    }

    pub fn unseen(&self, device: &str, port: &str, u: &Unseen) -> std::io::Result<()> {
        self.row(
            u.from,
            u.to,
            [
                device.into(),
                port.into(),
                "unseen".into(),
                u.flaps.to_string(),
                "counters".into(),
                stamp(u.from),
                stamp(u.to),
            ],
        )
    }

    pub fn err_disabled(&self, device: &str, port: &str, at: SystemTime) -> std::io::Result<()> {
        self.row(
            at,
            at,
            [
                device.into(),
                port.into(),
                "err-disabled".into(),
                "0".into(),
                "state".into(),
                String::new(),
                String::new(),
            ],
        )
    }

    /// Append a sighting to events.jsonl at once (a SIGKILL a moment later loses nothing
    /// seen): a numbered line, in the order sightings are taken in.
    pub fn sighting(&self, s: &Sighting) -> std::io::Result<()> {
        use std::io::Write;
        let mut j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        j.0 += 1;
        let line = serde_json::json!({
            "seq": j.0,
            "time": stamp(s.time),
            "device": s.device,
            "port": s.port,
            "state": if s.up { "up" } else { "down" },
            "source": format!("{:?}", s.source).to_lowercase(),
            "link_changes": s.link_changes,
        });
        writeln!(j.1, "{line}")?;
        j.1.flush()
    }

    /// Write `rel` (say `configs/sw1.cfg`) inside the folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes)
    }

    /// A throughput test starts now: flaps from now until it ends name it.
    pub fn traffic_started(&self, test: &str) {
        let mut t = self.traffic.lock().unwrap_or_else(|e| e.into_inner());
        t.push((test.to_string(), SystemTime::now(), None));
    }

    pub fn traffic_ended(&self, test: &str) {
        let mut t = self.traffic.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = t.iter_mut().rev().find(|w| w.0 == test && w.2.is_none()) {
            w.2 = Some(SystemTime::now());
        }
    }

    /// The tests that ran at some time in `from..=to`, joined with `+`.
    fn traffic_during(&self, from: SystemTime, to: SystemTime) -> String {
        let t = self.traffic.lock().unwrap_or_else(|e| e.into_inner());
        let names: Vec<&str> = t
            .iter()
            .filter(|(_, start, end)| *start <= to && end.is_none_or(|end| end >= from))
            .map(|w| w.0.as_str())
            .collect();
        names.join("+")
    }

    /// A flaps.csv row for an event at `to` (seen somewhere in `from..=to`).
    fn row(&self, from: SystemTime, to: SystemTime, r: [String; 7]) -> std::io::Result<()> {
        let traffic = self.traffic_during(from, to);
        let mut w = self.flaps.lock().unwrap_or_else(|e| e.into_inner());
        w.write_field(stamp(to)).map_err(std::io::Error::other)?;
        for f in r.into_iter().chain([traffic]) {
            w.write_field(f).map_err(std::io::Error::other)?;
        }
        w.write_record(None::<&[u8]>)
            .map_err(std::io::Error::other)?;
        w.flush()
    }

    pub fn finish(&self, ports: &[PortRow], run: &serde_json::Value) -> std::io::Result<()> {
        let mut w =
            csv::Writer::from_path(self.path.join("ports.csv")).map_err(std::io::Error::other)?;
        for p in ports {
            w.serialize(p).map_err(std::io::Error::other)?;
        }
        w.flush()?;
        std::fs::write(
            self.path.join("run.json"),
            serde_json::to_string_pretty(run)?,
        )
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
        let run = std::fs::read_to_string(f.path.join("run.json")).unwrap();
        assert!(run.contains("\"incomplete\""), "{run}");
        let again = folder(dir.path(), "night run/rack 2");
        assert_ne!(again.path, f.path, "two runs in one second get two folders");
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
        let before = SystemTime::now() - Duration::from_secs(1);
        f.traffic_started("t1");
        let during = SystemTime::now();
        f.traffic_ended("t1");
        f.traffic_started("t2");
        let later = SystemTime::now() + Duration::from_secs(1);
        assert_eq!(f.traffic_during(before, before), "");
        assert_eq!(f.traffic_during(during, during), "t1");
        assert_eq!(f.traffic_during(later, later), "t2", "t2 still runs");
        assert_eq!(
            f.traffic_during(before, later),
            "t1+t2",
            "an unseen window spans both"
        );
    }
}
