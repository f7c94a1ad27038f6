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
use std::time::Duration;

use crate::state::Device;
use forward::Switch;
use netns::{NetnsError, NetnsSet, ip};
use switchlab::format::Lab;
use switchlab::locks::lock;
use wire::Wire;

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

/// One link to build: the device, its port, the endpoint side.
struct Link {
    device: usize,
    port: usize,
    netns: String,
    interface: String,
    address: String,
    speed_mbps: u64,
    delay: Duration,
    loss: f64,
    forwarding: switchlab::format::lab::Forwarding,
    label: String,
}

/// The links of `lab` between simulated `switches` and endpoints with `netns`.
fn links(
    lab: &Lab,
    switches: &[(String, Arc<Mutex<Device>>)],
) -> Result<Vec<Link>, DataPlaneError> {
    let mut out = Vec::new();
    for (d, (name, device)) in switches.iter().enumerate() {
        let Some(dev) = lab.device(name) else {
            continue;
        };
        for p in &dev.ports {
            let Some(peer) = &p.peer else { continue };
            let Some(ep) = peer.endpoint.as_ref().and_then(|e| {
                lab.endpoints
                    .iter()
                    .find(|x| x.name.get_ref() == e.get_ref())
            }) else {
                continue;
            };
            let Some(netns) = &ep.netns else { continue };
            let err = |why: String| DataPlaneError::Lab {
                device: name.clone(),
                port: p.name.get_ref().clone(),
                why,
            };
            let sim = lock(device);
            let port = sim
                .port_index(p.name.get_ref())
                .ok_or_else(|| err("the simulated switch has no such port".into()))?;
            let speed_mbps = sim.ports[port].speed_mbps;
            drop(sim);
            let interface = peer.interface.clone().ok_or_else(|| {
                err(format!(
                    "peer.interface must name the NIC in endpoint '{}''s namespace",
                    ep.name.get_ref()
                ))
            })?;
            let address = ep
                .interfaces
                .iter()
                .find(|i| i.name == interface)
                .map(|i| i.address.clone())
                .ok_or_else(|| {
                    err(format!(
                        "endpoint '{}' has no [[endpoint.interface]] '{interface}' with its address",
                        ep.name.get_ref()
                    ))
                })?;
            let link_sim = p.sim.clone().or_else(|| ep.sim.clone()).unwrap_or_default();
            let device_fw = dev
                .sim
                .as_ref()
                .map(|s| s.forwarding.clone())
                .unwrap_or_default();
            let port_fw = p
                .sim
                .as_ref()
                .map(|s| s.forwarding.clone())
                .unwrap_or_default();
            out.push(Link {
                device: d,
                port,
                netns: netns.clone(),
                interface: interface.clone(),
                address,
                speed_mbps,
                delay: link_sim.delay.unwrap_or_default(),
                loss: link_sim.loss_percent.unwrap_or(0.0) / 100.0,
                forwarding: port_fw.over(&device_fw),
                label: format!(
                    "{name} {} <-> {} {interface}",
                    p.name.get_ref(),
                    ep.name.get_ref()
                ),
            });
        }
    }
    Ok(out)
}

/// Write `value` to sysctl `key` (`net/ipv6/conf/all/disable_ipv6`) inside `netns`.
fn sysctl_in(netns: &str, key: &str, value: &str) -> std::io::Result<()> {
    let (key, value) = (key.to_string(), value.to_string());
    packet::in_netns(netns, move || {
        std::fs::write(format!("/proc/sys/{key}"), value)
    })
}

