//! The frame sender (`switchlab traffic blast`): one trial against a sink. Learning frames
//! first, until the sink has seen one (the switch knows both MACs, ARP is done); the trial
//! reset at the sink; optionally a ramp from a tenth of the rate up to it, not counted
//! (a jump from nothing to full rate drops frames no steady load would); the trial itself,
//! paced to a frame rate in `sendmmsg` batches (or as fast as it goes, or a burst of so
//! many frames); then the drain, which ends once every frame sent is in or when it has
//! lasted its length; the sink's count. With `reflect`, the sink sends each frame back
//! and a thread here times the round trips.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrIn, sendmmsg};

use super::control::Control;
use super::sink::{latency_histogram, summary};
use super::{HEADER_LEN, Header, TrialReport, now_ns, payload_len};

/// Frames handed to the kernel in one `sendmmsg`, at most.
const BATCH: usize = 64;
/// The shortest sleep between batches: below it a batch grows instead (a sleep overshoots
/// by tens of µs; spinning would take a core the switch's simulation may need).
const MIN_GAP: Duration = Duration::from_micros(200);
/// The most a paced sender that fell behind sends at once: 2 ms of its frames (a batch at
/// least). A thread kept from its core 20 ms at 27,000 frames/s sent the 540 frames it
/// owed back to back, a burst that overflowed a capped switch's buffer, and the switch was
/// blamed for the tester's stall. What is owed beyond is not sent: the trial falls short
/// of its rate and says so (the benchmark runs a short trial again).
const CATCH_UP: Duration = Duration::from_millis(2);
/// How long the learning frames may take to reach the sink.
const LEARNING: Duration = Duration::from_secs(3);

/// One trial, as asked.
#[derive(Debug, Clone)]
pub struct Blast {
    /// The sink's UDP and control addresses.
    pub to: SocketAddr,
    pub control: SocketAddr,
    /// The local address to send from.
    pub from: Option<IpAddr>,
    pub frame_size: usize,
    /// Frames per second; None: as fast as this machine sends.
    pub fps: Option<f64>,
    pub duration: Duration,
    /// A burst of exactly this many frames (the duration is then only a limit).
    pub frames: Option<u64>,
    pub ramp: Duration,
    pub drain: Duration,
    /// 1 and up (0 is the learning frames').
    pub trial: u16,
    pub reflect: bool,
    /// How the frames leave (`Auto`: the ring where it opens).
    pub path: super::FramePath,
}

#[derive(Debug, thiserror::Error)]
pub enum BlastError {
    #[error("{what} {addr}: {error}")]
    Io {
        what: &'static str,
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error("the frame sink at {control} answered {said:?} to `{asked}`")]
    Sink {
        control: SocketAddr,
        asked: String,
        said: String,
    },
    #[error(
        "no learning frame reached the sink at {to} within {waited:?}: no path through the switch (a port down, another VLAN, no ARP answer)"
    )]
    NoPath { to: SocketAddr, waited: Duration },
}

/// Frames of one size, stamped and sent in batches.
struct Frames {
    udp: UdpSocket,
    bufs: Vec<Vec<u8>>,
    headers: MultiHeaders<SockaddrIn>,
    reflect: bool,
    /// The latency probes' socket (trials only, not the learning frames or the ramp).
    tagger: Option<super::tagged::Tagger>,
    /// The transmit ring, once open: the trial's frames go there, not to `udp`.
    ring: Option<super::ring::TxRing>,
    /// Frames owed but not sent, the sender having fallen behind (see [`CATCH_UP`]).
    behind: u64,
}

impl Frames {
    /// Stamp and send `n` (at most `BATCH`) frames of `trial` from `seq` on; how many the
    /// kernel took.
    fn send(&mut self, trial: u16, seq: u32, n: usize) -> usize {
        let at = now_ns();
        // The batch's first frame a latency probe, when one is due.
        let tag = (self.tagger.as_mut()).is_some_and(|t| trial != 0 && t.due(Instant::now()));
        for (k, buf) in self.bufs[..n].iter_mut().enumerate() {
            let h = Header {
                trial,
                seq: seq.wrapping_add(k as u32),
                sent_ns: at,
                reflect: self.reflect,
                tagged: tag && k == 0,
            };
            h.write(&mut buf[..HEADER_LEN]);
        }
        let first = match (tag, self.tagger.as_mut()) {
            (true, Some(t)) if n > 0 => usize::from(t.send(&self.bufs[0], seq)),
            _ => 0,
        };
        if first == n {
            return n;
        }
        if let Some(ring) = self.ring.as_mut() {
            let headers: Vec<Header> = (first..n)
                .map(|k| Header {
                    trial,
                    seq: seq.wrapping_add(k as u32),
                    sent_ns: at,
                    reflect: self.reflect,
                    tagged: false,
                })
                .collect();
            return first + ring.send(&headers);
        }
        let slices: Vec<[std::io::IoSlice; 1]> = self.bufs[first..n]
            .iter()
            .map(|b| [std::io::IoSlice::new(b)])
            .collect();
        let addrs = vec![None; n - first];
        let fd = self.udp.as_raw_fd();
        match sendmmsg(
            fd,
            &mut self.headers,
            &slices,
            &addrs,
            [],
            MsgFlags::empty(),
        ) {
            Ok(r) => first + r.count(),
            // A full queue (ENOBUFS) loses the batch here, as a NIC's full ring would.
            Err(_) => first,
        }
    }
}

