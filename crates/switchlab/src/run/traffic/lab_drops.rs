//! What a virtual lab running in this process says each simulated switch dropped (the
//! demo's): a benchmark trial's loss account reads it before and after, instead of the
//! switch's counters over the session, at once and without waiting for a poll. The
//! simulators implement it; the benchmarks only read it.

/// A virtual lab's own count of its switches' drops.
pub trait LabDrops: Send + Sync {
    /// None: not a switch of this lab.
    fn drops(&self, device: &str) -> Option<LabDropCount>;
}

/// Frames a simulated switch dropped, from its start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabDropCount {
    /// By its model: capacity or buffer full (the switch's own discards).
    pub switch: u64,
    /// Because the host could not keep up: frames the modelled switch would have sent.
    pub host: u64,
}

/// [`LabDrops`], shared by the run's traffic.
#[derive(Clone)]
pub struct LabDropsHandle(pub std::sync::Arc<dyn LabDrops>);

impl std::fmt::Debug for LabDropsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LabDrops")
    }
}
