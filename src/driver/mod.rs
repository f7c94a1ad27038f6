//! The driver: a device's CLI driven only by its vendor profile. It finds where a session
//! is (login prompt, dialog, pager, any mode) and reaches privileged mode; runs commands;
//! configures line by line, stopping at the first line the device rejects; saves with the
//! vendor's dialogs. Every wait is for a pattern, never a fixed sleep.

mod configure;
pub mod session;

use regex::Regex;

use crate::channel::{Channel, ChannelError, Hit, Transcript, Want};
use crate::transport::Connected;
use crate::vendor::Vendor;

pub use configure::{Placed, verify_config};

/// What the driver may answer with: console login and the enable secret, and where each
/// secret came from (`$LAB_PASS`), so a refusal can say which one to fix.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub user: Option<String>,
    pub password: Option<String>,
    pub secret: Option<String>,
    pub password_from: Option<String>,
    pub secret_from: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error("device '{device}': the console asks for a {what} and the lab gives none ({hint})")]
    NeedsCredential {
        device: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("device '{device}': console login{as_user} refused{with}: {message:?}")]
    LoginFailed {
        device: String,
        message: String,
        /// ` as 'admin'`, or empty when no user was asked.
        as_user: String,
        /// ` (password from $LAB_PASS)`, or empty when none was sent.
        with: String,
    },
    #[error(
        "device '{device}': the enable secret{from} was refused (the device said {said:?}); check secret_env in the lab"
    )]
    SecretRefused {
        device: String,
        /// ` from $LAB_SECRET`
        from: String,
        said: String,
    },
    #[error(
        "device '{device}': `{command}` did not reach mode '{wanted}' (prompt {prompt:?}, device said {said:?})"
    )]
    ModeChange {
        device: String,
        command: String,
        wanted: String,
        prompt: String,
        said: String,
    },
    #[error(
        "device '{device}': could not reach privileged mode within {steps} steps (last prompt {prompt:?})"
    )]
    Lost {
        device: String,
        steps: usize,
        prompt: String,
    },
    #[error("device '{device}': config line {line_no} rejected: `{line}`: {message}")]
    Rejected {
        device: String,
        line_no: usize,
        line: String,
        message: String,
    },
    #[error(
        "device '{device}': config line {line_no} `{line}` left configuration mode (prompt {prompt:?}); nothing after it was sent"
    )]
    LeftConfig {
        device: String,
        line_no: usize,
        line: String,
        prompt: String,
    },
    #[error("device '{device}' rejected `{command}`: {message}")]
    CommandRejected {
        device: String,
        command: String,
        message: String,
    },
    #[error("device '{device}': `{command}` failed: {message}")]
    CommandFailed {
        device: String,
        command: String,
        message: String,
    },
}

pub struct Driver {
    pub ch: Channel,
    pub vendor: Vendor,
    pub mode: String,
    creds: Credentials,
}

impl Driver {
    /// Take over a fresh connection: reach privileged mode and run the on-open commands.
    pub async fn open(
        device: &str,
        vendor: &Vendor,
        conn: Connected,
        creds: Credentials,
        idle_timeout: std::time::Duration,
        transcript: Transcript,
    ) -> Result<Driver, DriverError> {
        let mut ch = Channel::new(device, vendor, conn);
        ch.idle_timeout = idle_timeout;
        ch.transcript = transcript;
        for s in [&creds.password, &creds.secret].into_iter().flatten() {
            ch.add_secret(s);
        }
        let mut d = Driver {
            ch,
            vendor: vendor.clone(),
            mode: String::new(),
            creds,
        };
        if let Err(e) = d.reach_privileged().await {
            d.ch.transcript.note(&e.to_string());
            return Err(e);
        }
        for cmd in d.vendor.profile.session.on_open.clone() {
            let out = d.send_command(&cmd).await?;
            if let Some(msg) = d.error_in(&out) {
                tracing::warn!("{device}: on-open command `{cmd}` refused: {msg}");
            }
        }
        Ok(d)
    }

