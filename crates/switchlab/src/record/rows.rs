//! One row of each line-per-record file of a run folder.
//!
//! flaps.csv ([`FlapRow`]): `time` (UTC, ms), `device`, `port`, `event` (`down`, `up`,
//! `unseen` for flaps a counter proves that no source saw, `err-disabled` when a poll first
//! finds the switch shut the port), `flaps` (1 per down, or how many unseen), `sources`
//! (`console+buffer+state+counters`…), `window_from`, `window_to` (for `unseen`),
//! `traffic` (the measurements through its port running then, in a `run`: throughput tests
//! and benchmark trials on the path that crosses this device and port; empty when the
//! event fell outside all of them).
//!
//! ports.csv ([`PortRow`]): `device`, `port`, `flaps`, `unseen_flaps`, `worst_burst_10s`,
//! `crc_delta`, `in_errors_delta`, `err_disabled` (`yes`/`no`, empty where the vendor
//! cannot say), `oper_at_end` (`up`/`down` at the last poll), `up_percent` (the share of
//! the watch the link was up), `cable`, `nic`, `verdict` ([`PortVerdict`]: `pass`, `fail`
//! against max_flaps_per_port, err-disabled, or down at the end after being up; `no-link`:
//! down at every poll since the push; `unknown`: never read; `lost`: the device was
//! lost), `hint`.
//!
//! throughput.csv ([`ThroughputRow`]): `time` (UTC, end of the interval), `test`,
//! `device` (the switch the traffic crossed; empty when no cabling says), `from`,
//! `from_port`, `to`, `to_port`, `row` (`interval`: one per second, summed over the
//! streams, sender side, written as the test runs; `sent` and `received`: the whole
//! test), `start_s`, `end_s` (seconds into the test), `bytes`, `gbit_s`, `retransmits`
//! (sender rows; empty where the OS does not say), `verdict` (`received` row: `pass`/`fail`
//! against `[criteria] min_gbps`, empty without one), `lost_percent` and `jitter_ms`
//! (`received` row of a UDP test).
//!
//! transceivers.csv ([`TransceiverRow`]): per watched port, the declared cable and the one
//! the switch's module reports (kind, length, media, part, vendor, serial), whether they
//! match, DOM at the start and the end and its deltas, and the audit's findings.
//!
//! events.jsonl ([`EventLine`]): every sighting the moment it is taken in (`seq`, `time`,
//! `device`, `port`, `state`, `source`, `link_changes`, its `window_ms`), every poll
//! reading of a port that changed (`kind` `poll`, the reading in `poll`), and the marks of
//! each device's watch (`judged-from`: the end of its push; `ended`: its last poll),
//! flushed line by line: what `recover` replays.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::format::manifest::FlapSource;
use crate::states::{EventKind, FlapEvent, Judged, LinkState, PortVerdict, ThroughputKind, yes_no};

/// One row of ports.csv.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PortRow {
    pub device: String,
    pub port: String,
    pub flaps: u64,
    pub unseen_flaps: u64,
    pub worst_burst_10s: usize,
    pub crc_delta: Option<u64>,
    pub in_errors_delta: Option<u64>,
    #[serde(with = "yes_no")]
    pub err_disabled: Option<bool>,
    /// The link at the last poll; empty where no poll read it.
    pub oper_at_end: Option<LinkState>,
    /// The share of the watch the link was up (from polls and events), percent.
    pub up_percent: Option<f64>,
    pub cable: String,
    pub nic: String,
    pub verdict: PortVerdict,
    pub hint: String,
}

/// Sources that saw one event, written `console+buffer+state`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources(pub BTreeSet<FlapSource>);

impl Serialize for Sources {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names: Vec<&str> = self.0.iter().map(|x| x.as_str()).collect();
        s.serialize_str(&names.join("+"))
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sources, D::Error> {
        let text = String::deserialize(d)?;
        let mut set = BTreeSet::new();
        for name in text.split('+').filter(|n| !n.is_empty()) {
            let src = FlapSource::ALL
                .into_iter()
                .find(|s| s.as_str() == name)
                .ok_or_else(|| serde::de::Error::custom(format!("'{name}' is not a source")))?;
            set.insert(src);
        }
        Ok(Sources(set))
    }
}

/// One row of flaps.csv.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlapRow {
    pub time: String,
    pub device: String,
    pub port: String,
    pub event: FlapEvent,
    pub flaps: u64,
    pub sources: Sources,
    pub window_from: String,
    pub window_to: String,
    pub traffic: String,
}

