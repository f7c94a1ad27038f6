//! How a lab reaches a device or an endpoint: `ssh = {…}` (with its jump host),
//! `serial = {…}`, and `console = {…}` (a console server's port), each checked as it is
//! read.

use serde::Deserialize;

use super::lab::lab_path;
use super::source::Source;
use super::values;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshAccess {
    pub host: String,
    #[serde(default = "default_ssh_port", deserialize_with = "tcp_port")]
    pub port: u16,
    pub user: String,
    #[serde(default, deserialize_with = "values::opt_env_var")]
    pub password_env: Option<String>,
    #[serde(default)]
    pub key_file: Option<String>,
    #[serde(default)]
    pub agent: bool,
    /// Offer the old algorithms (dh-group14-sha1, group1-sha1, aes-cbc, hmac-sha1) old switches speak.
    #[serde(default)]
    pub legacy_algorithms: bool,
    /// A bastion to jump through: `user@host[:port]`.
    #[serde(default)]
    pub jump: Option<String>,
    #[serde(default)]
    pub connect_timeout: Option<String>,
}

/// A bastion to jump through, from `jump = "user@host[:port]"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jump {
    pub user: Option<String>,
    pub host: String,
    pub port: u16,
}

impl Jump {
    pub fn parse(text: &str) -> Result<Jump, String> {
        let bad =
            |why: &str| format!("'{text}' {why}; write \"user@bastion\" or \"user@bastion:2222\"");
        let (user, rest) = match text.split_once('@') {
            Some((u, r)) if !u.is_empty() => (Some(u.to_string()), r),
            Some(_) => return Err(bad("has an empty user before '@'")),
            None => (None, text),
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => {
                let port = p
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad("has no port 1 to 65535 after ':'"))?;
                (h, port)
            }
            None => (rest, 22),
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "@/".contains(c)) {
            return Err(bad("has no host name"));
        }
        Ok(Jump {
            user,
            host: host.to_string(),
            port,
        })
    }
}

impl SshAccess {
    /// What a lab file can get wrong in an `ssh = {…}` beyond types: (key, why).
    pub(super) fn check(&self, src: &Source) -> Result<(), (&'static str, String)> {
        if let Some(t) = &self.connect_timeout {
            match humantime::parse_duration(t) {
                Ok(d) if d.is_zero() => {
                    return Err(("connect_timeout", format!("'{t}' is zero; e.g. \"10s\"")));
                }
                Ok(_) => {}
                Err(e) => {
                    return Err((
                        "connect_timeout",
                        format!("'{t}' is not a duration ({e}); e.g. \"10s\""),
                    ));
                }
            }
        }
        if let Some(j) = &self.jump {
            Jump::parse(j).map_err(|why| ("jump", why))?;
        }
        if let Some(k) = &self.key_file {
            let path = lab_path(&src.dir(), k);
            if !path.is_file() {
                return Err((
                    "key_file",
                    format!(
                        "{} is not a file (relative paths are relative to the lab file)",
                        path.display()
                    ),
                ));
            }
        }
        if self.host.trim().is_empty() {
            return Err(("host", "the host cannot be empty".into()));
        }
        Ok(())
    }
}

fn default_ssh_port() -> u16 {
    22
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialAccess {
    pub port: String,
    #[serde(default = "default_baud", deserialize_with = "baud")]
    pub baud: u32,
    #[serde(default)]
    pub data_bits: DataBits,
    #[serde(default)]
    pub parity: Parity,
    #[serde(default)]
    pub stop_bits: StopBits,
    #[serde(default)]
    pub flow_control: FlowControl,
    /// Console login user (many consoles ask for one; default: none asked).
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default, deserialize_with = "values::opt_env_var")]
    pub password_env: Option<String>,
}

