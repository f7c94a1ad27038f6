//! A pyATS testbed (testbed.yaml): `devices:` with `os`, `credentials` and
//! `connections`. A device is reached by its first `ssh` connection; one with only
//! `telnet` connections (a console server's reverse-telnet port) is not taken: switchlab
//! does not reach consoles through console servers yet. Every password (plain, `%ENC{}`,
//! `%ASK{}`) becomes an environment variable; `credentials.enable` the enable secret.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Draft, DraftDevice, ImportError, check_name, env_name, read, yaml};

#[derive(Debug, Default, Deserialize)]
struct Testbed {
    #[serde(default)]
    testbed: Option<Info>,
    #[serde(default)]
    devices: BTreeMap<String, Device>,
}

#[derive(Debug, Default, Deserialize)]
struct Info {
    name: Option<String>,
    #[serde(default)]
    credentials: BTreeMap<String, Credential>,
}

#[derive(Debug, Default, Deserialize)]
struct Device {
    os: Option<String>,
    platform: Option<String>,
    model: Option<String>,
    #[serde(default)]
    credentials: BTreeMap<String, Credential>,
    #[serde(default)]
    connections: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct Credential {
    username: Option<String>,
    password: Option<serde_json::Value>,
}

/// Read a pyATS testbed.
pub(crate) fn read_testbed(path: &Path) -> Result<Draft, ImportError> {
    let file = path.display().to_string();
    let tb: Testbed = yaml(&file, &read(path)?)?;
    let info = tb.testbed.unwrap_or_default();
    let mut draft = Draft {
        name: info.name.clone(),
        source: format!("the pyATS testbed {file}"),
        ..Draft::default()
    };
    for (name, dev) in &tb.devices {
        check_name(&file, name)?;
        let entry = |why: String| ImportError::Entry {
            file: file.clone(),
            what: "device",
            name: name.clone(),
            why,
        };
        let Some(platform) = dev.os.clone() else {
            return Err(entry(
                "no `os` (the platform switchlab maps to a vendor)".into(),
            ));
        };
        let ssh = dev.connections.iter().find(|(k, c)| {
            *k != "defaults" && c.get("protocol").and_then(|p| p.as_str()) == Some("ssh")
        });
        let Some((_, ssh)) = ssh else {
            let protocols: Vec<String> = dev
                .connections
                .iter()
                .filter(|(k, _)| *k != "defaults")
                .map(|(k, c)| {
                    let p = c.get("protocol").and_then(|p| p.as_str()).unwrap_or("?");
                    format!("{k}: {p}")
                })
                .collect();
            draft.skipped.push((
                name.clone(),
                format!(
                    "no ssh connection ({}); consoles through a console server are not built yet",
                    protocols.join(", ")
                ),
            ));
            continue;
        };
        let host = ssh
            .get("ip")
            .or_else(|| ssh.get("host"))
            .and_then(|h| h.as_str())
            .ok_or_else(|| entry("its ssh connection has no `ip`".into()))?;
        let port = ssh
            .get("port")
            .and_then(|p| p.as_u64())
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(22);
        // The device's own `default` credential, else the testbed's.
        let login = |own: bool| {
            let creds = if own {
                &dev.credentials
            } else {
                &info.credentials
            };
            creds.get("default")
        };
        let user = login(true)
            .and_then(|c| c.username.clone())
            .or_else(|| login(false).and_then(|c| c.username.clone()))
            .ok_or_else(|| super::Missing {
                file: file.clone(),
                what: "device",
                why: "no credentials.default.username here or in the testbed".into(),
            });
        let password_env = if login(true).is_some_and(|c| c.password.is_some()) {
            let var = env_name(&[name], "PASSWORD");
            Some(draft.secret(&var, format!("device {name}'s password in the testbed")))
        } else if login(false).is_some_and(|c| c.password.is_some()) {
            Some(draft.secret(
                &env_name(&[], "PASSWORD"),
                "the testbed's default password".into(),
            ))
        } else {
            None
        };
        let has = |c: Option<&Credential>| c.is_some_and(|c| c.password.is_some());
        let secret_env = if has(dev.credentials.get("enable")) {
            let var = env_name(&[name], "SECRET");
            Some(draft.secret(
                &var,
                format!("device {name}'s enable password in the testbed"),
            ))
        } else if has(info.credentials.get("enable")) {
            Some(draft.secret(
                &env_name(&[], "SECRET"),
                "the testbed's enable password".into(),
            ))
        } else {
            None
        };
        draft.devices.push(DraftDevice {
            name: name.clone(),
            platform,
            model: dev.model.clone().or_else(|| dev.platform.clone()),
            host: host.to_string(),
            port,
            user,
            password_env,
            secret_env,
        });
    }
    Ok(draft)
}
