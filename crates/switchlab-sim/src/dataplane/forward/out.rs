//! What leaves a port, and what is dropped on the way: the model's discards (the switch's
//! own, shown as its output discards) apart from the host's drops (a thread that fell
//! behind; frames the modelled switch would have sent).

use std::sync::atomic::Ordering;

use super::{Port, Switch, VNET_HDR, segments};

/// Which of a port's `dropped` counters: the model's discards, the host's drops.
pub(super) const MODELLED: usize = 0;
pub(super) const HOST: usize = 1;

/// `segs` frames the model drops out of `p` (its capacity or buffer full).
pub(super) fn discard(p: &Port, segs: usize) {
    p.dropped[MODELLED].fetch_add(segs as u64, Ordering::Relaxed);
}

/// `frame` out of `p`, counted, if the port is up (a send the kernel refuses is the
/// host's drop).
pub(super) fn send_out(p: &Port, frame: &[u8]) {
    if !p.up.load(Ordering::Relaxed) {
        return;
    }
    if p.wire.socket.send(frame).is_err() {
        p.dropped[HOST].fetch_add(segments(frame), Ordering::Relaxed);
        return;
    }
    let c = &p.counters;
    c[2].fetch_add(segments(frame), Ordering::Relaxed);
    c[3].fetch_add((frame.len() - VNET_HDR) as u64, Ordering::Relaxed);
}

impl Switch {
    /// Frames this switch dropped so far: by its model (the switch's own discards) and
    /// because the host could not keep up (frames the modelled switch would have sent).
    pub fn drops(&self) -> (u64, u64) {
        let sum = |k: usize| -> u64 {
            (self.ports.iter())
                .map(|p| p.dropped[k].load(Ordering::Relaxed))
                .sum()
        };
        (sum(MODELLED), sum(HOST))
    }
}
