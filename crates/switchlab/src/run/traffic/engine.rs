//! The engine seam: the run pipeline asks for a measurement and never knows which engine
//! made it. Adding an engine (TRex, a hardware tester) is a variant of
//! [`crate::format::manifest::Engine`] and an arm here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::measure::{Interval, Measurement};
use super::place::{Output, Place, Process};
use super::{Traffic, TrafficError, TrafficTest, builtin, iperf3};
use crate::format::manifest::Engine;

/// The engine for tests that name none, and why it was chosen (said in the output).
#[derive(Debug, Clone, Copy)]
pub struct EngineChoice {
    pub engine: Engine,
    pub why: &'static str,
}

impl EngineChoice {
    /// iperf3 where it is installed, else the built-in engine.
    pub(crate) async fn default_here() -> EngineChoice {
        match iperf3::version().await {
            Ok(_) => EngineChoice {
                engine: Engine::Iperf3,
                why: "iperf3 is installed",
            },
            Err(_) => EngineChoice {
                engine: Engine::Builtin,
                why: "iperf3 is not installed",
            },
        }
    }
}

/// Called with each interval (and when it ended) as an engine reports it.
pub(crate) type OnInterval<'a> = &'a (dyn Fn(SystemTime, &Interval) + Sync);

/// Measure `test` with its engine, each end where its endpoint is (this machine, or over
/// SSH: the server on `to`, the client on `from`).
pub(crate) async fn measure(
    traffic: &Traffic,
    test: &TrafficTest,
    on_interval: OnInterval<'_>,
) -> Result<Measurement, TrafficError> {
    let from = traffic.place(&test.from.name).await?;
    let to = traffic.place(&test.to.name).await?;
    let binary = |name: &str| traffic.switchlab_at(name);
    let m = match (test.engine, &from, &to) {
        (Engine::Builtin, Place::Local, Place::Local) => {
            return builtin_here(test, on_interval).await;
        }
        (Engine::Builtin, ..) => {
            let bins = (binary(&test.from.name), binary(&test.to.name));
            builtin_remote(test, &from, &to, bins).await?
        }
        // Its intervals reach `on_interval` as its text report prints them.
        (Engine::Iperf3, ..) => return iperf3::measure(test, &from, &to, on_interval).await,
    };
    for i in &m.intervals {
        on_interval(m.started + std::time::Duration::from_secs_f64(i.end_s), i);
    }
    Ok(m)
}

/// The built-in engine with an end over SSH: `switchlab traffic serve --once` on `to`,
/// `switchlab traffic send --json` on `from`.
async fn builtin_remote(
    test: &TrafficTest,
    from: &Place,
    to: &Place,
    (from_bin, to_bin): (String, String),
) -> Result<Measurement, TrafficError> {
    let serve = vec![
        to_bin,
        "traffic".into(),
        "serve".into(),
        "--once".into(),
        "--bind".into(),
        std::net::SocketAddr::new(ip(&test.to)?, 0).to_string(),
    ];
    let mut server = to.start(&serve).await?;
    let server_err = |said: String| TrafficError::Remote {
        place: to.describe(),
        command: serve.join(" "),
        said,
    };
    let addr = listening_at(&mut server, &serve[0])
        .await
        .map_err(server_err)?;
    let send = send_argv(test, from_bin, addr);
    let started = SystemTime::now();
    let client = from.start(&send).await?;
    let finished = client.finish(test.duration + GRACE);
    tokio::pin!(finished);
    // While the client runs, the server's channel is watched: closing without an exit
    // status means the SSH session was lost (the server went with it, by its watchdog).
    let mut server_open = true;
    let out = loop {
        tokio::select! {
            out = &mut finished => break out,
            line = server.next_line(), if server_open => {
                if line.is_none() {
                    server_open = false;
                    if server.lost() {
                        return Err(server_err("the SSH session was lost mid-test; the server there was ended with it".into()));
                    }
                }
            }
        }
    }
    .map_err(|waited| TrafficError::Timeout {
        test: test.name.clone(),
        waited,
    })?;
    server.stop().await;
    sent_report(&out, from, &send, started)
}

/// The measurement a remote `traffic send` reported, or why there is none.
fn sent_report(
    out: &Output,
    from: &Place,
    send: &[String],
    started: SystemTime,
) -> Result<Measurement, TrafficError> {
    let fail = |said: String| TrafficError::Remote {
        place: from.describe(),
        command: send.join(" "),
        said,
    };
    if out.status != Some(0) {
        let said = format!("{}{}", out.stdout, out.stderr);
        return Err(fail(not_found(said, &send[0])));
    }
    let r: builtin::SendReport = serde_json::from_str(&out.stdout)
        .map_err(|e| fail(format!("an unreadable report ({e})")))?;
    Ok(r.measurement(started))
}

