//! The transceiver schema: one record per port holding a module, as a vendor's show
//! commands give it (type string, part number, vendor, serial, DOM readings), each
//! classified by the cables table (kind, reach, length). Unknown is null, never 0.

use serde::Serialize;

use super::cable::{CableClass, Cables};
use super::table::Record;
use super::values::{fold_spaces, yes_no};

/// What a port holds, as the switch reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Transceiver {
    pub port: String,
    /// The type string as printed (`10GBASE-CR`, `40GBASE-Passive Copper 0.5m`).
    pub media: Option<String>,
    pub part: Option<String>,
    pub vendor: Option<String>,
    pub serial: Option<String>,
    pub temp_c: Option<f64>,
    pub tx_dbm: Option<f64>,
    pub rx_dbm: Option<f64>,
    /// The switch flags the Rx power below its warning threshold (or gives the threshold).
    pub rx_low_warning: Option<bool>,
    pub rx_low_warn_dbm: Option<f64>,
    /// A module is in the port (false: `not detected`, an empty EEPROM).
    pub present: Option<bool>,
    /// The switch accepts the module (FastIron's `Supported`).
    pub supported: Option<bool>,
    /// A length the output states apart from the strings (EEPROM `Length (Copper)`).
    pub stated_length_m: Option<f64>,
    /// The class the cables table gives it (filled by [`Transceiver::classify`]).
    #[serde(flatten)]
    pub class: CableClass,
}

pub use crate::vendor::TRANSCEIVER_FIELDS as FIELDS;

/// A reading such as `-2.3`, `-2.3dBm`, `23.1 C`; `N/A` and dashes are unknown.
fn reading(v: &str) -> Option<f64> {
    let t = v.trim();
    let end = t
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))))
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A text value; empty and `N/A` are unknown.
fn text(v: &str) -> Option<String> {
    let t = fold_spaces(v);
    (!t.is_empty() && !t.eq_ignore_ascii_case("n/a")).then_some(t)
}

impl Record for Transceiver {
    fn set(&mut self, field: &str, v: &str) {
        match field {
            "port" => self.port = fold_spaces(v),
            "media" => self.media = text(v),
            "part" => self.part = text(v),
            "vendor" => self.vendor = text(v),
            "serial" => self.serial = text(v),
            "temp_c" => self.temp_c = reading(v),
            "tx_dbm" => self.tx_dbm = reading(v),
            "rx_dbm" => self.rx_dbm = reading(v),
            "rx_low_warning" => self.rx_low_warning = yes_no(v),
            "rx_low_warn_dbm" => self.rx_low_warn_dbm = reading(v),
            "present" => self.present = yes_no(v),
            "supported" => self.supported = yes_no(v),
            "length_m" => self.stated_length_m = reading(v),
            _ => {}
        }
    }

    fn port(&self) -> &str {
        &self.port
    }
}

impl Transceiver {
    /// Whether a module is there (absent only when the switch says so).
    pub fn holds_module(&self) -> bool {
        self.present != Some(false)
    }

    /// Its class from the cables table: the media string first, then the part number;
    /// a length the output states wins over one read from the strings.
    pub fn classify(&mut self, cables: &Cables) {
        self.class = match self.present {
            Some(false) => CableClass::absent(),
            _ => cables.classify(self.media.as_deref(), self.part.as_deref()),
        };
        if let Some(l) = self.stated_length_m {
            self.class.length_m = Some(l);
        }
    }

    /// Fill what `other` (another command's record of the same port) knows and this does not.
    pub fn merge(&mut self, other: &Transceiver) {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f.clone(); } )* };
        }
        fill!(
            media,
            part,
            vendor,
            serial,
            temp_c,
            tx_dbm,
            rx_dbm,
            rx_low_warning,
            rx_low_warn_dbm,
            present,
            supported,
            stated_length_m
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_take_units_and_flags_and_not_applicable_is_unknown() {
        assert_eq!(reading("-2.3dBm"), Some(-2.3));
        assert_eq!(reading(" 23.1 "), Some(23.1));
        assert_eq!(reading("+1.5"), Some(1.5));
        assert_eq!(reading("N/A"), None);
        assert_eq!(reading("--"), None);
        assert_eq!(text("  N/A "), None);
    }
}
