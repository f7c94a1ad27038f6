//! The vendor profile schema: everything switchlab knows about a vendor's CLI, as data.
//! One `vendors/<name>.toml` per vendor; see README "Vendor profiles" for every key.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole vendor profile as written in `vendors/<name>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub vendor: VendorInfo,
    /// The mode graph, by mode name. `privileged` and `config` must exist.
    pub modes: BTreeMap<super::mode::ModeName, Mode>,
    #[serde(default)]
    pub login: Login,
    /// Questions a device may ask before or between commands, with their answers.
    #[serde(default, rename = "dialog")]
    pub dialogs: Vec<Dialog>,
    #[serde(default)]
    pub session: Session,
    pub save: Save,
    /// Patterns that mark a rejected command in the device's answer.
    pub errors: Vec<String>,
    #[serde(default)]
    pub ports: Ports,
    #[serde(default)]
    pub commands: Commands,
    #[serde(default)]
    pub verify: Verify,
    #[serde(default)]
    pub restore: super::restore::Restore,
    #[serde(default, rename = "parse")]
    pub parse: Vec<ParseRule>,
    /// Log lines that report a link going up or down.
    #[serde(default, rename = "link_event")]
    pub link_events: Vec<LinkEventRule>,
    /// Any asynchronous log line (link event or not), so it can be kept out of command output.
    #[serde(default)]
    pub async_line: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorInfo {
    pub name: String,
    pub display: String,
    #[serde(default)]
    pub models: Vec<String>,
    /// The names other tools give this platform (Netmiko device types, Nornir/NAPALM
    /// platforms, pyATS `os`, NetBox platform slugs), for `switchlab import`.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// What is known to be uncertain about this profile, shown by `switchlab vendors`.
    #[serde(default)]
    pub notes: Option<String>,
}

/// One CLI mode: how to recognise its prompt and how to get in and out of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mode {
    /// Regex for the prompt line, matched against the last line of output.
    pub prompt: String,
    /// The mode one `leave` goes back to; absent for a root mode (where a login lands).
    #[serde(default)]
    pub parent: Option<super::mode::ModeName>,
    /// Command that enters this mode from its parent (absent for sub-modes entered by
    /// ordinary config lines, such as an interface).
    #[serde(default)]
    pub enter: Option<String>,
    /// Command that leaves this mode.
    #[serde(default)]
    pub leave: Option<String>,
    /// Prompt asking for a password while entering (e.g. `Password:` after `enable`).
    #[serde(default)]
    pub auth_prompt: Option<String>,
}

/// Console login prompts (SSH logins authenticate in the protocol instead).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[serde(default = "default_username_prompt")]
    pub username_prompt: String,
    #[serde(default = "default_password_prompt")]
    pub password_prompt: String,
    #[serde(default = "default_login_failure")]
    pub failure: String,
}

impl Default for Login {
    fn default() -> Self {
        Login {
            username_prompt: default_username_prompt(),
            password_prompt: default_password_prompt(),
            failure: default_login_failure(),
        }
    }
}

fn default_username_prompt() -> String {
    r"(?i)(user ?name|login|user):\s*$".into()
}
fn default_password_prompt() -> String {
    r"(?i)password:\s*$".into()
}
fn default_login_failure() -> String {
    r"(?i)(login invalid|login incorrect|authentication failed|access denied|bad passwords)".into()
}

/// A question and its answer. `answer` may be `$password` or `$secret` (from the lab's env vars).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dialog {
    pub pattern: String,
    pub answer: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Commands run once in privileged mode after connecting (paging off, width).
    #[serde(default)]
    pub on_open: Vec<String>,
    /// Pager text that stops long output until a key is pressed.
    #[serde(default)]
    pub pager: Option<String>,
    #[serde(default = "default_pager_answer")]
    pub pager_answer: String,
    /// How Enter is sent: "\r" on consoles and most SSH shells.
    #[serde(default = "default_newline")]
    pub newline: String,
    /// A config line starting with this is a comment and is not sent (`!` on IOS-like CLIs).
    #[serde(default)]
    pub comment: Option<String>,
    /// Config lines sent ahead of their answers over a network session.
    #[serde(default)]
    pub type_ahead: Option<TypeAhead>,
}

/// `[session.type_ahead]`: the device reads lines typed ahead in order and echoes each
/// after the prompt before it (its CLI does its own echo, not a kernel tty's), so a push
/// sends up to `lines` config lines before reading their answers. Only over SSH: a serial
/// line has no flow control to hold what the device has not read yet. The cost: lines
/// sent behind a refused one are taken too (the error names them).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeAhead {
    /// How many lines may be in flight (at least 2, or it would be line by line).
    pub lines: usize,
    /// Lines that may leave configuration mode (`end`, `exit`): each goes alone, after
    /// every answer before it is in, so nothing is ever typed ahead into another mode.
    pub alone: Vec<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            on_open: Vec::new(),
            pager: None,
            pager_answer: default_pager_answer(),
            newline: default_newline(),
            comment: None,
            type_ahead: None,
        }
    }
}

fn default_pager_answer() -> String {
    " ".into()
}
fn default_newline() -> String {
    "\r".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Save {
    pub command: String,
    /// Text that proves the save worked; absent = reaching the prompt without an error.
    #[serde(default)]
    pub success: Option<String>,
    #[serde(default, rename = "dialog")]
    pub dialogs: Vec<Dialog>,
}

/// Port naming: long and short forms, so `Gi0/1`, `GigabitEthernet0/1` and
/// `GigabitEthernet 0/1` all name the same port.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ports {
    #[serde(default, rename = "type")]
    pub types: Vec<PortType>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortType {
    pub long: String,
    #[serde(default)]
    pub short: Vec<String>,
}

/// `commands.interface_list`: `command` with `{ports}` for the port names joined by
/// `separator`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortList {
    pub command: String,
    pub separator: String,
}

