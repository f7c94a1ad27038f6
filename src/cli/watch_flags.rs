//! The flap-watch flags `watch` and `run` share, and how they combine with a manifest's
//! `[flaps]` and `[criteria]`: a flag given wins, then the manifest, then the defaults.

use std::path::PathBuf;
use std::time::Duration;

use super::connect_flags::ConnectFlags;
use switchlab::format::Source;
use switchlab::format::manifest::{DEFAULT_SYSLOG_LISTEN, FlapSource, Manifest, parse_duration};
use switchlab::watch::WatchOptions;
use switchlab::watch::hints::HintFile;

#[derive(Debug, clap::Args)]
pub struct WatchFlags {
    /// How long to watch [default: 10m, or the manifest's [flaps] duration].
    #[arg(long, value_parser = humantime::parse_duration)]
    pub duration: Option<Duration>,
    /// Time between polls [default: 1s, or the manifest's].
    #[arg(long, value_parser = super::positive_duration)]
    pub interval: Option<Duration>,
    /// Sources: counters, state, console, buffer, syslog [default: all, or the manifest's].
    #[arg(long, value_delimiter = ',', value_parser = parse_source)]
    pub sources: Vec<FlapSource>,
    /// Where the syslog receiver listens (port 0: any free port); devices are pointed at
    /// it with `logging host` [default: 0.0.0.0:5514, or the manifest's].
    #[arg(long)]
    pub syslog_listen: Option<std::net::SocketAddr>,
    /// Flaps a port may have and still pass [default: 0, or the manifest's].
    #[arg(long)]
    pub max_flaps: Option<u32>,
    /// Hint rules (default: the built-in hints.toml).
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
    /// The cables table the cable audit reads part numbers and type strings by (default:
    /// the built-in cables.toml).
    #[arg(long, value_name = "FILE")]
    pub cables: Option<PathBuf>,
    /// Keep every poll in transcripts/DEVICE.log (by default the polls after the first
    /// two, but the last, are left out): a recording `switchlab sim --replay` plays a
    /// watch from, its counters and log lines as they evolved.
    #[arg(long)]
    pub transcript_every_poll: bool,
    #[command(flatten)]
    pub connect: ConnectFlags,
}

fn parse_source(s: &str) -> Result<FlapSource, String> {
    FlapSource::ALL
        .into_iter()
        .find(|f| f.as_str() == s)
        .ok_or_else(|| format!("'{s}': use counters, state, console, buffer, syslog"))
}

impl WatchFlags {
    /// The watch options and the receiver's address for a lab (its host keys, its folder),
    /// with the manifest's settings where no flag is given.
    pub(crate) fn resolve(
        &self,
        lab: &switchlab::inputs::LabInputs,
        manifest: Option<(&Manifest, &Source)>,
        ports: Vec<String>,
    ) -> anyhow::Result<(WatchOptions, std::net::SocketAddr)> {
        let duration = |key: &str, pick: fn(&Manifest) -> &toml::Spanned<String>| {
            manifest
                .map(|(m, src)| parse_duration(src, pick(m), key))
                .transpose()
        };
        let sources = match (self.sources.is_empty(), manifest) {
            (false, _) => self.sources.clone(),
            (true, Some((m, _))) => m.flaps.sources.clone(),
            (true, None) => FlapSource::ALL.to_vec(),
        };
        let hints = match &self.hints {
            Some(p) => HintFile::load(p)?,
            None => HintFile::builtin(),
        };
        let opts = WatchOptions {
            duration: match self.duration {
                Some(d) => d,
                None => duration("flaps.duration", |m| &m.flaps.duration)?
                    .unwrap_or(Duration::from_secs(600)),
            },
            interval: match self.interval {
                Some(d) => d,
                None => duration("flaps.interval", |m| &m.flaps.interval)?
                    .unwrap_or(Duration::from_secs(1)),
            },
            ports,
            expect_down: Vec::new(),
            sources,
            max_flaps_per_port: self
                .max_flaps
                .or(manifest.map(|(m, _)| m.criteria.max_flaps_per_port))
                .unwrap_or(0),
            connect: self.connect.options(lab),
            hints,
            buffer_every: 5,
            transcript_every_poll: self.transcript_every_poll,
            syslog: None,
            speeds: Default::default(),
            cables: match &self.cables {
                Some(p) => switchlab::parse::Cables::load(p)?,
                None => switchlab::parse::Cables::builtin(),
            },
        };
        let listen = self
            .syslog_listen
            .or(manifest.map(|(m, _)| m.flaps.syslog_listen))
            .unwrap_or(DEFAULT_SYSLOG_LISTEN);
        Ok((opts, listen))
    }
}
