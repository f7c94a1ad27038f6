//! `switchlab vendors`: list the vendor profiles, where each came from, and check them.

use std::process::ExitCode;

use super::Cli;

/// List the vendor profiles, checked.
///
/// Profiles come built in, or from --vendors DIR. Checked: every regex
/// compiles and every mode of the mode graph is reachable. Exits 1 on the first bad profile.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON array of the profiles instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    if args.json {
        let doc: Vec<serde_json::Value> = reg
            .vendors()
            .map(|v| {
                serde_json::json!({
                    "vendor": v.name(),
                    "display": v.profile.vendor.display,
                    "models": v.profile.vendor.models,
                    "platforms": v.profile.vendor.platforms,
                    "modes": v.modes.iter().rev().map(|m| m.name.as_str()).collect::<Vec<_>>(),
                    "templates": reg.template_names(v.name()),
                    "parses": v.profile.parse.iter().map(|p| p.command.as_str()).collect::<Vec<_>>(),
                    "from": v.origin.to_string(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    use super::table::{Col, Grid};
    let mut table = Grid::new(&[
        ("vendor", Col::Name),
        ("display name", Col::Optional(2)),
        ("modes", Col::Optional(3)),
        ("templates", Col::Optional(1)),
        ("parses", Col::Text),
        ("from", Col::Value),
    ]);
    for v in reg.vendors() {
        let modes: Vec<_> = v.modes.iter().rev().map(|m| m.name.as_str()).collect();
        let parses: Vec<_> = v.profile.parse.iter().map(|p| p.command.as_str()).collect();
        table.row(vec![
            v.name().to_string(),
            v.profile.vendor.display.clone(),
            modes.join(" > "),
            reg.template_names(v.name()).join(", "),
            parses.join("; "),
            v.origin.to_string(),
        ]);
    }
    println!("{table}");
    println!("{} vendor profiles, all valid", reg.vendor_names().len());
    Ok(ExitCode::SUCCESS)
}
