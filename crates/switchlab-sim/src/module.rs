//! The module in a simulated port: what is really plugged in (the lab's cable by default,
//! or the part a lab's `sim = { transceiver = "PART" }` names), with DOM readings. The
//! simulator reads part numbers with its own small rules, not the audit's cables table,
//! so a wrong table fails a test instead of agreeing with itself.

use std::cell::Cell;

/// What kind of cable or optic it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModKind {
    /// Twinax; `active` for an active copper cable.
    Dac {
        active: bool,
    },
    Aoc,
    /// An optic of this reach class (`SR`, `LR`).
    Fiber(&'static str),
}

/// A module in a port.
#[derive(Debug, Clone)]
pub struct Module {
    pub kind: ModKind,
    pub length_m: Option<f64>,
    /// The part number the switch reports; None: the vendor's own for the kind and length.
    pub part: Option<String>,
    pub serial: String,
    pub temp_c: f64,
    pub tx_dbm: f64,
    rx_dbm: f64,
    /// Rx power change after the module was first read (an optic losing its margin).
    rx_drift_db: f64,
    /// Times its readings were shown: the drift shows from the second read on.
    reads: Cell<u32>,
}

impl Module {
    /// The module for a lab cable (`kind`: dac, aoc, fiber), `idx` making its serial.
    pub fn for_cable(kind: Option<&str>, length_m: Option<f64>, idx: usize) -> Option<Module> {
        let kind = match kind? {
            "dac" => ModKind::Dac { active: false },
            "aoc" => ModKind::Aoc,
            "fiber" => ModKind::Fiber("SR"),
            _ => return None,
        };
        Some(Module::new(kind, length_m, None, idx))
    }

    /// A short-reach optic: what a pluggable port holds where the lab says nothing.
    pub fn optic(idx: usize) -> Module {
        Module::new(ModKind::Fiber("SR"), None, None, idx)
    }

    /// The module a part number names, read by the simulator's own rules; None for a part
    /// it cannot read.
    pub fn for_part(part: &str, idx: usize) -> Option<Module> {
        let p = part.to_ascii_uppercase();
        let len = length_in(&p);
        let kind = if p.contains("AOC") {
            ModKind::Aoc
        } else if p.contains("ACU") {
            ModKind::Dac { active: true }
        } else if p.contains("-CU") || p.starts_with("CAB-") || p.contains("TWINAX") {
            ModKind::Dac { active: false }
        } else if let Some(r) = ["LR", "ER", "ZR", "SR", "LX", "SX"]
            .into_iter()
            .find(|r| p.contains(r))
        {
            ModKind::Fiber(r)
        } else {
            return None;
        };
        Some(Module::new(kind, len, Some(part.to_string()), idx))
    }

    fn new(kind: ModKind, length_m: Option<f64>, part: Option<String>, idx: usize) -> Module {
        Module {
            kind,
            length_m,
            part,
            serial: format!("SIM{:08}", 10_000_000 + idx * 7919),
            temp_c: 31.5 + (idx % 7) as f64 * 0.7,
            tx_dbm: -2.2,
            rx_dbm: -2.6 - (idx % 5) as f64 * 0.1,
            rx_drift_db: 0.0,
            reads: Cell::new(0),
        }
    }

    /// Rx falls (or rises) by `db` after the first read.
    pub fn with_rx_drift(mut self, db: f64) -> Module {
        self.rx_drift_db = db;
        self
    }

    /// Whether it carries light (passive copper has no DOM).
    pub fn has_dom(&self) -> bool {
        !matches!(self.kind, ModKind::Dac { .. })
    }

    /// The Rx power a module command shows, counted as a read: the drift shows once it
    /// has been read once (by a module command; a port's status lines only peek).
    pub fn rx_dbm(&self) -> f64 {
        let now = self.rx_peek();
        self.reads.set(self.reads.get().saturating_add(1));
        now
    }

    /// The Rx power now, without counting a read (a port's own status lines).
    pub fn rx_peek(&self) -> f64 {
        match self.reads.get() {
            0 => self.rx_dbm,
            _ => self.rx_dbm + self.rx_drift_db,
        }
    }

    /// The lab cable kind it is (`dac`, `aoc`, `fiber`), for the link model.
    pub fn lab_kind(&self) -> &'static str {
        match self.kind {
            ModKind::Dac { .. } => "dac",
            ModKind::Aoc => "aoc",
            ModKind::Fiber(_) => "fiber",
        }
    }

    /// The length as part numbers write it: `0-5` (Cisco style) or `0.5`.
    pub fn length_text(&self, dash: bool) -> String {
        let l = self.length_m.unwrap_or(1.0);
        let t = if l.fract() == 0.0 {
            format!("{l:.0}")
        } else {
            format!("{l}")
        };
        if dash { t.replace('.', "-") } else { t }
    }
}

/// `CU0-5M` → 0.5, `-1M` → 1, `3M` → 3, within a part number.
fn length_in(p: &str) -> Option<f64> {
    let bytes = p.as_bytes();
    let mut best = None;
    for (i, _) in p.match_indices('M') {
        let head = &p[..i];
        let start = head
            .rfind(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'))
            .map_or(0, |s| s + 1);
        let digits = head[start..].trim_start_matches('-');
        let next_is_letter = bytes
            .get(i + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() && *b != b'C');
        if digits.is_empty() || next_is_letter {
            continue;
        }
        best = digits.replace('-', ".").parse::<f64>().ok();
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_numbers_say_kind_and_length_to_the_simulator() {
        let m = Module::for_part("SFP-H10GB-CU0-5M", 0).unwrap();
        assert_eq!(
            (m.kind, m.length_m),
            (ModKind::Dac { active: false }, Some(0.5))
        );
        let m = Module::for_part("CAB-SFP-SFP-1M", 0).unwrap();
        assert_eq!(
            (m.kind, m.length_m),
            (ModKind::Dac { active: false }, Some(1.0))
        );
        let m = Module::for_part("CAB-Q-Q-100G-5MC", 0).unwrap();
        assert_eq!(m.length_m, Some(5.0));
        assert_eq!(
            Module::for_part("SFP-10G-LR", 0).unwrap().kind,
            ModKind::Fiber("LR")
        );
        assert!(Module::for_part("WIDGET", 0).is_none());
        let m = Module::for_cable(Some("fiber"), None, 1)
            .unwrap()
            .with_rx_drift(-2.0);
        let first = m.rx_peek();
        assert_eq!(m.rx_peek(), first, "a peek is not a read");
        assert_eq!(m.rx_dbm(), first);
        assert!(
            (m.rx_dbm() - (first - 2.0)).abs() < 1e-9,
            "drift once it has been read"
        );
    }
}
