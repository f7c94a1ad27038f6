//! The engine seam: the run pipeline asks for a measurement and never knows which engine
//! made it. Adding an engine (TRex, a hardware tester) is a variant of
//! [`crate::format::manifest::Engine`] and an arm here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::measure::{Interval, Measurement};
use super::{TrafficError, TrafficTest, builtin, iperf3};
use crate::format::manifest::Engine;

/// The engine for tests that name none, and why it was chosen (said in the output).
#[derive(Debug, Clone, Copy)]
pub struct EngineChoice {
    pub engine: Engine,
    pub why: &'static str,
}

impl EngineChoice {
    /// iperf3 where it is installed, else the built-in engine.
    pub async fn default_here() -> EngineChoice {
        match iperf3::version().await {
            Ok(_) => EngineChoice {
                engine: Engine::Iperf3,
                why: "iperf3 is installed",
            },
            Err(_) => EngineChoice {
                engine: Engine::Builtin,
                why: "iperf3 is not installed here",
            },
        }
    }
}

/// Called with each interval (and when it ended) as an engine reports it.
pub type OnInterval<'a> = &'a (dyn Fn(SystemTime, &Interval) + Sync);

/// Measure `test` with its engine.
pub async fn measure(
    test: &TrafficTest,
    on_interval: OnInterval<'_>,
) -> Result<Measurement, TrafficError> {
    match test.engine {
        Engine::Iperf3 => {
            // iperf3 3.12 reports at the end (no --json-stream): its intervals come then.
            let m = iperf3::measure(test).await?;
            for i in &m.intervals {
                on_interval(m.started + std::time::Duration::from_secs_f64(i.end_s), i);
            }
            Ok(m)
        }
        Engine::Builtin => builtin_here(test, on_interval).await,
    }
}

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
