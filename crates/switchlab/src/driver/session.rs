//! A session on one lab device: connect by its lab entry (serial, SSH), credentials from
//! the environment variables the lab names, and the driver brought to privileged mode,
//! with every byte in a transcript from the connect on. Used by `push`, `show`, `watch`
//! and `run` alike.

use std::path::Path;

use super::{Credentials, Driver, DriverError};
use crate::channel::Transcript;
use crate::format::lab::Device;
use crate::transport::{self, ConnectOptions, TransportError};
use crate::vendor::Vendor;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error("device '{device}': transcript {}: {error}", path.display())]
    Transcript {
        device: String,
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("device '{device}': the task working on it panicked: {message}")]
    Panicked { device: String, message: String },
}

impl From<crate::channel::ChannelError> for DeviceError {
    fn from(e: crate::channel::ChannelError) -> Self {
        DeviceError::Driver(e.into())
    }
}

/// The console login and enable secret the lab refers to (environment variables).
pub(crate) fn credentials(dev: &Device) -> Result<Credentials, TransportError> {
    let mut c = Credentials::default();
    if let Some(serial) = &dev.serial {
        let s = serial.get_ref();
        c.user = s.user.clone();
        c.password_from = s.password_env.clone();
        if let Some(var) = &s.password_env {
            c.password = Some(transport::secret_from_env(
                dev.name(),
                var,
                "serial.password_env",
            )?);
        }
    }
    if let Some(console) = &dev.console {
        let k = console.get_ref();
        c.user_key = "console.login_user".into();
        c.password_key = "console.login_password_env".into();
        c.user = k.login_user.clone();
        c.password_from = k.login_password_env.clone();
        if let Some(var) = &k.login_password_env {
            c.password = Some(transport::secret_from_env(
                dev.name(),
                var,
                "console.login_password_env",
            )?);
        }
    }
    c.secret_from = dev.secret_env.clone();
    if let Some(var) = &dev.secret_env {
        c.secret = Some(transport::secret_from_env(dev.name(), var, "secret_env")?);
    }
    Ok(c)
}

/// Connect to a lab device and bring its CLI to privileged mode. With `transcript`, every
/// byte of the session goes to that file as it happens, from the connect on (secrets
/// masked), so a failed login leaves the bytes that explain it.
pub(crate) async fn open(
    dev: &Device,
    vendor: &Vendor,
    opts: &ConnectOptions,
    transcript: Option<&Path>,
) -> Result<Driver, DeviceError> {
    let mut t = match transcript {
        Some(path) => Transcript::to_file(path).map_err(|error| DeviceError::Transcript {
            device: dev.name().into(),
            path: path.to_path_buf(),
            error,
        })?,
        None => Transcript::default(),
    };
    let creds = credentials(dev);
    if let Ok(c) = &creds {
        for s in [&c.password, &c.secret].into_iter().flatten() {
            t.add_secret(s);
        }
    }
    // The vendor in the first line: a replay of this transcript knows what it plays.
    t.note(&format!(
        "connecting to device '{}' (vendor {})",
        dev.name(),
        vendor.name()
    ));
    let connected = match creds {
        Ok(creds) => transport::connect(dev, opts).await.map(|c| (c, creds)),
        Err(e) => Err(e),
    };
    let (conn, creds) = match connected {
        Ok(c) => c,
        Err(e) => {
            t.note(&e.to_string());
            return Err(e.into());
        }
    };
    Ok(Driver::open(dev.name(), vendor, conn, creds, opts, t).await?)
}
