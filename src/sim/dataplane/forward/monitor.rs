//! The monitor's one look at the simulated device: port states applied to the veth links
//! (a down stops frames before the carrier, an up brings the carrier first), VLANs and
//! CRC errors taken in, traffic counters handed back, and the `flaps_from = "traffic"`
//! schedule started once the switch is under load.

use std::sync::atomic::Ordering;

use super::super::vlan::port_vlan;
use super::{LOAD, Switch, TRAFFIC_TRIGGER};
use crate::locks::lock;

impl Switch {
    pub(super) fn crc_now(&self) -> Vec<u64> {
        let dev = lock(&self.device);
        self.ports
            .iter()
            .map(|p| dev.ports[p.wire.port].crc)
            .collect()
    }

    /// Read the device's ports; take a link down or up where its state changed; hand the
    /// counters back. Returns each port's state as now applied.
    pub(super) fn monitor_once(
        &self,
        last: &mut [Option<bool>],
        crc: &mut [u64],
    ) -> Vec<Option<bool>> {
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
            let _ = super::super::netns::ip(&[
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
}
