//! The built-in traffic engine: TCP streams between two addresses, with nothing to
//! install. A server (`switchlab traffic serve`, or one started in-process for a local
//! endpoint) answers tests one after another on a control connection: a test asks for N
//! streams, a duration and a direction; the server names a fresh data port; the client opens
//! the streams; the sender writes a fixed buffer as fast as the kernel takes it, the
//! receiver counts what arrives; at the end the server reports its side as one JSON line.
//!
//! Each stream is a blocking socket on a thread of its own: on loopback that keeps up with
//! iperf3 (measured by `benches/traffic.sh`), which an async task per stream did not need
//! to beat. Intervals are the sender's bytes per second; retransmits come from the kernel's
//! TCP_INFO on the sending sockets.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::measure::{Interval, Measurement};
use super::udp::{self, UdpStats};

mod server;
mod streams;

pub use server::{Served, serve, serve_until};
use streams::{bits_per_second, run_receivers, run_senders};

/// Bytes per write: what iperf3 uses for TCP.
const BLOCK: usize = 128 * 1024;
/// How long a peer may take to connect or answer beyond the test's own length.
const GRACE: Duration = Duration::from_secs(10);

/// A test as the client asks it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub streams: u32,
    pub duration_ms: u64,
    /// The server sends, the client receives.
    pub reverse: bool,
    /// UDP at this target rate (bits per second) instead of TCP.
    #[serde(default)]
    pub udp_rate_bps: Option<u64>,
}

/// The server's answer to a request: where to open the streams.
#[derive(Debug, Serialize, Deserialize)]
struct Accepted {
    data_port: u16,
}

/// One side's count of a test: bytes per second slot and in all, over how long.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SideReport {
    pub(crate) bytes: u64,
    pub(crate) seconds: f64,
    pub(crate) per_second: Vec<u64>,
    pub(crate) retransmits: Option<u64>,
    /// A UDP test's receiver: datagrams lost, jitter.
    #[serde(default)]
    pub(crate) udp: Option<UdpStats>,
}

/// `switchlab traffic send --json`: what iperf3's report gives a run, as one document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendReport {
    pub(crate) intervals: Vec<Interval>,
    pub(crate) sent_bytes: u64,
    pub(crate) received_bytes: u64,
    pub seconds: f64,
    pub sent_bits_per_second: f64,
    pub received_bits_per_second: f64,
    pub retransmits: Option<u64>,
    pub streams: u32,
    pub(crate) reverse: bool,
    /// A UDP test: datagrams lost (%) and jitter, as the receiver counted them.
    #[serde(default)]
    pub udp: Option<UdpStats>,
}

/// Why a built-in test could not run.
#[derive(Debug, thiserror::Error)]
pub enum BuiltinError {
    #[error("{what} {addr}: {error}")]
    Io {
        what: &'static str,
        addr: String,
        error: std::io::Error,
    },
    #[error("the traffic server at {addr} answered {said:?}: {why}")]
    Protocol {
        addr: String,
        said: String,
        why: String,
    },
}

pub(super) fn io(
    what: &'static str,
    addr: impl ToString,
) -> impl FnOnce(std::io::Error) -> BuiltinError {
    let addr = addr.to_string();
    move |error| BuiltinError::Io { what, addr, error }
}

