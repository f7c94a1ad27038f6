//! The frame engine's fast path: whole Ethernet frames written into a PACKET_MMAP
//! transmit ring (TPACKET_V2) shared with the kernel, handed over in batches by one system
//! call, past the socket layer, the routing lookup and the qdisc (PACKET_QDISC_BYPASS).
//! Every slot holds its frame built in advance (Ethernet, IPv4 with its checksum, UDP
//! without one); a send writes the frame header of the payload (trial, sequence number,
//! time) and the slot's status. All of the engine's `unsafe` for the ring is here.
//!
//! It needs CAP_NET_RAW (root, as in the virtual lab's namespaces) and the next hop's
//! MAC address (the neighbour table, filled by the learning frames sent before a trial);
//! without either, the UDP path runs and the reason is said.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{Ordering, fence};

use nix::libc;

use super::ring_frame::{PAYLOAD_AT, frame, link_of, neighbour};
use super::{HEADER_LEN, Header};

/// Bytes a slot takes; frames up to 1518 bytes fit after its header.
const SLOT: usize = 2048;
/// Slots in a block, and blocks: 4096 frames in flight at most (8 MiB).
const SLOTS_PER_BLOCK: usize = 32;
const BLOCKS: usize = 128;
/// Where a TPACKET_V2 slot's frame starts: the aligned `tpacket2_hdr`.
const DATA_AT: usize = 32;
const TPACKET_V2: libc::c_int = 1;
const PACKET_VERSION: libc::c_int = 10;
const PACKET_TX_RING: libc::c_int = 13;
const PACKET_QDISC_BYPASS: libc::c_int = 20;
const TP_STATUS_AVAILABLE: u32 = 0;
const TP_STATUS_SEND_REQUEST: u32 = 1;
const TP_STATUS_WRONG_FORMAT: u32 = 4;
/// The longest a full ring waits for a slot, as a blocking socket waits for room.
const FULL_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// Why the ring path could not be opened (the UDP path runs instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NoRing {
    #[error("a packet socket needs CAP_NET_RAW (root)")]
    NotPermitted,
    #[error("no interface holds {address}")]
    NoInterface { address: Ipv4Addr },
    #[error("no neighbour entry (ARP) for {address} on {interface}")]
    NoNeighbour {
        address: Ipv4Addr,
        interface: String,
    },
    #[error(
        "frames from a packet socket to {address} reach no socket (the kernel drops loopback addresses that arrive from a device)"
    )]
    Loopback { address: Ipv4Addr },
    #[error("the ring could not be set up: {step}: {error}")]
    Setup {
        step: &'static str,
        error: nix::Error,
    },
}

/// The addresses of the frames a ring sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Addressing {
    pub(crate) src_mac: [u8; 6],
    pub(crate) dst_mac: [u8; 6],
    pub(crate) from: SocketAddrV4,
    pub(crate) to: SocketAddrV4,
}

/// A transmit ring with its frames.
pub(crate) struct TxRing {
    fd: OwnedFd,
    map: *mut u8,
    len: usize,
    slots: usize,
    next: usize,
    /// The frame's length without its FCS.
    frame_len: usize,
}

// SAFETY: the ring is used by one thread at a time (the sender); the mapping is owned.
unsafe impl Send for TxRing {}

/// A ring sending `frame_size`-byte frames from `from` to `to` (the next hop on the
/// link: its MAC from the neighbour table), or why there can be none.
pub(crate) fn to(
    from: SocketAddrV4,
    to: SocketAddrV4,
    frame_size: usize,
) -> Result<TxRing, NoRing> {
    // The privilege first: it is what a user can change.
    drop(packet_socket()?);
    if to.ip().is_loopback() {
        return Err(NoRing::Loopback { address: *to.ip() });
    }
    open_toward(from, to, frame_size)
}

/// A ring on the loopback whose frames no socket takes (see [`NoRing::Loopback`]): what
/// the ring alone can hand over, the generator's own ceiling on this path.
pub(crate) fn on_loopback(frame_size: usize) -> Result<TxRing, NoRing> {
    let lo = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9);
    open_toward(lo, lo, frame_size)
}

fn open_toward(from: SocketAddrV4, to: SocketAddrV4, frame_size: usize) -> Result<TxRing, NoRing> {
    let address = *from.ip();
    let interface =
        super::nic::interface_of(address.into()).ok_or(NoRing::NoInterface { address })?;
    let ifindex =
        nix::net::if_::if_nametoindex(interface.as_str()).map_err(|error| NoRing::Setup {
            step: "if_nametoindex",
            error,
        })?;
    let (src_mac, loopback) = link_of(&interface);
    let dst_mac = match loopback {
        true => [0; 6],
        false => neighbour(*to.ip(), &interface).ok_or(NoRing::NoNeighbour {
            address: *to.ip(),
            interface: interface.clone(),
        })?,
    };
    let a = Addressing {
        src_mac,
        dst_mac,
        from,
        to,
    };
    TxRing::open(packet_socket()?, ifindex, &frame(&a, frame_size))
}

