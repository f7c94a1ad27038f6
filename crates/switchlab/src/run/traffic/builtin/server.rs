//! The built-in engine's server: tests one after another on a control connection.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::streams::{run_receivers, run_senders};
use super::{Accepted, BuiltinError, GRACE, Request, SideReport, io, send_line};
use crate::run::traffic::udp;

/// How a server ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// Its test done (`once`), or told to stop.
    Done,
    /// `signalled` came first.
    Signalled,
}

/// [`serve`] until it ends or until `signalled` resolves. A signal ends it at once, a test
/// under way included (this is how a remote server ends when its SSH channel closes): the
/// server runs on a thread of its own, which the process leaves behind as it ends.
pub async fn serve_until(
    listener: TcpListener,
    once: bool,
    signalled: impl Future<Output = ()>,
) -> Result<Served, BuiltinError> {
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let flag = stop.clone();
    std::thread::spawn(move || tx.send(serve(&listener, &flag, once)));
    tokio::select! {
        served = rx => match served {
            Ok(result) => result.map(|()| Served::Done),
            // The server's thread panicked: the panic was reported as it happened.
            Err(_) => Ok(Served::Done),
        },
        () = signalled => {
            stop.store(true, Ordering::Relaxed);
            Ok(Served::Signalled)
        }
    }
}

/// Answer tests on `listener` one after another until `stop` is set (checked between
/// tests and while waiting for one); `once` ends after the first test.
pub fn serve(listener: &TcpListener, stop: &AtomicBool, once: bool) -> Result<(), BuiltinError> {
    let local = listener.local_addr().map_err(io("listening on", "?"))?;
    listener
        .set_nonblocking(true)
        .map_err(io("listening on", local))?;
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((control, _)) => {
                control
                    .set_nonblocking(false)
                    .map_err(io("serving", local))?;
                // One bad client does not end the server.
                if let Err(e) = answer(control, local.ip(), stop) {
                    tracing::warn!("traffic server on {local}: {e}");
                }
                if once {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20)); // polling the stop flag, not a protocol wait
            }
            Err(e) => return Err(io("accepting on", local)(e)),
        }
    }
    Ok(())
}

/// One test on a control connection.
fn answer(control: TcpStream, ip: IpAddr, stop: &AtomicBool) -> Result<(), BuiltinError> {
    let peer = control
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    control
        .set_read_timeout(Some(GRACE))
        .map_err(io("reading from", &peer))?;
    let mut reader = BufReader::new(control.try_clone().map_err(io("reading from", &peer))?);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(io("reading a request from", &peer))?;
    let req: Request = serde_json::from_str(line.trim()).map_err(|e| BuiltinError::Protocol {
        addr: peer.clone(),
        said: line.trim().to_string(),
        why: e.to_string(),
    })?;
    let mut out = control;
    let duration = Duration::from_millis(req.duration_ms);
    if req.udp_rate_bps.is_some() {
        let sock = std::net::UdpSocket::bind((ip, 0)).map_err(io("listening for data on", ip))?;
        let data_port = sock.local_addr().map_err(io("listening on", ip))?.port();
        send_line(&mut out, &Accepted { data_port }, &peer)?;
        let (bytes, seconds, stats) = udp::receive(&sock, duration, GRACE);
        let report = SideReport {
            bytes,
            seconds,
            per_second: Vec::new(),
            retransmits: None,
            udp: Some(stats),
        };
        return send_line(&mut out, &report, &peer);
    }
    let data = TcpListener::bind((ip, 0)).map_err(io("listening for data on", ip))?;
    let data_port = data.local_addr().map_err(io("listening on", ip))?.port();
    send_line(&mut out, &Accepted { data_port }, &peer)?;
    let streams = accept_streams(&data, req.streams, &peer)?;
    let report = if req.reverse {
        run_senders(streams, duration, stop, |_| {})
    } else {
        run_receivers(streams, duration)
    };
    send_line(&mut out, &report, &peer)
}

fn accept_streams(data: &TcpListener, n: u32, peer: &str) -> Result<Vec<TcpStream>, BuiltinError> {
    data.set_nonblocking(true)
        .map_err(io("accepting from", peer))?;
    let deadline = Instant::now() + GRACE;
    let mut streams = Vec::new();
    while streams.len() < n as usize {
        match data.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false)
                    .map_err(io("accepting from", peer))?;
                streams.push(s);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2)); // waiting for the client's connects, bounded by GRACE
            }
            Err(e) => return Err(io("accepting streams from", peer)(e)),
        }
    }
    Ok(streams)
}
