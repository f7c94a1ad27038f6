//! A running config read as sections: each top-level line is an entry, the indented
//! lines under it its body (whitespace folded). Lines the profile calls volatile (banners,
//! `!`, timestamps) are left out, a volatile head with its body; a port section with
//! nothing under it but its defaults (`no shutdown`) is left out too: a switch shows
//! every port, and such a one says nothing.

use crate::vendor::restore::RestoreRules;

/// One top-level line and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub head: String,
    pub body: Vec<String>,
}

/// A config as entries, in the device's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub entries: Vec<Entry>,
}

pub(crate) fn fold(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Config {
    /// `text` as the device printed it (or a template rendered it).
    pub fn parse(text: &str, rules: &RestoreRules) -> Config {
        let volatile = |l: &str| rules.volatile.iter().any(|r| r.is_match(l));
        let mut entries: Vec<Entry> = Vec::new();
        let mut skipping = false;
        for raw in text.lines() {
            let line = fold(raw);
            if line.is_empty() {
                continue;
            }
            if raw.starts_with(char::is_whitespace) {
                if skipping || volatile(&line) {
                    continue;
                }
                if let Some(e) = entries.last_mut() {
                    e.body.push(line);
                }
                continue;
            }
            skipping = volatile(&line);
            if !skipping {
                entries.push(Entry {
                    head: line,
                    body: Vec::new(),
                });
            }
        }
        let port = |h: &str| rules.port_sections.iter().any(|r| r.is_match(h));
        let default = |l: &String| rules.defaults.iter().any(|r| r.is_match(l));
        entries.retain(|e| !(port(&e.head) && e.body.iter().all(default)));
        Config { entries }
    }

    pub fn entry(&self, head: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.head == head)
    }

    /// The config as text again, a space before each body line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&e.head);
            out.push('\n');
            for l in &e.body {
                out.push(' ');
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// The same config with entries and bodies sorted: two configs that hold the same
    /// lines under the same heads compare equal, whatever order a device printed them in.
    pub fn sorted(&self) -> Config {
        let mut entries = self.entries.clone();
        for e in &mut entries {
            e.body.sort();
        }
        entries.sort_by(|a, b| a.head.cmp(&b.head));
        Config { entries }
    }
}

/// The key a line is replaced under, by `[restore] keys`; None: the line is its own.
pub(crate) fn key_of(line: &str, rules: &RestoreRules) -> Option<String> {
    rules.keys.iter().find_map(|r| {
        let c = r.captures(line)?;
        let m = c.name("key").or_else(|| c.get(0))?;
        Some(m.as_str().to_string())
    })
}

/// What undoes `line`: the profile's inverse, else `X` for `no X`, else `no LINE`.
pub(crate) fn inverse_of(line: &str, rules: &RestoreRules) -> String {
    if let Some((_, undo)) = rules.inverse.iter().find(|(r, _)| r.is_match(line)) {
        return undo.clone();
    }
    match line.strip_prefix("no ") {
        Some(rest) => rest.to_string(),
        None => format!("no {line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IOS: &str = "Building configuration...\n\nCurrent configuration : 4120 bytes\n!\nversion 15.2\nhostname sw1\nlogging host 198.18.0.1\n!\ninterface GigabitEthernet0/1\n description  uplink\n switchport mode access\n!\ninterface GigabitEthernet0/2\n!\nend\n";

    #[test]
    fn banners_and_empty_port_sections_are_left_out_and_whitespace_folded() {
        let c = Config::parse(IOS, &RestoreRules::standard());
        assert_eq!(
            c.text(),
            "hostname sw1\nlogging host 198.18.0.1\ninterface GigabitEthernet0/1\n description uplink\n switchport mode access\n"
        );
    }

    #[test]
    fn a_volatile_head_takes_its_body_with_it() {
        let fastiron = "Current configuration:\n!\nver 08.0.95\n!\nstack unit 1\n  module 1 icx7150-24p\n!\nhostname icx\n";
        let c = Config::parse(fastiron, &RestoreRules::standard());
        assert_eq!(c.text(), "hostname icx\n");
    }

    #[test]
    fn keys_and_inverses() {
        let r = RestoreRules::standard();
        assert_eq!(
            key_of("description a b", &r).as_deref(),
            Some("description")
        );
        assert_eq!(key_of("no shutdown", &r).as_deref(), Some("shutdown"));
        assert_eq!(key_of("switchport", &r), None);
        assert_eq!(inverse_of("no shutdown", &r), "shutdown");
        assert_eq!(inverse_of("switchport", &r), "no switchport");
    }
}
