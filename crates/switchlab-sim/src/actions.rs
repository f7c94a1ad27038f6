//! What each command does on a simulated switch ([`Act`]), the same for every vendor;
//! the dialect supplies the wording and formats.

use super::dialect::{Act, Mode};
use super::grammar::Matched;
use super::session::{Session, Stage};
use super::state::Device;

mod configure;
mod show;

impl Session {
    pub(super) fn run(&mut self, m: Matched) -> String {
        let out = self.act(m);
        self.end_staging_outside_config();
        out
    }

    fn act(&mut self, m: Matched) -> String {
        match m.cmd.act {
            Act::Enable | Act::Disable | Act::Exit | Act::Logout | Act::End | Act::Configure => {
                self.change_mode(&m)
            }
            Act::TermLength | Act::TermWidth | Act::SkipPage => self.terminal(&m),
            Act::ShowClock
            | Act::ShowVersion
            | Act::ShowInterfaces
            | Act::ShowStatus
            | Act::Modules(_)
            | Act::ShowLogging => self.show_state(&m),
            Act::ShowRunning | Act::ShowRunningInterface | Act::ShowStartup => self.show_config(&m),
            Act::WriteMemory | Act::CopyRunStart | Act::ZerotouchCancel | Act::ClearCounters => {
                self.operate(&m)
            }
            Act::Hostname | Act::Interface | Act::Vlan | Act::AdminUp | Act::AdminDown => {
                self.configure_mode(&m)
            }
            Act::Description | Act::Store | Act::LoggingHost | Act::Nothing => {
                self.configure_line(&m)
            }
            Act::ConfigSession | Act::RollbackClean | Act::Commit | Act::Abort => {
                self.session_command(&m)
            }
        }
    }

    /// `enable`, `disable`, `exit`, `logout`, `end`, `configure`: from mode to mode.
    fn change_mode(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
            Act::Enable => {
                if self.mode != Mode::User {
                    return self.prompt();
                }
                if self.dev().secret.is_some() {
                    self.stage = Stage::EnableSecret;
                    return d.enable_password_prompt.into();
                }
                self.mode = Mode::Privileged;
                self.prompt()
            }
            Act::Disable => {
                self.mode = Mode::User;
                self.prompt()
            }
            Act::Exit | Act::Logout => match self.mode {
                Mode::User | Mode::Privileged => self.logout(),
                Mode::Config => {
                    self.mode = Mode::Privileged;
                    self.prompt()
                }
                Mode::Interface(_) | Mode::Vlan(_) => {
                    self.mode = if d.sub_exit_leaves_config {
                        Mode::Privileged
                    } else {
                        Mode::Config
                    };
                    self.prompt()
                }
            },
            Act::End => {
                self.mode = Mode::Privileged;
                self.prompt()
            }
            Act::Configure => {
                self.mode = Mode::Config;
                format!(
                    "Enter configuration commands, one per line.  End with CNTL/Z.\r\n{}",
                    self.prompt()
                )
            }
            _ => self.prompt(),
        }
    }

    /// The terminal's settings: page length, width.
    fn terminal(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
            Act::TermLength => {
                self.term_length = m.nums.first().copied().unwrap_or(24) as usize;
                self.reply(d.term_length_reply)
            }
            Act::TermWidth => {
                let w = m.nums.first().copied().unwrap_or(80).to_string();
                self.reply(&d.term_width_reply.replace("{}", &w))
            }
            Act::SkipPage => {
                self.term_length = 0;
                self.prompt()
            }
            _ => self.prompt(),
        }
    }

    /// Saving the config, and the other commands that act on the switch.
    fn operate(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
            Act::WriteMemory => {
                if self.dev().zerotouch {
                    return self.reply("% Error: cannot save the configuration while ZeroTouch is enabled: run 'zerotouch cancel'");
                }
                if let Some(q) = d.save.write_confirm {
                    self.stage = Stage::SaveConfirm {
                        done: d.save.write_done,
                    };
                    return format!("{}{q}", d.save.write_intro);
                }
                self.save();
                self.reply(&format!("{}{}", d.save.write_intro, d.save.write_done))
            }
            Act::CopyRunStart => {
                if let Some(q) = d.save.copy_question {
                    self.stage = Stage::SaveConfirm {
                        done: d.save.copy_done,
                    };
                    return q.into();
                }
                self.save();
                self.reply(d.save.copy_done)
            }
            Act::ZerotouchCancel => {
                self.dev().zerotouch = false;
                self.prompt()
            }
            Act::ClearCounters => {
                self.dev().clear_counters();
                self.prompt()
            }
            _ => self.prompt(),
        }
    }

    /// EOS's configuration sessions: open one, and what only works in one.
    fn session_command(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
            Act::ConfigSession => {
                let name = m.text.clone().unwrap_or_default();
                self.open_config_session(&name)
            }
            // Session commands outside a session are unknown, as they are to EOS.
            Act::RollbackClean | Act::Commit | Act::Abort if !self.staging() => {
                let word = m.canonical.split_whitespace().next().unwrap_or_default();
                format!(
                    "{}{}",
                    (d.invalid)(self.prompt().len(), word),
                    self.prompt()
                )
            }
            Act::RollbackClean => self.rollback_clean(),
            Act::Commit => self.commit(),
            Act::Abort => {
                self.drop_staged();
                self.mode = Mode::Privileged;
                self.prompt()
            }
            _ => self.prompt(),
        }
    }

    /// A one-line reply and the prompt.
    fn reply(&mut self, text: &str) -> String {
        if text.is_empty() {
            return self.prompt();
        }
        format!("{}\r\n{}", text.replace('\n', "\r\n"), self.prompt())
    }

    fn logout(&mut self) -> String {
        self.mode = Mode::User;
        if self.console {
            self.stage = Stage::Idle;
            return "\r\n\r\nPress RETURN to get started.\r\n".into();
        }
        self.closed = true;
        String::new()
    }

    pub(super) fn save(&mut self) {
        let mut dev = self.dev();
        dev.startup = Some(dev.running.clone());
    }
}