/// Send `frames` of `trial` at `fps` (None: flat out) for `duration`; frames sent and the
/// seconds it took. `fps_at` gives the rate at a time into it (the ramp).
fn paced(
    f: &mut Frames,
    trial: u16,
    duration: Duration,
    limit: Option<u64>,
    fps_at: &dyn Fn(f64) -> Option<f64>,
    stop: &AtomicBool,
) -> (u64, f64) {
    let start = Instant::now();
    let (mut sent, mut owed) = (0u64, 0f64);
    let mut last = 0f64;
    loop {
        let t = start.elapsed().as_secs_f64();
        let left = limit.map_or(u64::MAX, |l| l.saturating_sub(sent));
        if left == 0 || t >= duration.as_secs_f64() || stop.load(Ordering::Relaxed) {
            return (sent, t.max(1e-9));
        }
        let n = match fps_at(t) {
            None => BATCH as u64,
            Some(fps) => {
                owed += (t - last) * fps;
                last = t;
                if limit.is_none() {
                    let now = caught_up(owed, fps);
                    f.behind += (owed - now) as u64;
                    owed = now;
                }
                if owed < 1.0 {
                    // Sleep until a batch worth at least MIN_GAP is owed.
                    let need = (fps * MIN_GAP.as_secs_f64()).max(1.0).min(BATCH as f64);
                    std::thread::sleep(Duration::from_secs_f64((need - owed) / fps));
                    continue;
                }
                owed as u64
            }
        }
        .min(BATCH as u64)
        .min(left) as usize;
        let took = f.send(trial, sent as u32, n) as u64;
        sent += took;
        owed -= n as f64;
    }
}

/// What a paced sender that owes `owed` frames at `fps` sends now: at most [`CATCH_UP`]'s
/// worth (a batch at least); the rest is not sent.
pub(super) fn caught_up(owed: f64, fps: f64) -> f64 {
    owed.min((fps * CATCH_UP.as_secs_f64()).max(BATCH as f64))
}

/// Run one trial; `stop` ends it early (the count is then of what was sent).
pub fn blast(b: &Blast, stop: &AtomicBool) -> Result<TrialReport, BlastError> {
    let mut control = Control::open(b.control)?;
    let io = |what, error| BlastError::Io {
        what,
        addr: b.to,
        error,
    };
    let from = b.from.unwrap_or(match b.to {
        SocketAddr::V4(_) => IpAddr::from([0, 0, 0, 0]),
        SocketAddr::V6(_) => IpAddr::from([0u16; 8]),
    });
    let udp = UdpSocket::bind((from, 0)).map_err(|e| io("a UDP socket to send to", e))?;
    udp.connect(b.to).map_err(|e| io("UDP to", e))?;
    super::big_buffer(&udp, false, 4 << 20);
    let payload = vec![0u8; payload_len(b.frame_size)];
    let mut f = Frames {
        udp,
        bufs: vec![payload; BATCH],
        headers: MultiHeaders::preallocate(BATCH, None),
        reflect: b.reflect,
        tagger: None,
        ring: None,
        behind: 0,
    };
    learn(&mut f, &mut control, b.to)?;
    // After the learning frames: the sink's MAC is in the neighbour table by now.
    let (path, path_why) = open_ring(&mut f, b);
    control.reset(b.trial)?;
    if !b.ramp.is_zero()
        && let Some(fps) = b.fps
    {
        let ramp = b.ramp.as_secs_f64();
        let rising = move |t: f64| Some(fps * (0.1 + 0.9 * (t / ramp).min(1.0)));
        paced(&mut f, 0, b.ramp, None, &rising, stop);
    }
    let reflected = b.reflect.then(|| Reflected::start(&f.udp, b.trial));
    // One-way latency by the kernel's stamps where sender and sink share a clock.
    if !b.reflect {
        f.tagger = super::tagged::Tagger::open(from, b.to, b.duration);
    }
    f.behind = 0;
    let (sent, seconds, sender_dropped) = counted_trial(&mut f, b, stop);
    let mut count = control.count(b.trial, sent, b.drain)?;
    if let Some(r) = reflected {
        count.latency = r.finish();
    }
    let why_not = time_tagged(&f, &mut count);
    Ok(TrialReport {
        frame_size: b.frame_size,
        sent,
        sent_fps: sent as f64 / seconds,
        seconds,
        behind: f.behind,
        count,
        sender_dropped,
        hardware_why_not: why_not,
        path,
        path_why,
    })
}

