//! Tagged frames, RFC 2544's latency probes: now and then one frame of a trial goes out
//! on a socket of its own whose every send the kernel stamps as the driver takes it
//! (SO_TIMESTAMPING, software), and the sink keeps the kernel's stamp of its arrival. The
//! difference is the frame's latency without the sender's wake-ups or batching in it
//! (the stamp in the frame is taken before a batch is handed over, and a batch takes
//! time). Where the kernel gives no stamps, the frames' own stamps stand, said so.

use std::collections::HashMap;
use std::io::IoSliceMut;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, SockaddrIn, TimestampingFlag, recvmsg, setsockopt, sockopt,
};

use super::Latency;
use super::sink::{latency_histogram, summary};

/// At most this many tagged frames a trial (RFC 2544 asks for at least 20).
pub(crate) const MOST: usize = 2_000;
/// Tagged frames are this far apart at least.
const LEAST_GAP: Duration = Duration::from_millis(1);

/// The tagging socket and which sequence number each of its sends carried.
pub(super) struct Tagger {
    udp: UdpSocket,
    gap: Duration,
    next: Instant,
    /// The frame each send carried, by the kernel's count of the socket's sends (OPT_ID).
    seqs: Vec<u32>,
    /// The sending NIC's hardware clock (its stamping turned on), or why not.
    pub(super) clock: Result<i32, super::hw_clock::NoHardware>,
}

/// Each tagged frame's send time by sequence number: the kernel's (ns, CLOCK_REALTIME),
/// and the NIC's clock's where it stamped it.
#[derive(Debug, Default)]
pub(super) struct Sent {
    pub(super) kernel: HashMap<u32, u64>,
    pub(super) hardware: HashMap<u32, u64>,
}

impl Tagger {
    /// A socket from `from` to `to` whose sends the kernel stamps; None where it will not
    /// (then the frames' own stamps stand). A trial of `duration` gets frames `gap` apart
    /// so that at most [`MOST`] are tagged.
    pub(super) fn open(
        from: std::net::IpAddr,
        to: SocketAddr,
        duration: Duration,
    ) -> Option<Tagger> {
        let udp = UdpSocket::bind((from, 0)).ok()?;
        udp.connect(to).ok()?;
        let clock = super::hw_clock::hardware_clock(from);
        let mut flags = TimestampingFlag::SOF_TIMESTAMPING_TX_SOFTWARE
            | TimestampingFlag::SOF_TIMESTAMPING_SOFTWARE
            | TimestampingFlag::SOF_TIMESTAMPING_OPT_ID
            | TimestampingFlag::SOF_TIMESTAMPING_OPT_TSONLY;
        if clock.is_ok() {
            flags |= TimestampingFlag::SOF_TIMESTAMPING_TX_HARDWARE
                | TimestampingFlag::SOF_TIMESTAMPING_RAW_HARDWARE;
        }
        setsockopt(&udp, sockopt::Timestamping, &flags).ok()?;
        // The stamps wait in the socket's error queue until the trial ends: room for all.
        super::big_buffer(&udp, true, 8 << 20);
        Some(Tagger {
            udp,
            gap: (duration / MOST as u32).max(LEAST_GAP),
            next: Instant::now(),
            seqs: Vec::new(),
            clock,
        })
    }

    /// Whether the next frame goes out tagged.
    pub(super) fn due(&mut self, now: Instant) -> bool {
        if self.seqs.len() >= MOST || now < self.next {
            return false;
        }
        self.next = now + self.gap;
        true
    }

    /// Send `frame` (carrying `seq`, marked tagged) on the tagging socket.
    pub(super) fn send(&mut self, frame: &[u8], seq: u32) -> bool {
        let sent = self.udp.send(frame).is_ok();
        if sent {
            self.seqs.push(seq);
        }
        sent
    }

    /// Each tagged frame's send times, by sequence number: what the socket's error queue
    /// holds (a hardware stamp comes in a message of its own).
    pub(super) fn stamps(&self) -> Sent {
        let mut out = Sent::default();
        let mut space = nix::cmsg_space!(
            nix::sys::socket::Timestamps,
            nix::libc::sock_extended_err,
            nix::libc::sockaddr_in
        );
        let mut buf = [0u8; 64];
        loop {
            let mut iov = [IoSliceMut::new(&mut buf)];
            let flags = MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT;
            let fd = self.udp.as_raw_fd();
            let Ok(msg) = recvmsg::<SockaddrIn>(fd, &mut iov, Some(&mut space), flags) else {
                return out;
            };
            let (kernel, hardware) = super::hw_clock::arrival(&msg);
            let key = msg.cmsgs().into_iter().flatten().find_map(|c| match c {
                ControlMessageOwned::Ipv4RecvErr(e, _) => Some(e.ee_data as usize),
                _ => None,
            });
            if let Some(seq) = key.and_then(|k| self.seqs.get(k)) {
                out.kernel.extend(kernel.map(|at| (*seq, at)));
                out.hardware.extend(hardware.map(|at| (*seq, at)));
            }
        }
    }
}

