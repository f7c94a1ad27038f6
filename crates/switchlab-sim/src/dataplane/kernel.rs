//! The kernel's forwarding path, for a switch whose links ask only for what the kernel
//! does as the model says: learning and flooding within a VLAN (a Linux bridge per VLAN
//! in the fabric namespace, a port moved between them when its running config moves it),
//! each port's speed and buffer (a tbf qdisc on its switch side's egress), up and down
//! (the veth's state, as on the user-space path) and counters (the switch sides'
//! interface counters, which count a GSO frame once, as it crossed the veth). Frames then
//! never cross into this process: waking a thread for every frame is what held the
//! user-space path to 0.6× a veth pair on a 2-core machine.
//!
//! Delay, loss, a forwarding capacity or latency and store-and-forward need each frame in
//! hand, so a switch with any of them forwards in user space ([`super::forward`]); so
//! does one after a port takes CRC errors, dropped one frame for each ([`KernelPath::leave`]).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::netns::{NetnsError, ip, tc};
use super::packet::in_netns;
use super::wire::{WIRE_EXTRA, Wire, buffer_time};

/// A port's traffic as the kernel counted it: packets in, bytes in, packets out, bytes
/// out (the order of the user-space path's counters).
pub type Counts = [u64; 4];

/// The least a frame takes on the wire, preamble and gap counted: 64 bytes and 20. tbf
/// counts each frame as its bytes (without FCS) plus [`WIRE_EXTRA`], and at least this,
/// so single frames of every size pass at the port's line rate. A GSO frame is counted
/// once, not once a segment: TCP through the kernel's path runs about 1.6 % faster than
/// at a real port's line rate (24 bytes a 1514-byte segment).
const MIN_WIRE_FRAME: usize = 84;

/// Whether the kernel forwards a link's switch side as the model says: nothing on it
/// needs each frame in hand.
fn kernel_forwards(wire: &Wire) -> bool {
    let f = &wire.forwarding;
    wire.delay.is_zero()
        && wire.loss == 0.0
        && f.max_fps.is_none()
        && f.forwarding.is_none()
        && f.latency_us.is_none()
}

/// One switch's ports in the kernel's path.
pub struct KernelPath {
    fabric: String,
    /// The device's index, which names its bridges ([`KernelPath::bridge`]).
    device: usize,
    /// The ports' switch-side interfaces, in the order of the switch's wires.
    ports: Vec<String>,
    /// The VLAN whose bridge each port is in (None before the first look at the device).
    vlans: Vec<Option<u16>>,
    bridges: BTreeSet<u16>,
    /// `/proc/net/dev` of the fabric namespace.
    stats: File,
    /// What the ports' shapers dropped: the switch's output discards (None where the
    /// kernel's qdisc counts could not be read: said once, and none are shown).
    shapers: Option<super::shaper_drops::ShaperDrops>,
    /// The last read of them, and the looks since: read every [`DISCARDS_EVERY`]th look
    /// (a dump of the namespace's qdiscs each 20 ms tick slowed the monitor's tick).
    discards: (Vec<u64>, u32),
}

/// How often (in monitor ticks) the shapers' drops are read: 100 ms.
const DISCARDS_EVERY: u32 = 5;

/// Interface `name`'s row of `/proc/net/dev` as [`Counts`]: received packets and bytes,
/// sent packets and bytes.
fn counts_of(text: &str, name: &str) -> Option<Counts> {
    let n = switchlab::run::traffic::frames::nic::dev_row(text, name)?;
    Some([*n.get(1)?, *n.first()?, *n.get(9)?, *n.get(8)?])
}

