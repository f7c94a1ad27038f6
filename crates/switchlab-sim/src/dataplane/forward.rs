//! The simulated switches' forwarding: per device, its wired ports (each the switch side
//! of a veth pair, read and written with a packet socket) as a learning layer-2 switch.
//! A frame is taken in only on a port that is up; it goes out on the port its destination
//! MAC was learnt on, or floods, and only to ports that are up and in the same VLAN as
//! the one it came in on. Each egress port is shaped to its speed (a full buffer drops)
//! and adds its link's delay; a link's loss drops at random, and CRC errors injected on a
//! port drop frames in step with the counter. A monitor reads the simulated device's
//! state every 20 ms: port up/down (a flap takes the veth down, so the endpoint's NIC
//! loses carrier), VLAN from the running config, CRC errors; and writes the counters back.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rand::RngExt;

use super::kernel::KernelPath;
use super::packet::{VNET_HDR, segments};
use super::shaper::Shaper;
use super::wire::{WIRE_EXTRA, Wire, buffer_time};
use crate::state::Device;
use switchlab::locks::lock;

mod monitor;
mod out;

use out::{HOST, discard, send_out};

/// How often the monitor reads the device, and how long a reader waits before looking
/// at the stop flag.
const TICK: Duration = Duration::from_millis(20);

/// The `flaps_from` that starts a flap schedule when traffic first crosses the switch.
pub const TRAFFIC_TRIGGER: &str = "traffic";
/// Packets into a port that mean traffic, not ARP and neighbour discovery; or their
/// bytes at full size (the kernel's path counts a 64 KB GSO frame as one packet).
const LOAD: u64 = 1000;
const LOAD_BYTES: u64 = LOAD * 1514;

/// The FCS, which the frame's serialization time counts and a packet socket does not see.
const FCS: usize = 4;

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    due: Instant,
    seq: u64,
    frame: Vec<u8>,
}

struct Queue {
    heap: BinaryHeap<Reverse<Pending>>,
    shaper: Shaper,
    /// `max_fps`: the switch's forwarding capacity, in frames.
    capacity: Option<Shaper>,
    seq: u64,
}

struct Port {
    wire: Wire,
    up: AtomicBool,
    vlan: AtomicU16,
    crc_drops: AtomicU64,
    counters: [AtomicU64; 4],
    /// Frames dropped on the way out of this port: by the model (its capacity or buffer
    /// full: the switch's discards) and by the host (a thread that fell behind).
    dropped: [AtomicU64; 2],
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// One simulated device's forwarding.
pub struct Switch {
    device: Arc<Mutex<Device>>,
    fabric: String,
    ports: Vec<Port>,
    macs: Mutex<HashMap<[u8; 6], usize>>,
    stop: Arc<AtomicBool>,
    /// The kernel's path while the switch forwards in it ([`super::kernel`]); the
    /// threads here then take no frame.
    kernel: Mutex<Option<KernelPath>>,
    /// Whether `kernel` holds a path: read by the receiving threads at every frame, so an
    /// atomic rather than the lock.
    in_kernel: AtomicBool,
}

/// The least a frame may wait for the forwarding thread before it is dropped (a loaded
/// machine may keep a thread from its core this long without the switch being at fault:
/// at 20 ms a benchmark through a switch capped at 20,000 frames/s lost frames to a stall
/// now and then, and found 11,084 as the loss no stage counted).
const STALE: Duration = Duration::from_millis(100);

impl Port {
    /// A wired port as it starts: down, in VLAN 1, its queue empty.
    fn new(wire: Wire, now: Instant) -> Port {
        // A burst of a millisecond at the port's speed, or two GSO frames; a buffer of
        // `buffer_kb`, else of 10 ms.
        let depth = (wire.rate_bps * 1e-3).max(2.0 * 65_536.0 * 8.0);
        let buffer = buffer_time(&wire);
        let shaper = Shaper::new(wire.rate_bps, depth, buffer, now);
        // The forwarding engine takes a millisecond's frames at once (a sender's batch is
        // not queued), then its rate.
        let capacity = (wire.forwarding.max_fps).map(|fps| {
            let fps = fps as f64;
            Shaper::new(fps, (fps / 1e3).max(1.0), Duration::ZERO, now)
        });
        Port {
            wire,
            up: AtomicBool::new(false),
            vlan: AtomicU16::new(1),
            crc_drops: AtomicU64::new(0),
            counters: Default::default(),
            dropped: Default::default(),
            queue: Mutex::new(Queue {
                heap: BinaryHeap::new(),
                shaper,
                capacity,
                seq: 0,
            }),
            ready: Condvar::new(),
        }
    }
}

impl Switch {
    /// Start forwarding between `wires` of `device`, in the `kernel`'s path when given;
    /// threads end when `stop` is set.
    pub fn start(
        device: Arc<Mutex<Device>>,
        fabric: &str,
        wires: Vec<Wire>,
        kernel: Option<KernelPath>,
        stop: Arc<AtomicBool>,
    ) -> (Arc<Switch>, Vec<std::thread::JoinHandle<()>>) {
        let now = Instant::now();
        let ports = wires.into_iter().map(|wire| Port::new(wire, now)).collect();
        let sw = Arc::new(Switch {
            device,
            fabric: fabric.to_string(),
            ports,
            macs: Mutex::new(HashMap::new()),
            stop,
            in_kernel: AtomicBool::new(kernel.is_some()),
            kernel: Mutex::new(kernel),
        });
        if sw.in_kernel.load(Ordering::Relaxed) {
            for p in &sw.ports {
                // Without the filter frames are still not forwarded twice (a reader drops
                // them while the kernel forwards), only read for nothing.
                if let Err(e) = p.wire.socket.set_deaf(true) {
                    tracing::warn!("data plane: {}: socket filter: {e}", p.wire.fabric_if);
                }
            }
        }
        // The first look at the device before any frame moves: ports start as it says.
        let mut last = sw.monitor_once(
            &mut vec![None; sw.ports.len()],
            &mut vec![0; sw.ports.len()],
        );
        let mut threads = Vec::new();
        for i in 0..sw.ports.len() {
            let (a, b) = (sw.clone(), sw.clone());
            threads.push(std::thread::spawn(move || a.receive(i)));
            threads.push(std::thread::spawn(move || b.transmit(i)));
        }
        let m = sw.clone();
        threads.push(std::thread::spawn(move || {
            let mut crc: Vec<u64> = m.crc_now();
            while !m.stop.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                last = m.monitor_once(&mut last, &mut crc);
            }
        }));
        (sw, threads)
    }

