//! The link model: a port is up when it is enabled, cabled, and not held down by flap
//! injection. Flaps come from a schedule (`PORT@5s/200ms`, bursts `PORT@5s/50ms*8+400ms`)
//! or from the cabling profile (a DAC shorter than 3 m to an Intel NIC flickers), both
//! deterministic from a seed. Every change is logged the vendor's way and recorded as ground
//! truth. A marginal link can also take CRC errors without flapping (`crc:PORT@2s/50`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{RngExt, SeedableRng};

use super::dialect::Dialect;
use super::session::lock;
use super::state::Device;

/// Recompute a port's oper state; on a change, log it the vendor's way and apply the
/// err-disable rule (more than 5 flaps in 10 s) where the vendor has one.
pub fn refresh_and_log(d: &Dialect, dev: &mut Device, idx: usize) {
    let Some(up) = dev.refresh_oper(idx) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for line in (d.link_log)(dev, &dev.ports[idx], up, now) {
        dev.log(line);
    }
    if let Some(msg) = d.errdisable_log
        && !up
        && dev.ports[idx].recent_downs.len() > 5
        && !dev.ports[idx].err_disabled
    {
        dev.ports[idx].err_disabled = true;
        let text = msg(&dev.ports[idx]);
        dev.log(text);
    }
}

/// One injected flap: port down at `at` (from start) for `down`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flap {
    pub port: String,
    pub at: Duration,
    pub down: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "flap spec '{item}': {why}; write PORT@START/DOWN, e.g. Ethernet7@5s/200ms, a burst Ethernet7@5s/50ms*8+400ms, CRC errors crc:Ethernet7@2s/50, counters cleared clear@3s, or `profile`"
)]
pub struct FlapSpecError {
    pub item: String,
    pub why: String,
}

/// CRC errors arriving on a port at `at` (from start): the counters of a marginal link.
#[derive(Debug, Clone, PartialEq)]
pub struct CrcErrors {
    pub port: String,
    pub at: Duration,
    pub count: u64,
}

/// The flap plan of a simulator: explicit flaps and CRC errors, and whether the cabling
/// profile applies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlapPlan {
    pub flaps: Vec<Flap>,
    pub crc: Vec<CrcErrors>,
    /// When the counters are cleared, as `clear counters` typed on the switch does.
    pub clears: Vec<Duration>,
    pub profile: bool,
}

/// Parse `PORT@START/DOWN[*COUNT+EVERY]`, `crc:PORT@START/COUNT` and `clear@START` (the
/// counters cleared) items separated by commas, or `profile`.
pub fn parse_flaps(spec: &str) -> Result<FlapPlan, FlapSpecError> {
    let mut plan = FlapPlan::default();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if item == "profile" {
            plan.profile = true;
            continue;
        }
        let err = |why: &str| FlapSpecError {
            item: item.to_string(),
            why: why.to_string(),
        };
        if let Some(at) = item.strip_prefix("clear@") {
            let at =
                humantime::parse_duration(at.trim()).map_err(|e| err(&format!("'{at}': {e}")))?;
            plan.clears.push(at);
            continue;
        }
        if let Some(rest) = item.strip_prefix("crc:") {
            plan.crc.push(crc_item(rest, err)?);
            continue;
        }
        plan.flaps.extend(flap_item(item, err)?);
    }
    Ok(plan)
}

/// `PORT@START/COUNT` (after `crc:`): CRC errors counted on a port.
fn crc_item(rest: &str, err: impl Fn(&str) -> FlapSpecError) -> Result<CrcErrors, FlapSpecError> {
    let (port, timing) = rest.rsplit_once('@').ok_or_else(|| err("no '@'"))?;
    let (start, count) = timing.split_once('/').ok_or_else(|| err("no '/COUNT'"))?;
    Ok(CrcErrors {
        port: port.trim().to_string(),
        at: humantime::parse_duration(start.trim()).map_err(|e| err(&format!("'{start}': {e}")))?,
        count: count
            .trim()
            .parse()
            .map_err(|_| err("COUNT is not a number"))?,
    })
}

/// `PORT@START/DOWN[*COUNT+EVERY]`: a flap, or a burst of them.
fn flap_item(item: &str, err: impl Fn(&str) -> FlapSpecError) -> Result<Vec<Flap>, FlapSpecError> {
    let (port, timing) = item.rsplit_once('@').ok_or_else(|| err("no '@'"))?;
    let (start, rest) = timing.split_once('/').ok_or_else(|| err("no '/DOWN'"))?;
    let (down, repeat) = match rest.split_once('*') {
        Some((d, r)) => (d, Some(r)),
        None => (rest, None),
    };
    let dur =
        |s: &str| humantime::parse_duration(s.trim()).map_err(|e| err(&format!("'{s}': {e}")));
    let (start, down) = (dur(start)?, dur(down)?);
    let (count, every) = match repeat {
        Some(r) => {
            let (c, e) = r
                .split_once('+')
                .ok_or_else(|| err("a burst needs *COUNT+EVERY"))?;
            (
                c.trim()
                    .parse::<u32>()
                    .map_err(|_| err("COUNT is not a number"))?,
                dur(e)?,
            )
        }
        None => (1, Duration::ZERO),
    };
    if count > 1 && every <= down {
        return Err(err("EVERY must be longer than DOWN"));
    }
    Ok((0..count)
        .map(|k| Flap {
            port: port.trim().to_string(),
            at: start + every * k,
            down,
        })
        .collect())
}

