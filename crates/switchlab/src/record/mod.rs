//! What a run leaves on disk, as types that are written and read back by this module
//! alone: the writers of `watch`, `run` and `run::traffic` and the readers of `compare`
//! and `report` share one definition of each file.
//!
//! Layout:
//! - [`run`]: run.json ([`run::RunRecord`], with its `format_version`).
//! - [`rows`]: one row of each CSV (ports, flaps, throughput) and of events.jsonl.
//! - [`summary`]: summary.csv, the per-device line vendors are compared by.
//! - [`rfc2544`]: rfc2544.csv, the benchmarks' rows.
//! - [`atomic`]: the one way a whole file is written (temp file, fsync, rename).
//! - [`folder`]: [`folder::RunFolder`], the writer of a run folder as the run goes.
//! - [`read`]: [`read::RunData`], a whole run folder read back and checked, with errors
//!   that name the file (and row) that is missing or damaged.
//! - [`rerun`]: how a run was started and which of the bench's files changed since.

pub mod atomic;
pub mod folder;
mod journal;
pub mod read;
pub mod rerun;
pub mod rfc2544;
pub mod rows;
pub mod run;
pub mod summary;

use std::path::{Path, PathBuf};

/// The version of the run folder's formats that this switchlab writes and reads. Raised
/// when a file changes in a way an older reader would misread.
pub const FORMAT_VERSION: u32 = 1;

/// SHA-256 of `text`, hex: what run.json records of each input, so runs can be told apart.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a file of a run folder could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: row {row}: {error}", path.display())]
    Row {
        path: PathBuf,
        row: u64,
        #[source]
        error: csv::Error,
    },
    /// A JSON file or line that does not read; `key` is where in it, when known.
    #[error("{}: line {line}: {}{error}", path.display(), key.as_ref().map(|k| format!("at `{k}`: ")).unwrap_or_default())]
    Json {
        path: PathBuf,
        line: usize,
        key: Option<String>,
        #[source]
        error: serde_json::Error,
    },
    #[error(
        "{}: written by a switchlab from before run folders had a format_version; it cannot be read as this version's (format {FORMAT_VERSION}): run it again",
        path.display()
    )]
    Unversioned { path: PathBuf },
    #[error(
        "{}: format_version {found}, this switchlab reads {FORMAT_VERSION}: read it with the switchlab that wrote it ({writer})",
        path.display()
    )]
    Version {
        path: PathBuf,
        found: u32,
        writer: String,
    },
    #[error("{}: the run never finished (outcome `incomplete`): it was killed before it wrote its results; `switchlab recover {}` rebuilds them from its events", path.display(), path.parent().unwrap_or(path).display())]
    Incomplete { path: PathBuf },
    #[error("{}: not a run folder (no run.json)", path.display())]
    NotARun { path: PathBuf },
    #[error("{}: the run never finished, and what it left cannot be read back: {why}", path.display())]
    Rebuild { path: PathBuf, why: String },
}

/// Every row of a CSV file as `T`, each checked; an error names the file and the row.
pub fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, ReadError> {
    let file = std::fs::File::open(path).map_err(|error| ReadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut r = csv::Reader::from_reader(file);
    let mut rows = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        rows.push(row.map_err(|error: csv::Error| ReadError::Row {
            path: path.to_path_buf(),
            row: i as u64 + 1,
            error,
        })?);
    }
    Ok(rows)
}

/// A CSV file written row by row and flushed after each (what a crash cannot take), its
/// header written up front so that a run with no rows still says its columns.
pub struct CsvLog {
    w: csv::Writer<std::fs::File>,
}

impl CsvLog {
    /// Create `path` with the columns of `T` (taken from `T::default()`, so the header
    /// and the rows come from one definition).
    pub fn create<T: serde::Serialize + Default>(path: &Path) -> std::io::Result<CsvLog> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_path(path)
            .map_err(std::io::Error::other)?;
        w.write_record(header::<T>())
            .map_err(std::io::Error::other)?;
        w.flush()?;
        Ok(CsvLog { w })
    }

    pub fn append<T: serde::Serialize>(&mut self, row: &T) -> std::io::Result<()> {
        self.w.serialize(row).map_err(std::io::Error::other)?;
        self.w.flush()
    }
}

/// Write `rows` to `path` as a whole CSV file, its header first (even without rows),
/// atomically: the one writer of every whole CSV in a run folder.
pub fn write_csv<T: serde::Serialize + Default>(path: &Path, rows: &[T]) -> std::io::Result<()> {
    atomic::write_with(path, |file| {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(file);
        w.write_record(header::<T>())
            .map_err(std::io::Error::other)?;
        for r in rows {
            w.serialize(r).map_err(std::io::Error::other)?;
        }
        w.flush()
    })
}

/// The column names `T` serializes to.
pub fn header<T: serde::Serialize + Default>() -> Vec<String> {
    columns(&T::default()).0
}

/// `row`'s column names and values, as a CSV writer writes them (one source for both).
pub fn columns<T: serde::Serialize>(row: &T) -> (Vec<String>, Vec<String>) {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing plain values into memory: only a serde bug could fail here, and an empty
    // result then shows as an empty table, not a panic.
    let text = w
        .serialize(row)
        .ok()
        .and_then(|_| w.into_inner().ok())
        .unwrap_or_default();
    let mut r = csv::Reader::from_reader(text.as_slice());
    let header = r
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    let values = r
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.iter().map(String::from).collect())
        .unwrap_or_default();
    (header, values)
}

/// `x` rounded to 3 decimals: what the CSVs carry (ms, Mbit/s resolution).
pub fn milli(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A time as the run folder writes it: UTC, to the millisecond.
pub fn stamp(t: std::time::SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|ts| format!("{ts:.3}"))
        .unwrap_or_default()
}
