//! What a baseline would make of a running config (for `push --diff`), and the lines that
//! take a config back to a snapshot (for `restore`). Pure: configs in, configs or lines
//! out, so every vendor's rules are tested without a device.

use super::config::{Config, Entry, inverse_of, key_of};
use crate::vendor::Pattern;
use crate::vendor::restore::RestoreRules;

/// One line applied to a body (or to the top level): a line of the same key, or the line
/// it undoes, goes; the line is added unless the device never shows it (`hidden`). A `no`
/// line only undoes (a device that shows it, as FTOS does `no shutdown`, keeps its own).
fn apply_line(body: &mut Vec<String>, line: &str, rules: &RestoreRules, hidden: &[Pattern]) {
    let undone = inverse_of(line, rules);
    if line.starts_with("no ") {
        body.retain(|l| l != &undone);
        return;
    }
    let key = key_of(line, rules);
    body.retain(|l| l != &undone && (key.is_none() || key_of(l, rules) != key));
    if !hidden.iter().any(|r| r.is_match(line)) && !body.iter().any(|l| l == line) {
        body.push(line.to_string());
    }
}

/// The running config as it would be after `baseline` (indented as the templates write
/// it): each section's lines applied under its head, top-level lines at the top level.
pub fn expected(
    running: &Config,
    baseline: &Config,
    rules: &RestoreRules,
    hidden: &[Pattern],
) -> Config {
    let mut out = running.clone();
    for b in &baseline.entries {
        let section = !b.body.is_empty() || out.entry(&b.head).is_some_and(|e| !e.body.is_empty());
        if !section {
            // A top-level line: replaces one of its key, undoes its inverse.
            let mut heads: Vec<String> = (out.entries.iter())
                .filter(|e| e.body.is_empty())
                .map(|e| e.head.clone())
                .collect();
            let before = heads.clone();
            apply_line(&mut heads, &b.head, rules, hidden);
            out.entries
                .retain(|e| !e.body.is_empty() || heads.contains(&e.head));
            for h in heads.iter().filter(|h| !before.contains(h)) {
                out.entries.push(Entry {
                    head: h.clone(),
                    body: Vec::new(),
                });
            }
            continue;
        }
        let i = match out.entries.iter().position(|e| e.head == b.head) {
            Some(i) => i,
            None => {
                out.entries.push(Entry {
                    head: b.head.clone(),
                    body: Vec::new(),
                });
                out.entries.len() - 1
            }
        };
        for line in &b.body {
            apply_line(&mut out.entries[i].body, line, rules, hidden);
        }
    }
    out
}

/// The lines that take `now` back to `before`, newest change first: per section, what was
/// added is undone (or the line of its key put back), what went missing is put back; a
/// section that was not there is removed whole where the profile says it can be.
pub fn undo(before: &Config, now: &Config, rules: &RestoreRules) -> Vec<String> {
    let mut out = Vec::new();
    let mut restored: Vec<String> = Vec::new();
    for e in now.entries.iter().rev() {
        let old = before.entry(&e.head);
        if old.is_none() && e.body.is_empty() {
            // A top-level line that was not there: its key's old line, or its undo.
            let key = key_of(&e.head, rules);
            let was = (before.entries.iter())
                .filter(|b| b.body.is_empty() && now.entry(&b.head).is_none())
                .find(|b| key.is_some() && key_of(&b.head, rules) == key);
            match was {
                Some(b) => {
                    out.push(b.head.clone());
                    restored.push(b.head.clone());
                }
                None => out.push(inverse_of(&e.head, rules)),
            }
            continue;
        }
        if old.is_none()
            && let Some(no) = (rules.removable.iter()).find_map(|r| {
                r.captures(&e.head)?
                    .name("no")
                    .map(|m| m.as_str().to_string())
            })
        {
            out.push(format!("no {no}"));
            continue;
        }
        let old_body: &[String] = old.map(|o| o.body.as_slice()).unwrap_or_default();
        let lines = undo_body(old_body, &e.body, rules);
        if !lines.is_empty() {
            out.push(e.head.clone());
            out.extend(lines.into_iter().map(|l| format!(" {l}")));
        }
    }
    // What was there before and is gone (a section removed, a top-level line dropped).
    for b in &before.entries {
        if now.entry(&b.head).is_none() && !restored.contains(&b.head) {
            out.push(b.head.clone());
            out.extend(b.body.iter().map(|l| format!(" {l}")));
        }
    }
    out
}

