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
pub fn read_testbed(path: &Path) -> Result<Draft, ImportError> {
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
        let Some(ssh) = ssh_connection(dev) else {
            draft.skipped.push((name.clone(), no_ssh(dev)));
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
        let login = Logins {
            name,
            own: &dev.credentials,
            testbed: &info.credentials,
        };
        let user = login.user(&file);
        let password_env = login.password_env(&mut draft);
        let secret_env = login.secret_env(&mut draft);
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

/// A device's first `ssh` connection.
fn ssh_connection(dev: &Device) -> Option<&serde_json::Value> {
    let ssh = dev.connections.iter().find(|(k, c)| {
        *k != "defaults" && c.get("protocol").and_then(|p| p.as_str()) == Some("ssh")
    });
    ssh.map(|(_, c)| c)
}

/// Why a device without an `ssh` connection is skipped, naming those it has.
fn no_ssh(dev: &Device) -> String {
    let protocols: Vec<String> = dev
        .connections
        .iter()
        .filter(|(k, _)| *k != "defaults")
        .map(|(k, c)| {
            let p = c.get("protocol").and_then(|p| p.as_str()).unwrap_or("?");
            format!("{k}: {p}")
        })
        .collect();
    format!(
        "no ssh connection ({}); consoles through a console server are not built yet",
        protocols.join(", ")
    )
}

/// A device's credentials: its own, else the testbed's.
struct Logins<'a> {
    name: &'a str,
    own: &'a BTreeMap<String, Credential>,
    testbed: &'a BTreeMap<String, Credential>,
}

impl Logins<'_> {
    /// The `default` credential's user.
    fn user(&self, file: &str) -> Result<String, super::Missing> {
        let user = |c: &BTreeMap<String, Credential>| c.get("default")?.username.clone();
        user(self.own)
            .or_else(|| user(self.testbed))
            .ok_or_else(|| super::Missing {
                file: file.to_string(),
                what: "device",
                why: "no credentials.default.username here or in the testbed".into(),
            })
    }

    /// The variable for the `default` credential's password, if one is given.
    fn password_env(&self, draft: &mut Draft) -> Option<String> {
        let name = self.name;
        if has_password(self.own.get("default")) {
            let var = env_name(&[name], "PASSWORD");
            Some(draft.secret(&var, format!("device {name}'s password in the testbed")))
        } else if has_password(self.testbed.get("default")) {
            Some(draft.secret(
                &env_name(&[], "PASSWORD"),
                "the testbed's default password".into(),
            ))
        } else {
            None
        }
    }

    /// The variable for the `enable` credential's password, if one is given.
    fn secret_env(&self, draft: &mut Draft) -> Option<String> {
        let name = self.name;
        if has_password(self.own.get("enable")) {
            let var = env_name(&[name], "SECRET");
            Some(draft.secret(
                &var,
                format!("device {name}'s enable password in the testbed"),
            ))
        } else if has_password(self.testbed.get("enable")) {
            Some(draft.secret(
                &env_name(&[], "SECRET"),
                "the testbed's enable password".into(),
            ))
        } else {
            None
        }
    }
}

fn has_password(c: Option<&Credential>) -> bool {
    c.is_some_and(|c| c.password.is_some())
}
