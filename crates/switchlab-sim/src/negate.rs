//! `no <command>` in configuration: the stored line of that command removed, as a
//! switch does. The arguments may be left out (`no description`); `no vlan 10` and
//! `no interface Vlan 10` remove the VLAN's section, `no logging host H` the target too.

use super::dialect::{Act, CONF, Cmd, Mode, SUB};
use super::grammar::{self, Matched};
use super::session::Session;
use super::state::SimPort;

impl Session {
    /// `no WORDS` in this mode; a global one from a sub-mode (`no vlan 10` under an
    /// interface) leaves the sub-mode, as a global command does.
    pub(super) fn negated(
        &mut self,
        words: &[&str],
        in_mode: &[Cmd],
        ports: &[SimPort],
    ) -> Option<String> {
        if let Some(reply) = self.negate(words, in_mode, ports) {
            return Some(reply);
        }
        if self.mode.bit() & SUB == 0 {
            return None;
        }
        let global: Vec<Cmd> = (self.d.commands.iter().copied())
            .filter(|c| c.modes & CONF != 0)
            .collect();
        let mode = std::mem::replace(&mut self.mode, Mode::Config);
        let reply = self.negate(words, &global, ports);
        if reply.is_none() {
            self.mode = mode;
        }
        reply
    }

    /// Undo what `words` (after `no`) names; None where no command of the mode fits.
    fn negate(&mut self, words: &[&str], cmds: &[Cmd], ports: &[SimPort]) -> Option<String> {
        let m = grammar::find(cmds, words, ports)
            .ok()
            .or_else(|| without_arguments(cmds, words, ports))?;
        let head = self.section_head();
        let mut dev = self.dev();
        match m.cmd.act {
            Act::Vlan => {
                let named = format!("{} ", m.canonical);
                dev.running
                    .retain(|s| s.head != m.canonical && !s.head.starts_with(&named));
            }
            Act::LoggingHost => {
                if let Some(host) = &m.text {
                    dev.syslog_targets.retain(|(h, _)| h != host);
                }
                dev.unstore("", &m.key);
            }
            Act::Description => {
                if let Mode::Interface(i) = self.mode {
                    dev.ports[i].description = None;
                }
                dev.unstore(&head, &m.key);
            }
            _ => dev.unstore(&head, &m.key),
        }
        drop(dev);
        Some(self.prompt())
    }
}

/// The command whose literal words `words` begin with, its arguments left out.
fn without_arguments(cmds: &[Cmd], words: &[&str], ports: &[SimPort]) -> Option<Matched> {
    let bare: Vec<Cmd> = (cmds.iter())
        .filter(|c| c.replace || matches!(c.act, Act::Description | Act::Store))
        .map(|c| Cmd {
            pattern: c.pattern.split(" <").next().unwrap_or(c.pattern),
            ..*c
        })
        .collect();
    grammar::find(&bare, words, ports).ok()
}
