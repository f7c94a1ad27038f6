//! The virtual lab's data plane: traffic between the lab's endpoints crosses the
//! simulated switches. Each endpoint with `netns` gets that network namespace; each port
//! of a simulated device cabled to such an endpoint becomes a veth pair whose endpoint
//! side is the lab's `peer.interface` (with its address, as a /24) inside the endpoint's
//! namespace, and whose switch side sits in a "fabric" namespace of this process, where
//! the kernel forwards between a switch's ports ([`kernel`]: a bridge per VLAN) when its
//! links need no frame in hand, else [`forward`] reads and writes them with packet
//! sockets. Nothing of it is on the host's own network: the host has no route to the
//! endpoints' addresses, and traffic to them is only ever sent from inside an endpoint's
//! namespace.
//!
//! Layout: [`netns`] makes and removes namespaces (marked, so that only ours are ever
//! removed), [`packet`] the packet sockets, [`forward`] the switching (and the monitor
//! that applies the device's state on either path), [`kernel`] the kernel's path,
//! [`shaper`] port speed and buffer, [`vlan`] which VLAN a port is in by its running config.
//! Not modelled: STP, LACP, QoS, tagged (trunk) ports, MAC ageing.

mod build;
mod direct;
pub mod forward;
pub mod kernel;
pub mod netns;
pub mod packet;
pub mod shaper;
mod shaper_drops;
pub mod vlan;
pub mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::state::Device;
use forward::Switch;
use netns::{NetnsError, NetnsSet};
use switchlab::format::Lab;

#[derive(Debug, thiserror::Error)]
pub enum DataPlaneError {
    #[error(transparent)]
    Netns(#[from] NetnsError),
    #[error("device '{device}' port '{port}': {why}")]
    Lab {
        device: String,
        port: String,
        why: String,
    },
    #[error("the data plane's packet sockets in namespace {netns}: {error}")]
    Socket {
        netns: String,
        error: std::io::Error,
    },
}

/// How the data plane runs.
#[derive(Debug, Clone, Default)]
pub struct DataPlaneOptions {
    /// Names this process's fabric namespace (`swl-fabric-<tag>`).
    pub tag: String,
    /// The fastest a port may forward, in Gbit/s: where a port is faster (a 10 Gbit/s
    /// port on a machine that cannot move that), every port is scaled down by one factor,
    /// keeping their ratios.
    pub max_gbit_s: Option<f64>,
    /// Forward every switch in user space, even one the kernel could forward (to compare
    /// the two, or where the kernel lacks a bridge or tbf).
    pub user_space: bool,
}

/// A running data plane; stopped and its namespaces removed when dropped.
pub struct DataPlane {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Each simulated switch that forwards, by device name: its drop counts.
    switches: Vec<(String, Arc<Switch>)>,
    // Dropped after the threads end (field order): namespaces go last.
    _namespaces: NetnsSet,
    /// What was built, a line each (links, speeds, scaling), for the terminal.
    pub lines: Vec<String>,
    /// The share of its speed every port forwards at (1: as the lab says).
    pub scale: f64,
}

impl DataPlane {
    /// Whether this process may build a data plane; the reason when not.
    pub fn available() -> Result<(), String> {
        if switchlab::tools::absent("netns") {
            return Err(format!("{} names netns", switchlab::tools::ABSENT_TOOLS));
        }
        netns::can_make()
    }

    /// Build the data plane of `lab` for the simulated `switches` (device name and state);
    /// None when no endpoint has `netns`. Namespaces a killed switchlab left are removed
    /// first.
    pub fn start(
        lab: &Lab,
        switches: &[(String, Arc<Mutex<Device>>)],
        opts: &DataPlaneOptions,
    ) -> Result<Option<DataPlane>, DataPlaneError> {
        let links = build::links(lab, switches)?;
        if links.is_empty() {
            return Ok(None);
        }
        let mut lines = Vec::new();
        let stale = netns::remove_stale();
        if !stale.is_empty() {
            lines.push(format!(
                "removed network namespaces a killed switchlab left: {}",
                stale.join(", ")
            ));
        }
        let fabric = format!("swl-fabric-{}", opts.tag);
        let set = build::namespaces(lab, &fabric, &links)?;
        let made: Vec<&str> = links.iter().map(|l| l.netns.as_str()).collect();
        lines.extend(direct::build(lab, &made)?);
        let scale = build::port_scale(&links, switches, opts.max_gbit_s, &mut lines);
        let mut names = Vec::new();
        for (k, l) in links.iter().enumerate() {
            let fabric_if = format!("sw{}p{k}", l.device);
            lines.push(build::wire_link(&fabric, &fabric_if, k, l, scale)?);
            names.push(fabric_if);
        }
        let wires = build::open_wires(&fabric, &links, names, switches.len(), scale)?;
        let stop = Arc::new(AtomicBool::new(false));
        let (mut threads, mut forwarding) = (Vec::new(), Vec::new());
        for (d, ((name, device), w)) in switches.iter().zip(wires).enumerate() {
            if w.is_empty() {
                continue;
            }
            let (kernel, said) = kernel::choose(name, &fabric, d, &w, opts.user_space);
            lines.push(said);
            let (sw, t) = Switch::start(device.clone(), &fabric, w, kernel, stop.clone());
            threads.extend(t);
            forwarding.push((name.clone(), sw));
        }
        Ok(Some(DataPlane {
            stop,
            threads,
            switches: forwarding,
            scale,
            _namespaces: set,
            lines,
        }))
    }
}

impl DataPlane {
    /// What each switch dropped, for a benchmark's loss account, readable while the data
    /// plane runs (it holds no switch up after the data plane stops).
    pub fn drop_counts(&self) -> Arc<dyn switchlab::run::traffic::lab_drops::LabDrops> {
        let weak = self.switches.iter();
        Arc::new(DropCounts(
            weak.map(|(n, sw)| (n.clone(), Arc::downgrade(sw)))
                .collect(),
        ))
    }
}

struct DropCounts(Vec<(String, std::sync::Weak<Switch>)>);

impl switchlab::run::traffic::lab_drops::LabDrops for DropCounts {
    fn drops(&self, device: &str) -> Option<switchlab::run::traffic::lab_drops::LabDropCount> {
        let (_, sw) = self.0.iter().find(|(name, _)| name == device)?;
        let (switch, host) = sw.upgrade()?.drops();
        Some(switchlab::run::traffic::lab_drops::LabDropCount { switch, host })
    }
}

impl Drop for DataPlane {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
