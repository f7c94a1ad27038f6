//! The steps that build a data plane: the links the lab asks for, the namespaces, the
//! ports' scale, each veth pair, the switch sides' packet sockets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::netns::{NetnsSet, ip};
use super::wire::Wire;
use super::{DataPlaneError, packet};
use crate::state::Device;
use switchlab::format::Lab;
use switchlab::locks::lock;

/// One link to build: the device, its port, the endpoint side.
pub(super) struct Link {
    pub(super) device: usize,
    pub(super) port: usize,
    pub(super) netns: String,
    pub(super) interface: String,
    pub(super) address: String,
    pub(super) speed_mbps: u64,
    pub(super) delay: Duration,
    pub(super) loss: f64,
    pub(super) forwarding: switchlab::format::lab::Forwarding,
    pub(super) label: String,
}

/// The links of `lab` between simulated `switches` and endpoints with `netns`.
pub(super) fn links(
    lab: &Lab,
    switches: &[(String, Arc<Mutex<Device>>)],
) -> Result<Vec<Link>, DataPlaneError> {
    let mut out = Vec::new();
    for (d, (name, device)) in switches.iter().enumerate() {
        let Some(dev) = lab.device(name) else {
            continue;
        };
        for p in &dev.ports {
            out.extend(link(lab, (d, name, device), dev, p)?);
        }
    }
    Ok(out)
}

