//! Before the first test, each endpoint's TCP settings (read on the endpoint itself, here
//! or over SSH): socket buffer limits, congestion control, and for each test address its
//! interface's MTU, speed and reverse-path filter; and the round trip between the two
//! addresses of each test. Warnings say what would cap a measurement below line rate, each
//! with the sysctl to set.

use std::collections::BTreeMap;
use std::time::Duration;

use super::place::Place;
use super::{Traffic, TrafficError};

pub(crate) use crate::record::run::{HostFacts, InterfaceFacts, Preflight};

/// The shell script that prints the facts as `key=value` and `addr …` lines.
fn script(addresses: &[String]) -> String {
    let mut s = String::from(
        "for k in net/ipv4/tcp_rmem net/ipv4/tcp_wmem net/core/rmem_max net/core/wmem_max \
         net/ipv4/tcp_congestion_control net/ipv4/conf/all/rp_filter; do \
         printf '%s=%s\\n' \"$k\" \"$(cat /proc/sys/$k 2>/dev/null)\"; done; ",
    );
    for a in addresses {
        s.push_str(&format!(
            "i=$(ip -o route get {a} 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p'); \
             printf 'addr %s %s %s %s %s\\n' {a} \"${{i:--}}\" \
             \"$(cat /sys/class/net/$i/mtu 2>/dev/null || echo -)\" \
             \"$(cat /proc/sys/net/ipv4/conf/$i/rp_filter 2>/dev/null || echo -)\" \
             \"$(cat /sys/class/net/$i/speed 2>/dev/null || echo -)\"; "
        ));
    }
    s
}

/// The facts from the script's output.
pub(crate) fn parse(endpoint: &str, text: &str) -> HostFacts {
    let mut f = HostFacts {
        endpoint: endpoint.to_string(),
        ..HostFacts::default()
    };
    let last = |v: &str| v.split_whitespace().last().and_then(|x| x.parse().ok());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("addr ") {
            let p: Vec<&str> = rest.split_whitespace().collect();
            if p.len() == 5 {
                f.interfaces.push(InterfaceFacts {
                    address: p[0].into(),
                    name: p[1].into(),
                    mtu: p[2].parse().ok(),
                    rp_filter: p[3].parse().ok(),
                    // Virtual interfaces report -1 or nothing.
                    speed_mbps: p[4]
                        .parse::<i64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .map(|s| s as u64),
                });
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        match k {
            "net/ipv4/tcp_rmem" => f.tcp_rmem_max = last(v),
            "net/ipv4/tcp_wmem" => f.tcp_wmem_max = last(v),
            "net/core/rmem_max" => f.rmem_max = last(v),
            "net/core/wmem_max" => f.wmem_max = last(v),
            "net/ipv4/tcp_congestion_control" => {
                f.congestion_control = Some(v.trim().to_string()).filter(|s| !s.is_empty())
            }
            "net/ipv4/conf/all/rp_filter" => f.rp_filter_all = v.trim().parse().ok(),
            _ => {}
        }
    }
    f
}

/// One test's path as the preflight judges it.
pub(crate) struct Path<'a> {
    pub(crate) test: &'a str,
    pub(crate) device: Option<&'a str>,
    pub(crate) from: &'a HostFacts,
    pub(crate) from_address: &'a str,
    pub(crate) to: &'a HostFacts,
    pub(crate) to_address: &'a str,
    pub(crate) rtt: Option<Duration>,
    /// The window the test asks for (iperf3 -w), in bytes.
    pub(crate) window: Option<u64>,
    /// The switch ports' speeds on the path (Mbit/s), as the switch shows them or the
    /// lab gives them, each with where it came from.
    pub(crate) ports: Vec<(u64, String)>,
}

/// Line rate assumed where neither an interface nor the switch says a speed (an SFP+ port).
const ASSUMED_BPS: f64 = 10e9;

