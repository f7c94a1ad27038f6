//! The traffic phase of `run`: the manifest's `[[throughput]]` tests, one after another
//! (two at once would share the links and measure each other), while the flap watch goes
//! on. Each test's intervals go to `throughput.csv` when it ends, and the run folder
//! records when each test ran, so `flaps.csv` says which test a flap fell in.
//!
//! throughput.csv: `time` (UTC, end of the interval), `test`, `from`, `to`, `row`
//! (`interval`: one per second, summed over the streams, sender side; `sent` and
//! `received`: the whole test), `start_s`, `end_s` (seconds into the test), `bytes`,
//! `gbit_s`, `retransmits` (sender rows; empty where the OS does not say), `verdict`
//! (`received` row: `pass`/`fail` against `[criteria] min_gbps`, empty without one).
//!
//! Built: iperf3 on this machine (endpoints without `ssh`). Not built yet: iperf3 started on
//! an endpoint over SSH, and the built-in engine; a manifest that asks for them is refused
//! before anything is pushed.

pub mod iperf3;

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::format::lab::Lab;
use crate::format::manifest::{Engine, Manifest};
use crate::watch::{End, RunFolder};

#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error(
        "{manifest}: throughput test '{test}': {what} is not built yet ({instead}, or run with --no-traffic)"
    )]
    NotBuilt {
        manifest: String,
        test: String,
        what: String,
        instead: &'static str,
    },
    #[error(
        "{manifest}: throughput test '{test}': window '{window}' is not a size iperf3 takes; write e.g. \"512K\" or \"4M\""
    )]
    Window {
        manifest: String,
        test: String,
        window: String,
    },
    #[error(
        "iperf3 cannot be run on this machine ({error}): install it (Debian: apt-get install iperf3), or run with --no-traffic"
    )]
    Iperf3Missing { error: std::io::Error },
    #[error("endpoint '{endpoint}': cannot listen on its address {address}: {error}")]
    Address {
        endpoint: String,
        address: String,
        error: std::io::Error,
    },
    #[error("endpoint '{endpoint}': cannot start iperf3: {error}")]
    Spawn {
        endpoint: String,
        error: std::io::Error,
    },
    #[error("endpoint '{endpoint}': the iperf3 server on {address} ended: {said}")]
    Server {
        endpoint: String,
        address: String,
        said: String,
    },
    #[error(
        "endpoint '{endpoint}': the iperf3 server on {address} did not say it listens within {}",
        humantime::format_duration(*.waited)
    )]
    ServerNotReady {
        endpoint: String,
        address: String,
        waited: Duration,
    },
    #[error("throughput test '{test}': iperf3 said: {said}")]
    Iperf3 { test: String, said: String },
    #[error("throughput test '{test}': iperf3's report is unreadable: {why}")]
    Report { test: String, why: String },
    #[error(
        "throughput test '{test}': iperf3 had not ended {} after it started",
        humantime::format_duration(*.waited)
    )]
    Timeout { test: String, waited: Duration },
    #[error("throughput.csv: {0}")]
    Csv(#[from] csv::Error),
}

/// One end of a test: the lab's endpoint name and the address traffic goes to or from.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub address: String,
}

/// A `[[throughput]]` test, checked against the lab and ready to run.
#[derive(Debug, Clone)]
pub struct TrafficTest {
    pub name: String,
    pub from: Host,
    pub to: Host,
    pub duration: Duration,
    pub streams: u32,
    pub window: Option<String>,
}

/// Throughput tests ready to run: checked against what is built, and iperf3 found.
#[derive(Debug, Clone)]
pub struct Traffic {
    pub tests: Vec<TrafficTest>,
    /// `iperf3 --version`'s first line, for run.json.
    pub iperf3: String,
}

impl Traffic {
    /// The manifest's tests, ready to run; None when it has none.
    pub async fn prepare(
        m: &Manifest,
        lab: &Lab,
        manifest: &Path,
    ) -> Result<Option<Traffic>, TrafficError> {
        let tests = plan(m, lab, manifest)?;
        if tests.is_empty() {
            return Ok(None);
        }
        let iperf3 = iperf3::version().await?;
        Ok(Some(Traffic { tests, iperf3 }))
    }
}

