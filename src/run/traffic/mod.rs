//! The traffic phase of `run`: the manifest's `[[throughput]]` tests, each measured once
//! per device under test that cables both endpoints (between the addresses of the NICs
//! cabled to that device), one after another (two at once would share the links and
//! measure each other), while the flap watch goes on. The run folder records when each
//! test ran, so `flaps.csv` says which test a flap fell in.
//!
//! throughput.csv's rows are [`crate::record::rows::ThroughputRow`].
//!
//! Engines ([`engine`]): iperf3 and the built-in one, on this machine. Not built yet:
//! engines started on an endpoint over SSH (refused before anything is pushed).

pub mod builtin;
pub mod engine;
pub mod iperf3;
mod iperf3_text;
pub mod measure;
pub mod place;
mod plan;
pub mod preflight;
pub mod udp;

pub use engine::EngineChoice;
pub use plan::plan;

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::format::lab::Lab;
use crate::format::manifest::{Engine, Manifest};
use crate::record::rows::ThroughputRow;
use crate::states::{Judged, TestState, ThroughputKind};
use crate::watch::{End, RunFolder};
use measure::Interval;

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
    #[error("throughput test '{test}': the built-in engine: {error}")]
    Builtin {
        test: String,
        error: builtin::BuiltinError,
    },
    #[error(
        "{manifest}: throughput test '{test}': no device under test cables both '{from}' and '{to}'{through}; cable a port of one to each (`peer = {{ endpoint = … }}` in the lab)"
    )]
    NoPath {
        manifest: String,
        test: String,
        from: String,
        to: String,
        through: String,
    },
    #[error("endpoint '{endpoint}': {error}")]
    Ssh {
        endpoint: String,
        error: crate::transport::TransportError,
    },
    #[error("{place}: `{command}` could not start: {said}")]
    Start {
        place: String,
        command: String,
        said: String,
    },
    #[error("{place}: `{command}` failed: {said}")]
    Remote {
        place: String,
        command: String,
        said: String,
    },
    #[error("throughput.csv cannot be written: {0}")]
    Csv(#[from] std::io::Error),
}

/// One end of a test: the lab's endpoint name, the address traffic goes to or from, and
/// the switch port its NIC is cabled to (when the test crosses a device).
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub address: String,
    pub port: Option<String>,
    /// The switch port's speed as the lab gives it (Mbit/s), where it does.
    pub lab_speed_mbps: Option<u64>,
}

/// A `[[throughput]]` test through one device, checked against the lab and ready to run.
#[derive(Debug, Clone)]
pub struct TrafficTest {
    pub name: String,
    /// The device under test the traffic crosses (None: no cabling says).
    pub device: Option<String>,
    pub from: Host,
    pub to: Host,
    pub duration: Duration,
    pub streams: u32,
    pub window: Option<String>,
    pub engine: Engine,
    /// A UDP test at this target rate (bits per second); None = TCP.
    pub udp_rate_bps: Option<u64>,
}

/// Throughput tests ready to run: checked against what is built, their engines found.
#[derive(Debug, Clone)]
pub struct Traffic {
    pub tests: Vec<TrafficTest>,
    /// The lab's endpoints (where each engine runs: this machine, or over SSH).
    pub endpoints: Vec<crate::format::lab::Endpoint>,
    /// How to reach endpoints over SSH (host keys, timeouts).
    pub connect: crate::transport::ConnectOptions,
    /// `iperf3 --version`'s first line, for run.json, when a test uses it.
    pub iperf3: Option<String>,
    /// Tests that asked for no engine use this one (iperf3 where installed).
    pub default_engine: EngineChoice,
}

impl Traffic {
    fn endpoint(&self, name: &str) -> Option<&crate::format::lab::Endpoint> {
        self.endpoints.iter().find(|e| e.name.get_ref() == name)
    }

    /// Where endpoint `name`'s engine runs: this machine, or a new SSH session to it.
    pub async fn place(&self, name: &str) -> Result<place::Place, TrafficError> {
        match self.endpoint(name) {
            Some(e) => place::Place::open(e, &self.connect).await,
            None => Ok(place::Place::Local),
        }
    }

