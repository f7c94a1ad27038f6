//! One port's audit: the cable the lab declares against the one the switch's module
//! reports, and the module at the start against the end of the run.

use crate::format::lab::Cable;
use crate::parse::{SeenKind, Transceiver};
use crate::record::milli;
use crate::record::rows::TransceiverRow;

/// A passive DAC shorter than this is a risk to measure (no vendor gives a minimum).
const SHORT_DAC_M: f64 = 3.0;
/// An Rx power that falls by more than this during a run is said.
const RX_FALL_DB: f64 = 1.0;

/// What the audit found on one port.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The lab declares one kind of cable, the switch reports another.
    KindMismatch {
        declared: String,
        seen: SeenKind,
    },
    LengthMismatch {
        declared: f64,
        seen: f64,
    },
    /// A passive DAC under 3 m is in the port.
    ShortDac {
        length_m: f64,
        what: String,
        nic: Option<String>,
    },
    /// The lab declares a cable and the switch reports an empty cage.
    Absent,
    /// The module went missing during the run, or another one is there now.
    Gone,
    Changed {
        from: String,
        to: String,
    },
    /// Rx power below the module's warning threshold.
    RxLow {
        rx_dbm: f64,
    },
    RxFell {
        from: f64,
        to: f64,
    },
    /// The switch does not support the module.
    Unsupported {
        vendor: String,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::KindMismatch { declared, seen } => {
                write!(f, "lab says {declared}, the switch sees {seen}")
            }
            Finding::LengthMismatch { declared, seen } => {
                write!(f, "lab says {declared} m, the switch sees {seen} m")
            }
            Finding::ShortDac {
                length_m,
                what,
                nic,
            } => write!(
                f,
                "short passive DAC seen ({length_m} m {what}{}): known to flicker, use 3 m or longer",
                nic.as_ref()
                    .map(|n| format!(" to an {n}"))
                    .unwrap_or_default()
            ),
            Finding::Absent => f.write_str("no transceiver in the port"),
            Finding::Gone => f.write_str("the module went missing during the run"),
            Finding::Changed { from, to } => {
                write!(f, "the module changed during the run ({from} → {to})")
            }
            Finding::RxLow { rx_dbm } => write!(
                f,
                "Rx power {rx_dbm} dBm is below the module's warning threshold"
            ),
            Finding::RxFell { from, to } => {
                write!(f, "Rx power fell from {from} to {to} dBm during the run")
            }
            Finding::Unsupported { vendor } => {
                write!(f, "the switch does not support the module ({vendor})")
            }
        }
    }
}

impl Finding {
    /// What the port's no-link hint says of its module (`absent`, `unsupported`).
    pub(crate) fn transceiver_fact(&self) -> Option<&'static str> {
        match self {
            Finding::Absent | Finding::Gone => Some("absent"),
            Finding::Unsupported { .. } => Some("unsupported"),
            _ => None,
        }
    }
}

fn identity(t: &Transceiver) -> String {
    t.serial
        .clone()
        .or(t.part.clone())
        .or(t.media.clone())
        .unwrap_or_else(|| "?".into())
}

/// The declared cable against the one seen.
fn declared_vs_seen(cable: Option<&Cable>, seen: &Transceiver, out: &mut Vec<Finding>) {
    let Some(c) = cable else { return };
    match seen.class.kind {
        SeenKind::Absent => out.push(Finding::Absent),
        SeenKind::Unknown => {}
        kind if kind.lab_kind() != Some(c.kind) => out.push(Finding::KindMismatch {
            declared: c.kind.as_str().to_string(),
            seen: kind,
        }),
        _ => {
            if let (Some(d), Some(s)) = (c.length_m, seen.class.length_m)
                && (d - s).abs() > 0.25
            {
                out.push(Finding::LengthMismatch {
                    declared: d,
                    seen: s,
                });
            }
        }
    }
}

