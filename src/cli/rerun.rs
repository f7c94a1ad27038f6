//! `switchlab rerun`: a finished run again, from its folder's copies.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use super::{Cli, Command};
use switchlab::record::rerun::Repeat;

/// Run a finished run (or demo) again, from its folder's copies of the lab and manifest.
///
/// Reads RUN_DIR/run.json for how the run was started (its arguments and folder), then
/// starts it the same way with RUN_DIR/lab.toml and RUN_DIR/manifest.toml (the lab's
/// relative paths still resolve beside the original lab file), into a new run folder
/// beside the old one (or --runs). Before it starts it says which of the bench's files
/// differ from what the run used: the lab and manifest at their original paths, and the
/// vendor profiles, templates and hints (which are always the current ones). Exit codes are
/// those of `run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run folder to repeat (runs/<UTC>-<name>).
    pub run: PathBuf,
    /// Where the new run folder goes (default: where the original run put its own).
    #[arg(long, value_name = "DIR")]
    pub runs: Option<PathBuf>,
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let repeat = Repeat::read(&args.run)?;
    let inv = &repeat.invocation;
    let mut again = Cli::try_parse_from(&inv.argv).map_err(|e| {
        anyhow::anyhow!(
            "{}: its command line ({}) is not one this switchlab takes: {}",
            args.run.join("run.json").display(),
            inv.argv.join(" "),
            e.kind()
        )
    })?;
    let runs = args.runs.as_ref().map(std::path::absolute).transpose()?;
    // The recorded arguments' relative paths (--runs, --hints, --vendors) resolve where the
    // run was started.
    std::env::set_current_dir(&inv.cwd).map_err(|e| {
        anyhow::anyhow!(
            "{}: the run was started in {}, which cannot be entered now: {e}",
            args.run.display(),
            inv.cwd
        )
    })?;
    say_what_changed(&repeat, &again)?;
    point_at_the_copies(&mut again, &repeat, runs, args)?;
    super::run(again)
}

/// Which of the bench's files differ from what the run used, on stderr.
fn say_what_changed(repeat: &Repeat, again: &Cli) -> anyhow::Result<()> {
    let reg = again.registry()?;
    // The hints file the recorded flags name (a demo has none: the built-in one).
    let hints = match &again.command {
        Command::Run(a) => a.watch.hints.clone(),
        _ => None,
    };
    let hints = match &hints {
        Some(p) => switchlab::watch::hints::HintFile::load(p)?,
        None => switchlab::watch::hints::HintFile::builtin(),
    };
    let changed = repeat.changed_with(
        |key| match key.split_once('/') {
            Some((vendor, template)) => reg
                .template(vendor, template)
                .map(|t| switchlab::record::digest(&t.text)),
            None => reg.vendor(key).map(|v| v.digest.clone()),
        },
        &hints.digest,
        |path| match path.strip_prefix(switchlab_sim::demo::BUILT_IN) {
            Some(name) => switchlab_sim::demo::FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string()),
            None => std::fs::read_to_string(path).ok(),
        },
    );
    match changed {
        None => eprintln!(
            "rerun: run.json records no digests of the run's inputs: whether the bench's files changed since is not known"
        ),
        Some(c) if c.is_empty() => eprintln!(
            "rerun: the bench's files are the ones the run used (lab, manifest, profiles, templates, hints)"
        ),
        Some(c) => eprintln!(
            "rerun: the bench's files differ from what the run used: {} (this rerun uses the run's lab and manifest, and today's profiles, templates and hints)",
            c.join(", ")
        ),
    }
    Ok(())
}

/// The command line `again` made to start from the run folder's copies of the lab and
/// manifest, into `runs` when given.
fn point_at_the_copies(
    again: &mut Cli,
    repeat: &Repeat,
    runs: Option<PathBuf>,
    args: &Args,
) -> anyhow::Result<()> {
    let inv = &repeat.invocation;
    let base = Some(repeat.lab_base());
    match &mut again.command {
        Command::Run(a) => {
            a.files.lab = repeat.lab_copy.clone();
            a.files.manifest = repeat.manifest_copy.clone();
            a.files.lab_base = base;
            a.repeats = Some(inv.clone());
            if let Some(r) = runs {
                a.runs = r;
            }
        }
        Command::Demo(a) => {
            a.files = Some((repeat.lab_copy.clone(), repeat.manifest_copy.clone()));
            a.lab_base = base;
            a.repeats = Some(inv.clone());
            if let Some(r) = runs {
                a.runs = r;
            }
        }
        _ => anyhow::bail!(
            "{}: recorded as started by `{}`, which rerun does not repeat (it repeats run and demo)",
            args.run.display(),
            inv.argv.get(1).map_or("", String::as_str)
        ),
    }
    Ok(())
}
