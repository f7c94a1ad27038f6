//! Which measurements a manifest's `[[throughput]]` tests make: each test once per device
//! under test that cables both its endpoints (or the devices its `through` names), between
//! the addresses of the endpoints' NICs cabled to that device (`peer.interface`, looked up
//! in the endpoint's `[[endpoint.interface]]`; the endpoint's own `address` where the NIC
//! has none).

use std::path::Path;
use std::time::Duration;

use super::{Host, TrafficError, TrafficTest, window_bytes};
use crate::format::lab::{Device, Lab};
use crate::format::manifest::{Engine, Manifest, Protocol, parse_rate};

/// The manifest's measurements, or why one cannot run with what is built (`check` stops
/// here: it runs nothing). `default_engine` serves tests that name none.
pub fn plan(
    m: &Manifest,
    lab: &Lab,
    manifest: &Path,
    default_engine: Engine,
) -> Result<Vec<TrafficTest>, TrafficError> {
    let mut tests = Vec::new();
    for t in &m.throughput {
        if let Some(w) = &t.window
            && window_bytes(w).is_none()
        {
            return Err(TrafficError::Window {
                manifest: manifest.display().to_string(),
                test: t.name.clone(),
                window: w.clone(),
            });
        }
        let (from, to) = (t.from.get_ref().as_str(), t.to.get_ref().as_str());
        let through: Option<Vec<&str>> = t
            .through
            .as_ref()
            .map(|v| v.iter().map(|d| d.get_ref().as_str()).collect());
        let devices = m
            .devices
            .iter()
            .map(|d| d.name.get_ref().as_str())
            .filter(|d| through.as_ref().is_none_or(|only| only.contains(d)))
            .filter_map(|d| lab.device(d));
        let before = tests.len();
        for dev in devices {
            let (Some(a), Some(b)) = (host(lab, dev, from), host(lab, dev, to)) else {
                continue;
            };
            tests.push(test(t, dev, (a, b), default_engine));
        }
        if tests.len() == before {
            return Err(TrafficError::NoPath {
                manifest: manifest.display().to_string(),
                test: t.name.clone(),
                from: from.to_string(),
                to: to.to_string(),
                through: through
                    .map(|d| format!(" among {}", d.join(", ")))
                    .unwrap_or_default(),
            });
        }
    }
    Ok(tests)
}

/// Throughput test `t` through `dev` between hosts `a` and `b`.
fn test(
    t: &crate::format::manifest::ThroughputTest,
    dev: &Device,
    (a, b): (Host, Host),
    default_engine: Engine,
) -> TrafficTest {
    TrafficTest {
        name: t.name.clone(),
        device: Some(dev.name().to_string()),
        from: a,
        to: b,
        // Checked when the manifest was read; the default is iperf3's own.
        duration: humantime::parse_duration(t.duration.get_ref())
            .unwrap_or(Duration::from_secs(10)),
        streams: t.streams.max(1),
        window: t.window.clone(),
        engine: t.engine.unwrap_or(default_engine),
        udp_rate_bps: match t.protocol {
            Protocol::Udp => t.rate.as_ref().and_then(|r| parse_rate(r.get_ref())),
            Protocol::Tcp => None,
        },
    }
}

/// The end of a test at `endpoint` through `dev`: the NIC cabled to one of its ports.
pub(crate) fn host(lab: &Lab, dev: &Device, endpoint: &str) -> Option<Host> {
    let e = lab
        .endpoints
        .iter()
        .find(|e| e.name.get_ref() == endpoint)?;
    let port = dev.ports.iter().find(|p| {
        p.peer
            .as_ref()
            .and_then(|p| p.endpoint.as_ref())
            .is_some_and(|ep| ep.get_ref() == endpoint)
    })?;
    let nic = port.peer.as_ref().and_then(|p| p.interface.as_deref());
    Some(Host {
        name: endpoint.to_string(),
        address: e.address_of(nic).to_string(),
        port: Some(port.name.get_ref().clone()),
        lab_speed_mbps: port.speed,
    })
}