/// The tagged frames' latency by the best stamps both ends have: one NIC clock's, else
/// the kernel's; with why the hardware clocks did not time it, where they did not.
pub(super) fn timed(
    sent: &Sent,
    sender: &Result<i32, super::hw_clock::NoHardware>,
    count: &super::SinkCount,
) -> (Option<Latency>, Option<String>) {
    let receiver = match &count.hardware_clock {
        Some(Ok(i)) => Ok(*i),
        Some(Err(why)) => Err(format!("the sink: {why}")),
        None => Err("the sink does not say".to_string()),
    };
    let sender = sender.clone().map_err(|e| e.to_string());
    let why = match super::hw_clock::choose(sender, receiver) {
        Ok(_) => {
            let hw = latency(&sent.hardware, &count.tagged_hw).map(|l| Latency {
                hardware_stamped: true,
                ..l
            });
            if hw.is_some() {
                return (hw, None);
            }
            "the NICs stamped no tagged frame".to_string()
        }
        Err(why) => why,
    };
    (latency(&sent.kernel, &count.tagged), Some(why))
}

/// The latency of the tagged frames the sink saw arrive (`arrived`: sequence number and
/// the time of arrival, ns) against their send times by the same clock; None without any.
pub(super) fn latency(sent: &HashMap<u32, u64>, arrived: &[(u32, u64)]) -> Option<Latency> {
    let mut hist = latency_histogram()?;
    for (seq, at) in arrived {
        if let Some(from) = sent.get(seq) {
            let _ = hist.record(at.saturating_sub(*from).max(1));
        }
    }
    summary(&hist).map(|l| Latency {
        kernel_stamped: true,
        ..l
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_arrival_less_the_kernel_s_send_time_of_the_same_frame() {
        let sent = HashMap::from([(1, 1_000), (5, 2_000), (9, 3_000)]);
        // Frame 9 never arrived; frame 7 was not stamped on its way out.
        let l = latency(&sent, &[(1, 11_000), (5, 32_000), (7, 50_000)]).unwrap();
        assert_eq!(l.frames, 2);
        assert!(
            (l.min_us - 10.0).abs() < 0.05 && (l.max_us - 30.0).abs() < 0.05,
            "{l:?}"
        );
        assert!(l.kernel_stamped);
        assert_eq!(latency(&sent, &[]), None);
    }

    #[test]
    fn one_nic_clock_at_both_ends_times_the_frames_else_the_kernel_s_stamps_with_why() {
        let sent = Sent {
            kernel: HashMap::from([(1, 1_000), (2, 2_000)]),
            hardware: HashMap::from([(1, 500), (2, 1_500)]),
        };
        let mut count = crate::run::traffic::frames::SinkCount {
            tagged: vec![(1, 41_000), (2, 42_000)],
            tagged_hw: vec![(1, 1_500), (2, 2_500)],
            hardware_clock: Some(Ok(3)),
            ..Default::default()
        };
        let (l, why) = timed(&sent, &Ok(3), &count);
        let l = l.unwrap();
        assert!(l.hardware_stamped && (l.max_us - 1.0).abs() < 0.01, "{l:?}");
        assert_eq!(why, None);
        // Two clocks: the kernel's stamps, and why.
        let (l, why) = timed(&sent, &Ok(2), &count);
        let l = l.unwrap();
        assert!(
            !l.hardware_stamped && (l.min_us - 40.0).abs() < 0.05,
            "{l:?}"
        );
        assert!(why.unwrap().contains("two clocks (ptp2, ptp3)"));
        // A veth at the sink: no hardware stamping there.
        count.hardware_clock = Some(Err("eth1 does not stamp frames in hardware".into()));
        let (_, why) = timed(&sent, &Ok(3), &count);
        assert_eq!(
            why.as_deref(),
            Some("the sink: eth1 does not stamp frames in hardware")
        );
    }

    #[test]
    fn the_kernel_stamps_each_tagged_send_on_loopback() {
        let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = sink.local_addr().unwrap();
        let lo = std::net::IpAddr::from([127, 0, 0, 1]);
        let Some(mut t) = Tagger::open(lo, to, Duration::from_secs(1)) else {
            panic!("SO_TIMESTAMPING refused on loopback");
        };
        for seq in [10, 20, 30] {
            assert!(t.send(&[0u8; 32], seq));
        }
        let stamps = t.stamps().kernel;
        assert_eq!(stamps.len(), 3, "{stamps:?}");
        let now = super::super::now_ns();
        assert!(
            stamps
                .values()
                .all(|s| *s <= now && now - s < 5_000_000_000)
        );
    }
}
