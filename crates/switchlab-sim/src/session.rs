//! One CLI session on a simulated switch (an SSH shell or the console): line editing and
//! echo, login and dialogs, modes, the pager, and command dispatch. Pure state machine:
//! bytes in, bytes out, so every front end shares it.

use std::sync::{Arc, Mutex, MutexGuard};

use super::dialect::{Dialect, Mode, SUB};
use super::grammar::{self, Mismatch};
use super::state::Device;
pub use super::state::lock;

/// Where the session's input goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stage {
    /// Console idle before anyone pressed Enter.
    Idle,
    /// Factory box: initial-configuration dialog.
    SetupDialog,
    PressReturn,
    /// FTOS SSH banner acknowledgement.
    Acknowledge,
    LoginUser,
    LoginPassword(String),
    EnableSecret,
    /// A save question is pending; what to print after `yes`.
    SaveConfirm {
        done: &'static str,
    },
    /// Output waiting behind the pager.
    Pager(Vec<String>),
    /// Stuck in a command that never ends: input is ignored.
    Hung,
    Cli,
}

pub struct Session {
    pub(super) d: &'static Dialect,
    pub(super) dev: Arc<Mutex<Device>>,
    pub mode: Mode,
    pub(super) stage: Stage,
    line: String,
    last_cr: bool,
    pub(super) term_length: usize,
    pub console: bool,
    /// The config line that opened the current VLAN sub-mode.
    pub(super) vlan_head: Option<String>,
    /// The user logged out: the front end closes an SSH session.
    pub closed: bool,
    echo_secrets: bool,
    pub(super) staging: Option<super::config_session::Staging>,
}

/// Options a front end sets for a new session.
pub struct SessionStart {
    pub console: bool,
    /// SSH already authenticated the user; the session starts in user mode.
    pub authenticated: bool,
    pub acknowledge: bool,
    /// Echo passwords and secrets as they are typed (a badly set up console does).
    pub echo_secrets: bool,
}

impl Session {
    pub fn new(
        d: &'static Dialect,
        dev: Arc<Mutex<Device>>,
        start: SessionStart,
    ) -> (Session, Vec<u8>) {
        let factory = lock(&dev).factory;
        let stage = if start.acknowledge {
            Stage::Acknowledge
        } else if start.console {
            Stage::Idle
        } else if start.authenticated {
            Stage::Cli
        } else {
            Stage::LoginUser
        };
        let mut s = Session {
            d,
            dev,
            mode: Mode::User,
            stage,
            line: String::new(),
            last_cr: false,
            term_length: 24,
            console: start.console,
            vlan_head: None,
            closed: false,
            echo_secrets: start.echo_secrets,
            staging: None,
        };
        if start.console && factory {
            s.stage = Stage::SetupDialog;
        }
        let greeting = match &s.stage {
            Stage::Acknowledge => "\r\nThis system is for authorized use only.\r\nHave you read and do you acknowledge the above statement? [y/n]: ".to_string(),
            Stage::Cli => format!("\r\n{}", s.prompt()),
            Stage::LoginUser => s.d.login.user_prompt.to_string(),
            _ => String::new(),
        };
        (s, greeting.into_bytes())
    }