impl FlapRow {
    /// The tests this event fell in (flaps.csv joins them with `+`).
    pub fn tests(&self) -> impl Iterator<Item = &str> {
        self.traffic.split('+').filter(|t| !t.is_empty())
    }
}

/// One row of throughput.csv.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThroughputRow {
    pub time: String,
    pub test: String,
    pub device: String,
    pub from: String,
    pub from_port: String,
    pub to: String,
    pub to_port: String,
    pub row: ThroughputKind,
    pub start_s: f64,
    pub end_s: f64,
    pub bytes: u64,
    pub gbit_s: f64,
    pub retransmits: Option<u64>,
    pub verdict: Option<Judged>,
    pub lost_percent: Option<f64>,
    pub jitter_ms: Option<f64>,
}

/// One row of transceivers.csv: a watched port's cable as the lab declares it and as the
/// switch's module reports it, at the start and the end of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransceiverRow {
    pub device: String,
    pub port: String,
    /// The lab's cable (`0.5 m dac`), empty where it declares none.
    pub declared: String,
    /// `dac-passive`, `fiber`, `absent`… as the switch reports it; empty where the switch
    /// was not read (or lists nothing for the port: a fixed port, a profile without audit).
    pub seen_kind: String,
    pub seen_length_m: Option<f64>,
    pub media: String,
    pub part: String,
    pub vendor: String,
    pub serial: String,
    /// The declared cable is the one seen (kind, and length where both say one).
    #[serde(with = "yes_no")]
    pub matches: Option<bool>,
    pub rx_start_dbm: Option<f64>,
    pub rx_end_dbm: Option<f64>,
    pub rx_delta_db: Option<f64>,
    pub tx_start_dbm: Option<f64>,
    pub tx_end_dbm: Option<f64>,
    pub temp_start_c: Option<f64>,
    pub temp_end_c: Option<f64>,
    /// What the audit found, `; ` between.
    pub findings: String,
}

/// One line of events.jsonl: what the watch took in, in the order it did, enough for
/// `recover` to replay it through the same timeline and judge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    pub seq: u64,
    pub time: String,
    pub device: String,
    /// Empty on a mark of the whole device (`judged-from`, `ended`).
    pub port: String,
    pub state: LinkState,
    pub source: FlapSource,
    pub link_changes: Option<u64>,
    #[serde(default, skip_serializing_if = "is_sighting")]
    pub kind: EventKind,
    /// A sighting's window: how far from it another source's sighting of the same change
    /// may be (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ms: Option<u64>,
    /// A poll's whole reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollReading>,
}

fn is_sighting(k: &EventKind) -> bool {
    *k == EventKind::Sighting
}

/// What a poll read of one port: the fields the timeline and the judge use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PollReading {
    pub admin: Option<LinkState>,
    pub oper: Option<LinkState>,
    pub link_changes: Option<u64>,
    pub link_downs: Option<u64>,
    /// Absent in readings recorded before it was read: null.
    #[serde(default)]
    pub link_ups: Option<u64>,
    pub last_change_s: Option<u64>,
    pub err_disabled: Option<bool>,
    pub crc: Option<u64>,
    pub in_errors: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_csv_reads_back_as_written_and_a_truncated_one_names_file_and_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("throughput.csv");
        let mut log = crate::record::CsvLog::create::<ThroughputRow>(&path).unwrap();
        let row = ThroughputRow {
            time: "2026-11-29T10:00:01.000Z".into(),
            test: "t1".into(),
            row: ThroughputKind::Interval,
            end_s: 1.0,
            bytes: 1_250_000_000,
            gbit_s: 10.0,
            retransmits: Some(2),
            lost_percent: None,
            ..Default::default()
        };
        log.append(&row).unwrap();
        log.append(&row).unwrap();
        let back: Vec<ThroughputRow> = crate::record::read_csv(&path).unwrap();
        assert_eq!(back, vec![row.clone(), row]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("time,test,device,from,"), "{text}");
        std::fs::write(&path, &text[..text.len() - 12]).unwrap();
        let e = crate::record::read_csv::<ThroughputRow>(&path)
            .unwrap_err()
            .to_string();
        assert!(e.contains("throughput.csv: row 2:"), "{e}");
    }

    #[test]
    fn an_empty_log_still_says_its_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flaps.csv");
        crate::record::CsvLog::create::<FlapRow>(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.trim(),
            "time,device,port,event,flaps,sources,window_from,window_to,traffic"
        );
        assert!(
            crate::record::read_csv::<FlapRow>(&path)
                .unwrap()
                .is_empty()
        );
    }
}
