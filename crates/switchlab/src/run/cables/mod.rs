//! The cable audit: what each watched port's module reports (the profile's
//! `commands.transceivers`, merged per port, classified by the cables table), read at the
//! start and the end of a run, against what the lab declares.
//!
//! Layout: this file (reading a device), `findings` (declared against seen, start against
//! end).

mod findings;

use std::collections::BTreeMap;

pub(crate) use findings::{Finding, audit_row};

use crate::driver::session::DeviceError;
use crate::driver::{Driver, DriverError};
use crate::parse::{Cables, Parsed, Transceiver, parse_output_with};
use crate::vendor::Vendor;
use crate::vendor::profile::ParseRecord;

/// What the switch reported of each port's module at one moment, by lab port name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reading {
    pub(crate) modules: BTreeMap<String, Transceiver>,
    /// Commands the device rejected (their message): the audit went on without them.
    pub(crate) rejected: Vec<(String, String)>,
}

/// Read the modules of `ports` (lab names) with every command the profile lists for the
/// audit; a command with `{port}` is run for each port. Nothing to read (a profile without
/// audit commands) is an empty reading.
pub(crate) async fn read(
    d: &mut Driver,
    vendor: &Vendor,
    ports: &[String],
    cables: &Cables,
) -> Result<Reading, DeviceError> {
    let mut r = Reading::default();
    for cmd in &vendor.profile.commands.transceivers {
        let Some(rule) = vendor.parse_rule_for(cmd, ParseRecord::Transceiver) else {
            continue;
        };
        let runs: Vec<String> = match cmd.contains("{port}") {
            true => ports.iter().map(|p| cmd.replace("{port}", p)).collect(),
            false => vec![cmd.clone()],
        };
        for run in runs {
            let out = match d.show(&run).await {
                Ok(out) => out,
                Err(DriverError::CommandRejected {
                    command, message, ..
                }) => {
                    r.rejected.push((command, message));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let Parsed::Transceivers(found) = parse_output_with(vendor, rule, &out) else {
                continue;
            };
            for t in found {
                let Some(lab) = lab_port(vendor, &t.port, rule.bare_port.as_deref(), ports) else {
                    continue;
                };
                match r.modules.get_mut(lab) {
                    Some(have) => have.merge(&t),
                    None => {
                        r.modules.insert(lab.to_string(), t);
                    }
                }
            }
        }
    }
    for t in r.modules.values_mut() {
        t.classify(cables);
    }
    Ok(r)
}

/// The lab's name of the port the device calls `name` (`49` is `Ethernet49` where the
/// rule says bare numbers are that type's).
fn lab_port<'a>(
    vendor: &Vendor,
    name: &str,
    bare: Option<&str>,
    ports: &'a [String],
) -> Option<&'a str> {
    let numbered = bare.filter(|_| name.chars().all(|c| c.is_ascii_digit() || c == '/'));
    let name = match numbered {
        Some(prefix) => format!("{prefix}{name}"),
        None => name.to_string(),
    };
    ports
        .iter()
        .find(|p| vendor.same_port(p, &name))
        .map(String::as_str)
}

/// Each watched port's row of transceivers.csv, from the readings at the start and the end
/// (None: the watch was cut short before it); what was found goes into the port's watch,
/// for its hint and verdict.
pub(crate) fn apply(
    dev: &crate::format::lab::Device,
    w: &mut crate::watch::DeviceWatch<'_>,
    start: &Reading,
    end: Option<&Reading>,
) -> Vec<crate::record::rows::TransceiverRow> {
    use crate::watch::hints::CableNote;
    let mut rows = Vec::new();
    for port in w.port_names() {
        let lab = dev.port(&port);
        let cable = lab.and_then(|p| p.cable.as_ref());
        let nic = lab
            .and_then(|p| p.peer.as_ref())
            .and_then(|p| p.nic.as_deref());
        let (a, b) = (
            start.modules.get(&port),
            end.and_then(|e| e.modules.get(&port)),
        );
        let (row, found) = audit_row(dev.name(), &port, cable, nic, a, b);
        let seen = a
            .or(b)
            .and_then(|t| t.class.kind.lab_kind().map(|k| (k, t.class.length_m)));
        let fact = found.iter().find_map(Finding::transceiver_fact);
        let notes = found
            .iter()
            .map(|f| CableNote {
                text: f.to_string(),
                short_dac: matches!(f, Finding::ShortDac { .. }),
            })
            .collect();
        w.learn_cable(&port, seen, fact, notes);
        rows.push(row);
    }
    rows
}

/// The audit alone, on a session of its own (`switchlab cables`, `doctor`): each of the
/// device's lab ports (or `only` of them) read once, against the lab. Touches no config.
pub async fn audit_device(
    dev: &crate::format::lab::Device,
    vendor: &Vendor,
    opts: &crate::transport::ConnectOptions,
    cables: &Cables,
) -> Result<Vec<(crate::record::rows::TransceiverRow, Vec<Finding>)>, DeviceError> {
    let mut d = crate::driver::session::open(dev, vendor, opts, None).await?;
    let ports: Vec<String> = dev.ports.iter().map(|p| p.name.get_ref().clone()).collect();
    let reading = read(&mut d, vendor, &ports, cables).await?;
    Ok(ports
        .iter()
        .map(|port| {
            let lab = dev.port(port);
            let cable = lab.and_then(|p| p.cable.as_ref());
            let nic = lab
                .and_then(|p| p.peer.as_ref())
                .and_then(|p| p.nic.as_deref());
            let seen = reading.modules.get(port);
            audit_row(dev.name(), port, cable, nic, seen, None)
        })
        .collect())
}
