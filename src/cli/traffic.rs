//! `switchlab traffic`: the built-in traffic engine by hand, on any host that has switchlab
//! (and where `run` starts it on an endpoint over SSH, once that is built).

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::Cli;
use switchlab::run::traffic::builtin::{self, Request, SendReport};

/// Measure throughput with the built-in engine (no iperf3 needed).
///
/// `serve` answers tests one after another; `send` runs one test against a server and
/// prints one line per second and a summary (`--json`: one document with the intervals,
/// sent and received bits per second, retransmits where the kernel tells). `sink` and
/// `blast` are RFC 2544's frames: a frame size, a frame rate, loss and latency per frame.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  switchlab traffic serve --bind 198.18.0.2:5201\n  switchlab traffic send 198.18.0.2:5201 --from 198.18.0.1 --streams 4 --duration 10s --json\n  switchlab traffic sink --bind 198.18.0.2\n  switchlab traffic blast 198.18.0.2:40001 --control 198.18.0.2:40002 --frame-size 64 --fps 100000 --duration 10s\n  switchlab traffic blast --loopback --frame-size 64 --duration 2s   # this machine's ceiling"
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Measure one round trip to ADDR from a local address (prints `rtt_ms=…`): a TCP
    /// connect to a closed port is refused after exactly one. `run`'s preflight uses it
    /// on endpoints over SSH.
    Rtt {
        to: IpAddr,
        #[arg(long, value_name = "ADDR")]
        from: IpAddr,
    },
    /// Answer tests on ADDR:PORT until SIGINT/SIGTERM.
    Serve {
        #[arg(long, value_name = "ADDR:PORT")]
        bind: SocketAddr,
        /// End after one test.
        #[arg(long)]
        once: bool,
    },
    /// Run one test against a server.
    Send {
        /// The server's address and port.
        server: SocketAddr,
        /// Parallel TCP streams.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=128))]
        streams: u32,
        #[arg(long, default_value = "10s", value_parser = super::positive_duration)]
        duration: Duration,
        /// The server sends, this side receives.
        #[arg(long)]
        reverse: bool,
        /// Send from this local address (as iperf3's -B).
        #[arg(long, value_name = "ADDR")]
        from: Option<IpAddr>,
        /// One JSON document instead of lines.
        #[arg(long)]
        json: bool,
        /// UDP datagrams at --rate instead of TCP streams: loss and jitter reported.
        #[arg(long, requires = "rate", conflicts_with = "reverse")]
        udp: bool,
        /// UDP's target rate in bits per second: 1G, 500M, 64K.
        #[arg(long, value_parser = rate)]
        rate: Option<u64>,
    },
    /// Count frames for RFC 2544 trials on ADDR (UDP and control ports the kernel picks,
    /// printed as `frame sink on UDP control TCP`) until its control port says `quit`.
    Sink {
        #[arg(long, value_name = "ADDR")]
        bind: IpAddr,
        /// The socket's receive buffer, KiB: a trial's burst waits in it while the sink's
        /// thread waits for a core. Frames it overflows with are counted as the
        /// receiver's loss, never the switch's.
        #[arg(long, value_name = "KIB", default_value_t = 16384)]
        buffer_kb: usize,
    },
    /// Send one RFC 2544 trial to a sink and print what arrived.
    Blast(super::traffic_frames::BlastArgs),
}

pub fn run(_cli: &Cli, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Sink { bind, buffer_kb } => super::traffic_frames::sink(*bind, *buffer_kb),
        Action::Blast(b) => super::traffic_frames::blast(b),
        Action::Rtt { to, from } => match builtin::round_trip(*from, *to) {
            Some(d) => {
                println!("rtt_ms={:.3}", d.as_secs_f64() * 1e3);
                Ok(ExitCode::SUCCESS)
            }
            None => anyhow::bail!("no answer from {to} within a second (from {from})"),
        },
        Action::Serve { bind, once } => serve(*bind, *once),
        Action::Send {
            server,
            streams,
            duration,
            reverse,
            from,
            json,
            udp,
            rate,
        } => {
            let req = Request {
                streams: *streams,
                duration_ms: duration.as_millis() as u64,
                reverse: *reverse,
                udp_rate_bps: rate.filter(|_| *udp),
            };
            send(*server, *from, &req, *json)
        }
    }
}

/// `traffic serve`: tests answered until SIGINT/SIGTERM (exit 130) or, with `once`,
/// until the first is done.
fn serve(bind: SocketAddr, once: bool) -> anyhow::Result<ExitCode> {
    let listener = std::net::TcpListener::bind(bind)
        .map_err(|e| anyhow::anyhow!("traffic server on {bind}: {e}"))?;
    let rt = tokio::runtime::Runtime::new()?;
    // A signal ends the server at once, a test under way included: this is how a
    // remote server ends when its SSH channel closes (the watchdog's SIGTERM).
    let signalled = {
        let _in_rt = rt.enter();
        super::stop_signals()?
    };
    eprintln!(
        "traffic server on {} (Ctrl-C ends it)",
        listener.local_addr()?
    );
    match rt.block_on(builtin::serve_until(listener, once, signalled))? {
        builtin::Served::Done => Ok(ExitCode::SUCCESS),
        builtin::Served::Signalled => Ok(ExitCode::from(switchlab::watch::EXIT_INTERRUPTED)),
    }
}

/// `traffic send`: one test, a line per second of it and one for the whole (or JSON).
fn send(
    server: SocketAddr,
    from: Option<IpAddr>,
    req: &Request,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let stop = AtomicBool::new(false);
    let m = builtin::send(server, from, req, &stop, |i| {
        if !json {
            println!(
                "{:>5.1}-{:<5.1} s  {:>8.3} Gbit/s  {}",
                i.start_s,
                i.end_s,
                i.bits_per_second / 1e9,
                i.retransmits
                    .map(|r| format!("{r} retransmits"))
                    .unwrap_or_default()
            );
        }
    })?;
    let report = SendReport::new(&m, req);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "sent {:.3} Gbit/s, received {:.3} Gbit/s over {:.1} s, {} stream(s){}{}",
            report.sent_bits_per_second / 1e9,
            report.received_bits_per_second / 1e9,
            report.seconds,
            report.streams,
            report
                .retransmits
                .map(|r| format!(", {r} retransmits"))
                .unwrap_or_default(),
            report
                .udp
                .as_ref()
                .map(|u| format!(
                    ", {:.3}% of {} datagrams lost, jitter {:.3} ms",
                    u.lost_percent, u.packets, u.jitter_ms
                ))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn rate(s: &str) -> Result<u64, String> {
    switchlab::format::manifest::parse_rate(s)
        .ok_or_else(|| format!("'{s}': write e.g. 1G, 500M, 64K"))
}
