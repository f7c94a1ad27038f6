//! The traffic phase of `run`: the manifest's `[[throughput]]` tests (and after them its
//! `[[benchmark]]`s, [`crate::run::bench`]), each measured once
//! per device under test that cables both endpoints (between the addresses of the NICs
//! cabled to that device), one after another (two at once would share the links and
//! measure each other), while the flap watch goes on. The run folder records when each
//! test ran, so `flaps.csv` says which test a flap fell in.
//!
//! throughput.csv's rows are [`crate::record::rows::ThroughputRow`].
//!
//! Engines ([`engine`]): iperf3 and the built-in one, on this machine, in a network
//! namespace or on an endpoint over SSH ([`place`]).
//!
//! Layout: this file (tests and results), `plan` (which measurements), `run` (running
//! them), `preflight`, `engine` (the seam), `iperf3`, `builtin`, `udp`, `error`.

pub(crate) mod bench_error;
pub(crate) mod bench_plan;
pub(crate) mod bench_result;
pub mod builtin;
pub(crate) mod engine;
mod error;
pub mod frames;
pub(crate) mod iperf3;
mod iperf3_text;
pub mod lab_drops;
pub mod lab_drops_shared;
pub(crate) mod measure;
pub(crate) mod place;
pub(crate) mod plan;
pub(crate) mod preflight;
mod run;
pub(crate) mod udp;

pub(crate) use engine::EngineChoice;
pub(crate) use error::TrafficError;
pub use lab_drops::LabDropsHandle;
pub use plan::plan;
pub(crate) use run::run_tests;

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::format::lab::Lab;
use crate::format::manifest::{Engine, Manifest};
use crate::states::{Judged, TestState};
use bench_plan::BenchPlan;

/// One end of a test: the lab's endpoint name, the address traffic goes to or from, and
/// the switch port its NIC is cabled to (when the test crosses a device).
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub address: String,
    pub(crate) port: Option<String>,
    /// The switch port's speed as the lab gives it (Mbit/s), where it does.
    pub(crate) lab_speed_mbps: Option<u64>,
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
    pub(crate) window: Option<String>,
    pub engine: Engine,
    /// A UDP test at this target rate (bits per second); None = TCP.
    pub(crate) udp_rate_bps: Option<u64>,
}

impl TrafficTest {
    /// The device it crosses and its ports there, for flap attribution.
    pub(crate) fn path(&self) -> Option<(&str, Vec<String>)> {
        let ports = [&self.from.port, &self.to.port]
            .into_iter()
            .flatten()
            .cloned();
        Some((self.device.as_deref()?, ports.collect()))
    }
}

/// Throughput tests ready to run: checked against what is built, their engines found.
#[derive(Debug, Clone)]
pub struct Traffic {
    pub tests: Vec<TrafficTest>,
    /// The RFC 2544 benchmarks, run after the tests.
    pub benchmarks: Vec<BenchPlan>,
    /// The lab's endpoints (where each engine runs: this machine, or over SSH).
    pub(crate) endpoints: Vec<crate::format::lab::Endpoint>,
    /// How to reach endpoints over SSH (host keys, timeouts).
    pub(crate) connect: crate::transport::ConnectOptions,
    /// `iperf3 --version`'s first line, for run.json, when a test uses it.
    pub(crate) iperf3: Option<String>,
    /// Tests that asked for no engine use this one (iperf3 where installed).
    pub default_engine: EngineChoice,
    /// A virtual lab in this process counts its switches' drops itself (the demo).
    pub lab_drops: Option<LabDropsHandle>,
}

impl Traffic {
    fn endpoint(&self, name: &str) -> Option<&crate::format::lab::Endpoint> {
        self.endpoints.iter().find(|e| e.name.get_ref() == name)
    }

    /// Where endpoint `name`'s engine runs: this machine, or a new SSH session to it.
    pub(crate) async fn place(&self, name: &str) -> Result<place::Place, TrafficError> {
        match self.endpoint(name) {
            Some(e) => place::Place::open(e, &self.connect).await,
            None => Ok(place::Place::Local),
        }
    }

    /// The switchlab binary at endpoint `name`: this very program here; over SSH, its
    /// `switchlab` key (default: `switchlab` on its PATH).
    pub(crate) fn switchlab_at(&self, name: &str) -> String {
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
        let benchmarks =
            bench_plan::plan(m, lab, manifest).map_err(|e| TrafficError::Benchmark(Box::new(e)))?;
        if tests.is_empty() && benchmarks.is_empty() {
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
            benchmarks,
            iperf3,
            default_engine,
            lab_drops: None,
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
    pub(crate) fn to_record(&self) -> crate::record::run::TestRecord {
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
    /// An RFC 2544 benchmark through one device begins.
    fn benchmark_started(&self, _plan: &BenchPlan) {}
    /// One trial begins: at `fps` (None: flat out), `frames` of them or for `duration`.
    fn trial_started(
        &self,
        _plan: &BenchPlan,
        _label: &str,
        _fps: Option<f64>,
        _frames: Option<u64>,
        _duration: Duration,
    ) {
    }
    fn trial_ended(&self, _plan: &BenchPlan, _label: &str, _report: &frames::TrialReport) {}
    /// A row of rfc2544.csv was found.
    fn benchmark_row(&self, _plan: &BenchPlan, _row: &crate::record::rfc2544::Rfc2544Row) {}
    fn benchmark_ended(&self, _result: &bench_result::BenchResult) {}
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
