//! Why a benchmark could not be planned or measured, naming the benchmark, the device it
//! crossed and, for a trial, its frame size and test.

use std::time::Duration;

use super::TrafficError;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(
        "{manifest}: benchmark '{benchmark}': no device under test cables both '{from}' and '{to}'{through}; cable a port of one to each (`peer = {{ endpoint = … }}` in the lab)"
    )]
    NoPath {
        manifest: String,
        benchmark: String,
        from: String,
        to: String,
        through: String,
    },
    #[error(
        "{manifest}: benchmark '{benchmark}' through {device}: an end is on {address}, so its frames would not leave the host and the switch would not be measured; give each endpoint the address of its NIC cabled to the switch"
    )]
    OneHost {
        manifest: String,
        benchmark: String,
        device: String,
        address: String,
    },
    #[error(
        "benchmark '{benchmark}' through {device}: the speed of port {port} is not known (the switch did not show one): give the lab's `speed` for it"
    )]
    NoSpeed {
        benchmark: String,
        device: String,
        port: String,
    },
    #[error("benchmark '{benchmark}' through {device}: {error}")]
    Place {
        benchmark: String,
        device: String,
        error: TrafficError,
    },
    #[error(
        "benchmark '{benchmark}' through {device}: the frame sink on {place} did not say where it listens within {}{said}",
        humantime::format_duration(*.waited)
    )]
    SinkNotReady {
        benchmark: String,
        device: String,
        place: String,
        waited: Duration,
        said: String,
    },
    #[error(
        "benchmark '{benchmark}' through {device}, {frame_size} B {test}: {place}: `{command}`: {said}"
    )]
    Trial {
        benchmark: String,
        device: String,
        frame_size: u32,
        test: &'static str,
        place: String,
        command: String,
        said: String,
    },
    #[error("rfc2544.csv cannot be written: {0}")]
    Csv(#[from] std::io::Error),
}
