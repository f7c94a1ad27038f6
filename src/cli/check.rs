//! `switchlab check`: validate lab, manifest, templates and profiles together, touching no device.

use std::process::ExitCode;

use super::Cli;
use super::input_files::InputFiles;
use switchlab::run::traffic;

/// Validate lab, manifest, profiles and templates, touching no device.
///
/// Validate the lab file, the manifest, the vendor profiles and every template they use
/// (every variable defined), and that the throughput tests ask for nothing not built,
/// without contacting any device.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub files: InputFiles,
    /// One JSON document (each device's rendered config size, each measurement's path)
    /// instead of lines.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let inputs = args.files.load(&reg)?;
    // What `run` would refuse before its first push, `check` refuses too.
    // (The engine is a placeholder: `check` runs none, it checks the paths.)
    let engine = switchlab::format::manifest::Engine::Builtin;
    let measured = traffic::plan(
        &inputs.manifest,
        &inputs.lab.lab,
        &args.files.manifest,
        engine,
    )?;
    let benchmarks =
        switchlab::run::bench::plan(&inputs.manifest, &inputs.lab.lab, &args.files.manifest)?;
    let planned = Planned {
        args,
        inputs: &inputs,
        measured: &measured,
        benchmarks: &benchmarks,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&planned.json())?);
    } else {
        planned.say();
    }
    Ok(ExitCode::SUCCESS)
}

/// What the inputs make: the configs, the throughput measurements, the benchmarks.
struct Planned<'a> {
    args: &'a Args,
    inputs: &'a switchlab::inputs::RunInputs,
    measured: &'a [switchlab::run::traffic::TrafficTest],
    benchmarks: &'a [switchlab::run::bench::BenchPlan],
}

impl Planned<'_> {
    /// `--json`'s document.
    fn json(&self) -> serde_json::Value {
        let Planned {
            args,
            inputs,
            measured,
            benchmarks,
        } = self;
        serde_json::json!({
            "valid": true,
            "lab": args.files.lab,
            "manifest": args.files.manifest,
            "devices": inputs.configs.iter().map(|c| serde_json::json!({
                "device": c.device, "template": c.template, "lines": c.lines.len(),
            })).collect::<Vec<_>>(),
            "throughput": measured.iter().map(|t| serde_json::json!({
                "test": t.name, "device": t.device,
                "from": t.from.name, "from_address": t.from.address,
                "to": t.to.name, "to_address": t.to.address,
            })).collect::<Vec<_>>(),
            "benchmarks": benchmarks.iter().map(|b| serde_json::json!({
                "benchmark": b.name, "device": b.device,
                "from": b.from.name, "from_address": b.from.address,
                "to": b.to.name, "to_address": b.to.address,
                "frame_sizes": b.frame_sizes,
            })).collect::<Vec<_>>(),
        })
    }

    /// A line per config, measurement and benchmark, then the count.
    fn say(&self) {
        let Planned {
            args,
            inputs,
            measured,
            benchmarks,
        } = self;
        for c in &inputs.configs {
            println!(
                "ok   {}: template '{}' renders {} lines",
                c.device,
                c.template,
                c.lines.len()
            );
        }
        for t in measured.iter() {
            println!(
                "ok   throughput '{}' through {}: {} ({}) -> {} ({})",
                t.name,
                t.device.as_deref().unwrap_or("-"),
                t.from.name,
                t.from.address,
                t.to.name,
                t.to.address
            );
        }
        for b in benchmarks.iter() {
            println!(
                "ok   benchmark '{}' through {}: {} ({}) -> {} ({}), {} frame sizes",
                b.name,
                b.device,
                b.from.name,
                b.from.address,
                b.to.name,
                b.to.address,
                b.frame_sizes.len()
            );
        }
        println!(
            "{} and {} are valid: {} devices under test, {} throughput tests ({} measurements), {} benchmarks ({} devices)",
            args.files.lab.display(),
            args.files.manifest.display(),
            inputs.manifest.devices.len(),
            inputs.manifest.throughput.len(),
            measured.len(),
            inputs.manifest.benchmarks.len(),
            benchmarks.len()
        );
    }
}
