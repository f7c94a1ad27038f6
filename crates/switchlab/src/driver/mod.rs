//! The driver: a device's CLI driven only by its vendor profile. It finds where a session
//! is (login prompt, dialog, pager, any mode) and reaches privileged mode; runs commands;
//! configures line by line (or lines typed ahead, where the profile says the device takes
//! them), stopping at the first line the device rejects; saves with the vendor's
//! dialogs. Every wait is for a pattern, never a fixed sleep.

mod commands;
pub(crate) mod configure;
mod lines;
mod login;
pub(crate) mod session;

use crate::channel::{Channel, ChannelError, Hit, Transcript, Want};
use crate::transport::Connected;
use crate::vendor::{ModeName, Vendor};

/// What the driver may answer with: console login and the enable secret, where each
/// secret came from (`$LAB_PASS`), so a refusal can say which one to fix, and the lab keys
/// that give the login (a console server's are not a serial port's).
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) password_from: Option<String>,
    pub(crate) secret_from: Option<String>,
    /// The lab keys of the console login: `serial.user`, `console.login_user`…
    pub(crate) user_key: String,
    pub(crate) password_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            user: None,
            password: None,
            secret: None,
            password_from: None,
            secret_from: None,
            user_key: "serial.user".into(),
            password_key: "serial.password_env".into(),
        }
    }
}