/// The path switch `name` (device `device` of the fabric) forwards on, and the line that
/// says which and why: the kernel's unless `user_space` is asked, a link needs each frame
/// in hand, or the kernel refuses the shapers.
pub fn choose(
    name: &str,
    fabric: &str,
    device: usize,
    wires: &[Wire],
    user_space: bool,
) -> (Option<KernelPath>, String) {
    if user_space {
        return (None, format!("{name} forwards in user space (as asked)"));
    }
    if !wires.iter().all(kernel_forwards) {
        let why = "a link asks for delay, loss or forwarding figures";
        return (None, format!("{name} forwards in user space ({why})"));
    }
    match KernelPath::start(fabric, device, wires) {
        Ok(path) => (
            Some(path),
            format!("{name} forwards in the kernel (a bridge per VLAN)"),
        ),
        Err(e) => (None, format!("{name} forwards in user space ({e})")),
    }
}

impl KernelPath {
    /// Shape `wires` (switch sides in namespace `fabric`); no frame moves until
    /// [`KernelPath::set_vlan`] puts a port in a bridge.
    pub fn start(fabric: &str, device: usize, wires: &[Wire]) -> Result<KernelPath, NetnsError> {
        let shaped = shape(fabric, wires);
        let stats = shaped.and_then(|()| {
            // The fabric's interface counters, opened from inside it: the file reads that
            // namespace's for as long as it is open, with no process started per read.
            in_netns(fabric, || File::open("/proc/thread-self/net/dev")).map_err(|error| {
                NetnsError::Counters {
                    netns: fabric.to_string(),
                    error,
                }
            })
        });
        let stats = match stats {
            Ok(stats) => stats,
            Err(e) => {
                // The user-space path shapes on its own: no port keeps a half-made shaper.
                for w in wires {
                    let _ = tc(&["-n", fabric, "qdisc", "del", "dev", &w.fabric_if, "root"]);
                }
                return Err(e);
            }
        };
        let ports: Vec<String> = wires.iter().map(|w| w.fabric_if.clone()).collect();
        let shapers = super::shaper_drops::ShaperDrops::open(fabric, &ports)
            .inspect_err(|e| tracing::warn!("{fabric}: the shapers' drops cannot be read: {e}"))
            .ok();
        Ok(KernelPath {
            fabric: fabric.to_string(),
            device,
            ports,
            vlans: vec![None; wires.len()],
            bridges: BTreeSet::new(),
            stats,
            shapers,
            discards: (Vec::new(), 0),
        })
    }

    /// Forward port `k` in VLAN `vlan`: into that VLAN's bridge, made at its first port.
    pub fn set_vlan(&mut self, k: usize, vlan: u16) -> Result<(), NetnsError> {
        if self.vlans.get(k).copied().flatten() == Some(vlan) {
            return Ok(());
        }
        let bridge = self.bridge(vlan);
        if !self.bridges.contains(&vlan) {
            // No IGMP snooping: a switch without configuration floods multicast.
            ip(&[
                "-n",
                &self.fabric,
                "link",
                "add",
                &bridge,
                "type",
                "bridge",
                "mcast_snooping",
                "0",
            ])?;
            ip(&["-n", &self.fabric, "link", "set", &bridge, "up"])?;
            self.bridges.insert(vlan);
        }
        ip(&[
            "-n",
            &self.fabric,
            "link",
            "set",
            "dev",
            &self.ports[k],
            "master",
            &bridge,
        ])?;
        self.vlans[k] = Some(vlan);
        Ok(())
    }

