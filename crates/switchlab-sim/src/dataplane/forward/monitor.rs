//! The monitor's one look at the simulated device: port states applied to the veth links
//! (a down stops frames before the carrier, an up brings the carrier first), VLANs and
//! CRC errors taken in, traffic counters handed back, and the `flaps_from = "traffic"`
//! schedule started once the switch is under load. While the switch forwards in the
//! kernel, its VLANs are applied to the bridges and its counters read from the kernel;
//! the first CRC error takes it to user space, where frames are dropped one by one.

use std::sync::atomic::Ordering;

use super::super::kernel::{Counts, KernelPath};
use super::super::vlan::port_vlan;
use super::{LOAD, LOAD_BYTES, Switch, TRAFFIC_TRIGGER};
use switchlab::locks::lock;

impl Switch {
    pub(super) fn crc_now(&self) -> Vec<u64> {
        let dev = lock(&self.device);
        self.ports
            .iter()
            .map(|p| dev.ports[p.wire.port].crc)
            .collect()
    }

    /// Read the device's ports; take a link down or up where its state changed; hand the
    /// counters back (the kernel's first, while it forwards). Returns each port's state
    /// as now applied.
    pub(super) fn monitor_once(
        &self,
        last: &mut [Option<bool>],
        crc: &mut [u64],
    ) -> Vec<Option<bool>> {
        self.take_kernel_counts();
        let mut changes = Vec::new();
        let mut vlans = Vec::new();
        {
            let mut dev = lock(&self.device);
            for (i, p) in self.ports.iter().enumerate() {
                let up = dev.ports[p.wire.port].oper_up;
                let vlan = port_vlan(&dev, p.wire.port);
                p.vlan.store(vlan, Ordering::Relaxed);
                vlans.push(vlan);
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
                // The model's drops are the switch's own discards, as it shows them; the
                // host's are not the switch's and are counted apart (`drops`).
                t.out_discards = p.dropped[super::out::MODELLED].load(Ordering::Relaxed);
                if last[i] != Some(up) {
                    changes.push((i, up));
                }
            }
            self.start_schedule_under_load(&mut dev);
        }
        self.apply_kernel(&vlans);
        let mut now: Vec<Option<bool>> = last.to_vec();
        for (i, up) in changes {
            self.set_link(i, up);
            now[i] = Some(up);
        }
        now
    }
}

impl Switch {
    /// `flaps_from = "traffic"`: the flap schedule starts once the switch is under load.
    fn start_schedule_under_load(&self, dev: &mut crate::state::Device) {
        let loaded = self.ports.iter().any(|p| {
            p.counters[0].load(Ordering::Relaxed) >= LOAD
                || p.counters[1].load(Ordering::Relaxed) >= LOAD_BYTES
        });
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

    /// Port `i`'s link taken `up` or down. Down: frames stop at once, then the carrier;
    /// up: the carrier first.
    fn set_link(&self, i: usize, up: bool) {
        let p = &self.ports[i];
        if !up {
            p.up.store(false, Ordering::Relaxed);
        }
        let state = if up { "up" } else { "down" };
        let link = [
            "-n",
            &self.fabric,
            "link",
            "set",
            "dev",
            &p.wire.fabric_if,
            state,
        ];
        let _ = super::super::netns::ip(&link);
        if up {
            p.up.store(true, Ordering::Relaxed);
        }
    }

    /// The kernel's counters into the ports' (which the device is handed).
    fn take_kernel_counts(&self) {
        if !self.in_kernel.load(Ordering::Relaxed) {
            // Frames the kernel could not queue for a reader that fell behind: the host's.
            for p in &self.ports {
                let lost = p.wire.socket.take_drops().unwrap_or(0);
                p.dropped[super::out::HOST].fetch_add(lost, Ordering::Relaxed);
            }
        }
        let mut kernel = lock(&self.kernel);
        let Some(path) = kernel.as_mut() else {
            return;
        };
        match path.counts() {
            Ok(counts) => self.store_counts(&counts),
            Err(e) => return self.leave_kernel(&mut kernel, &e.to_string()),
        }
        // What the shapers dropped is the model's own discards (a full buffer), as the
        // user-space path counts its own; the kernel path starts the switch, so its count
        // is the whole of them.
        for (p, d) in self.ports.iter().zip(path.discards().unwrap_or_default()) {
            p.dropped[super::out::MODELLED].store(d, Ordering::Relaxed);
        }
    }

    fn store_counts(&self, counts: &[Counts]) {
        for (p, c) in self.ports.iter().zip(counts) {
            for (to, from) in p.counters.iter().zip(c) {
                to.store(*from, Ordering::Relaxed);
            }
        }
    }

    /// In the kernel's path: each port in its VLAN's bridge. After a CRC error the switch
    /// goes to user space, where frames are dropped one by one, as it does when the
    /// kernel refuses a bridge.
    fn apply_kernel(&self, vlans: &[u16]) {
        let mut kernel = lock(&self.kernel);
        let Some(path) = kernel.as_mut() else {
            return;
        };
        if self
            .ports
            .iter()
            .any(|p| p.crc_drops.load(Ordering::Relaxed) > 0)
        {
            return self.leave_kernel(&mut kernel, "CRC errors are dropped frame by frame");
        }
        let placed = vlans
            .iter()
            .enumerate()
            .try_for_each(|(k, vlan)| path.set_vlan(k, *vlan));
        if let Err(e) = placed {
            self.leave_kernel(&mut kernel, &e.to_string());
        }
    }

    /// Forward in user space from now on: the kernel's counts carried over, the readers
    /// hearing frames again. Said once, with `why`.
    fn leave_kernel(&self, kernel: &mut Option<KernelPath>, why: &str) {
        let Some(path) = kernel.take() else {
            return;
        };
        match path.leave() {
            Ok(counts) => self.store_counts(&counts),
            Err(e) => tracing::warn!("data plane: leaving the kernel's path: {e}"),
        }
        self.in_kernel.store(false, Ordering::Relaxed);
        for p in &self.ports {
            if let Err(e) = p.wire.socket.set_deaf(false) {
                tracing::warn!("data plane: {}: socket filter: {e}", p.wire.fabric_if);
            }
        }
        let name = lock(&self.device).name.clone();
        tracing::info!("data plane: {name}: forwarding in user space from now on ({why})");
    }
}