/// Run one test against the server at `server`, the client's sockets bound to `from` (if
/// given); `tick` hears each sender-side interval as it ends (client-side sending only).
pub fn send(
    server: SocketAddr,
    from: Option<IpAddr>,
    req: &Request,
    stop: &AtomicBool,
    mut tick: impl FnMut(&Interval),
) -> Result<Measurement, BuiltinError> {
    let started = SystemTime::now();
    let (mut reader, accepted) = request(server, from, req)?;
    let duration = Duration::from_millis(req.duration_ms);
    if let Some(rate) = req.udp_rate_bps {
        let to = SocketAddr::new(server.ip(), accepted.data_port);
        let (intervals, bytes, seconds) = datagrams(from, to, rate, duration, stop, &mut tick)?;
        let theirs: SideReport = read_line(&mut reader, server)?;
        return Ok(Measurement {
            started,
            intervals,
            sent: whole(bytes, seconds, None),
            received: whole(theirs.bytes, seconds, None),
            udp: theirs.udp,
        });
    }
    let streams = (0..req.streams.max(1))
        .map(|_| connect_to(server, from, accepted.data_port))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ticks = Vec::new();
    let mine = if req.reverse {
        run_receivers(streams, duration)
    } else {
        run_senders(streams, duration, stop, |i| {
            ticks.push(i.clone());
            tick(i)
        })
    };
    let theirs: SideReport = read_line(&mut reader, server)?;
    let (sent, received) = if req.reverse {
        (theirs, mine)
    } else {
        (mine, theirs)
    };
    // Sending here: the intervals as they were told (with their retransmits); receiving,
    // the server's per-second counts.
    let intervals = match ticks.is_empty() {
        false => ticks,
        true => per_second(&sent, duration),
    };
    Ok(Measurement {
        started,
        intervals,
        sent: whole(sent.bytes, sent.seconds, sent.retransmits),
        received: whole(received.bytes, received.seconds, None),
        udp: None,
    })
}

/// The test asked of the server on a control connection: the connection, to read its
/// report from at the end, and where it takes the data.
fn request(
    server: SocketAddr,
    from: Option<IpAddr>,
    req: &Request,
) -> Result<(BufReader<TcpStream>, Accepted), BuiltinError> {
    let control = connect_to(server, from, server.port())?;
    control
        .set_read_timeout(Some(Duration::from_millis(req.duration_ms) + GRACE))
        .map_err(io("reading from", server))?;
    let mut out = control.try_clone().map_err(io("talking to", server))?;
    send_line(&mut out, req, &server.to_string())?;
    let mut reader = BufReader::new(control);
    let accepted: Accepted = read_line(&mut reader, server)?;
    Ok((reader, accepted))
}

/// A TCP connection to the server's `port`, from `from` where it is of the same family.
fn connect_to(
    server: SocketAddr,
    from: Option<IpAddr>,
    port: u16,
) -> Result<TcpStream, BuiltinError> {
    let to = SocketAddr::new(server.ip(), port);
    let sock = match from {
        Some(ip) if ip.is_ipv4() == to.is_ipv4() => bound(ip, to),
        _ => TcpStream::connect_timeout(&to, GRACE),
    };
    sock.map_err(io("connecting to", to))
}

/// UDP datagrams at `rate` to `to` for `duration`: the intervals told, the bytes sent
/// and over how many seconds.
fn datagrams(
    from: Option<IpAddr>,
    to: SocketAddr,
    rate: u64,
    duration: Duration,
    stop: &AtomicBool,
    tick: &mut impl FnMut(&Interval),
) -> Result<(Vec<Interval>, u64, f64), BuiltinError> {
    let local = SocketAddr::new(from.unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into()), 0);
    let sock = std::net::UdpSocket::bind(local).map_err(io("sending from", local))?;
    let mut ticks = Vec::new();
    let (bytes, seconds) = udp::send(&sock, to, rate, duration, stop, |i| {
        ticks.push(i.clone());
        tick(i)
    })
    .map_err(io("sending to", to))?;
    Ok((ticks, bytes, seconds))
}

/// A whole test as one interval.
fn whole(bytes: u64, seconds: f64, retransmits: Option<u64>) -> Interval {
    Interval {
        start_s: 0.0,
        end_s: seconds,
        bytes,
        bits_per_second: bits_per_second(bytes, seconds),
        retransmits,
    }
}

/// The sending side's per-second counts as intervals, the last cut at `duration`.
fn per_second(sent: &SideReport, duration: Duration) -> Vec<Interval> {
    (sent.per_second.iter())
        .take(duration.as_secs_f64().ceil() as usize)
        .enumerate()
        .map(|(i, b)| {
            let end_s = ((i + 1) as f64).min(duration.as_secs_f64());
            Interval {
                start_s: i as f64,
                end_s,
                bytes: *b,
                bits_per_second: bits_per_second(*b, end_s - i as f64),
                retransmits: None,
            }
        })
        .collect()
}

