//! `switchlab ports`: which /dev/ttyUSB* is which USB-serial adapter.

use std::process::ExitCode;

use super::Cli;
use switchlab::transport::usb;

/// List USB-serial adapters (vendor, product, serial number) so you know which
/// /dev/ttyUSB* console cable goes to which switch.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let adapters = usb::list(std::path::Path::new("/sys"));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&adapters)?);
        return Ok(ExitCode::SUCCESS);
    }
    if adapters.is_empty() {
        println!("no USB-serial adapters found (looked in /sys/class/tty)");
        return Ok(ExitCode::SUCCESS);
    }
    use super::table::{Col, Grid};
    let mut t = Grid::new(&[
        ("port", Col::Name),
        ("vendor:product", Col::Value),
        ("manufacturer", Col::Optional(2)),
        ("product", Col::Optional(1)),
        ("serial", Col::Value),
    ]);
    for a in adapters {
        let id = format!(
            "{}:{}",
            a.vendor_id.unwrap_or_default(),
            a.product_id.unwrap_or_default()
        );
        t.row(vec![
            a.port,
            id,
            a.manufacturer.unwrap_or_default(),
            a.product.unwrap_or_default(),
            a.serial.unwrap_or_default(),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}