/// What would cap the test below line rate, each with the sysctl to set.
pub(crate) fn warnings(p: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let iface = |h: &HostFacts, a: &str| h.interfaces.iter().find(|i| i.address == a).cloned();
    let (fi, ti) = (iface(p.from, p.from_address), iface(p.to, p.to_address));
    // The slowest of the path: the NICs as their kernel says, the switch ports as the
    // switch (or the lab) says.
    let nics = [(&fi, p.from_address), (&ti, p.to_address)];
    let mut speeds: Vec<(u64, String)> = nics
        .iter()
        .filter_map(|(i, a)| {
            i.as_ref()
                .and_then(|i| i.speed_mbps)
                .map(|s| (s, format!("the NIC of {a}")))
        })
        .collect();
    speeds.extend(p.ports.iter().cloned());
    let (bps, assumed) = match speeds.iter().min_by_key(|(s, _)| *s) {
        Some((m, from)) => (
            *m as f64 * 1e6,
            format!(" ({} Gbit/s: {from})", *m as f64 / 1e3),
        ),
        None => (
            ASSUMED_BPS,
            " (10 Gbit/s assumed: neither the switch nor an interface says its speed)".to_string(),
        ),
    };
    let via = p
        .device
        .map(|d| format!(" through {d}"))
        .unwrap_or_default();
    if let Some(rtt) = p.rtt {
        let bdp = (bps * rtt.as_secs_f64() / 8.0).ceil() as u64;
        let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
        for (host, max, key) in [
            (p.to, p.to.tcp_rmem_max, "net.ipv4.tcp_rmem"),
            (p.from, p.from.tcp_wmem_max, "net.ipv4.tcp_wmem"),
        ] {
            if let Some(max) = max.filter(|m| *m < bdp) {
                out.push(format!(
                    "test '{}'{via}: {} Gbit/s at {:.1} ms round trip needs {} in flight{assumed}; endpoint '{}' lets TCP use {} ({key}): sysctl -w {key}=\"4096 131072 {bdp}\"",
                    p.test,
                    bps / 1e9,
                    rtt.as_secs_f64() * 1e3,
                    mb(bdp),
                    host.endpoint,
                    mb(max),
                ));
            }
        }
    }
    if let (Some(w), Some(max)) = (p.window, p.to.rmem_max)
        && w > max
    {
        out.push(format!(
            "test '{}'{via}: its window {w} bytes is over endpoint '{}''s net.core.rmem_max {max}: sysctl -w net.core.rmem_max={w}",
            p.test, p.to.endpoint
        ));
    }
    out
}

