//! `[[throughput]]`: a test between two lab endpoints (TCP goodput or UDP at a rate), and
//! the engines that run it.

use serde::Deserialize;
use toml::Spanned;

use crate::format::values;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThroughputTest {
    #[serde(deserialize_with = "values::plain_name")]
    pub name: String,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    #[serde(default = "default_test_duration")]
    pub duration: Spanned<String>,
    #[serde(default = "default_streams", deserialize_with = "streams")]
    pub streams: u32,
    /// TCP window, e.g. "4M"; absent = the OS default.
    #[serde(default)]
    pub window: Option<String>,
    /// absent = iperf3 where it is installed, else the built-in engine.
    #[serde(default)]
    pub engine: Option<Engine>,
    /// `tcp` (default) or `udp`.
    #[serde(default)]
    pub protocol: Protocol,
    /// UDP's target rate: "1G", "500M", "100000" bits per second (required with udp).
    #[serde(default)]
    pub rate: Option<Spanned<String>>,
    /// Devices to measure the test through (default: every device under test that cables
    /// both endpoints).
    #[serde(default)]
    pub through: Option<Vec<Spanned<String>>>,
}

fn default_test_duration() -> Spanned<String> {
    Spanned::new(0..0, "10s".into())
}
fn default_streams() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Iperf3,
    Builtin,
}

impl Engine {
    /// The name the manifest and run.json use.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Iperf3 => "iperf3",
            Engine::Builtin => "builtin",
        }
    }
}

fn streams<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    values::int_in(d, 1, 128, "streams (parallel connections)")
}
