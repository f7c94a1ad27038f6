//! A raw AF_PACKET socket on one interface, with virtio-net headers: a GSO super-frame
//! (up to 64 KB of TCP segments the kernel has not cut yet) is received whole and sent on
//! whole, so the simulated switch moves frames at the kernel's pace, not one syscall per
//! 1500 bytes. Frames this socket sends are never received by it again.
//!
//! The unsafe code is the C socket API (socket, setsockopt, bind, recv, send, setns, a
//! socket filter), each call checked; nothing else here is unsafe.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant, SystemTime};

use nix::libc;

/// linux/if_packet.h: a virtio_net_hdr before every frame.
const PACKET_VNET_HDR: libc::c_int = 15;
/// linux/if_packet.h: do not hand this socket the frames it sent.
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
/// asm-generic/socket.h: a socket filter on, and off.
const SO_ATTACH_FILTER: libc::c_int = 26;
const SO_DETACH_FILTER: libc::c_int = 27;
/// The virtio_net_hdr that starts every frame read and written.
pub const VNET_HDR: usize = 10;
/// A GSO super-frame's most, with its header.
pub const MAX_FRAME: usize = 65_536 + VNET_HDR + 64;

pub struct PacketSocket {
    fd: OwnedFd,
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

fn set_int(fd: &OwnedFd, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> io::Result<()> {
    // SAFETY: a valid fd and a pointer to an int of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    check(rc).map(|_| ())
}

impl PacketSocket {
    /// A socket on interface `name` of the calling thread's network namespace, reads
    /// giving up after `timeout` (so a reader can notice it should stop).
    pub fn open(name: &str, timeout: Duration) -> io::Result<PacketSocket> {
        let cname = std::ffi::CString::new(name).map_err(io::Error::other)?;
        // SAFETY: a NUL-terminated name.
        let index = unsafe { libc::if_nametoindex(cname.as_ptr()) };
        if index == 0 {
            return Err(io::Error::last_os_error());
        }
        let all = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2); the fd is owned at once.
        let raw = check(unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                all as libc::c_int,
            )
        })?;
        // SAFETY: a fresh fd from socket(2), owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        set_int(&fd, libc::SOL_PACKET, PACKET_VNET_HDR, 1)?;
        set_int(&fd, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)?;
        // Past net.core.rmem_max (the data plane runs as root): a switch's burst of full
        // frames must not overflow a 200 KB default while a thread waits for a core.
        set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, 8 << 20)
            .or_else(|_| set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, 8 << 20))?;
        // Each frame's arrival time from the kernel: a frame that waited in this buffer
        // for the forwarding thread waited in the switch.
        set_int(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1)?;
        set_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, 4 << 20)
            .or_else(|_| set_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUF, 4 << 20))?;
        let tv = libc::timeval {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: a valid fd and a timeval of the size passed.
        check(unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })?;
        // SAFETY: sockaddr_ll is plain data; zeroed is a valid value before it is filled.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = all;
        addr.sll_ifindex = index as i32;
        // SAFETY: a valid fd and a sockaddr_ll of the size passed.
        check(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;
        Ok(PacketSocket { fd })
    }

    /// The next frame (virtio-net header first) into `buf`; `WouldBlock`/`TimedOut` when
    /// none came within the timeout.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: a valid fd and a buffer of the length passed.
        let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }

    /// As `recv`, with the time the kernel took the frame in (None if it gave none).
    pub fn recv_stamped(&self, buf: &mut [u8]) -> io::Result<(usize, Option<SystemTime>)> {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // Room for one SCM_TIMESTAMPNS (a timespec) and its header, u64-aligned.
        let mut control = [0u64; 8];
        // SAFETY: msghdr is plain data; zeroed is valid before its fields are set.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
        // SAFETY: a valid fd; the msghdr points at a live buffer and control area.
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut stamp = None;
        // SAFETY: the CMSG macros walk the control area recvmsg filled, within its length.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                    let d = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
                    stamp = Some(std::time::UNIX_EPOCH + d);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        Ok((n as usize, stamp))
    }

    /// Take no frames in (`true`: a filter that keeps none, so the kernel queues nothing
    /// and wakes no reader, while the kernel forwards) or every frame again (`false`).
    pub fn set_deaf(&self, deaf: bool) -> io::Result<()> {
        if !deaf {
            return set_int(&self.fd, libc::SOL_SOCKET, SO_DETACH_FILTER, 0);
        }
        // One classic BPF instruction, `ret #0`: keep nothing of the frame.
        let mut keep_none = [libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: 0,
        }];
        let prog = libc::sock_fprog {
            len: 1,
            filter: keep_none.as_mut_ptr(),
        };
        // SAFETY: a valid fd and a filter program that outlives the call (the kernel
        // copies it).
        let rc = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                SO_ATTACH_FILTER,
                (&prog as *const libc::sock_fprog).cast(),
                std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        check(rc).map(|_| ())
    }

    /// Frames the kernel dropped for want of room in this socket's queue since the last
    /// call (PACKET_STATISTICS, which resets as it is read): the reader fell behind.
    pub fn take_drops(&self) -> io::Result<u64> {
        let mut stats = libc::tpacket_stats {
            tp_packets: 0,
            tp_drops: 0,
        };
        let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: a valid fd, and a tpacket_stats with its size for the kernel to fill.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut stats as *mut libc::tpacket_stats).cast(),
                &mut len,
            )
        };
        check(rc).map(|_| u64::from(stats.tp_drops))
    }

    /// Send one frame (virtio-net header first).
    pub fn send(&self, frame: &[u8]) -> io::Result<usize> {
        // SAFETY: a valid fd and a buffer of the length passed.
        let n = unsafe { libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

/// Run `f` on a thread inside network namespace `netns` (what it opens stays in it) and
/// give back its result.
pub fn in_netns<T: Send + 'static>(
    netns: &str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let path = format!("/run/netns/{netns}");
    let ns =
        std::fs::File::open(&path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?;
    std::thread::spawn(move || {
        // SAFETY: a valid namespace fd; only this thread (which ends here) moves.
        check(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) })?;
        f()
    })
    .join()
    .map_err(|_| io::Error::other("the thread entering the namespace panicked"))?
}

