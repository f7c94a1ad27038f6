//! A profile checked and made ready to use: every regex compiled once, the mode graph
//! checked (every mode reachable, `privileged` and `config` present), modes ordered so the
//! most specific prompt is tried first. The `[[parse]]` rules, which a push or a console
//! never reads, are compiled the first time one is looked up (they were half of a
//! profile's compile time, and so of a short push's start): see [`Vendor::parse_rules`].

use std::sync::OnceLock;

use regex::Regex;

use super::compiler::Compiler;
use super::mode::ModeName;
use super::pattern::Pattern;
use super::profile::{ParseRecord, ParseStyle, Profile};
use crate::format::{FormatError, Source};

/// A vendor profile ready for the driver, the parser and the flap watch. Cheap to clone:
/// every session of one vendor shares the same compiled regexes, and with them their
/// search caches (a deep clone per session cost about 1.4 MiB each in a 500-switch watch).
#[derive(Debug, Clone)]
pub struct Vendor(std::sync::Arc<VendorData>);

impl std::ops::Deref for Vendor {
    type Target = VendorData;
    fn deref(&self) -> &VendorData {
        &self.0
    }
}

/// What a [`Vendor`] holds.
#[derive(Debug)]
pub struct VendorData {
    pub profile: Profile,
    pub origin: Origin,
    /// SHA-256 of the profile's text (run.json records which profile a run used).
    pub digest: String,
    /// Modes, deepest in the graph first (a config prompt is also a valid privileged prompt shape on some vendors).
    pub modes: Vec<ModeInfo>,
    pub dialogs: Vec<Answer>,
    pub save_dialogs: Vec<Answer>,
    pub save_success: Option<Pattern>,
    pub pager: Option<Pattern>,
    /// The error patterns as one set: every line of every answer is checked against them
    /// (`regex`'s, not session [`Pattern`]s: a watch checks every line of every poll).
    pub errors: regex::RegexSet,
    pub username_prompt: Pattern,
    pub password_prompt: Pattern,
    pub login_failure: Pattern,
    pub link_events: Vec<LinkEventPattern>,
    /// Tried on every line a device prints: `regex`'s, not a session [`Pattern`].
    pub async_line: Option<Regex>,
    /// `[[parse]]`, compiled at first use from `source`.
    parse: OnceLock<Vec<CompiledParse>>,
    source: Source,
    /// `verify.ignore`, compiled.
    pub verify_ignore: Vec<Pattern>,
    /// `[restore]`, compiled.
    pub restore: super::restore::RestoreRules,
    /// `commands.version_pattern`, compiled (it has a group `v`).
    pub version_pattern: Option<Pattern>,
    /// `commands.clock_pattern`, compiled (it has the groups `time`, `mon`, `day`, `year`).
    pub clock_pattern: Option<Pattern>,
    /// `commands.shut_pattern`, compiled (multi-line: it matches one line).
    pub shut_pattern: Option<Pattern>,
    /// `[session.type_ahead]`, checked and compiled.
    pub type_ahead: Option<super::type_ahead::TypeAhead>,
}