fn store_unless_hidden(hidden: &[&str], dev: &mut Device, head: &str, key: &str, line: &str) {
    if hidden.iter().any(|h| h.eq_ignore_ascii_case(line)) {
        dev.unstore(head, key);
    } else {
        dev.store(head, key, line);
    }
}

/// The running (or startup) config as the device prints it.
pub fn render_config(
    d: &super::Dialect,
    header: &str,
    dev: &Device,
    sections: &[super::state::Section],
) -> String {
    let mut out = format!("{header}hostname {}\n", dev.hostname);
    for s in sections.iter().filter(|s| s.head.is_empty()) {
        for (_, l) in s.lines.iter().filter(|(k, _)| k != "hostname") {
            out.push_str(l);
            out.push('\n');
        }
    }
    out.push_str("!\n");
    // Ports in port order, before the other sections. An unconfigured one (or one a
    // restore emptied) is an empty block where the device lists every port, else absent.
    let ports: Vec<String> = dev.ports.iter().map(d.interface_head).collect();
    let lines = |head: &str| {
        let s = sections.iter().find(|s| s.head == head);
        s.map(|s| s.lines.as_slice()).unwrap_or_default().to_vec()
    };
    let rest = (sections.iter()).filter(|s| !s.head.is_empty() && !ports.contains(&s.head));
    let blocks = (ports.iter().map(|h| (h.clone(), lines(h))))
        .filter(|(_, l)| d.lists_every_interface || !l.is_empty())
        .chain(rest.map(|s| (s.head.clone(), s.lines.clone())));
    for (head, lines) in blocks {
        out.push_str(&head);
        out.push('\n');
        for (_, l) in &lines {
            out.push(' ');
            out.push_str(l);
            out.push('\n');
        }
        out.push_str("!\n");
    }
    out.push_str("end\n");
    out
}
