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

use super::packet::{PacketSocket, VNET_HDR, segments};
use super::shaper::Shaper;
use super::vlan::port_vlan;
use crate::locks::lock;
use crate::sim::state::Device;

/// How often the monitor reads the device, and how long a reader waits before looking
/// at the stop flag.
const TICK: Duration = Duration::from_millis(20);

/// The `flaps_from` that starts a flap schedule when traffic first crosses the switch.
pub const TRAFFIC_TRIGGER: &str = "traffic";
/// Packets into a port that mean traffic, not ARP and neighbour discovery.
const LOAD: u64 = 1000;

/// One wired port as the data plane starts it.
pub struct Wire {
    /// Index of the port in the simulated device.
    pub port: usize,
    /// The switch side's interface in the fabric namespace.
    pub fabric_if: String,
    pub rate_bps: f64,
    pub delay: Duration,
    /// Loss, 0 to 1.
    pub loss: f64,
    pub socket: PacketSocket,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    due: Instant,
    seq: u64,
    frame: Vec<u8>,
}

struct Queue {
    heap: BinaryHeap<Reverse<Pending>>,
    shaper: Shaper,
    seq: u64,
}

struct Port {
    wire: Wire,
    up: AtomicBool,
    vlan: AtomicU16,
    crc_drops: AtomicU64,
    counters: [AtomicU64; 4],
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
}

impl Switch {
    /// Start forwarding between `wires` of `device`; threads end when `stop` is set.
    pub fn start(
        device: Arc<Mutex<Device>>,
        fabric: &str,
        wires: Vec<Wire>,
        stop: Arc<AtomicBool>,
    ) -> Vec<std::thread::JoinHandle<()>> {
        let now = Instant::now();
        let ports = wires
            .into_iter()
            .map(|wire| {
                // A burst of a millisecond at the port's speed, or two GSO frames; a buffer
                // of 10 ms.
                let depth = (wire.rate_bps * 1e-3).max(2.0 * 65_536.0 * 8.0);
                let shaper = Shaper::new(wire.rate_bps, depth, Duration::from_millis(10), now);
                Port {
                    wire,
                    up: AtomicBool::new(false),
                    vlan: AtomicU16::new(1),
                    crc_drops: AtomicU64::new(0),
                    counters: Default::default(),
                    queue: Mutex::new(Queue {
                        heap: BinaryHeap::new(),
                        shaper,
                        seq: 0,
                    }),
                    ready: Condvar::new(),
                }
            })
            .collect();
        let sw = Arc::new(Switch {
            device,
            fabric: fabric.to_string(),
            ports,
            macs: Mutex::new(HashMap::new()),
            stop,
        });
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
        threads
    }

    fn crc_now(&self) -> Vec<u64> {
        let dev = lock(&self.device);
        self.ports
            .iter()
            .map(|p| dev.ports[p.wire.port].crc)
            .collect()
    }

    /// Read the device's ports; take a link down or up where its state changed; hand the
    /// counters back. Returns each port's state as now applied.
    fn monitor_once(&self, last: &mut [Option<bool>], crc: &mut [u64]) -> Vec<Option<bool>> {
        let mut changes = Vec::new();
        {
            let mut dev = lock(&self.device);
            for (i, p) in self.ports.iter().enumerate() {
                let up = dev.ports[p.wire.port].oper_up;
                p.vlan
                    .store(port_vlan(&dev, p.wire.port), Ordering::Relaxed);
                let now_crc = dev.ports[p.wire.port].crc;
                if let Some(before) = crc.get_mut(i) {
                    p.crc_drops
                        .fetch_add(now_crc.saturating_sub(*before), Ordering::Relaxed);
                    *before = now_crc;
                }
                let c = &p.counters;
                let t = &mut dev.ports[p.wire.port].traffic;
                t.in_packets = c[0].load(Ordering::Relaxed);
                t.in_bytes = c[1].load(Ordering::Relaxed);
                t.out_packets = c[2].load(Ordering::Relaxed);
                t.out_bytes = c[3].load(Ordering::Relaxed);
                if last[i] != Some(up) {
                    changes.push((i, up));
                }
            }
            // `flaps_from = "traffic"`: the flap schedule starts under load.
            let loaded = self
                .ports
                .iter()
                .any(|p| p.counters[0].load(Ordering::Relaxed) >= LOAD);
            if loaded
                && dev
                    .schedule_trigger
                    .as_ref()
                    .is_some_and(|(text, _)| text == TRAFFIC_TRIGGER)
                && let Some((_, start)) = dev.schedule_trigger.take()
            {
                start.notify_one();
            }
        }
        let mut now: Vec<Option<bool>> = last.to_vec();
        for (i, up) in changes {
            let p = &self.ports[i];
            // Down: frames stop at once, then the carrier; up: carrier first.
            if !up {
                p.up.store(false, Ordering::Relaxed);
            }
            let state = if up { "up" } else { "down" };
            let _ = super::netns::ip(&[
                "-n",
                &self.fabric,
                "link",
                "set",
                "dev",
                &p.wire.fabric_if,
                state,
            ]);
            if up {
                p.up.store(true, Ordering::Relaxed);
            }
            now[i] = Some(up);
        }
        now
    }

    fn receive(&self, i: usize) {
        let me = &self.ports[i];
        let mut buf = vec![0u8; super::packet::MAX_FRAME];
        let mut rng = rand::rng();
        while !self.stop.load(Ordering::Relaxed) {
            let n = match me.wire.socket.recv(&mut buf) {
                Ok(n) => n,
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
            if n < VNET_HDR + 14 || !me.up.load(Ordering::Relaxed) {
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
            let arrival = Instant::now();
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
                Some(j) if open(j) => self.enqueue(j, frame, arrival, me.wire.delay),
                // Learnt behind a port it may not go out of: dropped, as a switch does.
                Some(_) => {}
                None => {
                    for j in (0..self.ports.len()).filter(|&j| open(j)) {
                        self.enqueue(j, frame, arrival, me.wire.delay);
                    }
                }
            }
        }
    }

    fn enqueue(&self, j: usize, frame: &[u8], arrival: Instant, in_delay: Duration) {
        let p = &self.ports[j];
        let mut q = lock(&p.queue);
        let Some(departs) = q.shaper.departure(frame.len() - VNET_HDR, arrival) else {
            return;
        };
        q.seq += 1;
        let seq = q.seq;
        q.heap.push(Reverse(Pending {
            due: departs + in_delay + p.wire.delay,
            seq,
            frame: frame.to_vec(),
        }));
        p.ready.notify_one();
    }

    fn transmit(&self, j: usize) {
        let p = &self.ports[j];
        while !self.stop.load(Ordering::Relaxed) {
            let frame = {
                let mut q = lock(&p.queue);
                let wait = match q.heap.peek() {
                    Some(Reverse(next)) => next.due.saturating_duration_since(Instant::now()),
                    None => TICK,
                };
                if wait.is_zero() {
                    q.heap.pop().map(|Reverse(f)| f.frame)
                } else {
                    let _ = p.ready.wait_timeout(q, wait.min(TICK));
                    None
                }
            };
            if let Some(frame) = frame
                && p.up.load(Ordering::Relaxed)
                && p.wire.socket.send(&frame).is_ok()
            {
                let c = &p.counters;
                c[2].fetch_add(segments(&frame), Ordering::Relaxed);
                c[3].fetch_add((frame.len() - VNET_HDR) as u64, Ordering::Relaxed);
            }
        }
    }
}
