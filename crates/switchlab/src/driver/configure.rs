//! Configuring: enter config mode, send the lines and check each answer against the
//! profile's error patterns (`lines.rs`), stop at the first rejected line, leave config
//! mode. And verifying from `show running-config` that every line landed,
//! each under the section the device's prompt showed it was entered in (not by the
//! indentation it was written with: flat configs are common).

/// A pushed line and the modes the device's prompt showed before and after it: `None` is
/// configuration mode itself, `Some(mode)` a sub-mode (an interface, a VLAN).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    /// 1-based line number among the pushed lines.
    pub(crate) line_no: usize,
    pub(crate) line: String,
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
}

use super::login::{Step, step_toward};
use super::{Driver, DriverError};
use crate::vendor::ModeName;
use crate::vendor::restore::Replace;

/// How a push enters and leaves configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Framing<'a> {
    /// The profile's `config` mode, entered and left.
    ConfigMode,
    /// A candidate the device takes at once (`[restore.replace]`): `begin` opens it,
    /// `commit` makes it the running config, `abort` drops it where a line is refused.
    Candidate(&'a Replace),
}

impl Driver {
    /// Push config lines, calling `sent(n)` as each of the first n lines is in;
    /// `Rejected` names the 1-based line number among `lines`. Returns where each line
    /// landed, for [`verify_config`].
    pub(crate) async fn configure_with(
        &mut self,
        lines: &[String],
        sent: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<Placed>, DriverError> {
        self.configure_in(Framing::ConfigMode, lines, sent).await
    }

    /// [`configure_with`](Self::configure_with), entering and leaving as `framing` says.
    /// A refused line (or one that left configuration) ends it: nothing after its batch
    /// is sent, a candidate is aborted, and the session is back in privileged mode.
    pub(crate) async fn configure_in(
        &mut self,
        framing: Framing<'_>,
        lines: &[String],
        sent: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<Placed>, DriverError> {
        self.open_config(framing).await?;
        let placed = match self.send_lines(lines, sent).await {
            Ok(placed) => placed,
            Err(e @ (DriverError::Rejected { .. } | DriverError::LeftConfig { .. })) => {
                self.abandon(framing).await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if let Framing::Candidate(r) = framing {
            for cmd in &r.commit {
                let out = self.send_command(cmd).await?;
                if let Some(message) = self.error_in(&out) {
                    self.abandon(framing).await?;
                    return Err(DriverError::CommandFailed {
                        device: self.device(),
                        command: cmd.clone(),
                        message,
                    });
                }
            }
        }
        self.leave_config().await?;
        Ok(placed)
    }

    async fn open_config(&mut self, framing: Framing<'_>) -> Result<(), DriverError> {
        let enter = match framing {
            // A profile's `config` mode has an `enter` command: the profile was refused at
            // load otherwise (`mode_depths`), so this is never None for a loaded vendor.
            Framing::ConfigMode => vec![
                (self.vendor.profile.modes.get(&ModeName::Config))
                    .and_then(|m| m.enter.clone())
                    .ok_or_else(|| DriverError::CommandFailed {
                        device: self.device(),
                        command: "(enter configuration mode)".into(),
                        message: "the profile's `config` mode has no `enter` command".into(),
                    })?,
            ],
            Framing::Candidate(r) => r.begin.clone(),
        };
        for cmd in enter {
            let out = self.send_command(&cmd).await?;
            let entered = match framing {
                Framing::ConfigMode => self.mode == Some(ModeName::Config),
                Framing::Candidate(_) => self.in_config_tree(),
            };
            let refused = self.error_in(&out);
            if refused.is_some() || !entered {
                if entered {
                    self.abandon(framing).await?;
                }
                return Err(DriverError::ModeChange {
                    device: self.device(),
                    command: cmd,
                    wanted: ModeName::Config.to_string(),
                    prompt: self.mode_name(),
                    said: refused.unwrap_or_else(|| self.masked(out.trim())),
                });
            }
        }
        Ok(())
    }

    /// Leave configuration without taking what was sent, where the framing can.
    async fn abandon(&mut self, framing: Framing<'_>) -> Result<(), DriverError> {
        if let Framing::Candidate(r) = framing
            && self.in_config_tree()
        {
            for cmd in &r.abort {
                self.send_command(cmd).await?;
            }
        }
        self.leave_config().await
    }

    pub(super) fn in_config_tree(&self) -> bool {
        let modes = &self.vendor.profile.modes;
        let Some(mut cur) = self.mode.as_ref() else {
            return false;
        };
        while let Some(m) = modes.get(cur) {
            if cur == &ModeName::Config {
                return true;
            }
            match &m.parent {
                Some(p) => cur = p,
                None => return false,
            }
        }
        false
    }

    /// Leave config (and sub-) modes until privileged.
    pub(crate) async fn leave_config(&mut self) -> Result<(), DriverError> {
        for _ in 0..6 {
            if self.mode == Some(ModeName::Privileged) {
                return Ok(());
            }
            match step_toward(&self.vendor, &ModeName::Privileged, self.mode.as_ref()) {
                Step::Leave(cmd) | Step::Enter(_, cmd) => {
                    self.send_command(&cmd).await?;
                }
                Step::Stuck => break,
            }
        }
        if self.mode == Some(ModeName::Privileged) {
            Ok(())
        } else {
            Err(DriverError::Lost {
                device: self.device(),
                steps: 6,
                prompt: self.mode_name(),
            })
        }
    }

    /// Read the running config and list the pushed lines that are not in it; the
    /// running config as read too.
    pub(crate) async fn missing_lines(
        &mut self,
        placed: &[Placed],
    ) -> Result<(Vec<(usize, String)>, String), DriverError> {
        let cmd = self.vendor.profile.commands.running_config.clone();
        let running = self.show(&cmd).await?;
        let missing = verify_config(&self.vendor.verify_ignore, placed, &running);
        Ok((missing, running))
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Section-aware check, by where each line landed: a line entered at the top of the
/// config must be a top-level running line; a line entered in a sub-mode must sit under the
/// section that sub-mode was opened by, or, if it kept the device in a sub-mode, be the head
/// of a section itself (`interface Gi0/2` typed in Gi0/1's sub-mode opens the next one).
/// Lines matching `ignore` (the profile's `verify.ignore`: defaults the device never shows,
/// like IOS `no shutdown`) are skipped.
pub(crate) fn verify_config(
    ignore: &[crate::vendor::Pattern],
    placed: &[Placed],
    running: &str,
) -> Vec<(usize, String)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for l in running.lines() {
        if l.trim().is_empty() {
            continue;
        }
        if l.starts_with(char::is_whitespace) {
            if let Some(s) = sections.last_mut() {
                s.1.push(norm(l));
            }
        } else {
            sections.push((norm(l), Vec::new()));
        }
    }
    let is_head = |n: &str| sections.iter().any(|(sh, _)| sh == n);
    let under = |h: &str, n: &str| {
        sections
            .iter()
            .any(|(sh, b)| sh == h && b.iter().any(|l| l == n))
    };
    let mut missing = Vec::new();
    let mut head: Option<String> = None;
    for p in placed {
        let n = norm(&p.line);
        let skip = ignore.iter().any(|r| r.is_match(&n));
        let found = match (&p.before, &p.after) {
            // Entered at the top: a top-level line, perhaps opening a section.
            (None, after) => {
                head = after.is_some().then(|| n.clone());
                is_head(&n)
            }
            // A global line typed in a sub-mode leaves it (`logging host …`, `exit`).
            (Some(_), None) => {
                head = None;
                is_head(&n)
            }
            (Some(_), Some(_)) => match &head {
                Some(h) if under(h, &n) => true,
                // The head of the next section (`interface Gi0/2` typed in Gi0/1's).
                _ if is_head(&n) => {
                    head = Some(n.clone());
                    true
                }
                _ => false,
            },
        };
        if !found && !skip {
            missing.push((p.line_no, p.line.clone()));
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as a Catalyst places them: `interface …` opens config-if, the rest stay in it.
    fn placed(lines: &[(&str, bool, bool)]) -> Vec<Placed> {
        let sub = |s: bool| s.then(|| "interface".to_string());
        lines
            .iter()
            .enumerate()
            .map(|(i, (l, before, after))| Placed {
                line_no: i + 1,
                line: l.to_string(),
                before: sub(*before),
                after: sub(*after),
            })
            .collect()
    }

    const RUNNING: &str = "hostname sw\ninterface Gi0/1\n description up\n switchport mode access\ninterface Gi0/2\n description down\n";

    // Regression: a flat config (no indentation, as Netmiko's send_config_set takes it)
    // failed verify although the running config held every line.
    #[test]
    fn a_flat_config_is_verified_under_the_sections_its_lines_were_entered_in() {
        let flat = placed(&[
            ("hostname sw", false, false),
            ("interface Gi0/1", false, true),
            ("description up", true, true),
            ("switchport mode access", true, true),
            ("interface Gi0/2", true, true),
            ("description down", true, true),
            ("exit", true, false),
            ("interface Gi0/1", false, true),
            ("hostname sw", true, false),
        ]);
        let ignore = [crate::vendor::Pattern::new("^exit$").unwrap()];
        assert!(verify_config(&ignore, &flat, RUNNING).is_empty());
    }

    #[test]
    fn a_line_under_the_wrong_section_or_at_the_top_is_missing() {
        let wrong = placed(&[
            ("interface Gi0/2", false, true),
            ("switchport mode access", true, true),
            ("description up", false, false),
        ]);
        assert_eq!(
            verify_config(&[], &wrong, RUNNING),
            [
                (2, "switchport mode access".to_string()),
                (3, "description up".to_string())
            ]
        );
    }
}