/// Strict reverse-path filtering on a host with several interfaces in the tests: a reply
/// leaving by another interface than the request came in is dropped.
pub(crate) fn rp_filter_warnings(hosts: &[HostFacts]) -> Vec<String> {
    let mut out = Vec::new();
    for h in hosts {
        let names: std::collections::BTreeSet<&str> = h
            .interfaces
            .iter()
            .map(|i| i.name.as_str())
            .filter(|n| *n != "-")
            .collect();
        let strict = h
            .interfaces
            .iter()
            .any(|i| i.rp_filter.max(h.rp_filter_all) == Some(1));
        if names.len() > 1 && strict {
            out.push(format!(
                "endpoint '{}' has {} interfaces in the tests ({}) and strict reverse-path filtering: replies on an asymmetric path are dropped; sysctl -w net.ipv4.conf.all.rp_filter=2 (loose)",
                h.endpoint,
                names.len(),
                names.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    out
}

/// The speeds of a test's switch ports: what the switch showed, else what the lab says.
fn port_speeds(t: &super::TrafficTest, speeds: &crate::watch::PortSpeeds) -> Vec<(u64, String)> {
    let Some(device) = t.device.as_deref() else {
        return Vec::new();
    };
    [&t.from, &t.to]
        .iter()
        .filter_map(|h| {
            let port = h.port.as_deref()?;
            match speeds.get(device, port) {
                Some(s) => Some((s, format!("{device} {port} says so"))),
                None => h
                    .lab_speed_mbps
                    .map(|s| (s, format!("the lab's speed of {device} {port}"))),
            }
        })
        .collect()
}

/// Read every endpoint the tests use, measure each test's round trip, judge.
pub(crate) async fn run(
    traffic: &Traffic,
    speeds: &crate::watch::PortSpeeds,
) -> Result<Preflight, TrafficError> {
    let (places, hosts, unread) = read_endpoints(traffic).await?;
    let mut pf = Preflight {
        warnings: [unread, rp_filter_warnings(&hosts)].concat(),
        ..Preflight::default()
    };
    for t in &traffic.tests {
        let rtt = match places.get(&t.from.name) {
            Some(place) => round_trip(traffic, place, t).await,
            None => None,
        };
        let host = |n: &str| hosts.iter().find(|h| h.endpoint == n);
        if let (Some(from), Some(to)) = (host(&t.from.name), host(&t.to.name)) {
            pf.warnings.extend(warnings(&Path {
                test: &t.name,
                device: t.device.as_deref(),
                from,
                from_address: &t.from.address,
                to,
                to_address: &t.to.address,
                rtt,
                window: t.window.as_deref().and_then(super::window_bytes),
                ports: port_speeds(t, speeds),
            }));
        }
        pf.rtt_ms.push((
            t.name.clone(),
            t.device.clone(),
            rtt.map(|r| r.as_secs_f64() * 1e3),
        ));
    }
    pf.hosts = hosts;
    Ok(pf)
}

/// Every endpoint the tests use, read once over one session each (kept for the round
/// trips measured there): its places, what was read, and what could not be.
async fn read_endpoints(traffic: &Traffic) -> Result<Endpoints, TrafficError> {
    let mut addresses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &traffic.tests {
        for h in [&t.from, &t.to] {
            let a = addresses.entry(h.name.clone()).or_default();
            if !a.contains(&h.address) {
                a.push(h.address.clone());
            }
        }
    }
    // One session per endpoint, for its settings and the round trips measured there.
    let mut places = BTreeMap::new();
    let mut hosts = Vec::new();
    let mut unread = Vec::new();
    for (name, addrs) in &addresses {
        let place = traffic.place(name).await?;
        let argv = vec!["sh".to_string(), "-c".to_string(), script(addrs)];
        let out = place
            .start(&argv)
            .await?
            .finish(Duration::from_secs(15))
            .await;
        match out {
            Ok(o) if o.status == Some(0) => hosts.push(parse(name, &o.stdout)),
            // Nothing read is not "nothing to warn about": said, and the tests go on.
            Ok(o) => unread.push(format!(
                "endpoint '{name}' ({}): its TCP settings could not be read: {}",
                place.describe(),
                o.stderr.trim()
            )),
            Err(waited) => unread.push(format!(
                "endpoint '{name}' ({}): its TCP settings could not be read within {waited:?}",
                place.describe()
            )),
        }
        places.insert(name.clone(), place);
    }
    Ok((places, hosts, unread))
}

/// The places each endpoint was read in, their facts, and what could not be read.
type Endpoints = (BTreeMap<String, Place>, Vec<HostFacts>, Vec<String>);

/// One round trip between a test's addresses, measured at its `from` end: here directly,
/// over SSH with `switchlab traffic rtt` there (None where that cannot run).
async fn round_trip(traffic: &Traffic, place: &Place, t: &super::TrafficTest) -> Option<Duration> {
    let (from, to): (std::net::IpAddr, std::net::IpAddr) =
        (t.from.address.parse().ok()?, t.to.address.parse().ok()?);
    if let Place::Local = place {
        return tokio::task::spawn_blocking(move || super::builtin::round_trip(from, to))
            .await
            .ok()
            .flatten();
    }
    let argv = vec![
        traffic.switchlab_at(&t.from.name),
        "traffic".into(),
        "rtt".into(),
        to.to_string(),
        "--from".into(),
        from.to_string(),
    ];
    let out = place
        .start(&argv)
        .await
        .ok()?
        .finish(Duration::from_secs(10))
        .await
        .ok()?;
    let ms: f64 = out.stdout.trim().strip_prefix("rtt_ms=")?.parse().ok()?;
    Some(Duration::from_secs_f64(ms / 1e3))
}

#[cfg(test)]
#[path = "preflight_tests.rs"]
mod tests;