/// Ports whose cabling is known to flicker: a DAC shorter than 3 m to an Intel NIC.
pub fn flaky_by_profile(
    cable_kind: Option<&str>,
    length_m: Option<f64>,
    nic: Option<&str>,
) -> bool {
    cable_kind == Some("dac")
        && length_m.is_some_and(|l| l < 3.0)
        && nic.is_some_and(|n| n.to_lowercase().contains("intel"))
}

/// Flaps for a flaky port over `horizon`: on average one every 4 s, down 20–400 ms, from the seed.
pub fn profile_flaps(port: &str, seed: u64, horizon: Duration) -> Vec<Flap> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(
        seed ^ port.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        }),
    );
    let mut t = Duration::from_millis(rng.random_range(1_000..3_000));
    let mut out = Vec::new();
    while t < horizon {
        let down = Duration::from_millis(rng.random_range(20..400));
        out.push(Flap {
            port: port.to_string(),
            at: t,
            down,
        });
        t += down + Duration::from_millis(rng.random_range(1_500..6_500));
    }
    out
}

/// Play flaps against a device: each port goes down at its time and comes back after `down`.
pub async fn run_flaps(d: &'static Dialect, dev: Arc<Mutex<Device>>, flaps: Vec<Flap>) {
    let plan = FlapPlan {
        flaps,
        ..Default::default()
    };
    run_plan(d, dev, plan).await;
}

enum Edge {
    Down(bool),
    Crc(u64),
    Clear,
}

/// Play flaps, CRC errors and counter clears against a device, each at its time from now.
pub async fn run_plan(d: &'static Dialect, dev: Arc<Mutex<Device>>, plan: FlapPlan) {
    let start = tokio::time::Instant::now();
    let mut edges: Vec<(Duration, String, Edge)> = Vec::new();
    for f in plan.flaps {
        edges.push((f.at, f.port.clone(), Edge::Down(true)));
        edges.push((f.at + f.down, f.port, Edge::Down(false)));
    }
    for c in plan.crc {
        edges.push((c.at, c.port, Edge::Crc(c.count)));
    }
    edges.extend(
        plan.clears
            .into_iter()
            .map(|at| (at, String::new(), Edge::Clear)),
    );
    edges.sort_by_key(|e| e.0);
    for (at, port, edge) in edges {
        tokio::time::sleep_until(start + at).await;
        let mut dev = lock(&dev);
        let port = dev.port_index(&port);
        match (edge, port) {
            (Edge::Clear, _) => dev.clear_counters(),
            (Edge::Down(down), Some(i)) => {
                dev.ports[i].flap_down = down;
                refresh_and_log(d, &mut dev, i);
            }
            // A CRC error is an input error too.
            (Edge::Crc(n), Some(i)) => {
                dev.ports[i].crc += n;
                dev.ports[i].in_errors += n;
            }
            (_, None) => {}
        }
    }
}

/// Take a port down now, or the flap's `at` from now (its log lines go out before the port
/// is back), and bring it back up after the flap's `down`.
pub fn flap_now(d: &'static Dialect, dev: &Arc<Mutex<Device>>, flap: Flap) {
    if !flap.at.is_zero() {
        let dev = dev.clone();
        tokio::spawn(async move {
            tokio::time::sleep(flap.at).await;
            flap_now(
                d,
                &dev,
                Flap {
                    at: Duration::ZERO,
                    ..flap
                },
            );
        });
        return;
    }
    let mut guard = lock(dev);
    let Some(i) = guard.port_index(&flap.port) else {
        return;
    };
    guard.ports[i].flap_down = true;
    refresh_and_log(d, &mut guard, i);
    drop(guard);
    let dev = dev.clone();
    tokio::spawn(async move {
        tokio::time::sleep(flap.down).await;
        let mut dev = lock(&dev);
        dev.ports[i].flap_down = false;
        refresh_and_log(d, &mut dev, i);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flap_specs_single_and_burst() {
        let p = parse_flaps("Ethernet7@5s/200ms, Te 0/1@1s/50ms*3+400ms, profile").unwrap();
        assert!(p.profile);
        assert_eq!(p.flaps.len(), 4);
        assert_eq!(
            p.flaps[0],
            Flap {
                port: "Ethernet7".into(),
                at: Duration::from_secs(5),
                down: Duration::from_millis(200)
            }
        );
        assert_eq!(p.flaps[3].at, Duration::from_millis(1800));
        assert!(parse_flaps("Et1@5s").is_err());
        let c = parse_flaps("crc:Ethernet7@2s/50").unwrap();
        assert_eq!(
            c.crc,
            vec![CrcErrors {
                port: "Ethernet7".into(),
                at: Duration::from_secs(2),
                count: 50
            }]
        );
        assert!(parse_flaps("crc:Et1@2s/many").is_err());
        assert!(parse_flaps("Et1@5s/1s*3+500ms").is_err());
    }

    #[test]
    fn profile_flaps_are_deterministic_from_the_seed() {
        let a = profile_flaps("Ethernet49", 7, Duration::from_secs(60));
        assert_eq!(a, profile_flaps("Ethernet49", 7, Duration::from_secs(60)));
        assert_ne!(a, profile_flaps("Ethernet49", 8, Duration::from_secs(60)));
        assert!(a.len() >= 8, "about one flap every 4 s: {}", a.len());
        assert!(flaky_by_profile(Some("dac"), Some(0.5), Some("Intel X520")));
        assert!(!flaky_by_profile(
            Some("dac"),
            Some(3.0),
            Some("Intel X520")
        ));
    }
}