/// Where a remote server listens, as it says it ("traffic server on ADDR:PORT"); or what
/// it said instead.
async fn listening_at(server: &mut Process, program: &str) -> Result<String, String> {
    let mut said = String::new();
    loop {
        match tokio::time::timeout(SERVER_READY, server.next_line()).await {
            Ok(Some(l)) => match l.split_once("traffic server on ") {
                Some((_, rest)) => {
                    let a = rest.split_whitespace().next().unwrap_or_default();
                    return Ok(a.to_string());
                }
                None => said.push_str(&format!("{l}; ")),
            },
            Ok(None) if server.lost() && said.is_empty() => {
                return Err(
                    "the SSH session was lost before the server said where it listens".into(),
                );
            }
            Ok(None) => return Err(not_found(said, program)),
            Err(_) => return Err(format!("did not say it listens within {SERVER_READY:?}")),
        }
    }
}

/// `switchlab traffic send --json` to the server at `addr`, as the test asks.
fn send_argv(test: &TrafficTest, program: String, addr: String) -> Vec<String> {
    let mut send = vec![
        program,
        "traffic".into(),
        "send".into(),
        addr,
        "--from".into(),
        test.from.address.clone(),
        "--streams".into(),
        test.streams.to_string(),
        "--duration".into(),
        format!("{}ms", test.duration.as_millis()),
        "--json".into(),
    ];
    if let Some(rate) = test.udp_rate_bps {
        send.extend(["--udp".into(), "--rate".into(), rate.to_string()]);
    }
    send
}

/// What a failed remote command said, or that the program is not installed there.
fn not_found(said: String, program: &str) -> String {
    let said = said.trim().trim_end_matches(';').to_string();
    if said.contains("not found") || said.contains("No such file") {
        format!("`{program}` is not installed there (or not on its PATH): {said}")
    } else if said.is_empty() {
        "it ended without saying why".into()
    } else {
        said
    }
}

fn ip(h: &super::Host) -> Result<std::net::IpAddr, TrafficError> {
    h.address.parse().map_err(|_| TrafficError::Address {
        endpoint: h.name.clone(),
        address: h.address.clone(),
        error: std::io::Error::other("not an IP address (the built-in engine takes addresses)"),
    })
}

/// How long a server may take to say it listens.
const SERVER_READY: std::time::Duration = std::time::Duration::from_secs(10);
/// Beyond a test's own length: connecting, the last interval, the report.
const GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Sets the flag when dropped: a test future dropped by Ctrl-C stops its threads.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The built-in engine with both endpoints on this machine: a one-test server bound to the
/// `to` address, the client's sockets bound to the `from` address.
async fn builtin_here(
    test: &TrafficTest,
    on_interval: OnInterval<'_>,
) -> Result<Measurement, TrafficError> {
    let fail = |error| TrafficError::Builtin {
        test: test.name.clone(),
        error,
    };
    let addr_err = |error| TrafficError::Address {
        endpoint: test.to.name.clone(),
        address: test.to.address.clone(),
        error,
    };
    let to_ip: std::net::IpAddr = test.to.address.parse().map_err(|_| {
        addr_err(std::io::Error::other(
            "not an IP address (the built-in engine takes addresses)",
        ))
    })?;
    let from_ip: Option<std::net::IpAddr> = test.from.address.parse().ok();
    let listener = std::net::TcpListener::bind((to_ip, 0)).map_err(addr_err)?;
    let server = listener.local_addr().map_err(addr_err)?;
    let stop = Arc::new(AtomicBool::new(false));
    let _guard = StopOnDrop(stop.clone());
    let req = builtin::Request {
        streams: test.streams,
        duration_ms: test.duration.as_millis() as u64,
        reverse: false,
        udp_rate_bps: test.udp_rate_bps,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(SystemTime, Interval)>();
    let serve_stop = stop.clone();
    let served = tokio::task::spawn_blocking(move || builtin::serve(&listener, &serve_stop, true));
    let client_stop = stop.clone();
    let sent = tokio::task::spawn_blocking(move || {
        builtin::send(server, from_ip, &req, &client_stop, |i| {
            let _ = tx.send((SystemTime::now(), i.clone()));
        })
    });
    // Intervals reach the caller (and the disk) as they end, while the test runs.
    tokio::pin!(sent);
    let result = loop {
        tokio::select! {
            Some((at, i)) = rx.recv() => on_interval(at, &i),
            r = &mut sent => break r,
        }
    };
    while let Ok((at, i)) = rx.try_recv() {
        on_interval(at, &i);
    }
    stop.store(true, Ordering::Relaxed);
    let _ = served.await;
    let joined = result.map_err(|e| {
        fail(builtin::BuiltinError::Protocol {
            addr: server.to_string(),
            said: String::new(),
            why: format!("the client task ended: {e}"),
        })
    })?;
    joined.map_err(fail)
}
