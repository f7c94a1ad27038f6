//! The driver's commands beyond running one: the software version, the clock, saving the
//! config with the vendor's dialogs.

use super::{Driver, DriverError, echoed, strip_echo};
use crate::channel::{Hit, Want};
use crate::vendor::Pattern;

impl Driver {
    /// The software version (`commands.version`, read with `commands.version_pattern`);
    /// None where the profile has no pattern, the pattern finds nothing, or the device
    /// rejects the command.
    pub(crate) async fn software_version(&mut self) -> Result<Option<String>, DriverError> {
        let vendor = self.vendor.clone();
        let Some(re) = vendor.version_pattern.as_ref() else {
            return Ok(None);
        };
        match self.show(&vendor.profile.commands.version).await {
            Ok(out) => Ok(re
                .captures(&out)
                .and_then(|c| c.name("v"))
                .map(|v| v.as_str().to_string())),
            Err(DriverError::CommandRejected { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The device's clock, by the profile's `commands.clock` and `clock_pattern`: the
    /// civil time it shows and the zone it names; None where the profile has no clock
    /// command. A rejected command is `CommandRejected`; an answer the pattern does not
    /// read is `CommandFailed`.
    pub(crate) async fn clock(
        &mut self,
    ) -> Result<Option<(jiff::civil::DateTime, String)>, DriverError> {
        let vendor = self.vendor.clone();
        let (Some(cmd), Some(re)) = (
            vendor.profile.commands.clock.clone(),
            vendor.clock_pattern.as_ref(),
        ) else {
            return Ok(None);
        };
        let out = self.show(&cmd).await?;
        let unread = |why: &str| DriverError::CommandFailed {
            device: self.device(),
            command: cmd.clone(),
            message: format!("{why}: {}", self.masked(out.trim())),
        };
        let c = re
            .captures(&out)
            .ok_or_else(|| unread("the answer does not match the profile's clock_pattern"))?;
        let get = |g: &str| c.name(g).map_or("", |m| m.as_str());
        let text = format!(
            "{} {} {} {}",
            get("year"),
            get("mon"),
            get("day"),
            get("time")
        );
        let at = jiff::civil::DateTime::strptime("%Y %b %d %H:%M:%S", &text)
            .map_err(|_| unread("not a date and time"))?;
        Ok(Some((at, get("zone").to_string())))
    }

    /// Send a line and wait for a prompt or one of the given dialogs, answering them.
    async fn send_with_dialogs(
        &mut self,
        command: &str,
        dialogs: &[(Pattern, String)],
        what: &str,
    ) -> Result<String, DriverError> {
        self.ch.send_line(command).await?;
        let extra: Vec<Pattern> = dialogs.iter().map(|(r, _)| r.clone()).collect();
        let mut wants = vec![Want::Prompt];
        wants.extend((0..extra.len()).map(Want::Pattern));
        let mut out = String::new();
        for _ in 0..8 {
            let hit = self.ch.read_until(&wants, &extra, what).await?;
            if hit.want == Want::Prompt && out.is_empty() && !echoed(&hit.before, command) {
                continue;
            }
            out.push_str(&hit.before);
            match hit.want {
                Want::Pattern(i) => {
                    out.push_str(&hit.tail);
                    out.push('\n');
                    let answer = super::login::expand(&self.ch.device, &self.creds, &dialogs[i].1)?;
                    self.ch.send_line(&answer).await?;
                }
                _ => {
                    self.mode = hit.mode.clone();
                    return Ok(strip_echo(&Hit { before: out, ..hit }, command));
                }
            }
        }
        Err(DriverError::CommandFailed {
            device: self.device(),
            command: command.into(),
            message: "the device kept asking questions".into(),
        })
    }

    /// Save the running config with the vendor's command and dialogs.
    pub(crate) async fn save(&mut self) -> Result<String, DriverError> {
        let save = self.vendor.profile.save.clone();
        let dialogs: Vec<(Pattern, String)> = self
            .vendor
            .save_dialogs
            .iter()
            .map(|a| (a.pattern.clone(), a.answer.clone()))
            .collect();
        let out = self
            .send_with_dialogs(
                &save.command,
                &dialogs,
                &format!("the prompt after `{}`", save.command),
            )
            .await?;
        if let Some(msg) = self.error_in(&out) {
            return Err(DriverError::CommandFailed {
                device: self.device(),
                command: save.command,
                message: msg,
            });
        }
        if let Some(ok) = &self.vendor.save_success
            && !ok.is_match(&out)
        {
            return Err(DriverError::CommandFailed {
                device: self.device(),
                command: save.command,
                message: format!(
                    "no `{}` in the answer: {:?}",
                    ok.as_str(),
                    self.masked(out.trim())
                ),
            });
        }
        Ok(out)
    }
}
