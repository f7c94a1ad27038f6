//! Configuring: enter config mode, send each line and check its answer against the
//! profile's error patterns, stop at the first rejected line (nothing after it is sent),
//! leave config mode. And verifying from `show running-config` that every line landed.

use super::{Driver, DriverError, Step};

impl Driver {
    /// Push config lines; `Rejected` names the 1-based line number among `lines`.
    pub async fn configure(&mut self, lines: &[String]) -> Result<(), DriverError> {
        let config = self.vendor.profile.modes.get("config").cloned();
        let enter = config
            .and_then(|m| m.enter)
            .unwrap_or_else(|| "configure terminal".into());
        let out = self.send_command(&enter).await?;
        if self.mode != "config" {
            return Err(DriverError::ModeChange {
                device: self.device(),
                command: enter,
                wanted: "config".into(),
                prompt: self.mode.clone(),
                said: out.trim().to_string(),
            });
        }
        for (i, raw) in lines.iter().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('!') {
                continue;
            }
            let out = self.send_command(line).await?;
            if let Some(message) = self.error_in(&out) {
                self.leave_config().await?;
                return Err(DriverError::Rejected {
                    device: self.device(),
                    line_no: i + 1,
                    line: line.to_string(),
                    message,
                });
            }
            if !self.in_config_tree() {
                let prompt = self.mode.clone();
                self.leave_config().await?;
                return Err(DriverError::LeftConfig {
                    device: self.device(),
                    line_no: i + 1,
                    line: line.to_string(),
                    prompt,
                });
            }
        }
        self.leave_config().await
    }

    fn in_config_tree(&self) -> bool {
        let modes = &self.vendor.profile.modes;
        let mut cur = self.mode.as_str();
        while let Some(m) = modes.get(cur) {
            if cur == "config" {
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
    pub async fn leave_config(&mut self) -> Result<(), DriverError> {
        for _ in 0..6 {
            if self.mode == "privileged" {
                return Ok(());
            }
            match self.step_toward("privileged", &self.mode.clone()) {
                Step::Leave(cmd) | Step::Enter(_, cmd) => {
                    self.send_command(&cmd).await?;
                }
                Step::Stuck => break,
            }
        }
        if self.mode == "privileged" {
            Ok(())
        } else {
            Err(DriverError::Lost {
                device: self.device(),
                steps: 6,
                prompt: self.mode.clone(),
            })
        }
    }

    /// Read the running config and list the pushed lines that are not in it.
    pub async fn missing_lines(
        &mut self,
        lines: &[String],
    ) -> Result<Vec<(usize, String)>, DriverError> {
        let cmd = self.vendor.profile.commands.running_config.clone();
        let running = self.send_command(&cmd).await?;
        Ok(verify_config(
            &self.vendor.profile.verify.ignore_compiled(),
            lines,
            &running,
        ))
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Section-aware check: a top-level pushed line must be a top-level running line; an
/// indented one must sit under the same head. Lines matching `ignore` (the profile's
/// `verify.ignore`: defaults the device never shows, like IOS `no shutdown`) are skipped.
pub fn verify_config(
    ignore: &[regex::Regex],
    pushed: &[String],
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
    let mut missing = Vec::new();
    let mut head: Option<String> = None;
    for (i, l) in pushed.iter().enumerate() {
        let n = norm(l);
        if n.is_empty() || n.starts_with('!') {
            continue;
        }
        let indented = l.starts_with(char::is_whitespace);
        if !indented {
            head = Some(n.clone());
        }
        if ignore.iter().any(|r| r.is_match(&n)) {
            continue;
        }
        let found = if indented {
            let h = head.clone().unwrap_or_default();
            sections
                .iter()
                .any(|(sh, body)| *sh == h && body.contains(&n))
        } else {
            sections.iter().any(|(sh, _)| *sh == n)
        };
        if !found {
            missing.push((i + 1, l.trim().to_string()));
        }
    }
    missing
}