/// The lines inside one section that take its `body` back to `old_body`: a line added is
/// undone (or its key's old line put back; a default is left), an old line is put back.
fn undo_body(old_body: &[String], body: &[String], rules: &RestoreRules) -> Vec<String> {
    let default = |l: &str| rules.defaults.iter().any(|r| r.is_match(l));
    let mut lines = Vec::new();
    let mut back: Vec<&String> = Vec::new();
    for l in body.iter().rev().filter(|l| !old_body.contains(l)) {
        let key = key_of(l, rules);
        match old_body
            .iter()
            .find(|o| key.is_some() && key_of(o, rules) == key)
        {
            Some(o) => {
                lines.push(o.clone());
                back.push(o);
            }
            None if default(l) => {}
            None => lines.push(inverse_of(l, rules)),
        }
    }
    for o in old_body {
        if !body.contains(o) && !back.contains(&o) {
            lines.push(o.clone());
        }
    }
    lines
}

/// A unified diff of two configs (`--- before`, `+++ after`), empty where they hold the
/// same lines under the same heads.
pub fn unified(before: &Config, after: &Config, names: (&str, &str)) -> String {
    if before.sorted() == after.sorted() {
        return String::new();
    }
    let (a, b) = (before.text(), after.text());
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(2)
        .header(names.0, names.1)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RestoreRules {
        RestoreRules::standard()
    }
    fn cfg(text: &str) -> Config {
        Config::parse(text, &rules())
    }
    fn hidden() -> Vec<Pattern> {
        vec![Pattern::new("^no shutdown$").unwrap()]
    }

    const BEFORE: &str =
        "hostname old\ninterface Gi0/1\n description was\n shutdown\ninterface Gi0/3\n speed 100\n";
    const BASELINE: &str = "hostname sw1\nvlan 10\n name test\ninterface Gi0/1\n description uplink\n switchport access vlan 10\n no shutdown\nlogging host 198.18.0.1\n";

    #[test]
    fn a_baseline_replaces_keyed_lines_undoes_shutdown_and_adds_the_rest() {
        let after = expected(&cfg(BEFORE), &cfg(BASELINE), &rules(), &hidden());
        assert_eq!(
            after.text(),
            "interface Gi0/1\n description uplink\n switchport access vlan 10\ninterface Gi0/3\n speed 100\nhostname sw1\nvlan 10\n name test\nlogging host 198.18.0.1\n"
        );
        let diff = unified(&cfg(BEFORE), &after, ("running", "baseline"));
        assert!(
            diff.contains("- description was") && diff.contains("+ description uplink"),
            "{diff}"
        );
        assert!(
            diff.contains("- shutdown") && diff.contains("+logging host"),
            "{diff}"
        );
        // A baseline already in place changes nothing.
        assert_eq!(
            expected(&after, &cfg(BASELINE), &rules(), &hidden()).sorted(),
            after.sorted()
        );
        assert_eq!(unified(&after, &after, ("a", "b")), "");
    }

    #[test]
    fn undoing_a_baseline_gives_back_the_config_before() {
        let before = cfg(BEFORE);
        let after = expected(&before, &cfg(BASELINE), &rules(), &hidden());
        let lines = undo(&before, &after, &rules());
        assert_eq!(
            lines,
            [
                "no logging host 198.18.0.1",
                "no vlan 10",
                "hostname old",
                "interface Gi0/1",
                " no switchport access vlan 10",
                " description was",
                " shutdown",
            ]
        );
        // Applied as a device would, the lines give the config before again.
        let back = expected(&after, &cfg(&lines.join("\n")), &rules(), &hidden());
        let back = Config {
            entries: (back.entries.into_iter())
                .filter(|e| e.head != "vlan 10" && !e.head.starts_with("no "))
                .collect(),
        };
        assert_eq!(back.sorted(), before.sorted());
    }

    #[test]
    fn a_new_port_section_is_undone_line_by_line_leaving_its_default_state() {
        let before = cfg("hostname f10\n");
        let now = cfg(
            "hostname f10\ninterface Te 0/1\n description x\n no shutdown\n switchport\ninterface Vlan 10\n untagged Te 0/1\n",
        );
        assert_eq!(
            undo(&before, &now, &rules()),
            [
                "no interface Vlan 10",
                "interface Te 0/1",
                " no switchport",
                " no description x"
            ]
        );
    }

    #[test]
    fn the_profile_s_inverse_pairs_are_used() {
        let mut r = rules();
        r.inverse = vec![(Pattern::new("^enable$").unwrap(), "disable".into())];
        r.defaults.clear();
        let now = cfg("interface ethernet 1/1/1\n enable\n");
        assert_eq!(
            undo(&Config::default(), &now, &r),
            ["interface ethernet 1/1/1", " disable"]
        );
    }
}
