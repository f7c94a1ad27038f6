//! `[flaps]`: the watch's sources, poll interval, duration and syslog receiver.

use serde::Deserialize;
use toml::Spanned;

#[derive(
    Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum FlapSource {
    /// Flap counters and last-change times from `show interfaces`.
    Counters,
    /// Oper up/down between polls.
    #[default]
    State,
    /// Asynchronous lines on the console session.
    Console,
    /// The device's log buffer (`show logging`).
    Buffer,
    /// The built-in syslog receiver.
    Syslog,
}

impl FlapSource {
    pub const ALL: [FlapSource; 5] = [
        FlapSource::Counters,
        FlapSource::State,
        FlapSource::Console,
        FlapSource::Buffer,
        FlapSource::Syslog,
    ];

    /// The name the manifest and the run folder use (`counters`, `syslog`).
    pub fn as_str(self) -> &'static str {
        match self {
            FlapSource::Counters => "counters",
            FlapSource::State => "state",
            FlapSource::Console => "console",
            FlapSource::Buffer => "buffer",
            FlapSource::Syslog => "syslog",
        }
    }
}

impl std::fmt::Display for FlapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlapWatch {
    #[serde(default = "default_sources")]
    pub sources: Vec<FlapSource>,
    #[serde(default = "default_interval")]
    pub interval: Spanned<String>,
    #[serde(default = "default_watch_duration")]
    pub duration: Spanned<String>,
    /// Where the syslog receiver listens; devices are pointed at it by `logging_host`.
    #[serde(default = "default_syslog_listen", deserialize_with = "socket_addr")]
    pub syslog_listen: std::net::SocketAddr,
}

impl Default for FlapWatch {
    fn default() -> Self {
        FlapWatch {
            sources: default_sources(),
            interval: default_interval(),
            duration: default_watch_duration(),
            syslog_listen: default_syslog_listen(),
        }
    }
}

fn default_sources() -> Vec<FlapSource> {
    FlapSource::ALL.to_vec()
}
fn default_interval() -> Spanned<String> {
    Spanned::new(0..0, "1s".into())
}
fn default_watch_duration() -> Spanned<String> {
    Spanned::new(0..0, "10m".into())
}
/// Unprivileged, so a watch needs no root; real switches default to 514, so the baseline
/// tells them the port (`logging_port`).
pub const DEFAULT_SYSLOG_LISTEN: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 5514);

fn default_syslog_listen() -> std::net::SocketAddr {
    DEFAULT_SYSLOG_LISTEN
}

fn socket_addr<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::net::SocketAddr, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "'{s}' is not ADDRESS:PORT; write e.g. \"0.0.0.0:5514\" (port 0: any free port)"
        ))
    })
}
