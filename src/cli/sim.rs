//! `switchlab sim`: run simulated switches (one from flags, or a whole lab's) until stopped.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::Cli;
use switchlab::run::traffic::lab_drops_shared::{self, Publisher};
use switchlab_sim::dataplane::{DataPlane, DataPlaneOptions};
use switchlab_sim::replay::Speed;
use switchlab_sim::{Sim, SimOptions, bench, parse_flaps};

/// Run simulated switches, reachable over SSH and pty consoles like real ones.
///
/// Run a simulated switch — Cisco IOS, Arista EOS, Dell Force10, Brocade FastIron or
/// Interface Masters (FASTPATH) — reachable over SSH and/or a pty console, exactly like a
/// real one. Prints one line per listener once it accepts connections, then runs until
/// SIGINT/SIGTERM.
///
/// Flap schedules (--flaps): comma-separated `PORT@START/DOWN` (Ethernet7@5s/200ms), bursts
/// `PORT@START/DOWN*COUNT+EVERY` (Ethernet7@5s/50ms*8+400ms), CRC errors without a flap
/// `crc:PORT@START/COUNT` (crc:Ethernet7@2s/50), or `profile` (ports whose lab cabling is a
/// DAC shorter than 3 m to an Intel NIC flicker).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  switchlab sim --vendor cisco_ios --ssh 127.0.0.1:2201 --serial-link /tmp/cisco.console --secret enablepw\n  switchlab sim --lab examples/demo/lab.toml"
)]
pub struct Args {
    /// Start a simulator for every device of this lab that has `sim = { … }`; with
    /// endpoints that have `netns`, also the data plane: each endpoint a network namespace,
    /// each cabled port a link through the simulated switch (needs root; without it, the
    /// control plane only, said once).
    #[arg(long, value_name = "LAB", conflicts_with = "vendor")]
    pub lab: Option<PathBuf>,
    /// With --lab: the fastest a data-plane port forwards, in Gbit/s; faster ports are all
    /// scaled down by one factor (their ratios kept).
    #[arg(long, value_name = "GBIT_S", requires = "lab")]
    pub max_gbit_s: Option<f64>,
    /// With --lab: forward every switch in user space, frame by frame, even one whose
    /// links the kernel forwards as the model says (a bridge per VLAN, a shaper per port;
    /// the default, and several times faster). Links with delay, loss or forwarding
    /// figures are always forwarded in user space.
    #[arg(long, requires = "lab")]
    pub user_space_forwarding: bool,
    /// Simulated vendor: cisco_ios, arista_eos, dell_force10, brocade_fastiron, interface_masters.
    #[arg(long, required_unless_present_any = ["lab", "replay"])]
    pub vendor: Option<String>,
    /// Serve a recorded device instead of a simulated one: a run folder's
    /// transcripts/DEVICE.log or a `switchlab record` file (repeatable: one device's
    /// recordings merge). Its vendor is the one the recording names (or --vendor); a
    /// command is answered as recorded, typed as recorded or in another form of the same
    /// words (`sh int` for `show interfaces`); a command never recorded gets the vendor's
    /// invalid-input answer and is listed when the replay stops.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["lab", "flaps", "factory"])]
    pub replay: Vec<PathBuf>,
    /// With --replay: how fast the recorded delays pass (2 = twice as fast), or `max`
    /// for none.
    #[arg(long, value_name = "FACTOR", requires = "replay", value_parser = parse_speed)]
    pub speed: Option<Speed>,
    /// With --replay: a command never recorded ends the replay (exit 1), naming it.
    #[arg(long, requires = "replay")]
    pub strict: bool,
    /// Listen for SSH here (repeatable; port 0 = any free port).
    #[arg(long, value_name = "ADDR:PORT")]
    pub ssh: Vec<SocketAddr>,
    /// Open a console pty and make PATH a symlink to it (repeatable).
    #[arg(long, value_name = "PATH")]
    pub serial_link: Vec<PathBuf>,
    #[arg(long)]
    pub hostname: Option<String>,
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// Login password (SSH and console; default admin); empty = the console asks no
    /// login. With --replay: the one password accepted (default: any).
    #[arg(long)]
    pub password: Option<String>,
    /// Enable secret; absent = `enable` asks nothing. With --replay: the one secret
    /// accepted (default: any).
    #[arg(long)]
    pub secret: Option<String>,
    /// An OpenSSH public key file accepted for the user (repeatable).
    #[arg(long, value_name = "FILE")]
    pub authorized_key: Vec<PathBuf>,
    /// Start factory-fresh: initial-configuration dialog on the console (Arista: ZeroTouch).
    #[arg(long)]
    pub factory: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_name = "SPEC")]
    pub flaps: Option<String>,
    /// Start the --flaps schedule's clock when a typed command first starts with TEXT
    /// (say `show`: a watch's first read) rather than at start.
    #[arg(long, value_name = "TEXT", requires = "flaps")]
    pub flaps_from: Option<String>,
    /// Spend the wire time of this baud rate on every console byte.
    #[arg(long, value_name = "BAUD")]
    pub pace_baud: Option<u32>,
    /// Ask the banner acknowledgement `[y/n]` on SSH login (FTOS style).
    #[arg(long)]
    pub acknowledge: bool,
    /// Offer only old SSH algorithms (dh-group14/group1-sha1, aes-cbc, hmac-sha1).
    #[arg(long)]
    pub legacy_algorithms: bool,
    /// UDP port log messages go to on a `logging host` line that names none.
    #[arg(long, default_value_t = 514)]
    pub syslog_port: u16,
    /// Write every link change (ground truth) to this CSV when stopped.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let result = rt.block_on(serve(cli, args));
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