/// `, 50000 fps at most, store-and-forward, 2 µs`: what a link's switch side does.
fn describe(f: &switchlab::format::lab::Forwarding) -> String {
    let mut out = String::new();
    if let Some(fps) = f.max_fps {
        out.push_str(&format!(", forwards {fps} frames/s at most"));
    }
    if f.forwarding == Some(switchlab::format::lab::ForwardingMode::StoreAndForward) {
        out.push_str(", store-and-forward");
    }
    if let Some(us) = f.latency_us {
        out.push_str(&format!(", {us} µs latency"));
    }
    if let Some(kb) = f.buffer_kb {
        out.push_str(&format!(", {kb} KB buffer"));
    }
    out
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
        let links = links(lab, switches)?;
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
        let mut set = NetnsSet::default();
        let fabric = format!("swl-fabric-{}", opts.tag);
        set.add(&fabric)?;
        let sock_err = |error| DataPlaneError::Socket {
            netns: fabric.clone(),
            error,
        };
        // The switch side carries no traffic of its own (no IPv6 router solicitations).
        for key in ["all", "default"] {
            sysctl_in(&fabric, &format!("net/ipv6/conf/{key}/disable_ipv6"), "1")
                .map_err(sock_err)?;
        }
        for ep in lab.endpoints.iter().filter_map(|e| e.netns.as_ref()) {
            if links.iter().any(|l| &l.netns == ep) {
                set.add(ep)?;
                // An endpoint with two NICs in one VLAN answers ARP only on the NIC that
                // has the address (Linux answers on any by default: the traffic would take
                // whichever NIC answered first).
                for (key, value) in [("arp_ignore", "1"), ("arp_announce", "2")] {
                    for scope in ["all", "default"] {
                        sysctl_in(ep, &format!("net/ipv4/conf/{scope}/{key}"), value)
                            .map_err(sock_err)?;
                    }
                }
            }
        }
        let made: Vec<&str> = links.iter().map(|l| l.netns.as_str()).collect();
        lines.extend(direct::build(lab, &made)?);
        let fastest = links.iter().map(|l| l.speed_mbps).max().unwrap_or(1) as f64 / 1e3;
        let scale = match opts.max_gbit_s {
            Some(cap) if fastest > cap => {
                lines.push(format!(
                    "ports forward at {:.3} of their speed (this machine is not asked for more than {cap} Gbit/s; the ratios between ports are kept)",
                    cap / fastest
                ));
                cap / fastest
            }
            _ => 1.0,
        };
        // The switch shows the speed it forwards at: what a benchmark's line rate is.
        if scale < 1.0 {
            for l in &links {
                let mut dev = lock(&switches[l.device].1);
                dev.ports[l.port].line_mbps = Some((l.speed_mbps as f64 * scale).round() as u64);
            }
        }
        let mut names = Vec::new();
        for (k, l) in links.iter().enumerate() {
            let fabric_if = format!("sw{}p{k}", l.device);
            // Each end's interface index apart from its peer's: the kernel then takes a
            // carrier change at once, not up to a second later (it batches changes of a
            // device whose index equals its peer's, as two fresh namespaces' first links'
            // do), and a bridge forwards as soon as a flap ends.
            let (near, far) = ((100_000 + k).to_string(), (200_000 + k).to_string());
            ip(&[
                "-n",
                &fabric,
                "link",
                "add",
                &fabric_if,
                "index",
                &near,
                "type",
                "veth",
                "peer",
                "name",
                &l.interface,
                "index",
                &far,
                "netns",
                &l.netns,
            ])?;
            ip(&[
                "-n",
                &l.netns,
                "addr",
                "add",
                &format!("{}/24", l.address),
                "dev",
                &l.interface,
            ])?;
            ip(&["-n", &l.netns, "link", "set", &l.interface, "up"])?;
            let gbit = l.speed_mbps as f64 / 1e3 * scale;
            let mut line = format!("link {} ({}/24, {gbit:.3} Gbit/s", l.label, l.address);
            if !l.delay.is_zero() {
                line.push_str(&format!(
                    ", +{} each way",
                    humantime::format_duration(l.delay)
                ));
            }
            if l.loss > 0.0 {
                line.push_str(&format!(", {}% loss", l.loss * 100.0));
            }
            line.push_str(&describe(&l.forwarding));
            lines.push(line + ")");
            names.push(fabric_if);
        }
        let opened = names.clone();
        let sockets = packet::in_netns(&fabric, move || {
            opened
                .iter()
                .map(|n| packet::PacketSocket::open(n, Duration::from_millis(20)))
                .collect::<std::io::Result<Vec<_>>>()
        })
        .map_err(sock_err)?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut wires: Vec<Vec<Wire>> = switches.iter().map(|_| Vec::new()).collect();
        for ((l, socket), fabric_if) in links.iter().zip(sockets).zip(names) {
            wires[l.device].push(Wire {
                port: l.port,
                fabric_if,
                rate_bps: l.speed_mbps as f64 * 1e6 * scale,
                delay: l.delay,
                loss: l.loss,
                forwarding: l.forwarding.clone(),
                socket,
            });
        }
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