/// Port `p` of lab device `dev` (simulated device number `d`) as a link, when it is
/// cabled to an endpoint with `netns`.
fn link(
    lab: &Lab,
    (d, name, device): (usize, &String, &Arc<Mutex<Device>>),
    dev: &switchlab::format::lab::Device,
    p: &switchlab::format::lab::Port,
) -> Result<Option<Link>, DataPlaneError> {
    let Some(peer) = &p.peer else { return Ok(None) };
    let named = |x: &&switchlab::format::lab::Endpoint| {
        Some(x.name.get_ref()) == peer.endpoint.as_ref().map(|e| e.get_ref())
    };
    let Some(ep) = lab.endpoints.iter().find(named) else {
        return Ok(None);
    };
    let Some(netns) = &ep.netns else {
        return Ok(None);
    };
    let err = |why: String| DataPlaneError::Lab {
        device: name.clone(),
        port: p.name.get_ref().clone(),
        why,
    };
    let (port, speed_mbps) = {
        let sim = lock(device);
        let port = sim
            .port_index(p.name.get_ref())
            .ok_or_else(|| err("the simulated switch has no such port".into()))?;
        (port, sim.ports[port].speed_mbps)
    };
    let ep_name = ep.name.get_ref();
    let interface = peer.interface.clone().ok_or_else(|| {
        err(format!(
            "peer.interface must name the NIC in endpoint '{ep_name}''s namespace"
        ))
    })?;
    let address = (ep.interfaces.iter().find(|i| i.name == interface))
        .map(|i| i.address.clone())
        .ok_or_else(|| {
            let why = "with its address";
            err(format!(
                "endpoint '{ep_name}' has no [[endpoint.interface]] '{interface}' {why}"
            ))
        })?;
    let link_sim = p.sim.clone().or_else(|| ep.sim.clone()).unwrap_or_default();
    let device_fw = dev.sim.as_ref().map(|s| s.forwarding.clone());
    let port_fw = p.sim.as_ref().map(|s| s.forwarding.clone());
    Ok(Some(Link {
        device: d,
        port,
        netns: netns.clone(),
        interface: interface.clone(),
        address,
        speed_mbps,
        delay: link_sim.delay.unwrap_or_default(),
        loss: link_sim.loss_percent.unwrap_or(0.0) / 100.0,
        forwarding: port_fw
            .unwrap_or_default()
            .over(&device_fw.unwrap_or_default()),
        label: format!("{name} {} <-> {ep_name} {interface}", p.name.get_ref()),
    }))
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

/// The fabric's namespace and each linked endpoint's, set up for the lab's traffic.
pub(super) fn namespaces(
    lab: &Lab,
    fabric: &str,
    links: &[Link],
) -> Result<NetnsSet, DataPlaneError> {
    let mut set = NetnsSet::default();
    set.add(fabric)?;
    let sock_err = |error| DataPlaneError::Socket {
        netns: fabric.to_string(),
        error,
    };
    // The switch side carries no traffic of its own (no IPv6 router solicitations).
    for key in ["all", "default"] {
        sysctl_in(fabric, &format!("net/ipv6/conf/{key}/disable_ipv6"), "1").map_err(sock_err)?;
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
    Ok(set)
}

/// The share of its speed every port forwards at: below 1 when the fastest port is above
/// `max_gbit_s` (said in `lines`); the switches then show the speed they forward at, what
/// a benchmark's line rate is.
pub(super) fn port_scale(
    links: &[Link],
    switches: &[(String, Arc<Mutex<Device>>)],
    max_gbit_s: Option<f64>,
    lines: &mut Vec<String>,
) -> f64 {
    let fastest = links.iter().map(|l| l.speed_mbps).max().unwrap_or(1) as f64 / 1e3;
    let scale = match max_gbit_s {
        Some(cap) if fastest > cap => {
            lines.push(format!(
                "ports forward at {:.3} of their speed (this machine is not asked for more than {cap} Gbit/s; the ratios between ports are kept)",
                cap / fastest
            ));
            cap / fastest
        }
        _ => return 1.0,
    };
    for l in links {
        let mut dev = lock(&switches[l.device].1);
        dev.ports[l.port].line_mbps = Some((l.speed_mbps as f64 * scale).round() as u64);
    }
    scale
}

/// Link `k`'s veth pair, `fabric_if` in the fabric and the endpoint's NIC with its
/// address in its namespace; the line that says what it is.
pub(super) fn wire_link(
    fabric: &str,
    fabric_if: &str,
    k: usize,
    l: &Link,
    scale: f64,
) -> Result<String, DataPlaneError> {
    // Each end's interface index apart from its peer's: the kernel then takes a carrier
    // change at once, not up to a second later (it batches changes of a device whose
    // index equals its peer's, as two fresh namespaces' first links' do), and a bridge
    // forwards as soon as a flap ends.
    let (near, far) = ((100_000 + k).to_string(), (200_000 + k).to_string());
    ip(&[
        "-n",
        fabric,
        "link",
        "add",
        fabric_if,
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
    let address = format!("{}/24", l.address);
    ip(&["-n", &l.netns, "addr", "add", &address, "dev", &l.interface])?;
    ip(&["-n", &l.netns, "link", "set", &l.interface, "up"])?;
    let gbit = l.speed_mbps as f64 / 1e3 * scale;
    let mut line = format!("link {} ({}/24, {gbit:.3} Gbit/s", l.label, l.address);
    if !l.delay.is_zero() {
        let delay = humantime::format_duration(l.delay);
        line.push_str(&format!(", +{delay} each way"));
    }
    if l.loss > 0.0 {
        line.push_str(&format!(", {}% loss", l.loss * 100.0));
    }
    line.push_str(&describe(&l.forwarding));
    Ok(line + ")")
}

/// The switch sides' packet sockets, opened in the fabric, as each device's wires.
pub(super) fn open_wires(
    fabric: &str,
    links: &[Link],
    names: Vec<String>,
    devices: usize,
    scale: f64,
) -> Result<Vec<Vec<Wire>>, DataPlaneError> {
    let opened = names.clone();
    let sockets = packet::in_netns(fabric, move || {
        opened
            .iter()
            .map(|n| packet::PacketSocket::open(n, Duration::from_millis(20)))
            .collect::<std::io::Result<Vec<_>>>()
    })
    .map_err(|error| DataPlaneError::Socket {
        netns: fabric.to_string(),
        error,
    })?;
    let mut wires: Vec<Vec<Wire>> = (0..devices).map(|_| Vec::new()).collect();
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
    Ok(wires)
}