/// The port's row of transceivers.csv and its findings, from the readings at the start
/// and at the end (None: the switch listed nothing for the port).
pub(crate) fn audit_row(
    device: &str,
    port: &str,
    cable: Option<&Cable>,
    nic: Option<&str>,
    start: Option<&Transceiver>,
    end: Option<&Transceiver>,
) -> (TransceiverRow, Vec<Finding>) {
    let seen = start.or(end);
    let mut found = Vec::new();
    if let Some(s) = seen {
        module_findings(cable, nic, s, &mut found);
    }
    over_the_run(start, end, &mut found);
    let (rx0, rx1) = (start.and_then(|t| t.rx_dbm), end.and_then(|t| t.rx_dbm));
    let text = |f: fn(&Transceiver) -> Option<String>| seen.and_then(f).unwrap_or_default();
    let row = TransceiverRow {
        device: device.into(),
        port: port.into(),
        declared: cable.map(describe).unwrap_or_default(),
        seen_kind: seen.map(|s| s.class.kind.to_string()).unwrap_or_default(),
        seen_length_m: seen.and_then(|s| s.class.length_m),
        media: text(|t| t.media.clone()),
        part: text(|t| t.part.clone()),
        vendor: text(|t| t.vendor.clone()),
        serial: text(|t| t.serial.clone()),
        matches: match (cable, seen) {
            (Some(_), Some(s)) if s.class.kind != SeenKind::Unknown => {
                Some(!found.iter().any(|f| {
                    matches!(
                        f,
                        Finding::KindMismatch { .. }
                            | Finding::LengthMismatch { .. }
                            | Finding::Absent
                    )
                }))
            }
            _ => None,
        },
        rx_start_dbm: rx0,
        rx_end_dbm: rx1,
        rx_delta_db: rx0.zip(rx1).map(|(a, b)| milli(b - a)),
        tx_start_dbm: start.and_then(|t| t.tx_dbm),
        tx_end_dbm: end.and_then(|t| t.tx_dbm),
        temp_start_c: start.and_then(|t| t.temp_c),
        temp_end_c: end.and_then(|t| t.temp_c),
        findings: found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    };
    (row, found)
}

/// What the module seen says by itself: the cable declared against it, a short passive
/// DAC (with the NIC it meets), a module the switch does not support.
fn module_findings(
    cable: Option<&Cable>,
    nic: Option<&str>,
    s: &Transceiver,
    found: &mut Vec<Finding>,
) {
    declared_vs_seen(cable, s, found);
    if s.class.kind == SeenKind::DacPassive
        && let Some(l) = s.class.length_m.filter(|l| *l < SHORT_DAC_M)
    {
        let what = s.part.clone().or(s.media.clone()).unwrap_or_default();
        found.push(Finding::ShortDac {
            length_m: l,
            what,
            nic: nic.map(String::from),
        });
    }
    if s.supported == Some(false) {
        found.push(Finding::Unsupported {
            vendor: s.vendor.clone().unwrap_or_default(),
        });
    }
}

/// What changed between the readings at the start and at the end: a module gone or
/// swapped, received power fallen or below its warning.
fn over_the_run(start: Option<&Transceiver>, end: Option<&Transceiver>, found: &mut Vec<Finding>) {
    if let (Some(a), Some(b)) = (start, end) {
        if a.holds_module() && !b.holds_module() {
            found.push(Finding::Gone);
        } else if a.holds_module() && identity(a) != identity(b) {
            found.push(Finding::Changed {
                from: identity(a),
                to: identity(b),
            });
        }
    }
    let (rx0, rx1) = (start.and_then(|t| t.rx_dbm), end.and_then(|t| t.rx_dbm));
    if let (Some(a), Some(b)) = (rx0, rx1)
        && a - b > RX_FALL_DB
    {
        found.push(Finding::RxFell { from: a, to: b });
    }
    let low = [start, end].into_iter().flatten().find(|t| {
        t.rx_low_warning == Some(true)
            || matches!((t.rx_dbm, t.rx_low_warn_dbm), (Some(r), Some(w)) if r < w)
    });
    if let Some(rx_dbm) = low.and_then(|t| t.rx_dbm) {
        found.push(Finding::RxLow { rx_dbm });
    }
}