    /// The switchlab binary at endpoint `name`: this very program here; over SSH, its
    /// `switchlab` key (default: `switchlab` on its PATH).
    pub fn switchlab_at(&self, name: &str) -> String {
        match self.endpoint(name) {
            Some(e) if e.ssh.is_some() => e.switchlab.clone().unwrap_or_else(|| "switchlab".into()),
            _ => std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "switchlab".into()),
        }
    }

    /// The manifest's tests, ready to run; None when it has none.
    pub async fn prepare(
        m: &Manifest,
        lab: &Lab,
        manifest: &Path,
        connect: &crate::transport::ConnectOptions,
    ) -> Result<Option<Traffic>, TrafficError> {
        let default_engine = EngineChoice::default_here().await;
        let tests = plan(m, lab, manifest, default_engine.engine)?;
        if tests.is_empty() {
            return Ok(None);
        }
        // iperf3 must be here for tests that run it here (an endpoint over SSH has its own).
        let local = |h: &Host| {
            lab.endpoints
                .iter()
                .any(|e| e.name.get_ref() == &h.name && e.ssh.is_none())
        };
        let here = |t: &TrafficTest| t.engine == Engine::Iperf3 && (local(&t.from) || local(&t.to));
        let iperf3 = match tests.iter().any(here) {
            true => Some(iperf3::version().await?),
            false => None,
        };
        Ok(Some(Traffic {
            endpoints: lab.endpoints.clone(),
            connect: connect.clone(),
            tests,
            iperf3,
            default_engine,
        }))
    }
}

