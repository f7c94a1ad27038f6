//! `switchlab traffic sink` and `traffic blast`: the frames of an RFC 2544 trial by hand
//! (what `run` starts on the endpoints for a `[[benchmark]]`).

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use switchlab::run::traffic::frames::{self, Blast, TrialReport};

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// The sink's UDP address (the first of the two its line names).
    #[arg(required_unless_present = "loopback")]
    pub sink: Option<SocketAddr>,
    /// The sink's control address (the second).
    #[arg(long, value_name = "ADDR:PORT", required_unless_present = "loopback")]
    pub control: Option<SocketAddr>,
    /// No sink: one on this machine's loopback, the trial flat out, to tell what the
    /// generator itself reaches (its ceiling) with no switch between.
    #[arg(long, conflicts_with_all = ["sink", "control", "fps", "frames"])]
    pub loopback: bool,
    /// Send from this local address.
    #[arg(long, value_name = "ADDR")]
    pub from: Option<IpAddr>,
    /// The Ethernet frame size, 64 to 9216 bytes (headers and FCS counted).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(64..=9216))]
    pub frame_size: u32,
    /// Frames per second; without it, as fast as this machine sends.
    #[arg(long, value_parser = positive_rate)]
    pub fps: Option<f64>,
    #[arg(long, default_value = "10s", value_parser = super::positive_duration)]
    pub duration: Duration,
    /// A burst of exactly this many frames (back-to-back) instead of a timed trial.
    #[arg(long)]
    pub frames: Option<u64>,
    /// Rise from a tenth of --fps to it over this long before the trial (not counted).
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    pub ramp: Duration,
    /// After the trial, wait at most this long for frames still in flight.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub drain: Duration,
    /// The trial's number at the sink (1 to 65535).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub trial: u16,
    /// Have the sink send every frame back and time round trips, halved (for a sink on
    /// another machine, whose clock is not this one's).
    #[arg(long)]
    pub reflect: bool,
    /// How frames leave: `ring` (whole frames into a PACKET_MMAP ring, past the socket
    /// layer: root), `udp` (sendmmsg), or `auto` (the ring where it opens, else UDP; the
    /// report says which and why).
    #[arg(long, value_enum, default_value_t = frames::FramePath::Auto)]
    pub(crate) frame_path: frames::FramePath,
    /// One JSON document instead of a line.
    #[arg(long)]
    pub json: bool,
}

fn positive_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("'{s}': give frames per second, e.g. 100000")),
    }
}

pub(super) fn sink(bind: IpAddr, buffer_kb: usize) -> anyhow::Result<ExitCode> {
    let sink = frames::Sink::bind(bind, buffer_kb.saturating_mul(1024))
        .map_err(|e| anyhow::anyhow!("frame sink on {bind}: {e}"))?;
    // The line a sender (and `run`) reads the addresses from; stdout, at once.
    println!("{}", sink.line());
    sink.serve()?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn blast(a: &BlastArgs) -> anyhow::Result<ExitCode> {
    let size = a.frame_size as usize;
    let report = match (a.loopback, a.sink, a.control) {
        (true, ..) => frames::ceiling(size, a.duration, a.frame_path)?,
        (false, Some(to), Some(control)) => {
            let b = Blast {
                to,
                control,
                from: a.from,
                frame_size: size,
                fps: a.fps,
                duration: a.duration,
                frames: a.frames,
                ramp: a.ramp,
                drain: a.drain,
                trial: a.trial,
                reflect: a.reflect,
                path: a.frame_path,
            };
            frames::blast(&b, &AtomicBool::new(false))?
        }
        // clap requires both unless --loopback.
        _ => anyhow::bail!("give the sink's address and --control, or --loopback"),
    };
    match a.json {
        true => println!("{}", serde_json::to_string(&report)?),
        false => println!("{}", line(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `64 B: sent 1000000 at 99998 fps over 10.0 s, received 999990 (0.001% lost), latency …`
fn line(r: &TrialReport) -> String {
    let latency = r.count.latency.map(|l| {
        format!(
            ", latency min {:.1} avg {:.1} p99 {:.1} max {:.1} µs{}",
            l.min_us,
            l.avg_us,
            l.p99_us,
            l.max_us,
            if l.halved_round_trip {
                " (round trip halved)"
            } else {
                ""
            }
        )
    });
    // Frames it owed and did not send: said, so a rate short of the one asked explains itself.
    let behind = match r.behind {
        0 => String::new(),
        n => format!(" ({n} owed not sent: the sender fell behind)"),
    };
    format!(
        "{} B: sent {} at {:.0} fps{behind} over {:.1} s, received {} ({:.3}% lost){}",
        r.frame_size,
        r.sent,
        r.sent_fps,
        r.seconds,
        r.count.received,
        r.loss_percent(),
        latency.unwrap_or_default()
    )
}
