//! `traffic blast --loopback`: the generator's own ceiling, per path, with no switch
//! between. The ring path's is what the ring hands the loopback in the time (its frames
//! reach no socket there, and need not: the ceiling is what the sender can give); the UDP
//! path's is a trial against a sink on the loopback.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::control::Control;
use super::sender::{Blast, BlastError, blast};
use super::{FramePath, Header, TrialReport};

/// The ceiling of the path `path` asks for: the ring where it opens (unless `udp` is
/// asked), else UDP (saying why).
pub fn ceiling(
    frame_size: usize,
    duration: Duration,
    path: FramePath,
) -> Result<TrialReport, BlastError> {
    let ring = match path {
        FramePath::Udp => Err("--frame-path udp".to_string()),
        FramePath::Auto | FramePath::Ring => {
            super::ring::on_loopback(frame_size).map_err(|e| e.to_string())
        }
    };
    match ring {
        Ok(ring) => Ok(ring_ceiling(ring, frame_size, duration)),
        Err(why) => {
            let mut r = udp_ceiling(frame_size, duration)?;
            r.path_why = Some(why);
            Ok(r)
        }
    }
}

/// Frames handed to the ring flat out for `duration`.
fn ring_ceiling(
    mut ring: super::ring::TxRing,
    frame_size: usize,
    duration: Duration,
) -> TrialReport {
    let mut headers: Vec<Header> = (0..64)
        .map(|seq| Header {
            trial: 1,
            seq,
            sent_ns: 0,
            reflect: false,
            tagged: false,
        })
        .collect();
    let start = Instant::now();
    let mut sent = 0u64;
    while start.elapsed() < duration {
        for h in headers.iter_mut() {
            h.seq = h.seq.wrapping_add(64);
        }
        sent += ring.send(&headers) as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    TrialReport {
        frame_size,
        sent,
        sent_fps: sent as f64 / seconds,
        seconds,
        path: FramePath::Ring,
        ..Default::default()
    }
}

/// A sink on this machine's loopback and one UDP trial flat out against it.
fn udp_ceiling(frame_size: usize, duration: Duration) -> Result<TrialReport, BlastError> {
    let lo = IpAddr::from([127, 0, 0, 1]);
    let sink = super::Sink::bind(lo, super::SINK_BUFFER).map_err(|error| BlastError::Io {
        what: "a frame sink on",
        addr: SocketAddr::new(lo, 0),
        error,
    })?;
    let (to, control) = (sink.udp, sink.control_addr);
    std::thread::spawn(move || sink.serve());
    let b = Blast {
        to,
        control,
        from: Some(lo),
        frame_size,
        fps: None,
        duration,
        frames: None,
        ramp: Duration::ZERO,
        drain: Duration::from_millis(200),
        trial: 1,
        reflect: false,
        path: FramePath::Udp,
    };
    let r = blast(&b, &AtomicBool::new(false));
    let _ = Control::open(control).and_then(|mut c| c.ask("quit", Duration::ZERO));
    r
}