/// "4M", "512K", "65536": what iperf3's `-w` takes, in bytes (its units are binary).
pub(crate) fn window_bytes(w: &str) -> Option<u64> {
    let (digits, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
    let n: u64 = digits.parse().ok()?;
    let k = match unit {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(k)
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
        /// A UDP test: loss and jitter as the receiver counted them.
        udp: Option<udp::UdpStats>,
        /// The slowest whole second (a flap under load shows here first).
        min_interval_gbps: Option<f64>,
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
    pub fn to_record(&self) -> crate::record::run::TestRecord {
        let stamp = |t: SystemTime| jiff::Timestamp::try_from(t).map(|t| t.to_string()).ok();
        let mut r = crate::record::run::TestRecord {
            test: self.test.name.clone(),
            device: self.test.device.clone(),
            from: self.test.from.name.clone(),
            from_port: self.test.from.port.clone(),
            from_address: self.test.from.address.clone(),
            to: self.test.to.name.clone(),
            to_port: self.test.to.port.clone(),
            to_address: self.test.to.address.clone(),
            engine: self.test.engine,
            streams: self.test.streams,
            duration_s: self.test.duration.as_secs_f64(),
            started: stamp(self.started),
            ended: stamp(self.ended),
            ..Default::default()
        };
        match &self.outcome {
            TestOutcome::Measured {
                sent_gbps,
                received_gbps,
                retransmits,
                pass,
                udp,
                min_interval_gbps,
            } => {
                r.outcome = TestState::Measured;
                r.min_interval_gbps = *min_interval_gbps;
                if let Some(u) = udp {
                    r.protocol = Some(crate::format::manifest::Protocol::Udp);
                    r.lost_percent = Some(u.lost_percent);
                    r.lost_packets = Some(u.lost_packets);
                    r.packets = Some(u.packets);
                    r.jitter_ms = Some(u.jitter_ms);
                }
                r.sent_gbps = Some(*sent_gbps);
                r.received_gbps = Some(*received_gbps);
                r.retransmits = *retransmits;
                r.verdict = pass.map(Judged::of);
            }
            TestOutcome::Failed(e) => {
                r.outcome = TestState::Failed;
                r.error = Some(e.to_string());
            }
            TestOutcome::Interrupted => r.outcome = TestState::Interrupted,
        }
        r
    }
}

/// What the caller hears while the tests run.
pub trait TrafficProgress: Sync {
    /// The endpoints were read before the first test: what would cap a measurement.
    fn preflight(&self, warnings: &[String]);
    fn test_started(&self, test: &TrafficTest);
    /// A second of the test under way ended (`at_s` into it) at this Gbit/s.
    fn test_second(&self, _test: &TrafficTest, _at_s: f64, _gbit_s: f64) {}
    fn test_ended(&self, result: &TestResult);
}

/// Run `tests` one after another into `folder` until done, or until `stop` is set (Ctrl-C:
/// the test under way is ended and recorded as interrupted, the rest are not started).
pub async fn run_tests(
    traffic: &Traffic,
    min_gbps: Option<f64>,
    speeds: &crate::watch::PortSpeeds,
    folder: &RunFolder,
    mut stop: End,
    progress: &dyn TrafficProgress,
) -> Result<(preflight::Preflight, Vec<TestResult>), TrafficError> {
    let checked = preflight::run(traffic, speeds).await?;
    progress.preflight(&checked.warnings);
    folder.start_throughput()?;
    let mut results = Vec::new();
    for test in &traffic.tests {
        if stop.borrow().is_some() {
            break;
        }
        progress.test_started(test);
        folder.traffic_started(&test.name);
        let started = SystemTime::now();
        // Each interval goes to disk as the engine reports it: a crash keeps what was measured.
        let lost_row = std::sync::Mutex::new(None::<std::io::Error>);
        let on_interval = |at: SystemTime, i: &Interval| {
            // A row that cannot be written loses that second, said once as the test's
            // error below; the measurement goes on.
            if let Err(e) = folder.throughput(&row(test, ThroughputKind::Interval, at, i, None)) {
                crate::locks::lock(&lost_row).get_or_insert(e);
            }
            progress.test_second(test, i.end_s, i.bits_per_second / 1e9);
        };
        let measured = tokio::select! {
            m = engine::measure(traffic, test, &on_interval) => Some(m),
            _ = stop.wait_for(|end| end.is_some()) => None,
        };
        folder.traffic_ended(&test.name);
        // A second that could not be written makes throughput.csv not what was measured.
        let lost_row = lost_row.into_inner().unwrap_or_else(|e| e.into_inner());
        let measured = match (measured, lost_row) {
            (Some(Ok(_)), Some(e)) => Some(Err(TrafficError::Csv(e))),
            (m, _) => m,
        };
        let outcome = match measured {
            Some(Ok(m)) => {
                let received_gbps = m.received.bits_per_second / 1e9;
                let pass = min_gbps.map(|min| received_gbps >= min);
                let end = |i: &Interval| m.started + Duration::from_secs_f64(i.end_s.max(0.0));
                folder.throughput(&row(
                    test,
                    ThroughputKind::Sent,
                    end(&m.sent),
                    &m.sent,
                    None,
                ))?;
                let v = pass.map(Judged::of);
                let mut received = row(
                    test,
                    ThroughputKind::Received,
                    end(&m.received),
                    &m.received,
                    v,
                );
                if let Some(u) = &m.udp {
                    received.lost_percent = Some(crate::record::milli(u.lost_percent));
                    received.jitter_ms = Some(crate::record::milli(u.jitter_ms));
                }
                folder.throughput(&received)?;
                TestOutcome::Measured {
                    sent_gbps: m.sent.bits_per_second / 1e9,
                    received_gbps,
                    retransmits: m.sent.retransmits,
                    pass,
                    udp: m.udp.clone(),
                    min_interval_gbps: m
                        .intervals
                        .iter()
                        .filter(|i| i.end_s - i.start_s >= 0.99)
                        .map(|i| i.bits_per_second / 1e9)
                        .reduce(f64::min),
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
    Ok((checked, results))
}

/// One throughput.csv row: `kind` is `interval`, `sent` or `received`, `at` its end.
fn row(
    test: &TrafficTest,
    kind: ThroughputKind,
    at: SystemTime,
    i: &Interval,
    verdict: Option<Judged>,
) -> ThroughputRow {
    use crate::record::milli;
    ThroughputRow {
        time: crate::record::stamp(at),
        test: test.name.clone(),
        device: test.device.clone().unwrap_or_default(),
        from: test.from.name.clone(),
        from_port: test.from.port.clone().unwrap_or_default(),
        to: test.to.name.clone(),
        to_port: test.to.port.clone().unwrap_or_default(),
        row: kind,
        start_s: milli(i.start_s),
        end_s: milli(i.end_s),
        bytes: i.bytes,
        gbit_s: milli(i.bits_per_second / 1e9),
        retransmits: i.retransmits,
        verdict,
        lost_percent: None,
        jitter_ms: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn window_sizes_are_what_iperf3_takes() {
        for ok in ["4M", "512K", "65536", "1G", "256k"] {
            assert!(super::window_bytes(ok).is_some(), "{ok}");
        }
        for bad in ["", "M", "4MB", "4 M", "-1", "4.5M"] {
            assert!(super::window_bytes(bad).is_none(), "{bad}");
        }
    }
}