/// A packet socket that receives nothing (protocol 0), or why there is none.
fn packet_socket() -> Result<OwnedFd, NoRing> {
    // SAFETY: plain socket(2); the descriptor is owned at once.
    let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    if raw < 0 {
        return Err(match nix::Error::last() {
            nix::Error::EPERM | nix::Error::EACCES => NoRing::NotPermitted,
            e => NoRing::Setup {
                step: "socket",
                error: e,
            },
        });
    }
    // SAFETY: `raw` is a new descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

impl TxRing {
    /// A ring on packet socket `fd`, bound to interface `ifindex`, whose every slot holds
    /// `template`.
    fn open(fd: OwnedFd, ifindex: u32, template: &[u8]) -> Result<TxRing, NoRing> {
        let setup = |step| move |error| NoRing::Setup { step, error };
        set(&fd, PACKET_VERSION, TPACKET_V2).map_err(setup("PACKET_VERSION"))?;
        // Not every kernel has it: without, frames pass the qdisc (a little slower).
        let _ = set(&fd, PACKET_QDISC_BYPASS, 1);
        let req = [
            SLOT * SLOTS_PER_BLOCK,
            BLOCKS,
            SLOT,
            SLOTS_PER_BLOCK * BLOCKS,
        ]
        .map(|v| v as u32);
        setsockopt_raw(&fd, PACKET_TX_RING, &req).map_err(setup("PACKET_TX_RING"))?;
        bind(&fd, ifindex).map_err(setup("bind"))?;
        let len = SLOT * SLOTS_PER_BLOCK * BLOCKS;
        // SAFETY: a shared mapping of the ring the kernel just made for this descriptor,
        // of exactly its size; unmapped in Drop.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(NoRing::Setup {
                step: "mmap",
                error: nix::Error::last(),
            });
        }
        let mut ring = TxRing {
            fd,
            map: map.cast(),
            len,
            slots: SLOTS_PER_BLOCK * BLOCKS,
            next: 0,
            frame_len: template.len().min(SLOT - DATA_AT),
        };
        let end = DATA_AT + ring.frame_len;
        for i in 0..ring.slots {
            ring.slot(i)[DATA_AT..end].copy_from_slice(&template[..end - DATA_AT]);
        }
        Ok(ring)
    }

    /// Slot `i`'s bytes.
    fn slot(&mut self, i: usize) -> &mut [u8] {
        // SAFETY: i < slots, so the slot lies inside the mapping; `&mut self` keeps one
        // reference at a time on this side (the kernel reads a slot only once its status
        // says so, which `send` writes last).
        unsafe { std::slice::from_raw_parts_mut(self.map.add(i * SLOT), SLOT) }
    }

    fn status(&mut self, i: usize) -> u32 {
        let s = self.slot(i);
        // SAFETY: the status word is the slot's first, 4-byte aligned (slots are 2048
        // bytes into a page-aligned mapping); read volatile, as the kernel writes it.
        unsafe { std::ptr::read_volatile(s.as_ptr().cast::<u32>()) }
    }

    fn free(&mut self, i: usize) -> bool {
        matches!(self.status(i), TP_STATUS_AVAILABLE | TP_STATUS_WRONG_FORMAT)
    }

    /// A full ring: what is queued goes, then wait (as a blocking socket would, at most
    /// [`FULL_WAIT`]) for the kernel to hand slot `i` back: its frame is still held on
    /// its way (a receiver that has not read it yet). Whether it came back.
    fn await_free(&mut self, i: usize) -> bool {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd;
        let deadline = std::time::Instant::now() + FULL_WAIT;
        loop {
            self.kick();
            if self.free(i) {
                return true;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            // The ring's socket is writable once its current slot is available again.
            let ms = PollTimeout::from(left.as_millis().clamp(1, 50) as u16);
            let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLOUT)];
            let _ = poll(&mut fds, ms);
        }
    }

    fn kick(&self) {
        // SAFETY: send(2) with no data: the ring's queued frames go.
        unsafe {
            libc::send(self.fd.as_raw_fd(), std::ptr::null(), 0, libc::MSG_DONTWAIT);
        }
    }

    /// Queue `headers`' frames and hand them to the kernel; how many it was given (fewer
    /// where the ring is full of frames it has not sent yet).
    pub(crate) fn send(&mut self, headers: &[Header]) -> usize {
        let mut queued = 0;
        for h in headers {
            let i = self.next;
            if !self.free(i) && !self.await_free(i) {
                break;
            }
            let len = self.frame_len as u32;
            let s = self.slot(i);
            h.write(&mut s[DATA_AT + PAYLOAD_AT..DATA_AT + PAYLOAD_AT + HEADER_LEN]);
            s[4..8].copy_from_slice(&len.to_ne_bytes()); // tp_len
            fence(Ordering::Release);
            // SAFETY: as in `status`; the frame is whole before the kernel may take it.
            unsafe {
                std::ptr::write_volatile(s.as_mut_ptr().cast::<u32>(), TP_STATUS_SEND_REQUEST)
            };
            self.next = (i + 1) % self.slots;
            queued += 1;
        }
        // One call sends all that is queued (without waiting for room it does not need).
        self.kick();
        queued
    }
}

impl Drop for TxRing {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`, of `len` bytes, unmapped once.
        unsafe { libc::munmap(self.map.cast(), self.len) };
    }
}

fn set(fd: &OwnedFd, opt: libc::c_int, value: libc::c_int) -> Result<(), nix::Error> {
    setsockopt_raw(fd, opt, &value)
}

fn setsockopt_raw<T>(fd: &OwnedFd, opt: libc::c_int, value: &T) -> Result<(), nix::Error> {
    // SAFETY: `value` is a live T of the size passed, as SOL_PACKET's option expects.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            opt,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(nix::Error::last())
    }
}

fn bind(fd: &OwnedFd, ifindex: u32) -> Result<(), nix::Error> {
    // SAFETY: a zeroed sockaddr_ll is valid; the fields set are the ones bind reads.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = (libc::ETH_P_IP as u16).to_be();
    sll.sll_ifindex = ifindex as i32;
    // SAFETY: `sll` is a live sockaddr_ll of the size passed.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&raw const sll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(nix::Error::last())
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
