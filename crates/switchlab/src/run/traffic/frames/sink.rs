//! The frame sink (`switchlab traffic sink`): one UDP socket taking frames in batches
//! (`recvmmsg`), counting per trial what arrives, what arrives twice and out of order,
//! timing each frame one way into a histogram (or sending it back, when it asks to be
//! reflected); and a TCP control port whose lines are
//! - `reset N`: trial N starts from nothing (`ok`);
//! - `await N FRAMES MS`: the count of trial N (one JSON line) once FRAMES have arrived
//!   or MS have passed, whichever is first: the drain after a trial ends as soon as
//!   everything sent is in, and the learning frames are confirmed without a fixed wait;
//! - `quit`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrIn, recvmmsg};

use super::nic::{self, NicCounts};
use super::{Header, Latency, SinkCount, now_ns};
use crate::locks::lock;

/// Frames taken in one `recvmmsg`.
const BATCH: usize = 64;
/// Sequence numbers followed for duplicates (16 MB of bits); beyond, only counted.
const TRACKED: u32 = 1 << 27;
/// The longest a `MS` of `await` may be: a typo must not hang the sender for hours.
const LONGEST_AWAIT: Duration = Duration::from_secs(120);

struct Trial {
    received: u64,
    duplicates: u64,
    reordered: u64,
    highest: Option<u32>,
    seen: Vec<u64>,
    latency: Option<Histogram<u64>>,
    /// Tagged frames' arrivals (at most [`super::tagged::MOST`]): the kernel's stamps,
    /// and the NIC's clock's where it stamps.
    tagged: Vec<(u32, u64)>,
    tagged_hw: Vec<(u32, u64)>,
    /// The socket's overflow count and the NIC's counters when the trial was reset.
    overflowed_before: Option<u64>,
    nic_before: Option<NicCounts>,
}

impl Trial {
    fn new() -> Trial {
        Trial {
            received: 0,
            duplicates: 0,
            reordered: 0,
            highest: None,
            seen: Vec::new(),
            latency: latency_histogram(),
            tagged: Vec::new(),
            tagged_hw: Vec::new(),
            overflowed_before: None,
            nic_before: None,
        }
    }

    /// A trial counted from now, with the drop counters' baselines.
    fn reset(counts: &Counts) -> Trial {
        Trial {
            overflowed_before: counts.overflowed(),
            nic_before: counts.nic.as_deref().and_then(nic::read),
            ..Trial::new()
        }
    }

    /// The count, with what the socket and the NIC dropped since the reset.
    fn count_with_drops(&self, counts: &Counts) -> SinkCount {
        let mut c = self.count();
        c.hardware_clock = Some(counts.clock.0.clone());
        c.socket_dropped = (self.overflowed_before)
            .zip(counts.overflowed())
            .map(|(a, b)| b.saturating_sub(a));
        c.nic_dropped = (self.nic_before)
            .zip(counts.nic.as_deref().and_then(nic::read))
            .map(|(a, b)| b.since(&a).rx_dropped);
        c
    }

    fn take(&mut self, h: &Header, at_ns: u64, hw_ns: Option<u64>) {
        self.received += 1;
        if h.seq < TRACKED {
            let (word, bit) = ((h.seq / 64) as usize, h.seq % 64);
            if self.seen.len() <= word {
                self.seen.resize(word + 1, 0);
            }
            if self.seen[word] & (1 << bit) != 0 {
                self.duplicates += 1;
            }
            self.seen[word] |= 1 << bit;
        }
        match self.highest {
            Some(top) if h.seq < top => self.reordered += 1,
            _ => self.highest = Some(h.seq),
        }
        if h.tagged && self.tagged.len() < super::tagged::MOST {
            self.tagged.push((h.seq, at_ns));
            self.tagged_hw.extend(hw_ns.map(|hw| (h.seq, hw)));
        }
        if let (false, Some(hist)) = (h.reflect, self.latency.as_mut()) {
            let _ = hist.record(at_ns.saturating_sub(h.sent_ns).max(1));
        }
    }

    fn unique(&self) -> u64 {
        self.received - self.duplicates
    }

    fn count(&self) -> SinkCount {
        SinkCount {
            received: self.received,
            duplicates: self.duplicates,
            reordered: self.reordered,
            latency: self.latency.as_ref().and_then(summary),
            socket_dropped: None,
            nic_dropped: None,
            tagged: self.tagged.clone(),
            tagged_hw: self.tagged_hw.clone(),
            hardware_clock: None,
        }
    }
}

