//! A Nornir SimpleInventory: hosts.yaml, and optionally groups.yaml and defaults.yaml. A
//! host's value comes from the host, else its groups (in order, a group's own groups
//! after it), else the defaults, as Nornir resolves it. `connection_options.netmiko` (or
//! `napalm`) may give the platform; `extras.secret` the enable secret.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Draft, DraftDevice, ImportError, check_name, env_name, read, yaml};

#[derive(Debug, Default, Clone, Deserialize)]
struct Entry {
    hostname: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    password: Option<String>,
    platform: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    connection_options: BTreeMap<String, Connection>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Connection {
    platform: Option<String>,
    #[serde(default)]
    extras: Option<serde_json::Value>,
}

/// Where a value was found: the host, a group, the defaults (names its variable).
#[derive(Clone)]
enum Level<'a> {
    Host(&'a str),
    Group(&'a str),
    Defaults,
}

impl Level<'_> {
    fn words(&self) -> Vec<&str> {
        match self {
            Level::Host(h) => vec![h],
            Level::Group(g) => vec!["group", g],
            Level::Defaults => vec![],
        }
    }

    fn said(&self) -> String {
        match self {
            Level::Host(h) => format!("host {h}"),
            Level::Group(g) => format!("group {g}"),
            Level::Defaults => "the defaults".into(),
        }
    }
}

/// The host's entries in lookup order: itself, its groups depth-first, the defaults.
fn chain<'a>(
    host: (&'a str, &'a Entry),
    groups: &'a BTreeMap<String, Entry>,
    defaults: &'a Entry,
) -> Vec<(Level<'a>, &'a Entry)> {
    fn walk<'a>(
        names: &'a [String],
        groups: &'a BTreeMap<String, Entry>,
        out: &mut Vec<(Level<'a>, &'a Entry)>,
    ) {
        for g in names {
            if let Some((name, e)) = groups.get_key_value(g)
                && !out
                    .iter()
                    .any(|(l, _)| matches!(l, Level::Group(n) if *n == name))
            {
                out.push((Level::Group(name), e));
                walk(&e.groups, groups, out);
            }
        }
    }
    let mut out = vec![(Level::Host(host.0), host.1)];
    walk(&host.1.groups, groups, &mut out);
    out.push((Level::Defaults, defaults));
    out
}

/// Read a Nornir inventory.
pub fn read_inventory(
    hosts: &Path,
    groups: Option<&Path>,
    defaults: Option<&Path>,
) -> Result<Draft, ImportError> {
    let hosts_file = hosts.display().to_string();
    let hosts: BTreeMap<String, Entry> = yaml(&hosts_file, &read(hosts)?)?;
    let groups: BTreeMap<String, Entry> = match groups {
        Some(p) => yaml(&p.display().to_string(), &read(p)?)?,
        None => BTreeMap::new(),
    };
    let defaults: Entry = match defaults {
        Some(p) => yaml(&p.display().to_string(), &read(p)?)?,
        None => Entry::default(),
    };
    let mut draft = Draft {
        source: format!("the Nornir inventory {hosts_file}"),
        ..Draft::default()
    };
    for (name, host) in &hosts {
        check_name(&hosts_file, name)?;
        let levels = chain((name, host), &groups, &defaults);
        let device = device(&hosts_file, name, &levels, &mut draft)?;
        draft.devices.push(device);
    }
    Ok(draft)
}

/// Host `name` of `hosts_file`, each value from the first of its `levels` (the host, its
/// groups, the defaults) that has it; its secrets named in `draft`.
fn device(
    hosts_file: &str,
    name: &str,
    levels: &[(Level, &Entry)],
    draft: &mut Draft,
) -> Result<DraftDevice, ImportError> {
    let first = |f: &dyn Fn(&Entry) -> Option<String>| {
        levels
            .iter()
            .find_map(|(l, e)| f(e).map(|v| (l.clone(), v)))
    };
    let platform = first(&platform_of)
        .map(|(_, p)| p)
        .ok_or_else(|| ImportError::Entry {
            file: hosts_file.to_string(),
            what: "host",
            name: name.to_string(),
            why: "no platform in the host, its groups or the defaults".into(),
        })?;
    let user = first(&|e: &Entry| e.username.clone())
        .map(|(_, u)| u)
        .ok_or_else(|| super::Missing {
            file: hosts_file.to_string(),
            what: "host",
            why: "no username in the host, its groups or the defaults".into(),
        });
    let password_env = first(&|e: &Entry| e.password.clone()).map(|(level, _)| {
        let var = env_name(&level.words(), "PASSWORD");
        draft.secret(
            &var,
            format!("the password Nornir's {} holds", level.said()),
        )
    });
    let secret_env = first(&secret_of).map(|(level, _)| {
        let var = env_name(&level.words(), "SECRET");
        draft.secret(
            &var,
            format!("the enable secret Nornir's {} holds", level.said()),
        )
    });
    Ok(DraftDevice {
        name: name.to_string(),
        platform,
        model: None,
        host: first(&|e: &Entry| e.hostname.clone())
            .map(|(_, h)| h)
            .unwrap_or_else(|| name.to_string()),
        port: levels.iter().find_map(|(_, e)| e.port).unwrap_or(22),
        user,
        password_env,
        secret_env,
    })
}

/// An entry's platform: its own, or one its connection options give.
fn platform_of(e: &Entry) -> Option<String> {
    e.platform.clone().or_else(|| {
        ["netmiko", "napalm", "scrapli"]
            .iter()
            .find_map(|c| e.connection_options.get(*c)?.platform.clone())
    })
}

/// An entry's enable secret, in its Netmiko or NAPALM connection options' extras.
fn secret_of(e: &Entry) -> Option<String> {
    ["netmiko", "napalm"].iter().find_map(|c| {
        let extras = e.connection_options.get(*c)?.extras.as_ref()?;
        extras
            .get("secret")
            .and_then(|s| s.as_str())
            .map(String::from)
    })
}
