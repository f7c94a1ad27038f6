//! `switchlab parse`: saved CLI output → the common port-state schema (or link events).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Cli;
use super::table::{Col, Grid};
use switchlab::parse::{Parsed, parse_output};

/// Parse saved show-command output into the common port-state schema.
///
/// Parse saved output of a show command with a vendor profile's rules. Prints a table, or
/// with --json the common schema: {port, admin, oper, link_changes, link_downs, link_ups,
/// last_change_s, speed_mbps, in_errors, crc, resets, description, err_disabled, in_packets,
/// out_packets, in_discards, out_discards} per port (unknown = null), or for log commands
/// link events {port, state, raw}.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Vendor profile name (see `switchlab vendors`).
    #[arg(long)]
    pub vendor: String,
    /// The command that produced the output, e.g. "show interfaces".
    #[arg(long)]
    pub command: String,
    /// The saved output ("-" for standard input).
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let vendor = reg.vendor(&args.vendor).with_context(|| {
        format!(
            "unknown vendor '{}'; known: {}",
            args.vendor,
            reg.vendor_names().join(", ")
        )
    })?;
    let text = if args.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("{}: cannot read", args.file.display()))?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let mut parsed = parse_output(vendor, &args.command, &text)?;
    if let Parsed::Transceivers(t) = &mut parsed {
        // One record per port holding a module, classified by the cables table.
        let cables = switchlab::parse::Cables::builtin();
        t.retain(switchlab::parse::Transceiver::holds_module);
        t.iter_mut().for_each(|x| x.classify(&cables));
    }
    let blocks = matches!(parsed, Parsed::Ports(_) | Parsed::Transceivers(_));
    // Nothing read from text the rule does not know either: not that command's output.
    if blocks && parsed.is_empty() && !switchlab::parse::recognized(vendor, &args.command, &text) {
        let what = match parsed {
            Parsed::Transceivers(_) => "module",
            _ => "port",
        };
        anyhow::bail!(
            "{}: no {what} in it: vendor '{}' reads `{}` output by its rule, and nothing in the text matched it (is it that command's output, from that vendor?)",
            args.file.display(),
            args.vendor,
            args.command
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&parsed)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_table(&parsed);
    Ok(ExitCode::SUCCESS)
}

/// Port states or link events as a table.
pub fn print_table(parsed: &Parsed) {
    let table = match parsed {
        Parsed::Ports(ports) => ports_table(ports),
        Parsed::Transceivers(modules) => transceivers_table(modules),
        Parsed::Events(events) => {
            let mut table = Grid::new(&[
                ("port", Col::Name),
                ("state", Col::Value),
                ("line", Col::Text),
            ]);
            for e in events {
                table.row(vec![e.port.clone(), e.state.to_string(), e.raw.clone()]);
            }
            table
        }
    };
    println!("{table}");
}

fn ports_table(ports: &[switchlab::parse::PortState]) -> Grid {
    let state =
        |s: Option<switchlab::parse::LinkState>| s.map_or("-".to_string(), |s| s.to_string());
    let mut table = Grid::new(&[
        ("port", Col::Name),
        ("admin", Col::Value),
        ("oper", Col::Value),
        ("link changes", Col::Optional(1)),
        ("last change", Col::Optional(2)),
        ("speed", Col::Optional(3)),
        ("in errors", Col::Optional(4)),
        ("crc", Col::Optional(5)),
        ("resets", Col::Optional(6)),
        ("description", Col::Text),
    ]);
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |n| n.to_string());
    for p in ports {
        table.row(vec![
            p.port.clone(),
            state(p.admin),
            state(p.oper),
            opt(p.link_changes),
            p.last_change_s.map_or("-".into(), |s| format!("{s}s")),
            p.speed_mbps.map_or("-".into(), |s| format!("{s}M")),
            opt(p.in_errors),
            opt(p.crc),
            opt(p.resets),
            p.description.clone().unwrap_or_default(),
        ]);
    }
    table
}

fn transceivers_table(modules: &[switchlab::parse::Transceiver]) -> Grid {
    let mut table = Grid::new(&[
        ("port", Col::Name),
        ("kind", Col::Value),
        ("length", Col::Value),
        ("media", Col::Optional(2)),
        ("part", Col::Optional(1)),
        ("vendor", Col::Optional(3)),
        ("rx dBm", Col::Optional(4)),
    ]);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    for m in modules {
        table.row(vec![
            m.port.clone(),
            m.class.kind.to_string(),
            m.class.length_m.map_or("-".into(), |l| format!("{l} m")),
            opt(&m.media),
            opt(&m.part),
            opt(&m.vendor),
            m.rx_dbm.map_or("-".into(), |r| format!("{r:.1}")),
        ]);
    }
    table
}
