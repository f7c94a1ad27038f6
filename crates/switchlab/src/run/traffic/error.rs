//! Why a throughput test could not be prepared or run, each naming the test, endpoint or
//! place and what was said there.

use std::time::Duration;

use super::builtin;

#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error(transparent)]
    Benchmark(Box<super::bench_error::BenchError>),
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
