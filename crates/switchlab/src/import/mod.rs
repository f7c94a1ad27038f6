//! `switchlab import`: a lab.toml from an inventory the lab already keeps (Nornir, pyATS,
//! NetBox). Platform names are mapped by the vendor profiles' `platforms` (data, not code);
//! a platform no profile claims is reported by name, never guessed. Secrets never reach
//! the lab file: every password the inventory holds (plain, pyATS `%ENC{}` or `%ASK{}`)
//! becomes the name of an environment variable to set, listed for the user.
//!
//! Layout: one file per source format, each turning its files into a [`Draft`]; this
//! module writes a draft as lab.toml and checks it reads back as a valid lab.

pub mod netbox;
pub mod nornir;
pub mod pyats;

use serde::Serialize;

use crate::format::{Lab, Source};
use crate::vendor::Registry;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {error}")]
    Read { file: String, error: std::io::Error },
    #[error("{file}: {error}")]
    Parse {
        file: String,
        #[source]
        error: serde_saphyr::Error,
    },
    /// A CSV that does not read: its header (no row) or a row.
    #[error("{file}: {}{error}", row.map(|n| format!("row {n}: ")).unwrap_or_default())]
    Csv {
        file: String,
        row: Option<usize>,
        #[source]
        error: csv::Error,
    },
    #[error("{file}: {why}")]
    Columns { file: String, why: String },
    #[error("{file}: {what} '{name}': {why}")]
    Entry {
        file: String,
        what: &'static str,
        name: String,
        why: String,
    },
    #[error(
        "{} device(s) of an unknown platform, not guessed: {}; the platforms switchlab knows: {} (add a name to a vendor profile's `platforms`, or give --skip-unknown to leave these out)",
        .unknown.len(),
        .unknown.iter().map(|(d, p)| format!("{d} ({p})")).collect::<Vec<_>>().join(", "),
        .known
    )]
    Unknown {
        unknown: Vec<(String, String)>,
        known: String,
    },
    #[error("the imported lab does not read back as a lab (a bug in the import): {0}")]
    Invalid(String),
}

/// What an inventory's entry lacks, and in which file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Missing {
    pub(crate) file: String,
    /// What the inventory calls the entry (`host`, `device`).
    pub(crate) what: &'static str,
    pub(crate) why: String,
}

/// One device as an inventory gives it, its secrets already turned into variable names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DraftDevice {
    pub(crate) name: String,
    /// The inventory's platform name (`iosxe`), mapped to a vendor when written.
    pub(crate) platform: String,
    pub(crate) model: Option<String>,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The SSH user, or why the inventory gives none: said only for a device whose
    /// platform is known (an unsupported one is named as such, whatever else it lacks).
    pub(crate) user: Result<String, Missing>,
    pub(crate) password_env: Option<String>,
    pub(crate) secret_env: Option<String>,
}

/// What an inventory holds, ready to be written as a lab.
#[derive(Debug, Default)]
pub struct Draft {
    pub(crate) name: Option<String>,
    /// Where it came from, for the file's header.
    pub(crate) source: String,
    pub(crate) devices: Vec<DraftDevice>,
    /// Devices the inventory has but switchlab cannot take (a console-server connection):
    /// (device, why).
    pub(crate) skipped: Vec<(String, String)>,
    /// Environment variables the lab now names: (variable, what to set it to).
    pub secrets: Vec<(String, String)>,
}

impl Draft {
    /// Record that the secret `what` is in variable `var` (once per variable).
    pub(crate) fn secret(&mut self, var: &str, what: String) -> String {
        if !self.secrets.iter().any(|(v, _)| v == var) {
            self.secrets.push((var.to_string(), what));
        }
        var.to_string()
    }
}

/// `SWITCHLAB_<WORDS>_<KIND>`: an environment variable name made from inventory names.
pub(crate) fn env_name(words: &[&str], kind: &str) -> String {
    let mut out = String::from("SWITCHLAB");
    for w in words.iter().chain([&kind]) {
        out.push('_');
        out.extend(w.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        }));
    }
    out
}