/// A histogram of ns, 1 ns to a minute, 3 significant digits.
pub(super) fn latency_histogram() -> Option<Histogram<u64>> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).ok()
}

/// A histogram of ns as µs figures; None when empty.
pub(super) fn summary(h: &Histogram<u64>) -> Option<Latency> {
    (!h.is_empty()).then(|| Latency {
        min_us: h.min() as f64 / 1e3,
        avg_us: h.mean() / 1e3,
        p50_us: h.value_at_quantile(0.5) as f64 / 1e3,
        p99_us: h.value_at_quantile(0.99) as f64 / 1e3,
        max_us: h.max() as f64 / 1e3,
        frames: h.len(),
        halved_round_trip: false,
        kernel_stamped: false,
        hardware_stamped: false,
    })
}

/// The trials, and a bell for `await`ers (rung only while one waits: no syscall per batch).
#[derive(Default)]
struct Counts {
    trials: Mutex<HashMap<u16, Trial>>,
    arrived: Condvar,
    awaited: AtomicBool,
    /// The UDP socket's inode, by which the kernel lists its drops (/proc/net/udp).
    inode: Option<u64>,
    /// The interface the sink receives on.
    nic: Option<String>,
    /// Its NIC's hardware clock (turned on), or why not.
    clock: Clock,
}

#[derive(Debug, Clone)]
struct Clock(Result<i32, String>);

impl Default for Clock {
    fn default() -> Self {
        Clock(Err("the sink's NIC was not looked at".into()))
    }
}

impl Counts {
    /// Frames the socket's buffer overflowed with, so far: the kernel's own count
    /// (sk_drops, which SO_RXQ_OVFL hands out only with a later frame, so too late for
    /// the last drops of a trial).
    fn overflowed(&self) -> Option<u64> {
        nic::socket_drops(self.inode?)
    }
}

/// A sink bound and taking frames; `serve` answers its control port.
pub struct Sink {
    counts: Arc<Counts>,
    control: TcpListener,
    pub(crate) udp: SocketAddr,
    pub(crate) control_addr: SocketAddr,
}

impl Sink {
    /// Bind the UDP and control sockets on `bind` (ports the kernel picks), the UDP one
    /// with a receive buffer of `buffer` bytes, and start taking frames on a thread of its
    /// own.
    pub fn bind(bind: IpAddr, buffer: usize) -> std::io::Result<Sink> {
        let udp = UdpSocket::bind(SocketAddr::new(bind, 0))?;
        super::big_buffer(&udp, true, buffer);
        let control = TcpListener::bind(SocketAddr::new(bind, 0))?;
        let inode = nix::sys::stat::fstat(&udp).ok().map(|st| st.st_ino);
        let counts = Arc::new(Counts {
            inode,
            nic: nic::interface_of(bind),
            clock: Clock(super::hw_clock::hardware_clock(bind).map_err(|e| e.to_string())),
            ..Counts::default()
        });
        let (udp_addr, control_addr) = (udp.local_addr()?, control.local_addr()?);
        let taker = counts.clone();
        std::thread::Builder::new()
            .name("frame-sink".into())
            .spawn(move || take_frames(&udp, &taker))?;
        Ok(Sink {
            counts,
            control,
            udp: udp_addr,
            control_addr,
        })
    }

    /// What `switchlab traffic sink` prints, and what a sender reads the addresses from.
    pub fn line(&self) -> String {
        format!("frame sink on {} control {}", self.udp, self.control_addr)
    }