/// The tagged frames' latency into `count` where the kernel (or a NIC) stamped them, the
/// tags then dropped; why the NICs' clocks did not time them, where they did not.
fn time_tagged(f: &Frames, count: &mut super::SinkCount) -> Option<String> {
    let timed = (f.tagger.as_ref()).map(|t| super::tagged::timed(&t.stamps(), &t.clock, count));
    let (latency, why_not) = timed.unwrap_or_default();
    if let Some(l) = latency {
        count.latency = Some(l);
    }
    count.tagged = Vec::new();
    why_not
}

/// The ring for `b`'s frames where it asks for one (or leaves it to this), else UDP; the
/// path taken and why not the ring where it is not.
fn open_ring(f: &mut Frames, b: &Blast) -> (super::FramePath, Option<String>) {
    use super::FramePath;
    if b.path == FramePath::Udp {
        return (FramePath::Udp, Some("--frame-path udp".into()));
    }
    let ends = (f.udp.local_addr(), b.to);
    let (Ok(SocketAddr::V4(from)), SocketAddr::V4(to)) = ends else {
        return (
            FramePath::Udp,
            Some("the ring sends IPv4 frames only".into()),
        );
    };
    match super::ring::to(from, to, b.frame_size) {
        Ok(ring) => {
            f.ring = Some(ring);
            (FramePath::Ring, None)
        }
        Err(e) => (FramePath::Udp, Some(e.to_string())),
    }
}

/// The trial's frames at its rate, with what the sending NIC dropped of them (None where
/// its counters cannot be read): frames sent, seconds, dropped.
fn counted_trial(f: &mut Frames, b: &Blast, stop: &AtomicBool) -> (u64, f64, Option<u64>) {
    let rate = b.fps;
    let nic = b.from.and_then(super::nic::interface_of);
    let before = nic.as_deref().and_then(super::nic::read);
    let (sent, seconds) = paced(f, b.trial, b.duration, b.frames, &move |_| rate, stop);
    let after = nic.as_deref().and_then(super::nic::read);
    let dropped = before.zip(after).map(|(a, z)| {
        let d = z.since(&a);
        // Dropped by the NIC, or never counted out by it (other frames only add).
        d.tx_dropped.max(sent.saturating_sub(d.tx_packets))
    });
    (sent, seconds, dropped)
}

/// Learning frames, one every few ms, until the sink has one.
fn learn(f: &mut Frames, control: &mut Control, to: SocketAddr) -> Result<(), BlastError> {
    control.reset(0)?;
    let start = Instant::now();
    let mut seq = 0;
    while start.elapsed() < LEARNING {
        seq += f.send(0, seq, 1) as u32;
        if control.count(0, 1, Duration::from_millis(20))?.received > 0 {
            return Ok(());
        }
    }
    Err(BlastError::NoPath {
        to,
        waited: LEARNING,
    })
}

/// Round trips of reflected frames, timed on a thread reading the sending socket.
struct Reflected {
    stop: std::sync::Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Option<super::Latency>>,
}

impl Reflected {
    fn start(udp: &UdpSocket, trial: u16) -> Reflected {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let (sock, flag) = (udp.try_clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let sock = sock.ok()?;
            let _ = sock.set_read_timeout(Some(Duration::from_millis(50)));
            let mut hist = latency_histogram()?;
            let mut buf = [0u8; 2048];
            while !flag.load(Ordering::Relaxed) {
                let Ok(n) = sock.recv(&mut buf) else { continue };
                if let Some(h) = Header::read(&buf[..n])
                    && h.trial == trial
                {
                    let _ = hist.record((now_ns().saturating_sub(h.sent_ns) / 2).max(1));
                }
            }
            summary(&hist).map(|l| super::Latency {
                halved_round_trip: true,
                ..l
            })
        });
        Reflected { stop, thread }
    }

    fn finish(self) -> Option<super::Latency> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().ok().flatten()
    }
}

#[cfg(test)]
#[path = "sender_tests.rs"]
mod tests;