#[derive(Serialize)]
struct LabOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    device: Vec<DeviceOut>,
}

#[derive(Serialize)]
struct DeviceOut {
    name: String,
    vendor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_env: Option<String>,
    ssh: SshOut,
}

#[derive(Serialize)]
struct SshOut {
    host: String,
    port: u16,
    user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    password_env: Option<String>,
}

/// The lab file for `draft`: every platform mapped to a vendor (or the draft refused,
/// naming the unknown ones, unless `skip_unknown`), checked to read back as a valid lab.
/// Returns the text and what was left out.
pub fn write_lab(
    draft: &Draft,
    reg: &Registry,
    skip_unknown: bool,
) -> Result<(String, Vec<(String, String)>), ImportError> {
    let (devices, unknown) = devices_out(draft, reg)?;
    if !unknown.is_empty() && !skip_unknown {
        let known: Vec<String> = reg
            .vendors()
            .flat_map(|v| v.profile.vendor.platforms.clone())
            .collect();
        return Err(ImportError::Unknown {
            unknown,
            known: known.join(", "),
        });
    }
    let body = toml::to_string(&LabOut {
        name: draft.name.clone(),
        device: devices,
    })
    .map_err(|e| ImportError::Invalid(e.to_string()))?;
    let mut text = format!("# Imported by `switchlab import` from {}.\n", draft.source);
    text.push_str("# Secrets are environment variables (switchlab never stores one); set:\n");
    for (var, what) in &draft.secrets {
        text.push_str(&format!("#   {var}: {what}\n"));
    }
    let left_out: Vec<(String, String)> = draft
        .skipped
        .iter()
        .cloned()
        .chain(
            unknown
                .into_iter()
                .map(|(d, p)| (d, format!("unknown platform '{p}'"))),
        )
        .collect();
    for (d, why) in &left_out {
        text.push_str(&format!("# Not imported: {d}: {why}\n"));
    }
    text.push_str("# Add each device's [[device.port]] cabling and the [[endpoint]]s by hand.\n\n");
    text.push_str(&body);
    let src = Source::from_text("imported lab.toml", text.as_str());
    Lab::from_source(&src).map_err(|e| ImportError::Invalid(e.to_string()))?;
    Ok((text, left_out))
}

/// (device, platform) of a device whose platform maps to no vendor.
type Unknown = Vec<(String, String)>;

/// The draft's devices whose platform maps to a vendor, and those whose does not.
fn devices_out(draft: &Draft, reg: &Registry) -> Result<(Vec<DeviceOut>, Unknown), ImportError> {
    let mut unknown = Vec::new();
    let mut devices = Vec::new();
    for d in &draft.devices {
        let Some(v) = reg.vendor_for_platform(&d.platform) else {
            unknown.push((d.name.clone(), d.platform.clone()));
            continue;
        };
        let user = d.user.clone().map_err(|m| ImportError::Entry {
            file: m.file,
            what: m.what,
            name: d.name.clone(),
            why: m.why,
        })?;
        devices.push(DeviceOut {
            name: d.name.clone(),
            vendor: v.name().to_string(),
            model: d.model.clone(),
            secret_env: d.secret_env.clone(),
            ssh: SshOut {
                host: d.host.clone(),
                port: d.port,
                user,
                password_env: d.password_env.clone(),
            },
        });
    }
    Ok((devices, unknown))
}

/// A file's text, or an error naming it.
pub(crate) fn read(path: &std::path::Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|error| ImportError::Read {
        file: path.display().to_string(),
        error,
    })
}

/// A device name as the lab takes it (it becomes file names), or an error naming it.
pub(crate) fn check_name(file: &str, name: &str) -> Result<(), ImportError> {
    match crate::format::values::path_part_problem(name) {
        None => Ok(()),
        Some(why) => Err(ImportError::Entry {
            file: file.into(),
            what: "device",
            name: name.into(),
            why,
        }),
    }
}

/// YAML text as `T`, or an error naming the file.
pub(crate) fn yaml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ImportError> {
    serde_saphyr::from_str(text).map_err(|error| ImportError::Parse {
        file: file.into(),
        error,
    })
}
