//! A profile's `[restore]` table: how its running config is read as sections and how a
//! line is undone, for `push --diff`, the before/after snapshots and `restore`. Every key
//! has a default that fits IOS-style CLIs; a profile sets only what differs.

use serde::Deserialize;

use super::compiler::Compiler;
use super::pattern::Pattern;
use crate::format::FormatError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restore {
    /// Lines that replace one another: a regex whose group `key` (or whole match) is the
    /// line's key; a later line of the same key takes the earlier one's place.
    #[serde(default = "default_keys")]
    pub keys: Vec<String>,
    /// `[regex, undo]` pairs for lines whose undo is not `no LINE` (FastIron `enable`).
    #[serde(default)]
    pub inverse: Vec<(String, String)>,
    /// Sections removed whole: `no` and the regex's group `no` (`no vlan 10`).
    #[serde(default = "default_removable")]
    pub removable: Vec<String>,
    /// Lines the device prints that are not config (banners, timestamps, `!`); a volatile
    /// section head takes its body with it.
    #[serde(default = "default_volatile")]
    pub volatile: Vec<String>,
    /// Section heads every port has: such a section with nothing under it is none.
    #[serde(default = "default_port_sections")]
    pub port_sections: Vec<String>,
    /// Lines that state a port's default: where the snapshot before has no line of their
    /// key, a restore leaves them (the device showed nothing, so nothing was changed).
    #[serde(default = "default_defaults")]
    pub defaults: Vec<String>,
    /// Where the OS can take a whole config at once: restore by replacing, not by undo
    /// lines.
    #[serde(default)]
    pub replace: Option<Replace>,
}

/// `[restore.replace]`: `begin` opens a candidate config that starts empty (EOS:
/// `configure session NAME`, `rollback clean-config`), the snapshot's lines follow, then
/// `commit` makes it the running config in one step. Where a line is refused, `abort`
/// drops the candidate and the switch is left as it was.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replace {
    pub begin: Vec<String>,
    pub commit: Vec<String>,
    #[serde(default)]
    pub abort: Vec<String>,
}

/// How a restore puts the snapshot back.
#[derive(Debug, Clone)]
pub enum Strategy {
    /// The undo lines of what differs, section by section.
    Undo,
    /// The whole snapshot into a candidate that starts empty, committed at once.
    Replace(Replace),
}

impl Default for Restore {
    fn default() -> Self {
        Restore {
            keys: default_keys(),
            inverse: Vec::new(),
            removable: default_removable(),
            volatile: default_volatile(),
            port_sections: default_port_sections(),
            defaults: default_defaults(),
            replace: None,
        }
    }
}

fn default_keys() -> Vec<String> {
    vec![
        r"^(?P<key>hostname|description|name|speed|duplex|logging trap|switchport mode|switchport access vlan) ".into(),
        r"^(?:no )?(?P<key>shutdown)$".into(),
    ]
}

fn default_removable() -> Vec<String> {
    vec![
        r"^(?P<no>vlan \d+)\b".into(),
        r"^(?P<no>interface [Vv]lan ?\d+)$".into(),
    ]
}

fn default_volatile() -> Vec<String> {
    vec![
        r"^!".into(),
        r"^(end|exit)$".into(),
        r"^Building configuration".into(),
        r"^Current [Cc]onfiguration".into(),
        r"^(version|ver|boot|stack unit) ".into(),
    ]
}

fn default_port_sections() -> Vec<String> {
    vec![r"^interface ".into()]
}

fn default_defaults() -> Vec<String> {
    vec![r"^no shutdown$".into()]
}

/// `[restore]` compiled.
#[derive(Debug, Clone)]
pub struct RestoreRules {
    pub keys: Vec<Pattern>,
    pub inverse: Vec<(Pattern, String)>,
    pub removable: Vec<Pattern>,
    pub volatile: Vec<Pattern>,
    pub port_sections: Vec<Pattern>,
    pub defaults: Vec<Pattern>,
    pub strategy: Strategy,
}

impl RestoreRules {
    /// The defaults, compiled (they are constants that compile: tested below).
    pub fn standard() -> RestoreRules {
        let all = |v: Vec<String>| v.iter().filter_map(|p| Pattern::new(p).ok()).collect();
        let d = Restore::default();
        RestoreRules {
            keys: all(d.keys),
            inverse: Vec::new(),
            removable: all(d.removable),
            volatile: all(d.volatile),
            port_sections: all(d.port_sections),
            defaults: all(d.defaults),
            strategy: Strategy::Undo,
        }
    }
}

pub(super) fn compile(c: &Compiler<'_>, r: &Restore) -> Result<RestoreRules, FormatError> {
    let all = |key: &str, v: &[String]| -> Result<Vec<Pattern>, FormatError> {
        v.iter().map(|p| c.regex(key, p)).collect()
    };
    let removable = all("restore.removable", &r.removable)?;
    for (re, p) in removable.iter().zip(&r.removable) {
        if re.capture_names().all(|n| n != Some("no")) {
            return Err(c.invalid(
                p,
                "restore.removable",
                "the regex needs a group `no`".into(),
            ));
        }
    }
    let strategy = match &r.replace {
        None => Strategy::Undo,
        Some(x) if x.begin.is_empty() || x.commit.is_empty() => {
            let key = match x.begin.is_empty() {
                true => "restore.replace.begin",
                false => "restore.replace.commit",
            };
            return Err(c.invalid(
                "[restore.replace]",
                key,
                "a replace needs the commands that open the candidate (`begin`) and make it the running config (`commit`)".into(),
            ));
        }
        Some(x) => Strategy::Replace(x.clone()),
    };
    Ok(RestoreRules {
        keys: all("restore.keys", &r.keys)?,
        inverse: (r.inverse.iter())
            .map(|(p, undo)| Ok((c.regex("restore.inverse", p)?, undo.clone())))
            .collect::<Result<_, FormatError>>()?,
        removable,
        volatile: all("restore.volatile", &r.volatile)?,
        port_sections: all("restore.port_sections", &r.port_sections)?,
        defaults: all("restore.defaults", &r.defaults)?,
        strategy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_compile_every_one() {
        let d = Restore::default();
        let s = RestoreRules::standard();
        assert_eq!(s.keys.len(), d.keys.len());
        assert_eq!(s.removable.len(), d.removable.len());
        assert_eq!(s.volatile.len(), d.volatile.len());
        assert_eq!(s.port_sections.len(), d.port_sections.len());
        assert_eq!(s.defaults.len(), d.defaults.len());
    }
}
