//! The built-in engine's TCP streams: a blocking socket per stream on a thread of its own,
//! counted per second slot; retransmits from the kernel.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{BLOCK, GRACE, SideReport};
use crate::run::traffic::measure::Interval;

/// Seconds slots counted by many threads at once.
struct Slots {
    start: Instant,
    per_second: Vec<AtomicU64>,
}

impl Slots {
    fn new(duration: Duration) -> Slots {
        let n = duration.as_secs() as usize + 3;
        Slots {
            start: Instant::now(),
            per_second: (0..n).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn add(&self, bytes: u64) {
        let i = (self.start.elapsed().as_secs() as usize).min(self.per_second.len() - 1);
        self.per_second[i].fetch_add(bytes, Ordering::Relaxed);
    }

    fn get(&self, i: usize) -> u64 {
        self.per_second
            .get(i)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }
}

/// Write on every stream for `duration` (or until `stop`), telling `tick` each second's
/// interval as it ends; the sender's report.
pub(super) fn run_senders(
    streams: Vec<TcpStream>,
    duration: Duration,
    stop: &AtomicBool,
    mut tick: impl FnMut(&Interval),
) -> SideReport {
    let slots = Arc::new(Slots::new(duration));
    let deadline = slots.start + duration;
    let sockets: Vec<TcpStream> = streams.iter().filter_map(|s| s.try_clone().ok()).collect();
    let done = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for mut s in streams {
            let (slots, done) = (slots.clone(), done.clone());
            scope.spawn(move || {
                let block = vec![0x5au8; BLOCK];
                while Instant::now() < deadline && !done.load(Ordering::Relaxed) {
                    match s.write(&block) {
                        Ok(n) => slots.add(n as u64),
                        Err(_) => break,
                    }
                }
                let _ = s.shutdown(std::net::Shutdown::Write);
            });
        }
        // This thread: one interval a second, as it ends.
        let mut last_retrans = 0;
        for i in 0..duration.as_secs_f64().ceil() as usize {
            let end = (slots.start + Duration::from_secs(i as u64 + 1)).min(deadline);
            while Instant::now() < end {
                if stop.load(Ordering::Relaxed) {
                    done.store(true, Ordering::Relaxed);
                    return;
                }
                std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
            }
            let retrans = total_retransmits(&sockets);
            let start_s = i as f64;
            let end_s = (end - slots.start).as_secs_f64();
            let bytes = slots.get(i);
            tick(&Interval {
                start_s,
                end_s,
                bytes,
                bits_per_second: bits_per_second(bytes, end_s - start_s),
                retransmits: retrans.map(|r| r.saturating_sub(last_retrans)),
            });
            last_retrans = retrans.unwrap_or(0);
        }
    });
    sender_report(&slots, duration, &sockets)
}

/// The sender's report from its slots once its streams are done.
fn sender_report(slots: &Slots, duration: Duration, sockets: &[TcpStream]) -> SideReport {
    let seconds = slots
        .start
        .elapsed()
        .as_secs_f64()
        .min(duration.as_secs_f64().max(0.001));
    let per_second: Vec<u64> = (0..slots.per_second.len()).map(|i| slots.get(i)).collect();
    SideReport {
        bytes: per_second.iter().sum(),
        seconds,
        per_second,
        retransmits: total_retransmits(sockets),
        udp: None,
    }
}

/// Read every stream to its end; the receiver's report.
pub(super) fn run_receivers(streams: Vec<TcpStream>, duration: Duration) -> SideReport {
    let slots = Arc::new(Slots::new(duration));
    std::thread::scope(|scope| {
        for mut s in streams {
            let slots = slots.clone();
            let _ = s.set_read_timeout(Some(duration + GRACE));
            scope.spawn(move || {
                let mut buf = vec![0u8; BLOCK];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    slots.add(n as u64);
                }
            });
        }
    });
    let seconds = slots.start.elapsed().as_secs_f64();
    let per_second: Vec<u64> = (0..slots.per_second.len()).map(|i| slots.get(i)).collect();
    SideReport {
        bytes: per_second.iter().sum(),
        seconds,
        per_second,
        retransmits: None,
        udp: None,
    }
}

pub(super) fn bits_per_second(bytes: u64, seconds: f64) -> f64 {
    if seconds <= 0.0 {
        0.0
    } else {
        bytes as f64 * 8.0 / seconds
    }
}

/// Retransmitted segments over `sockets`, as the kernel counts them (Linux TCP_INFO).
fn total_retransmits(sockets: &[TcpStream]) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let mut total = 0u64;
    for s in sockets {
        let mut info: nix::libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<nix::libc::tcp_info>() as nix::libc::socklen_t;
        // SAFETY: `info` is a plain-old-data struct of the size passed in `len`, and the
        // descriptor belongs to a socket that lives for the whole call.
        let rc = unsafe {
            nix::libc::getsockopt(
                s.as_raw_fd(),
                nix::libc::IPPROTO_TCP,
                nix::libc::TCP_INFO,
                (&mut info as *mut nix::libc::tcp_info).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return None;
        }
        total += info.tcpi_total_retrans as u64;
    }
    Some(total)
}