    fn device(&self) -> String {
        self.ch.device.clone()
    }

    /// The log lines the session showed since they were last taken, each with the time it
    /// arrived (link events already read from them).
    pub fn take_log_lines(&mut self) -> Vec<crate::channel::SessionLogLine> {
        std::mem::take(&mut self.ch.log_lines)
    }

    /// Keep reading until `until`, only so that log lines keep the time they arrive.
    pub async fn listen_until(&mut self, until: std::time::Instant) -> Result<(), DriverError> {
        Ok(self.ch.listen_until(until).await?)
    }

    /// Record the session's bytes in the transcript, or stop (the repeated polls of a long
    /// watch), saying so there once.
    pub fn record(&mut self, on: bool, why_not: &str) {
        if !on && !self.ch.transcript.paused {
            self.ch.transcript.note(why_not);
        }
        self.ch.transcript.paused = !on;
    }

    /// Write what the transcript holds; the first write that failed, said once.
    pub fn flush_transcript(&mut self) -> Option<String> {
        self.ch.transcript.flush();
        self.ch.transcript.take_error()
    }

    /// Run a command whose output is log lines (a log buffer): the channel keeps such lines
    /// out of ordinary output, so here they are put back, in order.
    pub async fn show_log(&mut self, command: &str) -> Result<Vec<String>, DriverError> {
        let before = self.ch.log_lines.len();
        let out = self.show(command).await?;
        let mut lines: Vec<String> = self.ch.log_lines.drain(before..).map(|l| l.line).collect();
        lines.extend(
            out.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty()),
        );
        Ok(lines)
    }

    /// Wherever the session is, get to privileged mode.
    async fn reach_privileged(&mut self) -> Result<(), DriverError> {
        let mut wants = vec![Want::LoginFailed, Want::Pager];
        wants.extend((0..self.vendor.dialogs.len()).map(Want::Dialog));
        wants.extend([Want::Prompt, Want::Username, Want::Password]);
        let mut entering: Option<String> = None;
        // The enable secret went out, and no prompt of the mode it opens came back yet.
        let mut secret_sent = false;
        let mut user_sent: Option<String> = None;
        let mut password_sent = false;
        self.ch.send_line("").await?;
        let mut last_prompt = String::new();
        // After a mode command, prompts that arrive before its echo are stale (left over
        // from an earlier Enter) and say nothing about where the command led.
        let mut awaiting_echo: Option<String> = None;
        for _ in 0..40 {
            let hit = self
                .ch
                .read_until(&wants, &[], "a prompt, a login or a dialog")
                .await?;
            if hit.want == Want::Prompt
                && let Some(cmd) = &awaiting_echo
            {
                if !echoed(&hit.before, cmd) {
                    continue;
                }
                awaiting_echo = None;
            }
            if hit.want != Want::Prompt {
                // A question (password, dialog) came after the command: its echo is behind us.
                awaiting_echo = None;
            }
            let refused = match hit.want {
                Want::LoginFailed | Want::Password => secret_sent,
                Want::Prompt => secret_sent && hit.mode.as_deref() != Some("privileged"),
                _ => false,
            };
            if refused {
                return Err(DriverError::SecretRefused {
                    device: self.device(),
                    from: from_var(&self.creds.secret_from, " from "),
                    said: hit.before.trim().to_string(),
                });
            }
            match hit.want {
                Want::LoginFailed => {
                    return Err(DriverError::LoginFailed {
                        device: self.device(),
                        message: hit.before.trim().to_string(),
                        as_user: user_sent.map(|u| format!(" as '{u}'")).unwrap_or_default(),
                        with: match password_sent {
                            true => format!(
                                " (password{})",
                                from_var(&self.creds.password_from, " from ")
                            ),
                            false => String::new(),
                        },
                    });
                }
                Want::Pager => {
                    let a = self.vendor.profile.session.pager_answer.clone();
                    self.ch.send(&a).await?;
                }
                Want::Dialog(i) => {
                    let answer = self.expand(&self.vendor.dialogs[i].answer.clone())?;
                    self.ch.send_line(&answer).await?;
                }
                Want::Username => {
                    let user =
                        self.creds
                            .user
                            .clone()
                            .ok_or_else(|| DriverError::NeedsCredential {
                                device: self.device(),
                                what: "user name",
                                hint: "set serial.user in the lab",
                            })?;
                    self.ch.send_line(&user).await?;
                    user_sent = Some(user);
                }
                Want::Password => {
                    // After `enable` this is the enable secret; otherwise the login password.
                    secret_sent = entering.is_some();
                    password_sent = !secret_sent;
                    let secret =
                        if entering.is_some() {
                            self.creds.secret.clone().ok_or_else(|| {
                                DriverError::NeedsCredential {
                                    device: self.device(),
                                    what: "enable secret",
                                    hint: "set secret_env in the lab",
                                }
                            })?
                        } else {
                            self.creds.password.clone().ok_or_else(|| {
                                DriverError::NeedsCredential {
                                    device: self.device(),
                                    what: "login password",
                                    hint: "set serial.password_env in the lab",
                                }
                            })?
                        };
                    self.ch.send_line(&secret).await?;
                    entering = None;
                }
                Want::Prompt => {
                    let mode = hit.mode.clone().unwrap_or_default();
                    last_prompt = hit.tail.clone();
                    self.mode = mode.clone();
                    if mode == "privileged" {
                        return Ok(());
                    }
                    let step = self.step_toward("privileged", &mode);
                    match step {
                        Step::Enter(next, cmd) => {
                            entering = Some(next);
                            self.ch.send_line(&cmd).await?;
                            awaiting_echo = Some(cmd);
                        }
                        Step::Leave(cmd) => {
                            entering = None;
                            self.ch.send_line(&cmd).await?;
                            awaiting_echo = Some(cmd);
                        }
                        Step::Stuck => break,
                    }
                }
                Want::Pattern(_) => {}
            }
        }
        Err(DriverError::Lost {
            device: self.device(),
            steps: 40,
            prompt: last_prompt,
        })
    }

    /// `$password` / `$secret` in a dialog answer.
    fn expand(&self, answer: &str) -> Result<String, DriverError> {
        Ok(match answer {
            "$password" => {
                self.creds
                    .password
                    .clone()
                    .ok_or_else(|| DriverError::NeedsCredential {
                        device: self.device(),
                        what: "password",
                        hint: "set serial.password_env",
                    })?
            }
            "$secret" => self
                .creds
                .secret
                .clone()
                .ok_or_else(|| DriverError::NeedsCredential {
                    device: self.device(),
                    what: "secret",
                    hint: "set secret_env",
                })?,
            a => a.to_string(),
        })
    }

    /// One step from `from` toward `target`: enter the next mode down the chain, or leave.
    fn step_toward(&self, target: &str, from: &str) -> Step {
        let modes = &self.vendor.profile.modes;
        // Walk up from the target; if `from` is an ancestor, enter the child on the path.
        let mut cur = target;
        while let Some(m) = modes.get(cur) {
            match &m.parent {
                Some(p) if p == from => {
                    return m
                        .enter
                        .clone()
                        .map_or(Step::Stuck, |e| Step::Enter(cur.to_string(), e));
                }
                Some(p) => cur = p,
                None => break,
            }
        }
        modes
            .get(from)
            .and_then(|m| m.leave.clone())
            .map_or(Step::Stuck, Step::Leave)
    }

    /// The first line of `output` matching a profile error pattern, with the line before
    /// it when that is a `^` marker.
    pub fn error_in(&self, output: &str) -> Option<String> {
        let lines: Vec<&str> = output.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if self
                .vendor
                .errors
                .iter()
                .any(|e| e.is_match(l.trim_start()))
            {
                let rest: Vec<&str> = lines[i..]
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect();
                return Some(rest.join(" / "));
            }
        }
        None
    }

    /// Run a command and return its output without echo, log lines or prompt.
    pub async fn send_command(&mut self, command: &str) -> Result<String, DriverError> {
        self.ch.send_line(command).await?;
        let what = format!("the prompt after `{command}`");
        loop {
            let hit = self.ch.read_until(&[Want::Prompt], &[], &what).await?;
            if !echoed(&hit.before, command) {
                continue; // a stale prompt from before this command
            }
            self.mode = hit.mode.clone().unwrap_or_default();
            return Ok(strip_echo(&hit, command));
        }
    }

    /// Run a show command: its output, or `CommandRejected` with the device's message when
    /// the answer matches one of the profile's `errors` (an unknown command is not output).
    pub async fn show(&mut self, command: &str) -> Result<String, DriverError> {
        let out = self.send_command(command).await?;
        match self.error_in(&out) {
            Some(message) => Err(DriverError::CommandRejected {
                device: self.device(),
                command: command.into(),
                message,
            }),
            None => Ok(out),
        }
    }

    /// The software version (`commands.version`, read with `commands.version_pattern`);
    /// None where the profile has no pattern, the pattern finds nothing, or the device
    /// rejects the command.
    pub async fn software_version(&mut self) -> Result<Option<String>, DriverError> {
        let Some(re) = self.vendor.version_pattern.clone() else {
            return Ok(None);
        };
        let cmd = self.vendor.profile.commands.version.clone();
        match self.show(&cmd).await {
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
    pub async fn clock(&mut self) -> Result<Option<(jiff::civil::DateTime, String)>, DriverError> {
        let (Some(cmd), Some(re)) = (
            self.vendor.profile.commands.clock.clone(),
            self.vendor.clock_pattern.clone(),
        ) else {
            return Ok(None);
        };
        let out = self.show(&cmd).await?;
        let unread = |why: &str| DriverError::CommandFailed {
            device: self.device(),
            command: cmd.clone(),
            message: format!("{why}: {}", out.trim()),
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
        dialogs: &[(Regex, String)],
        what: &str,
    ) -> Result<String, DriverError> {
        self.ch.send_line(command).await?;
        let extra: Vec<Regex> = dialogs.iter().map(|(r, _)| r.clone()).collect();
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
                    let answer = self.expand(&dialogs[i].1)?;
                    self.ch.send_line(&answer).await?;
                }
                _ => {
                    self.mode = hit.mode.clone().unwrap_or_default();
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
    pub async fn save(&mut self) -> Result<String, DriverError> {
        let save = self.vendor.profile.save.clone();
        let dialogs: Vec<(Regex, String)> = self
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
                message: format!("no `{}` in the answer: {:?}", ok.as_str(), out.trim()),
            });
        }
        Ok(out)
    }
}

enum Step {
    Enter(String, String),
    Leave(String),
    Stuck,
}

/// ` from $VAR` when the secret came from an environment variable, else nothing.
fn from_var(var: &Option<String>, lead: &str) -> String {
    var.as_ref()
        .map(|v| format!("{lead}${v}"))
        .unwrap_or_default()
}

/// Whether `text` holds the echo of `command` (an empty command echoes as a bare newline).
fn echoed(text: &str, command: &str) -> bool {
    let want: String = command.split_whitespace().collect();
    if want.is_empty() {
        return text.contains('\n');
    }
    // Squashed across lines: a log line that landed inside the echo was taken out and left
    // the echo's two halves on adjacent lines.
    text.split_whitespace().collect::<String>().contains(&want)
}

/// The text before the prompt, without the echoed command line.
fn strip_echo(hit: &Hit, command: &str) -> String {
    let text = hit.before.as_str();
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    match text.split_once('\n') {
        Some((first, rest)) if squash(first).ends_with(&squash(command)) => rest.to_string(),
        None if squash(text).ends_with(&squash(command)) => String::new(),
        _ => text.to_string(),
    }
}
