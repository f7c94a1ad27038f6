//! `switchlab sim --replay`: recorded sessions of one device served again; the vendor's
//! part of the replay (prompts, error lines, port names) read from its profile.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use switchlab::vendor::{Registry, Vendor};
use switchlab_sim::replay::{self, Replay, ReplayProfile, ReplayServer, Speed};

/// Start the replay of `files` on the listeners the flags give, each said on `out`.
pub(super) async fn start(
    args: &super::sim::Args,
    files: &[PathBuf],
    reg: &Registry,
    out: &mut std::io::Stdout,
) -> anyhow::Result<(ReplayServer, Arc<Replay>)> {
    if args.ssh.is_empty() && args.serial_link.is_empty() {
        anyhow::bail!("give at least one listener: --ssh 127.0.0.1:2201 or --serial-link PATH");
    }
    let speed = args.speed.unwrap_or(Speed::Times(1.0));
    let how = How {
        vendor: args.vendor.clone(),
        speed,
        password: args.password.clone(),
        secret: args.secret.clone(),
        strict: args.strict,
    };
    let replay = Arc::new(load(files, reg, &how)?);
    let mut server = ReplayServer::new();
    for addr in &args.ssh {
        let bound = replay::serve_ssh(replay.clone(), *addr, &mut server)
            .await
            .with_context(|| format!("ssh listener on {addr}"))?;
        writeln!(out, "ssh {bound}")?;
    }
    for link in &args.serial_link {
        replay::serve_console(replay.clone(), link, &mut server)
            .with_context(|| format!("console at {}", link.display()))?;
        writeln!(out, "serial {}", link.display())?;
    }
    Ok((server, replay))
}

/// How a replay plays.
pub struct How {
    /// The vendor, where the recordings do not name it (or name another).
    pub vendor: Option<String>,
    pub speed: Speed,
    /// The one password accepted (default: any).
    pub password: Option<String>,
    /// The one enable secret accepted (default: any).
    pub secret: Option<String>,
    /// A command never recorded ends the replay.
    pub strict: bool,
}

/// One device's recordings ready to serve, the vendor's part read from its profile in `reg`.
pub fn load(files: &[PathBuf], reg: &Registry, how: &How) -> anyhow::Result<Replay> {
    let name = replay::vendor_of(files, how.vendor.as_deref())?;
    let vendor = reg.vendor(&name).with_context(|| {
        format!(
            "the recording's vendor '{name}' has no profile; profiles: {} (add one with --vendors DIR)",
            reg.vendor_names().join(", ")
        )
    })?;
    let profile = profile(vendor);
    let password = how.password.clone();
    let replay = Replay::load(files, profile, how.speed, password, how.strict)?;
    Ok(replay.with_secret(how.secret.clone()))
}

/// What a replay takes from `vendor`'s profile.
pub(crate) fn profile(vendor: &Vendor) -> ReplayProfile {
    let mut prompts = Vec::new();
    for m in &vendor.modes {
        prompts.push(m.prompt.clone());
        prompts.extend(m.auth_prompt.clone());
    }
    prompts.push(vendor.username_prompt.clone());
    prompts.push(vendor.password_prompt.clone());
    let dialogs = vendor.dialogs.iter().chain(&vendor.save_dialogs);
    prompts.extend(dialogs.map(|d| d.pattern.clone()));
    prompts.extend(vendor.pager.clone());
    let invalid = vendor
        .profile
        .errors
        .iter()
        .find_map(|p| literal(p))
        .filter(|text| vendor.errors.is_match(text))
        .unwrap_or_else(|| "% Invalid input detected".to_string());
    let port_names = vendor
        .profile
        .ports
        .types
        .iter()
        .map(|t| (t.long.clone(), t.short.clone()))
        .collect();
    ReplayProfile {
        vendor: vendor.name().to_string(),
        prompts,
        errors: Some(vendor.errors.clone()),
        invalid,
        port_names,
    }
}

/// The text an error pattern such as `^% Invalid input detected` matches literally, if it
/// is a literal once anchors and escapes are taken off.
fn literal(pattern: &str) -> Option<String> {
    let p = pattern.trim_start_matches("(?i)").trim_start_matches('^');
    let p = p.strip_suffix('$').unwrap_or(p);
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().filter(|n| !n.is_ascii_alphanumeric())?),
            '[' | ']' | '(' | ')' | '{' | '}' | '*' | '+' | '?' | '|' | '.' | '$' | '^' => {
                return None;
            }
            c => out.push(c),
        }
    }
    (!out.trim().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_pattern_gives_its_literal_text_or_none() {
        assert_eq!(
            literal("^% Invalid input detected").as_deref(),
            Some("% Invalid input detected")
        );
        assert_eq!(
            literal("Invalid input ->").as_deref(),
            Some("Invalid input ->")
        );
        assert_eq!(literal("^(?i)error"), None);
        assert_eq!(literal(r"^% Bad \d"), None);
    }

    #[test]
    fn every_built_in_profile_gives_an_invalid_answer_its_own_errors_recognise() {
        let reg = Registry::load(None, None).unwrap();
        for v in reg.vendors() {
            let p = profile(v);
            assert!(v.errors.is_match(&p.invalid), "{}: {}", v.name(), p.invalid);
        }
    }
}