    fn receive(&self, i: usize) {
        let me = &self.ports[i];
        let mut buf = vec![0u8; super::packet::MAX_FRAME];
        let mut rng = rand::rng();
        while !self.stop.load(Ordering::Relaxed) {
            let (n, stamp) = match me.wire.socket.recv_stamped(&mut buf) {
                Ok(got) => got,
                // The read timeout: look at the stop flag again.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                // Anything else (the interface going away) would repeat at once: pace it.
                Err(e) => {
                    tracing::debug!("data plane: {}: {e}", me.wire.fabric_if);
                    std::thread::sleep(TICK);
                    continue;
                }
            };
            if n < VNET_HDR + 14
                || !me.up.load(Ordering::Relaxed)
                || self.in_kernel.load(Ordering::Relaxed)
            {
                continue;
            }
            let frame = &buf[..n];
            let c = &me.counters;
            c[0].fetch_add(segments(frame), Ordering::Relaxed);
            c[1].fetch_add((n - VNET_HDR) as u64, Ordering::Relaxed);
            let crc = me.crc_drops.load(Ordering::Relaxed);
            if crc > 0 {
                me.crc_drops.fetch_sub(1, Ordering::Relaxed);
                continue;
            }
            if me.wire.loss > 0.0 && rng.random::<f64>() < me.wire.loss {
                continue;
            }
            let arrival = super::packet::arrival(stamp, std::time::SystemTime::now, Instant::now);
            self.switch_frame(i, frame, arrival);
        }
    }

    /// Frame `frame`, arrived at `arrival` on port `i`: its source learnt, sent out of the
    /// port its destination was learnt on, or flooded to every open port of its VLAN.
    fn switch_frame(&self, i: usize, frame: &[u8], arrival: Instant) {
        let me = &self.ports[i];
        let eth = &frame[VNET_HDR..];
        let mut dst = [0u8; 6];
        let mut src = [0u8; 6];
        dst.copy_from_slice(&eth[..6]);
        src.copy_from_slice(&eth[6..12]);
        let vlan = me.vlan.load(Ordering::Relaxed);
        let open = |j: usize| {
            let p = &self.ports[j];
            j != i && p.up.load(Ordering::Relaxed) && p.vlan.load(Ordering::Relaxed) == vlan
        };
        let known = {
            let mut macs = lock(&self.macs);
            if src[0] & 1 == 0 {
                macs.insert(src, i);
            }
            if dst[0] & 1 == 0 {
                macs.get(&dst).copied()
            } else {
                None
            }
        };
        match known {
            Some(j) if open(j) => self.enqueue(j, frame, arrival, &me.wire),
            // Learnt behind a port it may not go out of (down, another VLAN): dropped, and
            // counted, as a switch does.
            Some(j) => discard(&self.ports[j], segments(frame).max(1) as usize),
            None => {
                for j in (0..self.ports.len()).filter(|&j| open(j)) {
                    self.enqueue(j, frame, arrival, &me.wire);
                }
            }
        }
    }

