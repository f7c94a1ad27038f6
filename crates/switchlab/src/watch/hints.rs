//! Hint rules from a data file (`hints.toml`, built in; `--hints FILE` replaces it): cabling
//! and counters in, a plain-language suspect out.

use serde::Deserialize;

use crate::format::lab::CableKind;
use crate::format::{FormatError, Source};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintFile {
    #[serde(rename = "hint")]
    pub(crate) hints: Vec<Hint>,
    /// SHA-256 of the file's text (run.json records which hints a run used).
    #[serde(skip)]
    pub digest: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hint {
    #[serde(default, deserialize_with = "cable_kind")]
    pub(crate) cable_kind: Option<CableKind>,
    #[serde(default)]
    pub(crate) max_length_m: Option<f64>,
    #[serde(default)]
    pub(crate) min_length_m: Option<f64>,
    #[serde(default)]
    pub(crate) nic_contains: Option<String>,
    #[serde(default)]
    pub(crate) min_flaps: Option<u64>,
    #[serde(default)]
    pub(crate) min_burst: Option<usize>,
    #[serde(default)]
    pub(crate) min_crc_delta: Option<u64>,
    /// true: only ports the switch err-disabled.
    #[serde(default)]
    pub(crate) err_disabled: Option<bool>,
    /// true: only ports that were down at every poll since the push (no link).
    #[serde(default)]
    pub(crate) no_link: Option<bool>,
    /// true: only ports the last poll found shut (admin down).
    #[serde(default)]
    pub(crate) admin_down: Option<bool>,
    /// true: only ports down at the end after being up (`{down_since}` in `say` is when).
    #[serde(default)]
    pub(crate) down_at_end: Option<bool>,
    /// Only ports whose transceiver the switch reports thus (`absent`, `unsupported`).
    #[serde(default)]
    pub(crate) transceiver: Option<String>,
    pub(crate) say: String,
}

/// What a hint rule looks at for one port.
#[derive(Debug, Clone, Default)]
pub(crate) struct PortFacts {
    pub(crate) cable_kind: Option<CableKind>,
    pub(crate) length_m: Option<f64>,
    pub(crate) nic: Option<String>,
    pub(crate) flaps: u64,
    pub(crate) burst: usize,
    pub(crate) crc_delta: Option<u64>,
    pub(crate) err_disabled: bool,
    pub(crate) no_link: bool,
    pub(crate) admin_down: bool,
    /// When the link went down for good (UTC), for a port down at the end after being up.
    pub(crate) down_since: Option<String>,
    /// What the cable audit read of the port's module (`absent`, `unsupported`), if anything.
    pub(crate) transceiver: Option<String>,
    /// What the cable audit found, said after the hint.
    pub(crate) cable_notes: Vec<CableNote>,
    /// The lab's cable as ports.csv shows it (`0.5 m dac`), whatever the switch reports.
    pub(crate) declared: String,
}

impl PortFacts {
    /// What the lab declares of `p`'s cabling (the cable audit may add to it).
    pub(crate) fn declared(p: &crate::format::lab::Port) -> PortFacts {
        PortFacts {
            cable_kind: p.cable.as_ref().map(|c| c.kind),
            length_m: p.cable.as_ref().and_then(|c| c.length_m),
            nic: p.peer.as_ref().and_then(|p| p.nic.clone()),
            declared: match p.cable.as_ref() {
                Some(c) => match c.length_m {
                    Some(l) => format!("{l} m {}", c.kind.as_str()),
                    None => c.kind.as_str().to_string(),
                },
                None => String::new(),
            },
            ..Default::default()
        }
    }
}

/// One finding of the cable audit, as a port's hint says it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CableNote {
    pub(crate) text: String,
    /// It is the short-DAC finding (a hint rule about DACs already says as much).
    pub(crate) short_dac: bool,
}

impl HintFile {
    pub fn builtin() -> HintFile {
        // The built-in file is checked by a test; an empty rule set is the safe fallback.
        let text = include_str!("../../../../hints.toml");
        let mut f: HintFile = toml::from_str(text).unwrap_or(HintFile {
            hints: Vec::new(),
            digest: String::new(),
        });
        f.digest = crate::record::digest(text);
        f
    }

    pub fn load(path: &std::path::Path) -> Result<HintFile, FormatError> {
        let src = Source::read(path)?;
        let mut f: HintFile = src.parse_toml()?;
        f.digest = crate::record::digest(&src.text);
        Ok(f)
    }

    /// The first matching rule's text (`{down_since}` filled in).
    pub(crate) fn explain(&self, f: &PortFacts) -> Option<String> {
        let h = self.hints.iter().find(|h| h.matches(f))?;
        Some(
            h.say
                .replace("{down_since}", f.down_since.as_deref().unwrap_or("?")),
        )
    }