/// The show commands the driver and the flap watch use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commands {
    #[serde(default = "default_show_version")]
    pub version: String,
    /// A regex with a group `v` that finds the software version in `version`'s output
    /// (run.json records it per device).
    #[serde(default)]
    pub version_pattern: Option<String>,
    #[serde(default = "default_show_interfaces")]
    pub interfaces: String,
    /// One port's `interfaces` output (`{port}` is the lab's port name), parsed with the
    /// `interfaces` rule. The watch polls only the ports it watches with it: on a 9600-baud
    /// console a whole switch's `show interfaces` takes half a minute.
    #[serde(default)]
    pub interface: Option<String>,
    /// The watched ports' `interfaces` output in one command, where the OS takes a list
    /// (EOS `show interfaces Ethernet1,Ethernet2`): one round trip a poll, not one a port.
    #[serde(default)]
    pub interface_list: Option<PortList>,
    #[serde(default = "default_show_logging")]
    pub logging: String,
    #[serde(default = "default_show_running")]
    pub running_config: String,
    /// One port's part of the running config (`{port}` is the lab's port name), read for
    /// a port without link to tell a shut port from a dead link where `interfaces`
    /// cannot (Force10 says `is down` for both).
    #[serde(default)]
    pub interface_config: Option<String>,
    /// A regex for the line of `interface_config`'s output that says the port is shut.
    #[serde(default)]
    pub shut_pattern: Option<String>,
    /// The commands whose output the cable audit reads (each with a `transceiver` parse
    /// rule); their records of one port are merged, the first command's fields first.
    #[serde(default)]
    pub transceivers: Vec<String>,
    /// The command that shows the device's clock (`show clock`), for `doctor`'s skew check.
    #[serde(default)]
    pub clock: Option<String>,
    /// A regex over `clock`'s output with groups `time` (HH:MM:SS), `mon` (Jan…), `day`,
    /// `year`, and optionally `zone`.
    #[serde(default)]
    pub clock_pattern: Option<String>,
}

impl Default for Commands {
    fn default() -> Self {
        Commands {
            interface_config: None,
            transceivers: Vec::new(),
            shut_pattern: None,
            clock: None,
            clock_pattern: None,
            version: default_show_version(),
            interfaces: default_show_interfaces(),
            interface: None,
            interface_list: None,
            version_pattern: None,
            logging: default_show_logging(),
            running_config: default_show_running(),
        }
    }
}

fn default_show_version() -> String {
    "show version".into()
}
fn default_show_interfaces() -> String {
    "show interfaces".into()
}
fn default_show_logging() -> String {
    "show logging".into()
}
fn default_show_running() -> String {
    "show running-config".into()
}

/// Checking a push against `show running-config`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// Pushed lines the running config never shows (defaults such as IOS `no shutdown`,
    /// mode changes such as `exit`), as regexes on the whitespace-folded line.
    #[serde(default = "default_verify_ignore")]
    pub ignore: Vec<String>,
}

impl Default for Verify {
    fn default() -> Self {
        Verify {
            ignore: default_verify_ignore(),
        }
    }
}

fn default_verify_ignore() -> Vec<String> {
    vec!["^(end|exit)$".into()]
}

/// How the output of one show command becomes port states (or link events).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParseRule {
    pub command: String,
    pub style: ParseStyle,
    /// `port` (the port-state schema, the default) or `transceiver`.
    #[serde(default)]
    pub record: ParseRecord,
    /// Rows (or blocks) are read only after a line matching this (a section of the output).
    #[serde(default)]
    pub after: Option<String>,
    /// ... and up to a line matching this.
    #[serde(default)]
    pub until: Option<String>,
    /// A port the output names by number alone (`49`) is this port type's (`Ethernet49`),
    /// when the audit matches it to the lab; `parse` prints it as the device does.
    #[serde(default)]
    pub bare_port: Option<String>,
    /// `table`: regexes for one row (the first that matches wins); named groups are schema fields.
    #[serde(default)]
    pub rows: Vec<String>,
    /// `blocks`: a regex for the line that opens one port's block.
    #[serde(default)]
    pub start: Option<String>,
    /// `blocks`: a regex for any block's header, one the rule reads or not (`pseudowire1
    /// is up`, a fan's `NAME:`): it ends the block before it, so that block's lines are
    /// not taken for the port's.
    #[serde(default)]
    pub ends: Option<String>,
    /// `blocks`: field name → regex applied to each line of the block; group `v` is the value.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// field name → ordered [regex, value] pairs turning device words into schema values.
    #[serde(default)]
    pub map: BTreeMap<String, Vec<[String; 2]>>,
    /// field → the captured group it is computed from through its `map` (e.g. admin from
    /// a status column that also gives oper).
    #[serde(default)]
    pub derive: BTreeMap<String, String>,
    /// `table`: field → the header word of its column (`description = "Name"`). Where the
    /// device prints that header, a row's fields are read by the header's column positions,
    /// so a description holding a status word (`disabled link`) cannot pass for the status.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// What a parse rule reads: port states (the default) or transceivers.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ParseRecord {
    #[default]
    Port,
    Transceiver,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ParseStyle {
    /// One port per matching line.
    Table,
    /// One port per block of lines, opened by `start`.
    Blocks,
    /// Link events found by the profile's `link_event` patterns.
    Events,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkEventRule {
    /// Regex with groups `port` and (unless `state` is given) `state`.
    pub pattern: String,
    /// Fixed state for patterns whose wording carries it (e.g. `OSTATE_DN`): `up` or
    /// `down` (anything else is refused when the profile is loaded).
    #[serde(default)]
    pub state: Option<crate::states::LinkState>,
}
