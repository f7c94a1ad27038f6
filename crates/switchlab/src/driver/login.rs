//! Getting a fresh session to privileged mode, as a pure state machine: each thing the
//! channel stopped at (a prompt, a login question, a pager, a dialog) goes in, the one
//! action to take comes out. No I/O here, so every path is unit-tested with made-up hits.

use super::{Credentials, DriverError};
use crate::channel::{Hit, Want};
use crate::vendor::{ModeName, Vendor};

/// How many things a login may stop at before it is called lost.
pub(crate) const MAX_STEPS: usize = 40;

/// What to do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Send this line (and Enter).
    Line(String),
    /// Send these bytes as they are (a pager's answer).
    Raw(String),
    /// Privileged mode is reached.
    Done,
    /// Nothing: a stale prompt from before the last command; read on.
    Wait,
}

/// One step from `from` toward `target` in the mode graph: enter the next mode down the
/// chain (its name and command), or leave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Enter(ModeName, String),
    Leave(String),
    Stuck,
}

/// The mode graph's step from `from` toward `target`.
pub(crate) fn step_toward(vendor: &Vendor, target: &ModeName, from: Option<&ModeName>) -> Step {
    let modes = &vendor.profile.modes;
    // Walk up from the target; if `from` is an ancestor, enter the child on the path.
    let mut cur = target;
    while let Some(m) = modes.get(cur) {
        match &m.parent {
            Some(p) if Some(p) == from => {
                return m
                    .enter
                    .clone()
                    .map_or(Step::Stuck, |e| Step::Enter(cur.clone(), e));
            }
            Some(p) => cur = p,
            None => break,
        }
    }
    from.and_then(|f| modes.get(f))
        .and_then(|m| m.leave.clone())
        .map_or(Step::Stuck, Step::Leave)
}

/// Where a login is.
pub(crate) struct Login<'a> {
    device: &'a str,
    vendor: &'a Vendor,
    creds: &'a Credentials,
    /// The mode being entered (a password asked now is the enable secret).
    entering: Option<ModeName>,
    /// The enable secret went out, and no prompt of the mode it opens came back yet.
    secret_sent: bool,
    user_sent: Option<String>,
    password_sent: bool,
    /// After a mode command, prompts that arrive before its echo are stale (left over
    /// from an earlier Enter) and say nothing about where the command led.
    awaiting_echo: Option<String>,
    /// The last prompt seen, and the mode it showed.
    pub(crate) last_prompt: String,
    pub(crate) mode: Option<ModeName>,
}