    pub(super) fn dev(&self) -> MutexGuard<'_, Device> {
        lock(&self.dev)
    }

    pub fn prompt(&self) -> String {
        self.staged_prompt(&self.mode)
            .unwrap_or_else(|| (self.d.prompt)(&self.dev().hostname, &self.mode))
    }

    /// Feed typed bytes; returns what the switch prints back.
    pub fn feed(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in input {
            if let Stage::Pager(_) = self.stage {
                self.pager_key(b, &mut out);
                continue;
            }
            match b {
                b'\r' | b'\n' => {
                    let skip = b == b'\n' && self.last_cr;
                    self.last_cr = b == b'\r';
                    if !skip {
                        out.extend_from_slice(b"\r\n");
                        let line = std::mem::take(&mut self.line);
                        let text = self.enter(&line);
                        out.extend_from_slice(text.as_bytes());
                    }
                }
                0x08 | 0x7f => {
                    self.last_cr = false;
                    if self.line.pop().is_some() && self.echoes() {
                        out.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 | 0x1a => {
                    // Ctrl-C / Ctrl-Z: drop the line; in config modes, back to privileged.
                    self.last_cr = false;
                    self.line.clear();
                    if self.stage == Stage::Hung {
                        self.stage = Stage::Cli; // the stuck command is interrupted
                    }
                    if self.stage == Stage::Cli
                        && self.mode.bit() & (super::dialect::CONF | SUB) != 0
                    {
                        self.mode = Mode::Privileged;
                    }
                    out.extend_from_slice(
                        format!("^{}\r\n{}", if b == 3 { 'C' } else { 'Z' }, self.prompt())
                            .as_bytes(),
                    );
                }
                0x20..=0x7e => {
                    self.last_cr = false;
                    self.line.push(b as char);
                    if self.echoes() {
                        out.push(b);
                    }
                }
                _ => self.last_cr = false,
            }
        }
        out
    }

    fn echoes(&self) -> bool {
        let secret = matches!(self.stage, Stage::LoginPassword(_) | Stage::EnableSecret);
        (self.echo_secrets || !secret) && self.stage != Stage::Hung
    }

    fn pager_key(&mut self, b: u8, out: &mut Vec<u8>) {
        let Stage::Pager(rest) = &mut self.stage else {
            return;
        };
        let erase = format!("\r{}\r", " ".repeat(self.d.pager.len()));
        let page = self.term_length.saturating_sub(1).max(1);
        let take = match b {
            b' ' => page,
            b'\r' | b'\n' => 1,
            b'q' | b'Q' | 0x03 => 0,
            _ => return,
        };
        out.extend_from_slice(erase.as_bytes());
        if take == 0 {
            rest.clear();
        }
        let n = take.min(rest.len());
        let shown: Vec<String> = rest.drain(..n).collect();
        for l in shown {
            out.extend_from_slice(l.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if rest.is_empty() {
            self.stage = Stage::Cli;
            out.extend_from_slice(self.prompt().as_bytes());
        } else {
            out.extend_from_slice(self.d.pager.as_bytes());
        }
    }

    /// A whole line was entered at the current stage.
    fn enter(&mut self, line: &str) -> String {
        let trimmed = line.trim();
        match std::mem::replace(&mut self.stage, Stage::Cli) {
            Stage::Idle | Stage::PressReturn => self.login_or_prompt(),
            Stage::SetupDialog => {
                if trimmed.eq_ignore_ascii_case("no") || trimmed.eq_ignore_ascii_case("n") {
                    self.dev().factory = false;
                    self.stage = Stage::PressReturn;
                    "\r\nPress RETURN to get started!\r\n\r\n".into()
                } else {
                    self.stage = Stage::SetupDialog;
                    "% Please answer 'yes' or 'no'.\r\nWould you like to enter the initial configuration dialog? [yes/no]: ".into()
                }
            }
            Stage::Acknowledge => {
                if trimmed.eq_ignore_ascii_case("y") {
                    self.prompt()
                } else {
                    self.stage = Stage::Acknowledge;
                    "Have you read and do you acknowledge the above statement? [y/n]: ".into()
                }
            }
            Stage::LoginUser => {
                if trimmed.is_empty() {
                    self.stage = Stage::LoginUser;
                    return self.d.login.user_prompt.into();
                }
                self.stage = Stage::LoginPassword(trimmed.to_string());
                self.d.login.password_prompt.into()
            }
            Stage::LoginPassword(user) => self.password_entered(&user, line),
            Stage::EnableSecret => self.secret_entered(line),
            Stage::SaveConfirm { done } => {
                if trimmed.is_empty() || trimmed.to_lowercase().starts_with('y') {
                    self.save();
                    format!("{done}\r\n{}", self.prompt())
                } else {
                    format!("\r\n{}", self.prompt())
                }
            }
            Stage::Pager(_) | Stage::Cli => self.command(line),
            Stage::Hung => {
                self.stage = Stage::Hung;
                String::new()
            }
        }
    }

    /// The password `line` typed at the login of `user`: the prompt, or the login again.
    fn password_entered(&mut self, user: &str, line: &str) -> String {
        let ok = {
            let dev = self.dev();
            user == dev.user && line == dev.password
        };
        if ok {
            self.mode = Mode::User;
            return format!("\r\n{}", self.prompt());
        }
        self.stage = Stage::LoginUser;
        let login = &self.d.login;
        format!("{}\r\n\r\n{}", login.failure, login.user_prompt)
    }

    /// The enable secret `line`: privileged, or the failure.
    fn secret_entered(&mut self, line: &str) -> String {
        let ok = self.dev().secret.as_deref().is_none_or(|s| s == line);
        if ok {
            self.mode = Mode::Privileged;
            self.prompt()
        } else {
            format!("{}\r\n{}", self.d.enable_failure, self.prompt())
        }
    }

    fn login_or_prompt(&mut self) -> String {
        if self.dev().factory {
            self.stage = Stage::SetupDialog;
            return "\r\n         --- System Configuration Dialog ---\r\n\r\nWould you like to enter the initial configuration dialog? [yes/no]: ".into();
        }
        if self.console && self.mode == Mode::User && !self.dev().password.is_empty() {
            self.stage = Stage::LoginUser;
            return format!("{}{}", self.d.login.banner, self.d.login.user_prompt);
        }
        self.prompt()
    }

    /// Paginate command output and finish with the prompt.
    pub(super) fn output(&mut self, text: &str) -> String {
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect();
        let page = self.term_length.saturating_sub(1);
        if self.term_length > 0 && lines.len() > page {
            let mut out = String::new();
            for l in &lines[..page] {
                out.push_str(l);
                out.push_str("\r\n");
            }
            out.push_str(self.d.pager);
            self.stage = Stage::Pager(lines[page..].to_vec());
            return out;
        }
        let mut out: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        out.push_str(&self.prompt());
        out
    }

    fn command(&mut self, line: &str) -> String {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            return self.prompt();
        }
        let due = self.dev().typed(line);
        for flap in due {
            super::link::flap_now(self.d, &self.dev, flap);
        }
        if self.dev().hangs_on(line) {
            self.stage = Stage::Hung;
            return String::new();
        }
        let ports = self.dev().ports.clone();
        let here = self.mode.bit();
        let in_mode: Vec<_> = self
            .d
            .commands
            .iter()
            .copied()
            .filter(|c| c.modes & here != 0)
            .collect();
        let mut found = grammar::find(&in_mode, &words, &ports);
        // Global config commands also work from a sub-mode, which they leave.
        if found.is_err() && here & SUB != 0 {
            let global: Vec<_> = self
                .d
                .commands
                .iter()
                .copied()
                .filter(|c| c.modes & super::dialect::CONF != 0)
                .collect();
            if let Ok(m) = grammar::find(&global, &words, &ports) {
                self.mode = Mode::Config;
                found = Ok(m);
            }
        }
        // `no <command>`: undo a stored line.
        if found.is_err()
            && words[0].eq_ignore_ascii_case("no")
            && words.len() > 1
            && here & (super::dialect::CONF | SUB) != 0
            && let Some(reply) = self.negated(&words[1..], &in_mode, &ports)
        {
            return reply;
        }
        match found {
            Ok(m) => self.run(m),
            Err(Mismatch::Incomplete) => format!("{}{}", self.d.incomplete, self.prompt()),
            Err(Mismatch::Ambiguous) => {
                format!("{}{}", (self.d.ambiguous)(line.trim()), self.prompt())
            }
            Err(Mismatch::Invalid { word }) => {
                let col = self.prompt().len() + word_offset(line, word);
                let bad = words.get(word).copied().unwrap_or("");
                format!("{}{}", (self.d.invalid)(col, bad), self.prompt())
            }
        }
    }

    pub(super) fn section_head(&self) -> String {
        match &self.mode {
            Mode::Interface(i) => (self.d.interface_head)(&self.dev().ports[*i]),
            Mode::Vlan(_) => self.vlan_head.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

fn word_offset(line: &str, word: usize) -> usize {
    let mut idx = 0;
    let mut count = 0;
    let mut in_word = false;
    for (i, c) in line.char_indices() {
        if !c.is_whitespace() && !in_word {
            if count == word {
                return i;
            }
            count += 1;
        }
        in_word = !c.is_whitespace();
        idx = i + c.len_utf8();
    }
    idx
}