/// A lab cable as the run folder writes it (`0.5 m dac`).
pub(crate) fn describe(c: &Cable) -> String {
    match c.length_m {
        Some(l) => format!("{l} m {}", c.kind.as_str()),
        None => c.kind.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Cables;

    fn module(media: &str, part: Option<&str>, rx: Option<f64>) -> Transceiver {
        let mut t = Transceiver {
            port: "Et49".into(),
            media: Some(media.into()),
            part: part.map(String::from),
            serial: Some("S1".into()),
            rx_dbm: rx,
            ..Default::default()
        };
        t.classify(&Cables::builtin());
        t
    }

    fn cable(text: &str) -> Cable {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_declared_3m_dac_that_is_a_half_metre_one_is_a_mismatch_and_a_short_dac() {
        let seen = module("10GBASE-CR", Some("CAB-SFP-SFP-0.5M"), None);
        let c = cable("kind = \"dac\"\nlength_m = 3.0");
        let (row, f) = audit_row(
            "a",
            "Et49",
            Some(&c),
            Some("Intel X520"),
            Some(&seen),
            Some(&seen),
        );
        assert!(
            f.contains(&Finding::LengthMismatch {
                declared: 3.0,
                seen: 0.5
            }),
            "{f:?}"
        );
        assert!(
            matches!(f[1], Finding::ShortDac { length_m, .. } if length_m == 0.5),
            "{f:?}"
        );
        assert_eq!(
            (row.matches, row.seen_kind.as_str()),
            (Some(false), "dac-passive")
        );
        assert!(
            row.findings.contains("to an Intel X520"),
            "{}",
            row.findings
        );
        // Declared right: nothing but what the cable itself is.
        let right = cable("kind = \"dac\"\nlength_m = 0.5");
        let (row, f) = audit_row("a", "Et49", Some(&right), None, Some(&seen), Some(&seen));
        assert_eq!(row.matches, Some(true));
        assert!(matches!(f.as_slice(), [Finding::ShortDac { .. }]), "{f:?}");
    }

    #[test]
    fn a_module_that_changes_or_loses_light_during_the_run_is_said() {
        let c = cable("kind = \"fiber\"");
        let a = module("10GBASE-SR", None, Some(-2.5));
        let mut b = a.clone();
        b.rx_dbm = Some(-4.0);
        let (row, f) = audit_row("a", "Et51", Some(&c), None, Some(&a), Some(&b));
        assert_eq!(
            f,
            vec![Finding::RxFell {
                from: -2.5,
                to: -4.0
            }]
        );
        assert_eq!(row.rx_delta_db, Some(-1.5));
        b.serial = Some("S2".into());
        let (_, f) = audit_row("a", "Et51", Some(&c), None, Some(&a), Some(&b));
        assert!(
            f.contains(&Finding::Changed {
                from: "S1".into(),
                to: "S2".into()
            }),
            "{f:?}"
        );
        let mut gone = a.clone();
        gone.present = Some(false);
        gone.classify(&Cables::builtin());
        let (_, f) = audit_row("a", "Et51", Some(&c), None, Some(&a), Some(&gone));
        assert!(f.contains(&Finding::Gone), "{f:?}");
        let fiber_as_dac = cable("kind = \"dac\"");
        let (_, f) = audit_row("a", "Et51", Some(&fiber_as_dac), None, Some(&a), None);
        assert_eq!(
            f,
            vec![Finding::KindMismatch {
                declared: "dac".into(),
                seen: SeenKind::Fiber
            }]
        );
    }
}
