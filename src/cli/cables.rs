//! `switchlab cables`: the cable audit alone, touching no config.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use super::connect_flags::ConnectFlags;
use super::table::{Col, Grid};
use switchlab::inputs::LabInputs;

/// What each port's module says the cable is, against what the lab declares.
///
/// Logs into each device (nothing is configured), reads its modules with the profile's
/// transceiver commands (type, part number, vendor, serial, DOM), and classifies each by
/// the cables table: kind (dac-passive, dac-active, aoc, fiber, copper-rj45, absent) and
/// length. Says where the lab's cable is not the one seen, a short passive DAC, an empty
/// cage where the lab declares a cable, a module the switch does not support, low Rx
/// power. Exit 0 when every device was read (findings are not failures of the tool), 1
/// when one could not be.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab file: devices, how to reach them, what is cabled to each port.
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    /// Devices to audit (default: every device of the lab).
    pub devices: Vec<String>,
    /// The cables table (default: the built-in cables.toml).
    #[arg(long, value_name = "FILE")]
    pub cables: Option<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectFlags,
    /// One JSON document on stdout: every port's row, as transceivers.csv writes it.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let lab = LabInputs::load(&args.lab, &reg)?;
    let names: Vec<String> = match args.devices.is_empty() {
        true => lab.lab.device_names(),
        false => args.devices.clone(),
    };
    let mut targets = Vec::new();
    for n in &names {
        targets.push(lab.device(&reg, n)?);
    }
    let table = match &args.cables {
        Some(p) => switchlab::parse::Cables::load(p)?,
        None => switchlab::parse::Cables::builtin(),
    };
    let opts = args.connect.options(&lab);
    let rt = tokio::runtime::Runtime::new()?;
    let mut rows = Vec::new();
    let mut failed = 0;
    for (dev, vendor) in targets {
        match rt.block_on(switchlab::run::cables::audit_device(
            dev, vendor, &opts, &table,
        )) {
            Ok(r) => rows.extend(r.into_iter().map(|(row, _)| row)),
            Err(e) => {
                failed += 1;
                eprintln!("FAILED {} {e}", dev.name());
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print_table(&rows);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The rows as a table at the terminal's width, and how many ports have findings.
fn print_table(rows: &[switchlab::record::rows::TransceiverRow]) {
    let mut g = Grid::new(&[
        ("device", Col::Name),
        ("port", Col::Name),
        ("declared", Col::Optional(3)),
        ("seen", Col::Value),
        ("length", Col::Value),
        ("part", Col::Optional(2)),
        ("rx dBm", Col::Optional(1)),
        ("match", Col::Value),
        ("findings", Col::Note),
    ]);
    for r in rows {
        g.row(vec![
            r.device.clone(),
            r.port.clone(),
            r.declared.clone(),
            r.seen_kind.clone(),
            r.seen_length_m.map_or("-".into(), |l| format!("{l} m")),
            r.part.clone(),
            r.rx_start_dbm.map_or("-".into(), |x| format!("{x:.1}")),
            r.matches
                .map_or("-".into(), |m| if m { "yes" } else { "NO" }.into()),
            r.findings.clone(),
        ]);
    }
    println!("{g}");
    let found = rows.iter().filter(|r| !r.findings.is_empty()).count();
    println!("{found} port(s) with findings, of {}", rows.len());
}