/// Where a profile was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Folder(std::path::PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn => write!(f, "built in"),
            Origin::Folder(p) => write!(f, "{}", p.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModeInfo {
    pub name: ModeName,
    pub prompt: Pattern,
    pub auth_prompt: Option<Pattern>,
    pub depth: usize,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub pattern: Pattern,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct LinkEventPattern {
    pub pattern: Pattern,
    pub state: Option<crate::states::LinkState>,
}

#[derive(Debug, Clone)]
pub struct CompiledParse {
    pub command: String,
    pub style: ParseStyle,
    pub record: super::profile::ParseRecord,
    pub after: Option<Regex>,
    pub until: Option<Regex>,
    pub bare_port: Option<String>,
    pub rows: Vec<Regex>,
    pub start: Option<Regex>,
    pub ends: Option<Regex>,
    pub fields: Vec<(String, Regex)>,
    pub map: Vec<(String, Vec<(Regex, String)>)>,
    pub derive: Vec<(String, String)>,
    /// field → header words of its column.
    pub columns: Vec<(String, String)>,
}

impl Vendor {
    /// Read and check a profile from its TOML text.
    pub fn from_source(src: &Source, origin: Origin) -> Result<Vendor, FormatError> {
        let profile: Profile = src.parse_toml()?;
        let c = Compiler::new(src);
        check_port_commands(&c, &profile)?;
        let cmds = &profile.commands;
        let version_pattern = (cmds.version_pattern.as_deref())
            .map(|p| {
                c.with_v(
                    c.regex("commands.version_pattern", p)?,
                    p,
                    "commands.version_pattern",
                )
            })
            .transpose()?;
        let v = VendorData {
            modes: modes(&c, &profile)?,
            shut_pattern: c.opt(
                "commands.shut_pattern",
                cmds.shut_pattern
                    .as_deref()
                    .map(|p| format!("(?m){p}"))
                    .as_deref(),
            )?,
            clock_pattern: clock_pattern(&c, cmds.clock_pattern.as_deref())?,
            version_pattern,
            dialogs: c.answers("dialog.pattern", &profile.dialogs)?,
            save_dialogs: c.answers("save.dialog.pattern", &profile.save.dialogs)?,
            save_success: c.opt("save.success", profile.save.success.as_deref())?,
            pager: c.opt("session.pager", profile.session.pager.as_deref())?,
            errors: c.scan_set("errors", &profile.errors)?,
            username_prompt: c.regex("login.username_prompt", &profile.login.username_prompt)?,
            password_prompt: c.regex("login.password_prompt", &profile.login.password_prompt)?,
            login_failure: c.regex("login.failure", &profile.login.failure)?,
            link_events: super::compiled_parse::link_events(&c, &profile.link_events)?,
            async_line: (profile.async_line.as_deref())
                .map(|p| c.line_start("async_line", p))
                .transpose()?,
            parse: OnceLock::new(),
            source: src.clone(),
            verify_ignore: c.all("verify.ignore", &profile.verify.ignore)?,
            restore: super::restore::compile(&c, &profile.restore)?,
            type_ahead: super::type_ahead::compile(&c, profile.session.type_ahead.as_ref())?,
            digest: crate::record::digest(&src.text),
            profile,
            origin,
        };
        for cmd in &v.profile.commands.transceivers {
            let want = lookup_key(cmd);
            let found = (v.profile.parse.iter())
                .any(|r| r.record == ParseRecord::Transceiver && fold(&r.command) == want);
            if !found {
                return Err(c.invalid(
                    cmd,
                    "commands.transceivers",
                    format!("'{cmd}' has no [[parse]] rule with record = \"transceiver\" for it"),
                ));
            }
        }
        Ok(Vendor(std::sync::Arc::new(v)))
    }

    /// Compile the `[[parse]]` rules now, saying the first one that does not compile
    /// (a profile from a folder is checked whole when it is loaded).
    pub fn compile_parse_rules(&self) -> Result<&[CompiledParse], FormatError> {
        if let Some(rules) = self.parse.get() {
            return Ok(rules);
        }
        let rules = self.compile_parse()?;
        Ok(self.parse.get_or_init(|| rules))
    }

    /// The `[[parse]]` rules, compiled once. A built-in profile's rules all compile
    /// (`tests/vendors.rs` checks each) and a folder's were checked at load, so the error
    /// branch is not taken; if it were, it is logged once and no rule is found, which
    /// each caller reports as a command it cannot read.
    pub fn parse_rules(&self) -> &[CompiledParse] {
        self.parse.get_or_init(|| {
            self.compile_parse().unwrap_or_else(|e| {
                tracing::error!("{e}");
                Vec::new()
            })
        })
    }

    fn compile_parse(&self) -> Result<Vec<CompiledParse>, FormatError> {
        let c = Compiler::new(&self.source);
        (self.profile.parse.iter())
            .map(|r| super::compiled_parse::compile(&c, r))
            .collect()
    }

    pub fn name(&self) -> &str {
        &self.profile.vendor.name
    }

    pub fn mode(&self, name: &ModeName) -> Option<&ModeInfo> {
        self.modes.iter().find(|m| &m.name == name)
    }

    /// The rule reading `record`s from a command's output (`{port}` and what follows it
    /// left out: one port's output is read as the whole switch's).
    pub fn parse_rule_for(&self, command: &str, record: ParseRecord) -> Option<&CompiledParse> {
        let want = lookup_key(command);
        (self.parse_rules().iter()).find(|r| r.record == record && fold(&r.command) == want)
    }

    /// The parse rule for a command, compared with whitespace folded.
    pub fn parse_rule(&self, command: &str) -> Option<&CompiledParse> {
        let want = fold(command);
        self.parse_rules().iter().find(|r| fold(&r.command) == want)
    }
}

/// The mode graph's prompts, deepest first (a config prompt is also a valid privileged
/// prompt shape on some vendors).
fn modes(c: &Compiler, profile: &Profile) -> Result<Vec<ModeInfo>, FormatError> {
    let depths = mode_depths(profile, c)?;
    let mut modes = Vec::new();
    for (name, m) in &profile.modes {
        modes.push(ModeInfo {
            name: name.clone(),
            prompt: c.regex(&format!("modes.{name}.prompt"), &m.prompt)?,
            auth_prompt: c.opt(
                &format!("modes.{name}.auth_prompt"),
                m.auth_prompt.as_deref(),
            )?,
            depth: depths
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |(_, d)| *d),
        });
    }
    modes.sort_by(|a, b| b.depth.cmp(&a.depth).then(a.name.cmp(&b.name)));
    Ok(modes)
}

/// A command for one port names the port (`{port}`).
fn check_port_commands(c: &Compiler, profile: &Profile) -> Result<(), FormatError> {
    let cmds = &profile.commands;
    let per_port = [
        ("commands.interface", &cmds.interface),
        ("commands.interface_config", &cmds.interface_config),
    ];
    for (key, cmd) in per_port {
        if let Some(cmd) = cmd
            && !cmd.contains("{port}")
        {
            return Err(c.invalid(
                cmd,
                key,
                format!("'{cmd}' has no {{port}}; write e.g. \"show interfaces {{port}}\""),
            ));
        }
    }
    Ok(())
}

/// `commands.clock_pattern`, with the groups the clock check reads.
fn clock_pattern(c: &Compiler, pattern: Option<&str>) -> Result<Option<Pattern>, FormatError> {
    let Some(p) = pattern else { return Ok(None) };
    let re = c.regex("commands.clock_pattern", p)?;
    let names: Vec<&str> = re.capture_names().flatten().collect();
    match ["time", "mon", "day", "year"]
        .iter()
        .find(|g| !names.contains(g))
    {
        None => Ok(Some(re)),
        Some(g) => Err(c.invalid(
            p,
            "commands.clock_pattern",
            format!(
                "'{p}' has no group `{g}`: it needs `time` (HH:MM:SS), `mon`, `day` and `year`"
            ),
        )),
    }
}

/// What a command's rule is found by: `{port}` and what follows it left out (one port's
/// output is read as the whole switch's), whitespace folded.
fn lookup_key(command: &str) -> String {
    fold(command.split("{port}").next().unwrap_or(command))
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Depth of each mode below its root; errors for unknown parents, cycles, modes that
/// cannot be entered or left, and a missing `privileged` or `config`.
fn mode_depths(p: &Profile, c: &Compiler) -> Result<Vec<(ModeName, usize)>, FormatError> {
    for required in &ModeName::REQUIRED {
        if !p.modes.contains_key(required) {
            let known: Vec<_> = p.modes.keys().map(ModeName::as_str).collect();
            return Err(c.invalid(
                "[modes",
                "modes",
                format!(
                    "the mode graph needs a `{required}` mode; it has: {}",
                    known.join(", ")
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for (name, mode) in &p.modes {
        let depth = mode_depth(p, c, name, mode)?;
        if mode.parent.is_some() && mode.leave.is_none() {
            return Err(c.invalid(
                &format!("[modes.{name}]"),
                &format!("modes.{name}.leave"),
                format!(
                    "mode '{name}' has no `leave` command: the driver could never get out of it"
                ),
            ));
        }
        out.push((name.clone(), depth));
    }
    // privileged and config must be enterable along the chain from their root.
    for target in &ModeName::REQUIRED {
        enterable(p, c, target)?;
    }
    Ok(out)
}

/// How many parents up `name`'s root is: an unknown parent or a loop is an error.
fn mode_depth(
    p: &Profile,
    c: &Compiler,
    name: &ModeName,
    mode: &super::profile::Mode,
) -> Result<usize, FormatError> {
    let mut depth = 0;
    let (mut cur, mut at) = (mode, name);
    while let Some(parent) = &cur.parent {
        let Some(next) = p.modes.get(parent) else {
            return Err(c.invalid(
                &format!("[modes.{at}]"),
                &format!("modes.{at}.parent"),
                format!("parent mode '{parent}' is not defined"),
            ));
        };
        depth += 1;
        if depth > p.modes.len() {
            return Err(c.invalid(
                &format!("[modes.{name}]"),
                &format!("modes.{name}.parent"),
                "the parent chain loops".into(),
            ));
        }
        at = parent;
        cur = next;
    }
    Ok(depth)
}

/// Every mode on the chain from `target`'s root down to it has an `enter` command.
fn enterable(p: &Profile, c: &Compiler, target: &ModeName) -> Result<(), FormatError> {
    let mut cur = target;
    while let Some(m) = p.modes.get(cur) {
        let Some(parent) = &m.parent else { break };
        if m.enter.is_none() {
            return Err(c.invalid(
                &format!("[modes.{cur}]"),
                &format!("modes.{cur}.enter"),
                format!("mode '{cur}' has no `enter` command, so '{target}' cannot be reached"),
            ));
        }
        cur = parent;
    }
    Ok(())
}