async fn serve(cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    // Before any listener is announced: a SIGTERM right after must still end it cleanly
    // (console links removed), not by the default action.
    let stop = super::stop_signals()?;
    let mut out = std::io::stdout();
    if !args.replay.is_empty() {
        return replay(cli, args, stop, &mut out).await;
    }
    // Dropped before the simulators: its threads read their state.
    let (sims, data_plane, _published) = match &args.lab {
        Some(lab_path) => lab_bench(args, lab_path, &mut out).await?,
        None => (vec![one_sim(args, &mut out).await?], None, None),
    };
    out.flush()?;
    stop.await;
    drop(data_plane);
    if let Some(path) = &args.truth {
        write_truth(path, &sims)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Serve the recordings until stopped (or, with --strict, until a command was never
/// recorded); the commands no recording answered said on stderr.
async fn replay(
    cli: &Cli,
    args: &Args,
    stop: impl std::future::Future<Output = ()>,
    out: &mut std::io::Stdout,
) -> anyhow::Result<ExitCode> {
    let reg = cli.registry()?;
    let (server, replay) = super::sim_replay::start(args, &args.replay, &reg, out).await?;
    out.flush()?;
    let strict = async {
        match &replay.strict {
            Some(n) => n.notified().await,
            None => std::future::pending().await,
        }
    };
    let stopped_strict = tokio::select! {
        () = stop => false,
        () = strict => true,
    };
    drop(server);
    let unrecorded = replay.asked_unrecorded();
    if !unrecorded.is_empty() {
        eprintln!(
            "replay: {} command(s) no recording answers (the vendor's invalid-input answer was given): {}",
            unrecorded.len(),
            unrecorded.join("; ")
        );
    }
    Ok(match stopped_strict {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    })
}

fn parse_speed(s: &str) -> Result<Speed, String> {
    if s == "max" {
        return Ok(Speed::Max);
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(Speed::Times(f)),
        _ => Err(format!(
            "'{s}': give a factor above 0 (2 = twice as fast) or `max`"
        )),
    }
}

/// The simulators the lab asks for (`sim = {…}`), and its data plane where an endpoint is
/// a network namespace and this process may make one; each listener said on `out`.
async fn lab_bench(
    args: &Args,
    lab_path: &std::path::Path,
    out: &mut std::io::Stdout,
) -> anyhow::Result<(Vec<Sim>, Option<DataPlane>, Option<Publisher>)> {
    let reg = switchlab::vendor::Registry::load(None, None)?;
    let lab = switchlab::inputs::LabInputs::load(lab_path, &reg)?;
    let bench = bench::start(&lab.lab, &lab.dir()).await?;
    for b in &bench {
        for l in &b.listeners {
            writeln!(out, "{l} {}", b.device)?;
        }
    }
    let mut data_plane = None;
    if lab.lab.endpoints.iter().any(|e| e.netns.is_some()) {
        match DataPlane::available() {
            Ok(()) => {
                let opts = DataPlaneOptions {
                    tag: std::process::id().to_string(),
                    max_gbit_s: args.max_gbit_s,
                    user_space: args.user_space_forwarding,
                };
                data_plane = bench::data_plane(&lab.lab, &bench, &opts)?;
                for l in data_plane.iter().flat_map(|d| &d.lines) {
                    writeln!(out, "data plane: {l}")?;
                }
            }
            Err(why) => writeln!(
                out,
                "data plane: not started ({why}): it needs CAP_NET_ADMIN (root); the simulators run their control plane only"
            )?,
        }
    }
    let sims: Vec<Sim> = bench.into_iter().map(|b| b.sim).collect();
    if sims.is_empty() {
        anyhow::bail!(
            "{}: no device asks for a simulator (add `sim = {{ seed = 1 }}` to a [[device]])",
            lab_path.display()
        );
    }
    // A run of this lab in another process reads what the data plane dropped, and whose.
    let published = data_plane.as_ref().map(|plane| {
        let names = sims.iter().map(|s| s.options.name.clone()).collect();
        lab_drops_shared::publish(lab_path, plane.drop_counts(), names)
    });
    Ok((sims, data_plane, published))
}

/// One simulator as the flags describe it, its listeners said on `out`.
async fn one_sim(args: &Args, out: &mut std::io::Stdout) -> anyhow::Result<Sim> {
    if args.ssh.is_empty() && args.serial_link.is_empty() {
        anyhow::bail!("give at least one listener: --ssh 127.0.0.1:2201 or --serial-link PATH");
    }
    let mut sim = Sim::start(sim_options(args)?)?;
    for addr in &args.ssh {
        let bound = sim.listen_ssh(*addr).await?;
        writeln!(out, "ssh {bound}")?;
    }
    for link in &args.serial_link {
        sim.listen_console(link).await?;
        writeln!(out, "serial {}", link.display())?;
    }
    Ok(sim)
}

/// The simulator's options from the flags.
fn sim_options(args: &Args) -> anyhow::Result<SimOptions> {
    let vendor = args.vendor.clone().unwrap_or_default();
    let mut o = SimOptions::new(&vendor);
    o.hostname = args.hostname.clone();
    o.user = args.user.clone();
    o.password = args.password.clone().unwrap_or_else(|| "admin".into());
    o.secret = args.secret.clone();
    o.factory = args.factory;
    o.seed = args.seed;
    o.pace_baud = args.pace_baud;
    o.acknowledge = args.acknowledge;
    o.legacy_algorithms = args.legacy_algorithms;
    o.syslog_port = args.syslog_port;
    if let Some(spec) = &args.flaps {
        o.flaps = parse_flaps(spec)?;
        o.flaps_from = args.flaps_from.clone();
    }
    for f in &args.authorized_key {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("{}: cannot read", f.display()))?;
        o.authorized_keys.push(
            russh::keys::PublicKey::from_openssh(text.trim())
                .with_context(|| format!("{}: not an OpenSSH public key", f.display()))?,
        );
    }
    Ok(o)
}

/// `--truth`: every link change the simulators made, a CSV row each.
fn write_truth(path: &std::path::Path, sims: &[Sim]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    w.write_record(["time_unix_ms", "device", "port", "state"])?;
    for s in sims {
        for e in s.truth() {
            let ms = e
                .time
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0);
            w.write_record([
                ms.to_string(),
                e.device,
                e.port,
                if e.up { "up".into() } else { "down".into() },
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
