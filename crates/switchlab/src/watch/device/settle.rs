//! What has settled on a device's ports goes to flaps.csv, to the tally, and to the live
//! view as final: transitions, the flaps counters proved, ports newly err-disabled.

use std::time::SystemTime;

use super::DeviceWatch;
use crate::watch::events::{Certainty, Heard, WatchEvent};
use crate::watch::output::WatchRecords;
use crate::watch::timeline::Settled;

impl DeviceWatch<'_> {
    /// Write every entry from before `cutoff` (all of them when None), and newly
    /// err-disabled ports.
    pub(super) fn write_settled(&mut self, cutoff: Option<SystemTime>) -> std::io::Result<()> {
        let device = self.dev.name();
        for w in self.ports.values_mut() {
            for s in w.tl.settle(cutoff) {
                let (what, at) = match &s {
                    Settled::Transition(t) => {
                        self.folder.transition(device, &w.name, t)?;
                        let e = if t.up {
                            WatchEvent::Up
                        } else {
                            WatchEvent::Down
                        };
                        (e, t.time)
                    }
                    Settled::Unseen(u) => {
                        self.folder.unseen(device, &w.name, u)?;
                        (WatchEvent::Unseen(u.flaps), u.to)
                    }
                };
                (self.on_event)(Heard {
                    device,
                    port: &w.name,
                    what,
                    at,
                    certainty: Certainty::Settled,
                });
            }
            if let (false, Some(at)) = (w.err_disabled_written, w.tl.err_disabled_at) {
                self.folder.err_disabled(device, &w.name, at)?;
                (self.on_event)(Heard {
                    device,
                    port: &w.name,
                    what: WatchEvent::ErrDisabled,
                    at,
                    certainty: Certainty::Settled,
                });
                w.err_disabled_written = true;
            }
        }
        Ok(())
    }
}