/// The manifest's tests, or why one cannot run with what is built (`check` stops here:
/// it runs nothing, iperf3 included).
pub fn plan(m: &Manifest, lab: &Lab, manifest: &Path) -> Result<Vec<TrafficTest>, TrafficError> {
    let not_built = |test: &str, what: String, instead| TrafficError::NotBuilt {
        manifest: manifest.display().to_string(),
        test: test.to_string(),
        what,
        instead,
    };
    let mut tests = Vec::new();
    for t in &m.throughput {
        if t.engine == Engine::Builtin {
            let what = "the built-in engine".to_string();
            return Err(not_built(&t.name, what, "use engine = \"iperf3\""));
        }
        if let Some(w) = &t.window
            && !is_size(w)
        {
            return Err(TrafficError::Window {
                manifest: manifest.display().to_string(),
                test: t.name.clone(),
                window: w.clone(),
            });
        }
        let host = |name: &str| {
            // The manifest was checked against the lab: every endpoint it names is there.
            let e = lab.endpoints.iter().find(|e| e.name.get_ref() == name);
            match e {
                Some(e) if e.ssh.is_some() => Err(not_built(
                    &t.name,
                    format!("starting iperf3 on endpoint '{name}' over SSH"),
                    "run the test from this machine: an endpoint without `ssh`",
                )),
                _ => Ok(Host {
                    name: name.to_string(),
                    address: e.map_or_else(|| name.to_string(), |e| e.address.clone()),
                }),
            }
        };
        let from = host(t.from.get_ref())?;
        let to = host(t.to.get_ref())?;
        tests.push(TrafficTest {
            name: t.name.clone(),
            from,
            to,
            // Checked when the manifest was read; the default is iperf3's own.
            duration: humantime::parse_duration(t.duration.get_ref())
                .unwrap_or(Duration::from_secs(10)),
            streams: t.streams.max(1),
            window: t.window.clone(),
        });
    }
    Ok(tests)
}

/// "4M", "512K", "65536": what iperf3's `-w` takes.
fn is_size(w: &str) -> bool {
    let digits = w.trim_end_matches(['K', 'M', 'G', 'k', 'm', 'g']);
    !digits.is_empty() && digits.len() + 1 >= w.len() && digits.chars().all(|c| c.is_ascii_digit())
}

/// A test's verdict against `[criteria] min_gbps`: `pass`, `fail`, or none without one.
pub fn verdict(pass: Option<bool>) -> Option<&'static str> {
    pass.map(|p| if p { "pass" } else { "fail" })
}

/// How one test went.
#[derive(Debug)]
pub enum TestOutcome {
    Measured {
        sent_gbps: f64,
        received_gbps: f64,
        retransmits: Option<u64>,
        /// Against `[criteria] min_gbps` (received); None without a criterion.
        pass: Option<bool>,
    },
    Failed(TrafficError),
    /// Ctrl-C ended it: nothing measured is kept.
    Interrupted,
}

#[derive(Debug)]
pub struct TestResult {
    pub test: TrafficTest,
    pub started: SystemTime,
    pub ended: SystemTime,
    pub outcome: TestOutcome,
}

impl TestResult {
    /// run.json's entry.
    pub fn to_json(&self) -> serde_json::Value {
        let stamp = |t: SystemTime| jiff::Timestamp::try_from(t).map(|t| t.to_string()).ok();
        let mut v = serde_json::json!({
            "test": self.test.name, "from": self.test.from.name, "to": self.test.to.name,
            "engine": "iperf3", "streams": self.test.streams,
            "duration_s": self.test.duration.as_secs_f64(),
            "started": stamp(self.started), "ended": stamp(self.ended),
        });
        match &self.outcome {
            TestOutcome::Measured {
                sent_gbps,
                received_gbps,
                retransmits,
                pass,
            } => {
                v["outcome"] = "measured".into();
                v["sent_gbps"] = (*sent_gbps).into();
                v["received_gbps"] = (*received_gbps).into();
                v["retransmits"] = (*retransmits).into();
                v["verdict"] = verdict(*pass).into();
            }
            TestOutcome::Failed(e) => {
                v["outcome"] = "failed".into();
                v["error"] = e.to_string().into();
            }
            TestOutcome::Interrupted => v["outcome"] = "interrupted".into(),
        }
        v
    }
}

