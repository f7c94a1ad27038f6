//! One throughput test with iperf3 on this machine: a one-off server bound to the receiving
//! endpoint's address, then a client bound to the sending one's, its JSON report read at
//! the end. Both run in their own process group, so a Ctrl-C at the terminal reaches
//! switchlab alone, which ends them (they are killed when dropped).

use std::process::Stdio;
use std::time::{Duration, SystemTime};

use tokio::process::Command;

use super::engine::OnInterval;
use super::iperf3_text::{self, Line};
use super::measure::{Interval, Measurement};
use super::place::{Place, Process};
use super::{TrafficError, TrafficTest};

/// How long the server may take to say it listens.
const SERVER_READY: Duration = Duration::from_secs(10);
/// Beyond the test's own length: connecting, the last interval, the report.
const CLIENT_GRACE: Duration = Duration::from_secs(30);
/// iperf3's own limit on reaching the server, in ms.
const CONNECT_TIMEOUT_MS: &str = "5000";

/// `iperf3 --version`'s first line, or why iperf3 cannot be run.
pub(crate) async fn version() -> Result<String, TrafficError> {
    if crate::tools::absent("iperf3") {
        return Err(TrafficError::Iperf3Missing {
            error: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let out = Command::new("iperf3")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|error| TrafficError::Iperf3Missing { error })?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("iperf3").trim().to_string())
}

/// Run `test` to its end and read the client's report: the server on `to`, the client on
/// `from` (this machine or over SSH).
pub(crate) async fn measure(
    test: &TrafficTest,
    from: &Place,
    to: &Place,
    on_interval: OnInterval<'_>,
) -> Result<Measurement, TrafficError> {
    let (mut server, port) = started_server(test, to).await?;
    let argv = client_argv(test, port);
    let started = SystemTime::now();
    let mut client = from.start(&argv).await?;
    let limit = test.duration + CLIENT_GRACE;
    let mut read = Read::new(started);
    let reading = read.lines(&mut client, test, on_interval);
    let ended = tokio::time::timeout(limit, reading).await;
    // The one-off server ends by itself after the test; end it anyway if it lingers.
    server.stop().await;
    if ended.is_err() {
        client.stop().await;
        return Err(TrafficError::Timeout {
            test: test.name.clone(),
            waited: limit,
        });
    }
    let status = client
        .finish(Duration::from_secs(5))
        .await
        .map(|o| o.status);
    if status == Ok(Some(127)) {
        return Err(TrafficError::Remote {
            place: from.describe(),
            command: argv.join(" "),
            said: "`iperf3` is not installed there (or not on its PATH)".into(),
        });
    }
    read.into_measurement(test)
}

/// A server on `to` at a port free a moment before it binds it (here), or a likely one
/// (there); if something took it in between, another.
async fn started_server(test: &TrafficTest, to: &Place) -> Result<(Process, u16), TrafficError> {
    let mut tries = 0;
    loop {
        let port = match to {
            Place::Local => free_port(&test.to.address).map_err(|error| TrafficError::Address {
                endpoint: test.to.name.clone(),
                address: test.to.address.clone(),
                error,
            })?,
            Place::Ssh { .. } | Place::Netns { .. } => 20_000 + (rand::random::<u16>() % 40_000),
        };
        match server(test, to, port).await {
            Ok(s) => return Ok((s, port)),
            Err(TrafficError::Remote { said, .. }) if said.contains("in use") && tries < 2 => {
                tries += 1
            }
            Err(e) => return Err(e),
        }
    }
}

/// The client's command line for `test`, to the server's `port`.
fn client_argv(test: &TrafficTest, port: u16) -> Vec<String> {
    let mut argv: Vec<String> = ["iperf3", "-c", &test.to.address, "-p", &port.to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    argv.extend(["-B".into(), test.from.address.clone()]);
    argv.extend(["-t".into(), whole_seconds(test.duration).to_string()]);
    argv.extend(["-P".into(), test.streams.to_string()]);
    // Text with --forceflush, not -J: each second's line arrives as it ends (3.12 has no
    // --json-stream), so a crash mid-test keeps what was measured.
    argv.extend([
        "--connect-timeout".into(),
        CONNECT_TIMEOUT_MS.into(),
        "--forceflush".into(),
    ]);
    if let Some(w) = &test.window {
        argv.extend(["-w".into(), w.clone()]);
    }
    if let Some(rate) = test.udp_rate_bps {
        argv.extend(["-u".into(), "-b".into(), rate.to_string()]);
    }
    argv
}

/// What the client's lines said so far.
struct Read {
    m: Measurement,
    sent: bool,
    received: bool,
    said: String,
}

impl Read {
    fn new(started: SystemTime) -> Read {
        Read {
            m: Measurement {
                started,
                intervals: Vec::new(),
                sent: Interval::default(),
                received: Interval::default(),
                udp: None,
            },
            sent: false,
            received: false,
            said: String::new(),
        }
    }

    /// Every line of the client until it ends, each second told to `on_interval`.
    async fn lines(
        &mut self,
        client: &mut Process,
        test: &TrafficTest,
        on_interval: OnInterval<'_>,
    ) {
        let (udp, streams, started) = (test.udp_rate_bps.is_some(), test.streams, self.m.started);
        while let Some(line) = client.next_line().await {
            match iperf3_text::read(&line, streams, udp) {
                Some(Line::Interval(i)) => {
                    on_interval(started + Duration::from_secs_f64(i.end_s.max(0.0)), &i);
                    self.m.intervals.push(i);
                }
                Some(Line::Sent(i)) => (self.m.sent, self.sent) = (i, true),
                Some(Line::Received(i, u)) => {
                    (self.m.received, self.m.udp, self.received) = (i, u, true)
                }
                Some(Line::Error(e)) => self.said = e,
                None => {}
            }
        }
    }

    /// The measurement, when both totals came; else what iperf3 said, or that it did not.
    fn into_measurement(self, test: &TrafficTest) -> Result<Measurement, TrafficError> {
        match (self.sent && self.received, self.said.is_empty()) {
            (true, _) => Ok(self.m),
            (false, false) => Err(TrafficError::Iperf3 {
                test: test.name.clone(),
                said: self.said,
            }),
            (false, true) => Err(TrafficError::Report {
                test: test.name.clone(),
                why: "it ended without its sender and receiver totals".into(),
            }),
        }
    }
}

/// A one-off server on `to`, once it says it listens.
async fn server(test: &TrafficTest, to: &Place, port: u16) -> Result<Process, TrafficError> {
    let argv: Vec<String> = [
        "iperf3",
        "-s",
        "-1",
        "--forceflush",
        "-B",
        &test.to.address,
        "-p",
        &port.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut child = to.start(&argv).await?;
    let address = format!("{}:{port}", test.to.address);
    let mut seen = String::new();
    let ready = tokio::time::timeout(SERVER_READY, async {
        while let Some(l) = child.next_line().await {
            if l.contains("Server listening on") {
                return true;
            }
            seen.push_str(&l);
            seen.push('\n');
        }
        false
    })
    .await;
    match ready {
        Ok(true) => Ok(child),
        Ok(false) if seen.contains("not found") || seen.contains("No such file") => {
            Err(TrafficError::Remote {
                place: to.describe(),
                command: argv.join(" "),
                said: "`iperf3` is not installed there (or not on its PATH)".into(),
            })
        }
        // A port taken, an address not on the host: what iperf3 said, with where and how.
        Ok(false) => Err(TrafficError::Remote {
            place: to.describe(),
            command: argv.join(" "),
            said: last_words(&seen),
        }),
        Err(_) => Err(TrafficError::ServerNotReady {
            endpoint: test.to.name.clone(),
            address,
            waited: SERVER_READY,
        }),
    }
}

/// A TCP port free on `address` now (the server binds it a moment later).
fn free_port(address: &str) -> std::io::Result<u16> {
    let ip: std::net::IpAddr = address
        .parse()
        .map_err(|_| std::io::Error::other("not an IP address"))?;
    Ok(std::net::TcpListener::bind((ip, 0))?.local_addr()?.port())
}

/// iperf3 takes whole seconds; a test never runs shorter than asked.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn last_words(text: &str) -> String {
    let words: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("---"))
        .collect();
    if words.is_empty() {
        "it ended without saying why".into()
    } else {
        words.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_second_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(2500)), 3);
        assert_eq!(whole_seconds(Duration::from_secs(10)), 10);
    }
}