    /// Queue `frame`, arrived at `arrival` on `from`, out of port `j`: through the
    /// switch's forwarding capacity, the port's speed (a full buffer drops it), then its
    /// forwarding latency and both links' delay.
    fn enqueue(&self, j: usize, frame: &[u8], arrival: Instant, from: &Wire) {
        let p = &self.ports[j];
        let fw = &p.wire.forwarding;
        // A frame that waited for the forwarding thread longer than the switch holds
        // frames is lost, as in an overrun switch: overload shows as loss, not as a
        // queue no switch has.
        if arrival.elapsed() > buffer_time(&p.wire).max(STALE) {
            p.dropped[HOST].fetch_add(1, Ordering::Relaxed);
            return;
        }
        let segs = segments(frame).max(1) as usize;
        let bytes = frame.len() - VNET_HDR;
        // One segment's frame as the wire has it (a GSO frame's segments are alike).
        let frame_bytes = bytes / segs + FCS;
        let mut q = lock(&p.queue);
        let mut ready = arrival;
        if let Some(cap) = q.capacity.as_mut() {
            // Frames wait for the forwarding engine in the buffer, as many as fit.
            let fps = fw.max_fps.unwrap_or(1) as f64;
            let room = buffer_time(&p.wire).as_secs_f64() * p.wire.rate_bps / 8.0;
            let wait = Duration::from_secs_f64(room / frame_bytes as f64 / fps);
            match cap.take(segs as f64, arrival, wait) {
                Some(at) => ready = at,
                None => return discard(p, segs),
            }
        }
        let Some(departs) = q.shaper.departure(bytes + WIRE_EXTRA * segs, ready) else {
            return discard(p, segs);
        };
        let mut added = from.delay + p.wire.delay;
        if let Some(us) = fw.latency_us {
            added += Duration::from_secs_f64(us / 1e6);
        }
        if fw.forwarding == Some(switchlab::format::lab::ForwardingMode::StoreAndForward) {
            // The whole frame is in (at the speed it came in at) before it may leave.
            added += Duration::from_secs_f64(frame_bytes as f64 * 8.0 / from.rate_bps);
        }
        let due = departs + added;
        if q.heap.is_empty() && due <= Instant::now() {
            // Due now and nothing ahead of it: out from this thread, as a cut-through
            // switch sends it. Handing it to the port's thread would add that thread's
            // wake-up to every frame's latency (tens of µs, more than a real switch's).
            // The queue stays locked, so the port's thread cannot send out of order.
            send_out(p, frame);
            return;
        }
        q.seq += 1;
        let seq = q.seq;
        q.heap.push(Reverse(Pending {
            due,
            seq,
            frame: frame.to_vec(),
        }));
        p.ready.notify_one();
    }

    fn transmit(&self, j: usize) {
        let p = &self.ports[j];
        // A timed wait ends within the default slack of 50 µs: a frame's due time (a
        // store-and-forward frame's 12 µs at 1 Gbit/s) would be lost in it. Without the
        // setting the port forwards as before, its latency less exact.
        let _ = nix::sys::prctl::set_timerslack(1_000);
        while !self.stop.load(Ordering::Relaxed) {
            let mut q = lock(&p.queue);
            let wait = match q.heap.peek() {
                Some(Reverse(next)) => next.due.saturating_duration_since(Instant::now()),
                None => TICK,
            };
            if wait.is_zero() {
                // Late past what the switch holds: this thread fell behind, and an
                // overrun switch drops (a frame is never held longer than that).
                let now = Instant::now();
                let due = q
                    .heap
                    .pop()
                    .filter(|Reverse(f)| now.saturating_duration_since(f.due) <= STALE);
                // Sent with the queue locked: a frame the receiving thread sends at once
                // (nothing queued ahead of it) cannot overtake this one.
                match due {
                    Some(Reverse(f)) => send_out(p, &f.frame),
                    None => {
                        p.dropped[HOST].fetch_add(1, Ordering::Relaxed);
                    }
                }
            } else if wait <= EARLY && !q.heap.is_empty() {
                // So close to a frame's due time a timed wait wakes late (tens of µs, a
                // store-and-forward frame's latency off by a fifth): spin to it instead.
                drop(q);
                let until = Instant::now() + wait;
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
            } else {
                let _ = p
                    .ready
                    .wait_timeout(q, wait.saturating_sub(EARLY).min(TICK));
            }
        }
    }
}

/// How long before a queued frame's due time its port's thread stops sleeping and spins.
const EARLY: Duration = Duration::from_micros(100);