    /// The hint and then the cable audit's findings, `; ` between (the short-DAC
    /// finding left out where a rule about DACs gave the hint).
    pub(crate) fn explain_all(&self, f: &PortFacts) -> String {
        let rule = self.hints.iter().find(|h| h.matches(f));
        let dac_rule = rule.is_some_and(|h| h.cable_kind == Some(CableKind::Dac));
        let mut said: Vec<String> = self.explain(f).into_iter().collect();
        for n in &f.cable_notes {
            let restated = n.short_dac && dac_rule;
            if !(restated || said.contains(&n.text)) {
                said.push(n.text.clone());
            }
        }
        said.join("; ")
    }
}

/// A rule's `cable_kind`, one of the lab's kinds, in any case (`DAC` is `dac`): an
/// unknown kind is refused where it is written.
fn cable_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<CableKind>, D::Error> {
    let Some(kind) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let lower = serde::de::value::StringDeserializer::<D::Error>::new(kind.to_lowercase());
    CableKind::deserialize(lower).map(Some)
}

impl Hint {
    fn matches(&self, f: &PortFacts) -> bool {
        let lower = |s: &Option<String>| s.as_deref().map(str::to_lowercase);
        self.cable_kind.is_none_or(|k| f.cable_kind == Some(k))
            && self
                .max_length_m
                .is_none_or(|m| f.length_m.is_some_and(|l| l <= m))
            && self
                .min_length_m
                .is_none_or(|m| f.length_m.is_some_and(|l| l >= m))
            && self
                .nic_contains
                .as_ref()
                .is_none_or(|n| lower(&f.nic).is_some_and(|nic| nic.contains(&n.to_lowercase())))
            && self.min_flaps.is_none_or(|m| f.flaps >= m)
            && self.min_burst.is_none_or(|m| f.burst >= m)
            && self
                .min_crc_delta
                .is_none_or(|m| f.crc_delta.is_some_and(|d| d >= m))
            && self.err_disabled.is_none_or(|e| f.err_disabled == e)
            && self.no_link.is_none_or(|e| f.no_link == e)
            && self.admin_down.is_none_or(|e| f.admin_down == e)
            && self.down_at_end.is_none_or(|e| f.down_since.is_some() == e)
            && self
                .transceiver
                .as_ref()
                .is_none_or(|t| lower(&f.transceiver).as_deref() == Some(&t.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_hints_name_the_short_dac_first() {
        let h = HintFile::builtin();
        assert!(h.hints.len() >= 3);
        let dac = PortFacts {
            cable_kind: Some(CableKind::Dac),
            length_m: Some(0.5),
            nic: Some("Intel X520".into()),
            flaps: 3,
            ..Default::default()
        };
        assert_eq!(
            h.explain(&dac).as_deref(),
            Some("short SFP+ DAC: known to flicker, use 3 m or longer")
        );
        let long = PortFacts {
            length_m: Some(3.0),
            ..dac.clone()
        };
        assert_eq!(
            h.explain(&long).as_deref(),
            Some("link flapped: reseat or swap the cable, then watch again")
        );
        assert_eq!(
            h.explain(&PortFacts {
                err_disabled: true,
                ..long.clone()
            })
            .as_deref(),
            Some(
                "err-disabled by the switch after too many flaps: fix the link, then shut / no shut the port"
            )
        );
        assert_eq!(
            h.explain(&PortFacts {
                flaps: 0,
                ..long.clone()
            }),
            None
        );
    }

    #[test]
    fn a_port_without_link_is_told_the_likely_cause_first() {
        let h = HintFile::builtin();
        let dead = PortFacts {
            no_link: true,
            ..Default::default()
        };
        let say = |f: &PortFacts| h.explain(f).unwrap_or_default();
        assert!(say(&dead).starts_with("no link: check the cable and the far end"));
        let shut = PortFacts {
            admin_down: true,
            ..dead.clone()
        };
        assert!(say(&shut).contains("admin down"), "{}", say(&shut));
        let guarded = PortFacts {
            err_disabled: true,
            ..dead.clone()
        };
        assert!(say(&guarded).contains("err-disabled"), "{}", say(&guarded));
        let empty = PortFacts {
            transceiver: Some("absent".into()),
            ..dead.clone()
        };
        assert!(say(&empty).contains("no transceiver"), "{}", say(&empty));
        let gone = PortFacts {
            down_since: Some("2026-12-02T10:00:00.000Z".into()),
            ..Default::default()
        };
        assert!(say(&gone).contains("went down at 2026-12-02T10:00:00.000Z"));
    }

    #[test]
    fn a_rules_cable_kind_is_a_lab_kind_in_any_case() {
        let rule = |kind: &str| format!("[[hint]]\ncable_kind = \"{kind}\"\nsay = \"x\"\n");
        let f: HintFile = toml::from_str(&rule("DAC")).unwrap();
        assert_eq!(f.hints[0].cable_kind, Some(CableKind::Dac));
        let e = toml::from_str::<HintFile>(&rule("twinax")).unwrap_err();
        assert!(e.to_string().contains("twinax"), "{e}");
    }
}
