//! The manifest checked against itself and the lab, each problem located in the file:
//! devices listed once and in the lab, their ports the lab's (in any form the vendor
//! takes), tests between lab endpoints through devices under test, rates and durations
//! that read.

use std::time::Duration;

use toml::Spanned;

use super::{Manifest, Protocol, SamePort, parse_rate};
use crate::format::error::FormatError;
use crate::format::lab::Lab;
use crate::format::source::Source;
use crate::format::values;

/// Every check, in the order a reader of the file meets them.
pub(super) fn check(
    src: &Source,
    m: &mut Manifest,
    lab: &Lab,
    same: SamePort<'_>,
) -> Result<(), FormatError> {
    values::each_once(
        src,
        m.devices.iter().map(|d| &d.name),
        "device.name",
        "device",
        "is listed twice; list a device once (its `ports` say which ports)",
    )?;
    check_through(src, m)?;
    check_rates(src, m)?;
    check_test_names(src, m)?;
    check_devices(src, m, lab, same)?;
    check_endpoints(src, m, lab)?;
    super::benchmark::check(src, m, lab)?;
    positive_duration(src, &m.flaps.interval, "flaps.interval")?;
    parse_duration(src, &m.flaps.duration, "flaps.duration")?;
    Ok(())
}

/// `through` names devices under test.
fn check_through(src: &Source, m: &Manifest) -> Result<(), FormatError> {
    let names = m.throughput.iter().flat_map(|t| t.through.iter().flatten());
    for d in names.chain(m.benchmarks.iter().flat_map(|b| b.through.iter().flatten())) {
        if m.device(d.get_ref()).is_none() {
            let known = m.devices.iter().map(|u| u.name.get_ref().clone()).collect();
            return Err(src.unknown_ref(
                &d.span(),
                "throughput.through",
                "device",
                d.get_ref(),
                "the manifest's devices under test",
                known,
            ));
        }
    }
    Ok(())
}

/// A UDP test has a rate, and a rate reads.
fn check_rates(src: &Source, m: &Manifest) -> Result<(), FormatError> {
    for t in &m.throughput {
        match (&t.protocol, &t.rate) {
            (Protocol::Udp, None) => {
                return Err(src.invalid(
                    &t.from.span(),
                    "throughput.rate",
                    format!(
                        "UDP test '{}' needs a target `rate`, e.g. \"1G\" or \"500M\"",
                        t.name
                    ),
                ));
            }
            (_, Some(r)) if parse_rate(r.get_ref()).is_none() => {
                return Err(src.invalid(
                    &r.span(),
                    "throughput.rate",
                    format!(
                        "'{}' is not a rate; write bits per second, e.g. \"1G\", \"500M\", \"64K\"",
                        r.get_ref()
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Test names are unique (they name rows and files).
fn check_test_names(src: &Source, m: &Manifest) -> Result<(), FormatError> {
    let mut tests: Vec<&str> = Vec::new();
    let all = (m.throughput.iter().map(|t| (t.name.as_str(), &t.from)))
        .chain(m.benchmarks.iter().map(|b| (b.name.as_str(), &b.from)));
    for (name, at) in all {
        if tests.contains(&name) {
            return Err(src.invalid(
                &at.span(),
                "throughput.name",
                format!("test '{name}' is defined twice"),
            ));
        }
        tests.push(name);
    }
    Ok(())
}

/// Devices are the lab's, and their ports the device's (kept as the lab writes them).
fn check_devices(
    src: &Source,
    m: &mut Manifest,
    lab: &Lab,
    same: SamePort<'_>,
) -> Result<(), FormatError> {
    for d in &mut m.devices {
        let Some(dev) = lab.device(d.name.get_ref()) else {
            return Err(src.unknown_ref(
                &d.name.span(),
                "device.name",
                "device",
                d.name.get_ref(),
                "lab.toml",
                lab.device_names(),
            ));
        };
        let lists = d.ports.iter_mut().flatten().map(|p| ("device.ports", p));
        let expected = d.expect_down.iter_mut().map(|p| ("device.expect_down", p));
        for (key, p) in lists.chain(expected) {
            let Some(port) = dev.port_by(p.get_ref().name(), |a, b| same(dev, a, b)) else {
                let known = dev.ports.iter().map(|p| p.name.get_ref().clone()).collect();
                return Err(src.unknown_ref(
                    &p.span(),
                    key,
                    "port",
                    p.get_ref().name(),
                    &format!("lab.toml device '{}'", dev.name()),
                    known,
                ));
            };
            let span = p.span();
            let entry = p.get_ref().renamed(port.name.get_ref());
            *p = Spanned::new(span, entry);
        }
    }
    Ok(())
}

/// Tests run between lab endpoints, for a duration that reads.
fn check_endpoints(src: &Source, m: &Manifest, lab: &Lab) -> Result<(), FormatError> {
    for t in &m.throughput {
        for (key, ep) in [("throughput.from", &t.from), ("throughput.to", &t.to)] {
            endpoint(src, lab, key, ep)?;
        }
        positive_duration(src, &t.duration, "throughput.duration")?;
    }
    Ok(())
}

/// `ep` names a lab endpoint.
pub(super) fn endpoint(
    src: &Source,
    lab: &Lab,
    key: &str,
    ep: &Spanned<String>,
) -> Result<(), FormatError> {
    if lab
        .endpoints
        .iter()
        .any(|e| e.name.get_ref() == ep.get_ref())
    {
        return Ok(());
    }
    Err(src.unknown_ref(
        &ep.span(),
        key,
        "endpoint",
        ep.get_ref(),
        "lab.toml",
        lab.endpoint_names(),
    ))
}

/// A duration that must not be zero (a poll interval of 0 is a busy loop; a 0 s test
/// measures nothing).
pub fn positive_duration(
    src: &Source,
    value: &Spanned<String>,
    key: &str,
) -> Result<Duration, FormatError> {
    let d = parse_duration(src, value, key)?;
    if d.is_zero() {
        return Err(src.invalid(
            &value.span(),
            key,
            format!("'{}' is zero; write e.g. \"1s\"", value.get_ref()),
        ));
    }
    Ok(d)
}

/// Read a duration such as "30s", "10m", "1h 30m", "250ms", naming the key when it is wrong.
pub fn parse_duration(
    src: &Source,
    value: &Spanned<String>,
    key: &str,
) -> Result<Duration, FormatError> {
    humantime::parse_duration(value.get_ref()).map_err(|e| {
        src.invalid(
            &value.span(),
            key,
            format!(
                "'{}' is not a duration ({e}); write e.g. \"30s\", \"10m\", \"250ms\"",
                value.get_ref()
            ),
        )
    })
}
