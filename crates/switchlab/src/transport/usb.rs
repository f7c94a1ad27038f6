//! USB-serial adapters on this machine, read from /sys (no libudev): which /dev/ttyUSB* is
//! which adapter, by vendor, product and serial number.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Adapter {
    pub port: String,
    pub vendor_id: Option<String>,
    pub product_id: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
}

fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Serial ports backed by a USB device, from `sys_root`/class/tty (normally /sys).
pub fn list(sys_root: &Path) -> Vec<Adapter> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(sys_root.join("class/tty")) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(dev) = std::fs::canonicalize(e.path().join("device")) else {
            continue;
        };
        // Walk up from the tty's device to the USB device that carries idVendor.
        let usb = dev
            .ancestors()
            .take(6)
            .find(|d| d.join("idVendor").exists());
        let Some(usb) = usb else { continue };
        out.push(Adapter {
            port: format!("/dev/{name}"),
            vendor_id: read(usb, "idVendor"),
            product_id: read(usb, "idProduct"),
            manufacturer: read(usb, "manufacturer"),
            product: read(usb, "product"),
            serial: read(usb, "serial"),
        });
    }
    out.sort_by(|a, b| a.port.cmp(&b.port));
    out
}