    /// Every port's traffic since it was made, in the order of its wires: what the
    /// switch side received is what came in on the port, what it sent went out.
    pub fn counts(&mut self) -> Result<Vec<Counts>, NetnsError> {
        let mut text = String::new();
        self.stats
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.stats.read_to_string(&mut text))
            .map_err(|error| NetnsError::Counters {
                netns: self.fabric.clone(),
                error,
            })?;
        self.ports
            .iter()
            .map(|p| {
                counts_of(&text, p).ok_or_else(|| NetnsError::NoCounters {
                    netns: self.fabric.clone(),
                    interface: p.clone(),
                })
            })
            .collect()
    }

    /// What each port's shaper dropped so far (its buffer full), in the order of its
    /// wires: the switch's output discards; None where they cannot be read.
    pub fn discards(&mut self) -> Option<Vec<u64>> {
        let shapers = self.shapers.as_mut()?;
        let (last, looks) = &mut self.discards;
        *looks += 1;
        if *looks % DISCARDS_EVERY != 1 && !last.is_empty() {
            return Some(last.clone());
        }
        match shapers.drops() {
            Ok(d) => {
                *last = d.clone();
                Some(d)
            }
            Err(e) => {
                tracing::warn!("{}: the shapers' drops cannot be read: {e}", self.fabric);
                self.shapers = None;
                None
            }
        }
    }

    /// VLAN `vlan`'s bridge (`b0v10`: device 0, VLAN 10).
    fn bridge(&self, vlan: u16) -> String {
        format!("b{}v{vlan}", self.device)
    }

    /// Stop forwarding in the kernel: the frames in counted while the bridges still
    /// forward, the bridges removed (which frees their ports), the frames out counted
    /// (what the shapers held leaves meanwhile), then the shapers. A frame taken in after
    /// the first count is neither in nor out (the switch hands over within a monitor's
    /// tick). Counting both after the bridges went made every frame between in and never
    /// out: a loaded machine's slow `ip` made that window 100 ms wide. Every step is
    /// tried; the first error is returned.
    pub fn leave(mut self) -> Result<Vec<Counts>, NetnsError> {
        let taken_in = self.counts();
        let mut first = None;
        for vlan in &self.bridges {
            if let Err(e) = ip(&["-n", &self.fabric, "link", "del", &self.bridge(*vlan)]) {
                first.get_or_insert(e);
            }
        }
        let sent_out = self.counts();
        for p in &self.ports {
            if let Err(e) = tc(&["-n", &self.fabric, "qdisc", "del", "dev", p, "root"]) {
                first.get_or_insert(e);
            }
        }
        if let Some(e) = first {
            return Err(e);
        }
        // In (packets, bytes) from the first count, out from the second.
        let (taken_in, sent_out) = (taken_in?, sent_out?);
        Ok(taken_in
            .iter()
            .zip(sent_out)
            .map(|(i, o)| [i[0], i[1], o[2], o[3]])
            .collect())
    }
}

/// Each port's speed and buffer: a tbf qdisc on its switch side's egress.
fn shape(fabric: &str, wires: &[Wire]) -> Result<(), NetnsError> {
    for w in wires {
        let dev = w.fabric_if.as_str();
        // A millisecond at the port's speed, or two full frames: tbf cuts a GSO frame
        // larger than that into its segments, so a slow port forwards them one by one.
        let full = 2 * (1514 + WIRE_EXTRA);
        let burst = ((w.rate_bps * 1e-3 / 8.0).ceil() as usize).max(full);
        // The buffer holds what the port sends in its `buffer_kb` (else 10 ms), beyond
        // the burst (tbf's `latency` would add the burst to it).
        let limit = ((w.rate_bps * buffer_time(w).as_secs_f64() / 8.0).ceil() as usize).max(full);
        tc(&[
            "-n",
            fabric,
            "qdisc",
            "replace",
            "dev",
            dev,
            "root",
            "tbf",
            "rate",
            &format!("{}bit", w.rate_bps.round() as u64),
            "burst",
            &burst.to_string(),
            "limit",
            &limit.to_string(),
            "overhead",
            &WIRE_EXTRA.to_string(),
            "mpu",
            &MIN_WIRE_FRAME.to_string(),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::counts_of;

    const DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
 sw0p0: 9000012     310    0    0    0     0          0         0     4242      77    0    0    0     0       0          0
 sw0p1:     120       2    0    0    0     0          0         0  8999000     305    0    0    0     0       0          0
";

    #[test]
    fn a_ports_row_gives_packets_and_bytes_in_then_out() {
        assert_eq!(counts_of(DEV, "sw0p0"), Some([310, 9000012, 77, 4242]));
        assert_eq!(counts_of(DEV, "sw0p1"), Some([2, 120, 305, 8999000]));
        // `sw0p1` is not `sw0p10`, and a missing interface is no row.
        assert_eq!(counts_of(DEV, "sw0p"), None);
        assert_eq!(counts_of(DEV, "sw0p10"), None);
    }
}