/// A device's console reached through a console server or ser2net: its reverse-telnet
/// or raw TCP port, or SSH to a console server that picks the port by the user name
/// (Opengear `admin:7001`, Avocent/Cyclades `admin:ttyS7`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleAccess {
    pub host: String,
    /// The port: required for telnet and raw; SSH defaults to 22.
    #[serde(default, deserialize_with = "opt_tcp_port")]
    pub port: Option<u16>,
    #[serde(default)]
    pub protocol: ConsoleProtocol,
    /// SSH: the console server's user, naming the serial port.
    #[serde(default)]
    pub user: Option<String>,
    /// SSH: the console server's password, by environment variable.
    #[serde(default, deserialize_with = "values::opt_env_var")]
    pub password_env: Option<String>,
    #[serde(default)]
    pub key_file: Option<String>,
    /// The device's own console login (many consoles ask for one; default: none asked).
    #[serde(default)]
    pub login_user: Option<String>,
    #[serde(default, deserialize_with = "values::opt_env_var")]
    pub login_password_env: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConsoleProtocol {
    /// Reverse telnet (RFC 854 with option negotiation), as console servers and ser2net.
    #[default]
    Telnet,
    /// The serial bytes as they are, on a TCP port (ser2net `raw`).
    Raw,
    /// SSH to the console server; the user name picks the port.
    Ssh,
}

impl ConsoleAccess {
    /// The port to connect to.
    pub fn tcp_port(&self) -> Option<u16> {
        match (self.port, self.protocol) {
            (Some(p), _) => Some(p),
            (None, ConsoleProtocol::Ssh) => Some(22),
            (None, _) => None,
        }
    }

    /// A key of the table that is wrong, and why (checked when the lab is read).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match self.protocol {
            ConsoleProtocol::Ssh if self.user.is_none() => Err((
                "user",
                "an SSH console server needs the user that names the port, e.g. \"admin:7001\""
                    .into(),
            )),
            ConsoleProtocol::Telnet | ConsoleProtocol::Raw if self.port.is_none() => Err((
                "port",
                "give the console server's TCP port for this console, e.g. 7001".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The console server as an SSH target (`protocol = "ssh"`).
    pub fn ssh(&self) -> SshAccess {
        SshAccess {
            host: self.host.clone(),
            port: self.tcp_port().unwrap_or(22),
            user: self.user.clone().unwrap_or_default(),
            password_env: self.password_env.clone(),
            key_file: self.key_file.clone(),
            agent: false,
            legacy_algorithms: false,
            jump: None,
            connect_timeout: None,
        }
    }
}

fn opt_tcp_port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    tcp_port(d).map(Some)
}

fn tcp_port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    values::int_in(d, 1, 65535, "a TCP port")
}

fn baud<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    values::int_in(d, 50, 4_000_000, "a baud rate (9600, 115200, …)")
}

fn default_baud() -> u32 {
    9600
}
/// Bits in a character on a serial line: `data_bits = 5 … 8` (8 when not written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataBits {
    Five,
    Six,
    Seven,
    #[default]
    Eight,
}

impl<'de> Deserialize<'de> for DataBits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DataBits, D::Error> {
        match values::integer(d)? {
            5 => Ok(DataBits::Five),
            6 => Ok(DataBits::Six),
            7 => Ok(DataBits::Seven),
            8 => Ok(DataBits::Eight),
            n => Err(serde::de::Error::custom(format!(
                "{n} is out of range: use 5, 6, 7 or 8"
            ))),
        }
    }
}

/// Stop bits after a character: `stop_bits = 1` (when not written) or `2`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StopBits {
    #[default]
    One,
    Two,
}

impl<'de> Deserialize<'de> for StopBits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StopBits, D::Error> {
        match values::integer(d)? {
            1 => Ok(StopBits::One),
            2 => Ok(StopBits::Two),
            n => Err(serde::de::Error::custom(format!(
                "{n} is out of range: use 1 or 2"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    #[default]
    None,
    Odd,
    Even,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    #[default]
    None,
    Software,
    Hardware,
}