/// ` from $VAR` where a secret came from an environment variable.
fn from_var(var: &Option<String>) -> String {
    var.as_ref()
        .filter(|v| !v.is_empty())
        .map(|v| format!(" from ${v}"))
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error(
        "device '{device}': the console asks for a {what} and the lab gives none (set {key} in the lab)"
    )]
    NeedsCredential {
        device: String,
        what: &'static str,
        /// The lab key that gives it (`console.login_user`, `secret_env`).
        key: String,
    },
    #[error(
        "device '{device}': console login{} refused{}: {message:?}",
        user.as_ref().map(|u| format!(" as '{u}'")).unwrap_or_default(),
        password_from.as_ref().map(|v| format!(" (password{})", from_var(&Some(v.clone())))).unwrap_or_default()
    )]
    LoginFailed {
        device: String,
        message: String,
        /// The user sent, when one was asked.
        user: Option<String>,
        /// A password was sent: the variable it came from (empty when none is known).
        password_from: Option<String>,
    },
    #[error(
        "device '{device}': the enable secret{} was refused (the device said {said:?}); check secret_env in the lab",
        from_var(secret_from)
    )]
    SecretRefused {
        device: String,
        /// The variable it came from.
        secret_from: Option<String>,
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
    #[error(
        "device '{device}': config line {line_no} rejected: `{line}`: {message}; {}",
        lines::after_it(sent_after, taken_after)
    )]
    Rejected {
        device: String,
        line_no: usize,
        line: String,
        message: String,
        /// Lines typed ahead of this one's answer (see `[session.type_ahead]`), and
        /// those of them the device took.
        sent_after: Vec<usize>,
        taken_after: Vec<usize>,
    },
    #[error(
        "device '{device}': config line {line_no} `{line}` left configuration mode (prompt {prompt:?}); {}",
        lines::after_it(sent_after, taken_after)
    )]
    LeftConfig {
        device: String,
        line_no: usize,
        line: String,
        prompt: String,
        sent_after: Vec<usize>,
        taken_after: Vec<usize>,
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

pub(crate) struct Driver {
    ch: Channel,
    vendor: Vendor,
    /// The mode the last prompt showed (none before the first prompt).
    mode: Option<ModeName>,
    creds: Credentials,
}

impl Driver {
    /// Take over a fresh connection: reach privileged mode and run the on-open commands.
    pub(crate) async fn open(
        device: &str,
        vendor: &Vendor,
        conn: Connected,
        creds: Credentials,
        opts: &crate::transport::ConnectOptions,
        transcript: Transcript,
    ) -> Result<Driver, DriverError> {
        let mut ch = Channel::new(device, vendor, conn);
        ch.idle_timeout = opts.idle_timeout;
        ch.command_timeout = opts.command_timeout;
        ch.transcript = transcript;
        for s in [&creds.password, &creds.secret].into_iter().flatten() {
            ch.add_secret(s);
        }
        let mut d = Driver {
            ch,
            vendor: vendor.clone(),
            mode: None,
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

    /// The mode the last prompt showed, as the profile names it (empty before any).
    fn mode_name(&self) -> String {
        self.mode
            .as_ref()
            .map_or_else(String::new, ModeName::to_string)
    }

    /// The log lines the session showed since they were last taken, each with the time it
    /// arrived (link events already read from them).
    /// The profile this session drives.
    pub(crate) fn vendor(&self) -> &Vendor {
        &self.vendor
    }

    pub(crate) fn take_log_lines(&mut self) -> Vec<crate::channel::SessionLogLine> {
        std::mem::take(&mut self.ch.log_lines)
    }

    /// Keep reading until `until`, only so that log lines keep the time they arrive.
    pub(crate) async fn listen_until(
        &mut self,
        until: std::time::Instant,
    ) -> Result<(), DriverError> {
        Ok(self.ch.listen_until(until).await?)
    }

    /// Record the session's bytes in the transcript, or stop (the repeated polls of a long
    /// watch), saying so there once.
    pub(crate) fn record(&mut self, on: bool, why_not: &str) {
        if !on && !self.ch.transcript.paused {
            self.ch.transcript.note(why_not);
        }
        self.ch.transcript.paused = !on;
    }

    /// Write what the transcript holds; the first write that failed, said once.
    pub(crate) fn flush_transcript(&mut self) -> Option<String> {
        self.ch.transcript.flush();
        self.ch.transcript.take_error()
    }

    /// Run a command whose output is a log buffer: the lines `seen` (the last read) did not
    /// have, in order, and `seen` becomes this read (unchanged when the command fails). The
    /// channel keeps log lines out of ordinary output, so it hands the buffer's to the
    /// comparison as they arrive, then the output's other lines follow: the whole buffer
    /// (a thousand lines) is never held, only its new lines and a hash of each line.
    pub(crate) async fn show_log(
        &mut self,
        command: &str,
        seen: &mut crate::channel::BufferSeen,
    ) -> Result<Vec<String>, DriverError> {
        let read = crate::channel::BufferRead::new(std::mem::take(seen));
        self.ch.buffer = Some(read);
        let out = self.show(command).await;
        let Some(mut read) = self.ch.buffer.take() else {
            return out.map(|_| Vec::new()); // (never: only this function takes it)
        };
        match out {
            Ok(out) => {
                for line in out.lines() {
                    read.line(line);
                }
                let (fresh, now) = read.finish();
                *seen = now;
                Ok(fresh)
            }
            Err(e) => {
                *seen = read.abandon();
                Err(e)
            }
        }
    }

    /// Wherever the session is, get to privileged mode (the login machine decides each
    /// step; this reads and writes).
    async fn reach_privileged(&mut self) -> Result<(), DriverError> {
        let wants = login::Login::wants(&self.vendor);
        let device = self.device();
        let (vendor, creds) = (self.vendor.clone(), self.creds.clone());
        let mut machine = login::Login::new(&device, &vendor, &creds);
        self.ch.send_line("").await?;
        for _ in 0..login::MAX_STEPS {
            let hit = self
                .ch
                .read_until(&wants, &[], "a prompt, a login or a dialog")
                .await?;
            let action = machine.step(&hit)?;
            if let Some(m) = &machine.mode {
                self.mode = Some(m.clone());
            }
            match action {
                login::Action::Line(l) => self.ch.send_line(&l).await?,
                login::Action::Raw(r) => self.ch.send(&r).await?,
                login::Action::Done => return Ok(()),
                login::Action::Wait => {}
            }
        }
        Err(machine.lost())
    }

    /// The first line of `output` matching a profile error pattern, with the line before
    /// it when that is a `^` marker.
    pub(crate) fn error_in(&self, output: &str) -> Option<String> {
        let lines: Vec<&str> = output.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if self.vendor.errors.is_match(l.trim_start()) {
                let rest: Vec<&str> = lines[i..]
                    .iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect();
                return Some(self.masked(&rest.join(" / ")));
            }
        }
        None
    }

    /// `text` from the device with this session's secrets masked, for an error.
    pub(crate) fn masked(&self, text: &str) -> String {
        self.ch.transcript.secrets().mask(text)
    }

    /// Run a command and return its output without echo, log lines or prompt.
    pub(crate) async fn send_command(&mut self, command: &str) -> Result<String, DriverError> {
        self.ch.send_line(command).await?;
        self.reply_to(command).await
    }

    /// The output of `command`, sent last: up to the prompt at the end of the text.
    async fn reply_to(&mut self, command: &str) -> Result<String, DriverError> {
        let what = format!("the prompt after `{command}`");
        loop {
            let hit = self.ch.read_until(&[Want::Prompt], &[], &what).await?;
            if !echoed(&hit.before, command) {
                continue; // a stale prompt from before this command
            }
            self.mode = hit.mode.clone();
            return Ok(strip_echo(&hit, command));
        }
    }

    /// Run a show command: its output, or `CommandRejected` with the device's message when
    /// the answer matches one of the profile's `errors` (an unknown command is not output).
    pub(crate) async fn show(&mut self, command: &str) -> Result<String, DriverError> {
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