    /// Answer control connections one after another until `quit`.
    pub fn serve(self) -> std::io::Result<()> {
        for conn in self.control.incoming() {
            let Ok(conn) = conn else { continue };
            if answer(conn, &self.counts)? {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Where a sink's line (`frame sink on UDP control TCP`) says it listens.
pub fn read_line(line: &str) -> Option<(SocketAddr, SocketAddr)> {
    let rest = line.split_once("frame sink on ")?.1;
    let (udp, control) = rest.split_once(" control ")?;
    Some((udp.trim().parse().ok()?, control.trim().parse().ok()?))
}

/// Answer one control connection's lines; true on `quit`.
fn answer(conn: std::net::TcpStream, counts: &Counts) -> std::io::Result<bool> {
    let mut out = conn.try_clone()?;
    for line in BufReader::new(conn).lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
        match (words.first().copied(), num(1)) {
            (Some("reset"), Some(trial)) => {
                let fresh = Trial::reset(counts);
                lock(&counts.trials).insert(trial as u16, fresh);
                writeln!(out, "ok")?;
            }
            (Some("await"), Some(trial)) => {
                let frames = num(2).unwrap_or(u64::MAX);
                let wait = Duration::from_millis(num(3).unwrap_or(0)).min(LONGEST_AWAIT);
                let count = await_frames(counts, trial as u16, frames, wait);
                writeln!(out, "{}", serde_json::to_string(&count)?)?;
            }
            (Some("quit"), _) => return Ok(true),
            _ => writeln!(out, "error: say reset N, await N FRAMES MS or quit")?,
        }
    }
    Ok(false)
}

/// Trial `trial`'s count once `frames` are in or `wait` has passed.
fn await_frames(counts: &Counts, trial: u16, frames: u64, wait: Duration) -> SinkCount {
    let deadline = Instant::now() + wait;
    let mut trials = lock(&counts.trials);
    loop {
        let have = trials.get(&trial).map_or(0, Trial::unique);
        let left = deadline.saturating_duration_since(Instant::now());
        if have >= frames || left.is_zero() {
            let count = trials.get(&trial).map(|t| t.count_with_drops(counts));
            return count.unwrap_or_default();
        }
        counts.awaited.store(true, Ordering::Relaxed);
        trials = match counts.arrived.wait_timeout(trials, left) {
            Ok((t, _)) => t,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

/// The receiving loop: batches of frames into their trials, reflected ones sent back.
fn take_frames(udp: &UdpSocket, counts: &Counts) {
    let mut bufs = vec![[0u8; 2048]; BATCH];
    // The kernel's time of arrival for each frame: a frame that waited in the socket
    // buffer for this thread was through the switch already (the sink is not timed).
    super::hw_clock::stamp_arrivals(udp, counts.clock.0.is_ok());
    let space = Some(nix::cmsg_space!(nix::sys::socket::Timestamps));
    let mut headers: MultiHeaders<SockaddrIn> = MultiHeaders::preallocate(BATCH, space);
    loop {
        let flags = MsgFlags::MSG_WAITFORONE;
        type Got = (usize, Option<SockaddrIn>, (Option<u64>, Option<u64>));
        let got: Vec<Got> = {
            let mut slices: Vec<[std::io::IoSliceMut; 1]> = bufs
                .iter_mut()
                .map(|b| [std::io::IoSliceMut::new(&mut b[..])])
                .collect();
            match recvmmsg(
                udp.as_raw_fd(),
                &mut headers,
                slices.iter_mut(),
                flags,
                None,
            ) {
                Ok(msgs) => msgs
                    .map(|m| (m.bytes, m.address, super::hw_clock::arrival(&m)))
                    .collect(),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return,
            }
        };
        let at = now_ns();
        let mut trials = lock(&counts.trials);
        for (buf, (n, from, (stamp, hw))) in bufs.iter().zip(got) {
            let Some(h) = Header::read(&buf[..n]) else {
                continue;
            };
            if h.reflect
                && let Some(addr) = from
            {
                let back = SocketAddr::from(std::net::SocketAddrV4::from(addr));
                let _ = udp.send_to(&buf[..n], back);
            }
            trials
                .entry(h.trial)
                .or_insert_with(Trial::new)
                .take(&h, stamp.unwrap_or(at), hw);
        }
        drop(trials);
        if counts.awaited.swap(false, Ordering::Relaxed) {
            counts.arrived.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_line_reads_back_as_its_addresses() {
        let line = "frame sink on 198.18.0.2:4000 control 198.18.0.2:4001";
        let (u, c) = read_line(line).unwrap();
        assert_eq!((u.port(), c.port()), (4000, 4001));
        assert!(read_line("traffic server on 1.2.3.4:5").is_none());
    }

    #[test]
    fn a_trial_counts_duplicates_and_reordering_apart_from_arrivals() {
        let mut t = Trial::new();
        let h = |seq| Header {
            trial: 1,
            seq,
            sent_ns: 1_000,
            reflect: false,
            tagged: false,
        };
        for seq in [0, 1, 3, 2, 3] {
            t.take(&h(seq), 6_000, None);
        }
        let c = t.count();
        assert_eq!((c.received, c.duplicates, c.reordered), (5, 1, 1));
        assert_eq!(t.unique(), 4);
        let l = c.latency.unwrap();
        assert!((l.min_us - 5.0).abs() < 0.01, "{l:?}");
    }
}