/// How many wire packets a frame (its virtio-net header first) stands for: a GSO
/// super-frame is cut into segments of `gso_size` payload bytes after its headers.
pub fn segments(frame: &[u8]) -> u64 {
    if frame.len() < VNET_HDR {
        return 0;
    }
    let gso_type = frame[1];
    let hdr_len = u16::from_le_bytes([frame[2], frame[3]]) as usize;
    let gso_size = u16::from_le_bytes([frame[4], frame[5]]) as usize;
    let len = frame.len() - VNET_HDR;
    if gso_type == 0 || gso_size == 0 || len <= hdr_len {
        return 1;
    }
    (len - hdr_len).div_ceil(gso_size) as u64
}

/// When a frame the kernel stamped at `stamp` (wall clock, as `recv_stamped` gives it)
/// came in, on the monotonic clock: the time it waited for the reading thread counts.
/// `wall` and `mono` read the two clocks, the wall clock first: were the thread preempted
/// between the two reads, the other order would take the gap for waiting and date the
/// frame early, so a switch would forward it under its latency (a 400 µs switch measured
/// 373 µs); this order only dates it late.
pub fn arrival(
    stamp: Option<SystemTime>,
    wall: impl FnOnce() -> SystemTime,
    mono: impl FnOnce() -> Instant,
) -> Instant {
    let waited = stamp
        .and_then(|t| wall().duration_since(t).ok())
        .unwrap_or_default();
    let now = mono();
    now.checked_sub(waited).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Regression: a preemption between the two clock reads dated frames early.
    #[test]
    fn a_preemption_between_the_clock_reads_never_dates_a_frame_early() {
        let (wall0, mono0) = (SystemTime::now(), Instant::now());
        // True time since (wall0, mono0), which every read then moves on by 27 µs: the
        // thread is preempted right after whichever clock it reads first.
        let t = Cell::new(Duration::from_micros(150));
        let gap = Duration::from_micros(27);
        let read = || {
            let now = t.get();
            t.set(now + gap);
            now
        };
        // The kernel took the frame in at 100 µs.
        let stamp = Some(wall0 + Duration::from_micros(100));
        let at = arrival(stamp, || wall0 + read(), || mono0 + read());
        assert!(
            at >= mono0 + Duration::from_micros(100),
            "dated {:?} before the kernel took it in",
            (mono0 + Duration::from_micros(100)).duration_since(at)
        );
    }

    #[test]
    fn a_frame_without_a_stamp_arrived_when_it_is_read() {
        let mono0 = Instant::now();
        assert_eq!(arrival(None, SystemTime::now, || mono0), mono0);
    }
}
