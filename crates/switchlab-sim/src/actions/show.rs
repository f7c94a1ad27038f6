//! The show commands of a simulated switch: its state, and its configs.

use super::render_config;
use crate::dialect::Act;
use crate::grammar::Matched;
use crate::session::Session;

impl Session {
    /// What the switch is and sees: clock, version, ports, modules, log buffer.
    pub(super) fn show_state(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
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
            _ => self.prompt(),
        }
    }

    /// The running config (whole, or one interface's) and the startup config.
    pub(super) fn show_config(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
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
            _ => self.prompt(),
        }
    }
}
