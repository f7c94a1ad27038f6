//! `show`: one command on one device, its output as the device gave it (echo, prompt and
//! log lines left out), the session opened and closed around it.

use std::path::Path;

use crate::driver::session::{DeviceError, open};
use crate::format::lab::Device;
use crate::transport::ConnectOptions;
use crate::vendor::Vendor;

/// Reach `dev`'s privileged mode and run `command` there; with `transcript`, the session
/// is written to that file as it goes.
pub async fn show(
    dev: &Device,
    vendor: &Vendor,
    connect: &ConnectOptions,
    transcript: Option<&Path>,
    command: &str,
) -> Result<String, DeviceError> {
    let mut d = open(dev, vendor, connect, transcript).await?;
    Ok(d.show(command).await?)
}
