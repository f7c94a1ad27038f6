//! What each command does on a simulated switch ([`Act`]), the same for every vendor;
//! the dialect supplies the wording and formats.

use super::dialect::{Act, Mode};
use super::grammar::Matched;
use super::session::{Session, Stage};
use super::state::Device;

impl Session {
    pub(super) fn run(&mut self, m: Matched) -> String {
        let out = self.act(m);
        self.end_staging_outside_config();
        out
    }

    fn act(&mut self, m: Matched) -> String {
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
            Act::ShowClock => {
                let offset = jiff::SignedDuration::from_secs(self.dev().clock_offset_s);
                let now = jiff::Timestamp::now()
                    .saturating_add(offset)
                    .unwrap_or_default();
                self.output(&(d.show_clock)(now))
            }
            Act::ShowVersion => {
                let text = (d.show_version)(&self.dev());
                self.output(&text)
            }
            Act::ShowInterfaces => {
                let text = {
                    let dev = self.dev();
                    match m.ports.is_empty() {
                        false => (m.ports.iter())
                            .map(|&i| (d.show_interface)(&dev, &dev.ports[i]))
                            .collect::<String>(),
                        true => (dev.ports.iter())
                            .map(|p| (d.show_interface)(&dev, p))
                            .collect(),
                    }
                };
                self.output(&text)
            }
            Act::ShowStatus => {
                let text = (d.show_status)(&self.dev());
                self.output(&text)
            }
            Act::Modules(i) => {
                let text = {
                    let dev = self.dev();
                    let port = m.ports.first().map(|&p| &dev.ports[p]);
                    d.module_shows
                        .get(usize::from(i))
                        .map(|show| show(&dev, port))
                };
                match text {
                    Some(t) => self.output(&t),
                    None => self.prompt(),
                }
            }
            Act::ShowLogging => {
                let text = {
                    let dev = self.dev();
                    let mut t = d.show_logging_header.to_string();
                    for l in &dev.log_buffer {
                        t.push_str(&l.text);
                        t.push('\n');
                    }
                    t
                };
                self.output(&text)
            }
            Act::ShowRunning => {
                let text = {
                    let dev = self.dev();
                    render_config(d, d.running_header, &dev, &dev.running)
                };
                self.output(&text)
            }
            Act::ShowRunningInterface => {
                let Some(&i) = m.ports.first() else {
                    return self.prompt();
                };
                let text = {
                    let dev = self.dev();
                    let p = &dev.ports[i];
                    let head = (d.interface_head)(p);
                    let section = dev.running.iter().find(|s| s.head == head);
                    let mut t = format!("!\n{head}\n");
                    for (_, l) in section.map(|s| s.lines.as_slice()).unwrap_or_default() {
                        t.push_str(&format!(" {l}\n"));
                    }
                    let said =
                        section.is_some_and(|s| s.lines.iter().any(|(k, _)| k == "admin-state"));
                    if !said && !p.admin_up {
                        t.push_str(" shutdown\n");
                    }
                    t
                };
                self.output(&text)
            }
            Act::ShowStartup => {
                let text = {
                    let dev = self.dev();
                    dev.startup
                        .as_ref()
                        .map(|cfg| render_config(d, d.running_header, &dev, cfg))
                };
                match text {
                    Some(text) => self.output(&text),
                    None => self.reply("startup-config is not present"),
                }
            }
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
            Act::Hostname => {
                let name = m.text.clone().unwrap_or_default();
                let mut dev = self.dev();
                dev.hostname = name;
                dev.store("", &m.key, &m.canonical);
                drop(dev);
                self.prompt()
            }
            Act::Interface => {
                if let Some(&i) = m.ports.first() {
                    let head = (d.interface_head)(&self.dev().ports[i]);
                    self.dev().section_mut(&head);
                    self.mode = Mode::Interface(i);
                }
                self.prompt()
            }
            Act::Vlan => {
                let id = m.nums.first().copied().unwrap_or(1) as u16;
                self.dev().section_mut(&m.canonical);
                self.vlan_head = Some(m.canonical.clone());
                self.mode = Mode::Vlan(id);
                self.prompt()
            }
            Act::AdminUp | Act::AdminDown => {
                if let Mode::Interface(i) = self.mode {
                    let up = m.cmd.act == Act::AdminUp;
                    let head = self.section_head();
                    let mut dev = self.dev();
                    dev.ports[i].admin_up = up;
                    if up {
                        dev.ports[i].err_disabled = false;
                    }
                    super::link::refresh_and_log(d, &mut dev, i);
                    store_unless_hidden(d.hidden, &mut dev, &head, "admin-state", &m.canonical);
                }
                self.prompt()
            }
            Act::Description => {
                let head = self.section_head();
                let mut dev = self.dev();
                if let Mode::Interface(i) = self.mode {
                    dev.ports[i].description =
                        m.text.clone().map(|t| t.trim_matches('"').to_string());
                }
                dev.store(&head, &m.key, &m.canonical);
                drop(dev);
                self.prompt()
            }
            Act::Store => {
                let head = self.section_head();
                store_unless_hidden(d.hidden, &mut self.dev(), &head, &m.key, &m.canonical);
                self.prompt()
            }
            Act::LoggingHost => {
                let mut dev = self.dev();
                // The port, where the line gives one; else the simulator's default (514).
                let port = m.nums.first().map_or(dev.syslog_port, |&n| n as u16);
                if let Some(host) = m.text.clone() {
                    dev.syslog_targets.retain(|(h, _)| *h != host);
                    dev.syslog_targets.push((host, port));
                }
                dev.store("", &m.key, &m.canonical);
                drop(dev);
                self.prompt()
            }
            Act::Nothing => self.prompt(),
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
