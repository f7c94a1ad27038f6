//! NetBox's device list as CSV (Devices → Export → CSV, or the bulk-import columns):
//! `Name`/`name`, `Platform`/`platform`, `Type`/`device_type` (the model), and the
//! management address from `Primary IPv4`/`primary_ip4`/`Primary IP`/`primary_ip` (a
//! prefix length is dropped). NetBox keeps no credentials: every device gets the SSH user
//! given on the command line and one password variable.

use std::path::Path;

use super::{Draft, DraftDevice, ImportError, check_name, env_name};

/// The column of the first of `names` the header has (case and spaces aside).
fn column(header: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    let norm = |s: &str| s.trim().to_lowercase().replace([' ', '-'], "_");
    header
        .iter()
        .position(|h| names.iter().any(|n| norm(h) == norm(n)))
}

/// Where a NetBox device list keeps what an import reads.
struct Columns {
    name: usize,
    platform: usize,
    ip: usize,
    model: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord, file: &str) -> Result<Columns, ImportError> {
        let need = |names: &[&str]| {
            column(header, names).ok_or_else(|| ImportError::Columns {
                file: file.to_string(),
                why: format!(
                    "no {} column (the header has: {})",
                    names[0],
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            })
        };
        Ok(Columns {
            name: need(&["Name", "name"])?,
            platform: need(&["Platform", "platform"])?,
            ip: need(&[
                "Primary IPv4",
                "primary_ip4",
                "Primary IP",
                "primary_ip",
                "IP Address",
            ])?,
            model: column(header, &["Type", "Device type", "device_type"]),
        })
    }
}

/// Read a NetBox device CSV; every device is reached as `user` on port 22.
pub fn read_devices(path: &Path, user: &str) -> Result<Draft, ImportError> {
    let file = path.display().to_string();
    let text = super::read(path)?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let csv = |row: Option<usize>| {
        let file = &file;
        move |error| ImportError::Csv {
            file: file.clone(),
            row,
            error,
        }
    };
    let header = r.headers().map_err(csv(None))?.clone();
    let cols = Columns::find(&header, &file)?;
    let (name_col, platform_col, ip_col, model_col) =
        (cols.name, cols.platform, cols.ip, cols.model);
    let mut draft = Draft {
        source: format!("the NetBox device list {file}"),
        ..Draft::default()
    };
    let password = env_name(&[], "PASSWORD");
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(csv(Some(i + 1)))?;
        let get = |c: usize| row.get(c).map(str::trim).unwrap_or_default().to_string();
        let name = get(name_col);
        check_name(&file, &name)?;
        let ip = get(ip_col);
        let ip = ip.split('/').next().unwrap_or_default().to_string();
        if ip.is_empty() {
            draft
                .skipped
                .push((name, "no primary IP address in NetBox".into()));
            continue;
        }
        let password_env = Some(draft.secret(
            &password,
            format!("the password of user {user} on the devices"),
        ));
        draft.devices.push(DraftDevice {
            name,
            platform: get(platform_col),
            model: model_col.map(get).filter(|m| !m.is_empty()),
            host: ip,
            port: 22,
            user: Ok(user.to_string()),
            password_env,
            secret_env: None,
        });
    }
    Ok(draft)
}