/// What the caller hears while the tests run.
pub trait TrafficProgress: Sync {
    fn test_started(&self, test: &TrafficTest);
    fn test_ended(&self, result: &TestResult);
}

/// Run `tests` one after another into `folder` until done, or until `stop` is set (Ctrl-C:
/// the test under way is ended and recorded as interrupted, the rest are not started).
pub async fn run_tests(
    tests: &[TrafficTest],
    min_gbps: Option<f64>,
    folder: &RunFolder,
    mut stop: End,
    progress: &dyn TrafficProgress,
) -> Result<Vec<TestResult>, TrafficError> {
    let mut csv = csv::Writer::from_path(folder.path.join("throughput.csv"))?;
    csv.write_record(CSV_HEADER)?;
    csv.flush().map_err(csv::Error::from)?;
    let mut results = Vec::new();
    for test in tests {
        if stop.borrow().is_some() {
            break;
        }
        progress.test_started(test);
        folder.traffic_started(&test.name);
        let started = SystemTime::now();
        let measured = tokio::select! {
            m = iperf3::measure(test) => Some(m),
            _ = stop.wait_for(|end| end.is_some()) => None,
        };
        folder.traffic_ended(&test.name);
        let outcome = match measured {
            Some(Ok(m)) => {
                let received_gbps = m.received.bits_per_second / 1e9;
                let pass = min_gbps.map(|min| received_gbps >= min);
                write_rows(&mut csv, test, &m, verdict(pass).unwrap_or_default())?;
                TestOutcome::Measured {
                    sent_gbps: m.sent.bits_per_second / 1e9,
                    received_gbps,
                    retransmits: m.sent.retransmits,
                    pass,
                }
            }
            Some(Err(e)) => TestOutcome::Failed(e),
            None => TestOutcome::Interrupted,
        };
        let result = TestResult {
            test: test.clone(),
            started,
            ended: SystemTime::now(),
            outcome,
        };
        progress.test_ended(&result);
        results.push(result);
    }
    Ok(results)
}

const CSV_HEADER: [&str; 11] = [
    "time",
    "test",
    "from",
    "to",
    "row",
    "start_s",
    "end_s",
    "bytes",
    "gbit_s",
    "retransmits",
    "verdict",
];

fn write_rows(
    csv: &mut csv::Writer<std::fs::File>,
    test: &TrafficTest,
    m: &iperf3::Measurement,
    verdict: &str,
) -> Result<(), TrafficError> {
    let rows = m
        .intervals
        .iter()
        .map(|i| ("interval", i, ""))
        .chain([("sent", &m.sent, "")]);
    for (kind, i, verdict) in rows.chain([("received", &m.received, verdict)]) {
        let at = m.started + Duration::from_secs_f64(i.end_s.max(0.0));
        let time = jiff::Timestamp::try_from(at)
            .map(|t| format!("{t:.3}"))
            .unwrap_or_default();
        csv.write_record([
            time,
            test.name.clone(),
            test.from.name.clone(),
            test.to.name.clone(),
            kind.to_string(),
            format!("{:.3}", i.start_s),
            format!("{:.3}", i.end_s),
            i.bytes.to_string(),
            format!("{:.3}", i.bits_per_second / 1e9),
            i.retransmits.map(|r| r.to_string()).unwrap_or_default(),
            verdict.to_string(),
        ])?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn window_sizes_are_what_iperf3_takes() {
        for ok in ["4M", "512K", "65536", "1G", "256k"] {
            assert!(super::is_size(ok), "{ok}");
        }
        for bad in ["", "M", "4MB", "4 M", "-1", "4.5M"] {
            assert!(!super::is_size(bad), "{bad}");
        }
    }
}