/// One round trip from `from` to `to`: a TCP connect to a closed port (9, discard) is
/// refused after exactly one; the median of three. None when nothing answers in a second.
pub fn round_trip(from: IpAddr, to: IpAddr) -> Option<Duration> {
    use socket2::{Domain, Socket, Type};
    let to = SocketAddr::new(to, 9);
    let mut times = Vec::new();
    for _ in 0..3 {
        let sock = Socket::new(Domain::for_address(to), Type::STREAM, None).ok()?;
        sock.bind(&SocketAddr::new(from, 0).into()).ok()?;
        let started = Instant::now();
        match sock.connect_timeout(&to.into(), Duration::from_secs(1)) {
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return None,
            _ => times.push(started.elapsed()),
        }
    }
    times.sort();
    times.get(1).copied()
}

/// A client socket bound to a source address (as iperf3's `-B`), connected.
fn bound(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let sock = Socket::new(Domain::for_address(to), Type::STREAM, None)?;
    sock.bind(&SocketAddr::new(from, 0).into())?;
    sock.connect_timeout(&to.into(), GRACE)?;
    Ok(sock.into())
}

pub(super) fn send_line(
    out: &mut TcpStream,
    value: &impl Serialize,
    peer: &str,
) -> Result<(), BuiltinError> {
    let mut text = serde_json::to_string(value).map_err(|e| BuiltinError::Protocol {
        addr: peer.to_string(),
        said: String::new(),
        why: e.to_string(),
    })?;
    text.push('\n');
    out.write_all(text.as_bytes())
        .map_err(io("answering", peer))
}

fn read_line<T: for<'de> Deserialize<'de>>(
    reader: &mut BufReader<TcpStream>,
    server: SocketAddr,
) -> Result<T, BuiltinError> {
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(io("reading from the traffic server at", server))?;
    serde_json::from_str(line.trim()).map_err(|e| BuiltinError::Protocol {
        addr: server.to_string(),
        said: line.trim().chars().take(200).collect(),
        why: if line.is_empty() {
            "it closed the connection".into()
        } else {
            e.to_string()
        },
    })
}

impl SendReport {
    /// The measurement a report gives (its intervals and the totals of both sides).
    pub(crate) fn measurement(&self, started: SystemTime) -> Measurement {
        let whole = |bytes: u64, bps: f64, retransmits| Interval {
            start_s: 0.0,
            end_s: self.seconds,
            bytes,
            bits_per_second: bps,
            retransmits,
        };
        Measurement {
            started,
            intervals: self.intervals.clone(),
            sent: whole(self.sent_bytes, self.sent_bits_per_second, self.retransmits),
            received: whole(self.received_bytes, self.received_bits_per_second, None),
            udp: self.udp.clone(),
        }
    }

    pub fn new(m: &Measurement, req: &Request) -> SendReport {
        SendReport {
            intervals: m.intervals.clone(),
            sent_bytes: m.sent.bytes,
            received_bytes: m.received.bytes,
            seconds: m.sent.end_s,
            sent_bits_per_second: m.sent.bits_per_second,
            received_bits_per_second: m.received.bits_per_second,
            retransmits: m.sent.retransmits,
            streams: req.streams,
            reverse: req.reverse,
            udp: m.udp.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_test_on_loopback_counts_what_was_sent_and_received_both_ways() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let server = s.spawn(|| serve(&listener, &stop, false));
            let from = Some("127.0.0.1".parse().unwrap());
            let req = |reverse| Request {
                streams: 2,
                duration_ms: 1200,
                reverse,
                udp_rate_bps: None,
            };
            let mut ticks = 0;
            let m = send(addr, from, &req(false), &AtomicBool::new(false), |_| {
                ticks += 1
            });
            let m = m.unwrap();
            assert_eq!(ticks, 2, "one interval per second as it ends");
            assert!(
                m.sent.bytes > 0 && m.received.bytes == m.sent.bytes,
                "{m:?}"
            );
            assert_eq!(m.intervals.len(), 2);
            assert!(m.received.bits_per_second > 1e8, "{m:?}");
            // Reverse: the server sends, this side counts what arrives.
            let r = send(addr, from, &req(true), &AtomicBool::new(false), |_| {}).unwrap();
            assert!(
                r.received.bytes > 0 && r.received.bytes == r.sent.bytes,
                "{r:?}"
            );
            stop.store(true, Ordering::Relaxed);
            server.join().unwrap().unwrap();
        });
    }
}
