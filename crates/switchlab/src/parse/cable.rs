//! What a module's strings say of its cable, by the cables table (`cables.toml`, built in;
//! `--cables FILE` replaces it): kind, reach, and the length where a string carries it.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::format::lab::CableKind;
use crate::format::{FormatError, Source};
use crate::vendor::ascii::profile_regex;

/// A cable as the switch's module reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeenKind {
    DacPassive,
    DacActive,
    Aoc,
    Fiber,
    CopperRj45,
    /// No module in the port.
    Absent,
    /// A module whose strings no rule reads.
    #[default]
    Unknown,
}

impl SeenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SeenKind::DacPassive => "dac-passive",
            SeenKind::DacActive => "dac-active",
            SeenKind::Aoc => "aoc",
            SeenKind::Fiber => "fiber",
            SeenKind::CopperRj45 => "copper-rj45",
            SeenKind::Absent => "absent",
            SeenKind::Unknown => "unknown",
        }
    }

    /// The lab's cable kind (`dac`, `aoc`, `fiber`, `copper`) this is, if any.
    pub fn lab_kind(self) -> Option<CableKind> {
        match self {
            SeenKind::DacPassive | SeenKind::DacActive => Some(CableKind::Dac),
            SeenKind::Aoc => Some(CableKind::Aoc),
            SeenKind::Fiber => Some(CableKind::Fiber),
            SeenKind::CopperRj45 => Some(CableKind::Copper),
            SeenKind::Absent | SeenKind::Unknown => None,
        }
    }
}

impl std::fmt::Display for SeenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A module's class: kind, and reach and length where they are known.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CableClass {
    pub kind: SeenKind,
    pub reach: Option<String>,
    pub length_m: Option<f64>,
}

impl CableClass {
    pub fn absent() -> CableClass {
        CableClass {
            kind: SeenKind::Absent,
            ..CableClass::default()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    pattern: String,
    kind: SeenKind,
    #[serde(default)]
    reach: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "cable")]
    cables: Vec<Rule>,
}

/// The cables table, compiled.
#[derive(Debug, Clone)]
pub struct Cables {
    /// Shared by every device's copy: a cloned `Regex` gets caches of its own, and 500
    /// devices' copies of a table of a dozen rules held 100 MiB of them.
    rules: std::sync::Arc<Vec<(Regex, Rule)>>,
    /// SHA-256 of the table's text (run.json records which table a run used).
    pub digest: String,
}

impl Cables {
    /// The built-in table (checked by a test: it always compiles).
    pub fn builtin() -> Cables {
        let text = include_str!("../../../../cables.toml");
        let src = Source::from_text("cables.toml (built in)", text);
        Cables::from_source(&src).unwrap_or(Cables {
            rules: Default::default(),
            digest: String::new(),
        })
    }

    pub fn load(path: &std::path::Path) -> Result<Cables, FormatError> {
        Cables::from_source(&Source::read(path)?)
    }

    fn from_source(src: &Source) -> Result<Cables, FormatError> {
        let f: File = src.parse_toml()?;
        let mut rules = Vec::new();
        for r in f.cables {
            let re = profile_regex(&format!("(?i){}", r.pattern)).map_err(|e| {
                let at = src.text.find(&r.pattern).unwrap_or(0);
                src.invalid(
                    &(at..at),
                    "cable.pattern",
                    format!("regex does not compile: {e}"),
                )
            })?;
            rules.push((re, r));
        }
        Ok(Cables {
            rules: std::sync::Arc::new(rules),
            digest: crate::record::digest(&src.text),
        })
    }

    /// The class one string says, if a rule reads it.
    fn read(&self, text: &str) -> Option<CableClass> {
        self.rules.iter().find_map(|(re, rule)| {
            let caps = re.captures(text)?;
            Some(CableClass {
                kind: rule.kind,
                reach: rule
                    .reach
                    .clone()
                    .or_else(|| caps.name("reach").map(|m| m.as_str().to_uppercase())),
                length_m: caps.name("len").and_then(|m| metres(m.as_str())),
            })
        })
    }

    /// The class of a module by its media string, then its part number: the kind from
    /// the first that says one, the length and reach from whichever says them.
    pub fn classify(&self, media: Option<&str>, part: Option<&str>) -> CableClass {
        let (m, p) = (
            media.and_then(|t| self.read(t)),
            part.and_then(|t| self.read(t)),
        );
        let kind = m
            .as_ref()
            .or(p.as_ref())
            .map_or(SeenKind::Unknown, |c| c.kind);
        // A part number's length belongs to it only when it is a cable of the same family.
        let same = |c: &&CableClass| c.kind.lab_kind() == kind.lab_kind();
        let length_m = (m.as_ref().and_then(|c| c.length_m))
            .or(p.as_ref().filter(same).and_then(|c| c.length_m));
        let reach =
            (m.as_ref().and_then(|c| c.reach.clone())).or(p.as_ref().and_then(|c| c.reach.clone()));
        CableClass {
            kind,
            reach,
            length_m,
        }
    }
}

/// "0-5" and "0.5" are half a metre; "1" is one.
fn metres(s: &str) -> Option<f64> {
    s.replace('-', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(media: Option<&str>, part: Option<&str>) -> (SeenKind, Option<f64>) {
        let c = Cables::builtin().classify(media, part);
        (c.kind, c.length_m)
    }

    #[test]
    fn every_vendors_strings_give_kind_and_length() {
        use SeenKind::*;
        assert!(
            !Cables::builtin().rules.is_empty(),
            "the built-in table compiles"
        );
        assert_eq!(
            class(Some("SFP-10GBase-CX1"), Some("SFP-H10GB-CU0-5M")),
            (DacPassive, Some(0.5))
        );
        assert_eq!(class(None, Some("SFP-H10GB-CU3M")), (DacPassive, Some(3.0)));
        assert_eq!(class(None, Some("SFP-H10GB-ACU7M")), (DacActive, Some(7.0)));
        assert_eq!(
            class(Some("10GBASE-CR"), Some("CAB-SFP-SFP-1M")),
            (DacPassive, Some(1.0))
        );
        assert_eq!(
            class(None, Some("CAB-Q-Q-100G-5MC")),
            (DacPassive, Some(5.0))
        );
        assert_eq!(class(Some("10GBASE-CU1M"), None), (DacPassive, Some(1.0)));
        assert_eq!(
            class(Some("100GBASE-CR4-2M"), None),
            (DacPassive, Some(2.0))
        );
        assert_eq!(
            class(Some("40GBASE-Passive Copper 0.5m"), None),
            (DacPassive, Some(0.5))
        );
        assert_eq!(class(Some("10GE SR 300m"), None), (Fiber, None));
        assert_eq!(class(Some("1000BASE-LX"), None), (Fiber, None));
        assert_eq!(class(Some("1000BASE-T"), None), (CopperRj45, None));
        assert_eq!(class(Some("QSFP-40G-AOC3M"), None).0, Aoc);
        assert_eq!(class(Some("frobnicator"), None), (Unknown, None));
        assert_eq!(
            Cables::builtin()
                .classify(Some("10GBASE-SR"), None)
                .reach
                .as_deref(),
            Some("SR")
        );
    }
}
