//! Operations on lab devices: open a driver on one (credentials from the lab's
//! references), push a baseline to many at once, and the `run` pipeline (push and flap
//! watch per device into a run folder, with the traffic phase inside the watch).

pub mod pipeline;
pub mod push;
pub mod traffic;

use crate::driver::{Credentials, Driver, DriverError};
use crate::format::lab::Device;
use crate::transport::{self, ConnectOptions, TransportError};
use crate::vendor::Vendor;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Driver(#[from] DriverError),
}

impl From<crate::channel::ChannelError> for DeviceError {
    fn from(e: crate::channel::ChannelError) -> Self {
        DeviceError::Driver(e.into())
    }
}

/// The console login and enable secret the lab refers to (environment variables).
pub fn credentials(dev: &Device) -> Result<Credentials, TransportError> {
    let mut c = Credentials::default();
    if let Some(serial) = &dev.serial {
        let s = serial.get_ref();
        c.user = s.user.clone();
        if let Some(var) = &s.password_env {
            c.password = Some(transport::secret_from_env(
                dev.name(),
                var,
                "serial.password_env",
            )?);
        }
    }
    if let Some(var) = &dev.secret_env {
        c.secret = Some(transport::secret_from_env(dev.name(), var, "secret_env")?);
    }
    Ok(c)
}

/// Connect to a lab device and bring its CLI to privileged mode.
pub async fn open(
    dev: &Device,
    vendor: &Vendor,
    opts: &ConnectOptions,
) -> Result<Driver, DeviceError> {
    let creds = credentials(dev)?;
    let conn = transport::connect(dev, opts).await?;
    Ok(Driver::open(dev.name(), vendor, conn, creds, opts.idle_timeout).await?)
}
