//! Configuration lines on a simulated switch: those that enter a sub-mode or change a
//! port, and those stored as written.

use super::store_unless_hidden;
use crate::dialect::{Act, Mode};
use crate::grammar::Matched;
use crate::session::Session;

impl Session {
    /// `hostname`, `interface`, `vlan`, `shutdown` and `no shutdown`.
    pub(super) fn configure_mode(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
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
                    crate::link::refresh_and_log(d, &mut dev, i);
                    store_unless_hidden(d.hidden, &mut dev, &head, "admin-state", &m.canonical);
                }
                self.prompt()
            }
            _ => self.prompt(),
        }
    }

    /// Lines stored in the current section (a description, a syslog host among them).
    pub(super) fn configure_line(&mut self, m: &Matched) -> String {
        let d = self.d;
        match m.cmd.act {
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
            _ => self.prompt(),
        }
    }
}