impl<'a> Login<'a> {
    pub(crate) fn new(device: &'a str, vendor: &'a Vendor, creds: &'a Credentials) -> Login<'a> {
        Login {
            device,
            vendor,
            creds,
            entering: None,
            secret_sent: false,
            user_sent: None,
            password_sent: false,
            awaiting_echo: None,
            last_prompt: String::new(),
            mode: None,
        }
    }

    /// What the channel may stop at during a login.
    pub(crate) fn wants(vendor: &Vendor) -> Vec<Want> {
        let mut wants = vec![Want::LoginFailed, Want::Pager];
        wants.extend((0..vendor.dialogs.len()).map(Want::Dialog));
        wants.extend([Want::Prompt, Want::Username, Want::Password]);
        wants
    }

    /// The next action for what the channel stopped at.
    pub(crate) fn step(&mut self, hit: &Hit) -> Result<Action, DriverError> {
        if hit.want == Want::Prompt
            && let Some(cmd) = &self.awaiting_echo
        {
            if !super::echoed(&hit.before, cmd) {
                return Ok(Action::Wait);
            }
            self.awaiting_echo = None;
        }
        if hit.want != Want::Prompt {
            // A question (password, dialog) came after the command: its echo is behind us.
            self.awaiting_echo = None;
        }
        let refused = match hit.want {
            Want::LoginFailed | Want::Password => self.secret_sent,
            Want::Prompt => self.secret_sent && hit.mode != Some(ModeName::Privileged),
            _ => false,
        };
        if refused {
            return Err(DriverError::SecretRefused {
                device: self.device.into(),
                secret_from: self.creds.secret_from.clone(),
                said: self.masked(&hit.before),
            });
        }
        match hit.want {
            // Before any credential went out, a failure is stale text from whoever used the
            // console before (left at `Password:`, our Enter was their empty password).
            Want::LoginFailed if !self.credential_sent() => Ok(Action::Wait),
            Want::LoginFailed => Err(self.failed(hit)),
            Want::Pager => Ok(Action::Raw(
                self.vendor.profile.session.pager_answer.clone(),
            )),
            Want::Dialog(i) => {
                let answer = self.vendor.dialogs.get(i).map(|d| d.answer.as_str());
                Ok(Action::Line(expand(
                    self.device,
                    self.creds,
                    answer.unwrap_or(""),
                )?))
            }
            Want::Username => {
                let user = self
                    .creds
                    .user
                    .clone()
                    .ok_or_else(|| self.needs("user name", &self.creds.user_key))?;
                self.user_sent = Some(user.clone());
                Ok(Action::Line(user))
            }
            Want::Password => self.password(),
            Want::Prompt => self.prompt(hit),
            Want::Pattern(_) => Ok(Action::Wait),
        }
    }

    /// The login refused: as whom, with the password from where, and what the device said.
    fn failed(&self, hit: &Hit) -> DriverError {
        DriverError::LoginFailed {
            device: self.device.into(),
            message: self.masked(&hit.before),
            user: self.user_sent.clone(),
            password_from: self
                .password_sent
                .then(|| self.creds.password_from.clone().unwrap_or_default()),
        }
    }

    /// A password prompt: after `enable` it asks the enable secret; otherwise the login's.
    fn password(&mut self) -> Result<Action, DriverError> {
        let secret = self.entering.take().is_some();
        self.secret_sent = secret;
        self.password_sent = !secret;
        let value = match secret {
            true => self
                .creds
                .secret
                .clone()
                .ok_or_else(|| self.needs("enable secret", "secret_env"))?,
            false => self
                .creds
                .password
                .clone()
                .ok_or_else(|| self.needs("login password", &self.creds.password_key))?,
        };
        Ok(Action::Line(value))
    }

    /// A prompt: privileged is the end; otherwise one step along the mode graph.
    fn prompt(&mut self, hit: &Hit) -> Result<Action, DriverError> {
        self.last_prompt = hit.tail.clone();
        self.mode = hit.mode.clone();
        if self.mode == Some(ModeName::Privileged) {
            return Ok(Action::Done);
        }
        match step_toward(self.vendor, &ModeName::Privileged, self.mode.as_ref()) {
            Step::Enter(next, cmd) => {
                self.entering = Some(next);
                self.awaiting_echo = Some(cmd.clone());
                Ok(Action::Line(cmd))
            }
            Step::Leave(cmd) => {
                self.entering = None;
                self.awaiting_echo = Some(cmd.clone());
                Ok(Action::Line(cmd))
            }
            Step::Stuck => Err(self.lost()),
        }
    }

    /// What the device said, trimmed, with the credentials masked (a console that echoes
    /// the password puts it right before the failure).
    fn masked(&self, said: &str) -> String {
        let mut secrets = crate::secrets::Secrets::default();
        for s in [&self.creds.password, &self.creds.secret]
            .into_iter()
            .flatten()
        {
            secrets.add(s);
        }
        secrets.mask(said.trim())
    }

    fn credential_sent(&self) -> bool {
        self.user_sent.is_some() || self.password_sent || self.secret_sent
    }

    /// Privileged mode was not reached (within the steps, or the graph has no way).
    pub(crate) fn lost(&self) -> DriverError {
        DriverError::Lost {
            device: self.device.into(),
            steps: MAX_STEPS,
            prompt: self.last_prompt.clone(),
        }
    }

    fn needs(&self, what: &'static str, key: &str) -> DriverError {
        DriverError::NeedsCredential {
            device: self.device.into(),
            what,
            key: key.to_string(),
        }
    }
}

/// `$password` / `$secret` in a dialog answer.
pub(crate) fn expand(
    device: &str,
    creds: &Credentials,
    answer: &str,
) -> Result<String, DriverError> {
    let needs = |what, key: &str| DriverError::NeedsCredential {
        device: device.into(),
        what,
        key: key.to_string(),
    };
    match answer {
        "$password" => creds
            .password
            .clone()
            .ok_or_else(|| needs("password", &creds.password_key)),
        "$secret" => creds
            .secret
            .clone()
            .ok_or_else(|| needs("secret", "secret_env")),
        a => Ok(a.to_string()),
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
