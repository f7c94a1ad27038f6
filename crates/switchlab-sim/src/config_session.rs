//! EOS configuration sessions: `configure session NAME` stages changes on a copy of the
//! switch's config; `rollback clean-config` empties the copy to factory defaults; `commit`
//! makes the copy the running config in one step (only a port whose admin state differs
//! changes link); `abort`, or leaving configuration mode, drops it. A profile's
//! `[restore.replace]` puts a whole config back this way, as NAPALM does on EOS.

use std::sync::{Arc, Mutex};

use super::dialect::{Dialect, Mode};
use super::session::{Session, lock};
use super::state::{Device, Section, SimPort};

/// A session's staged config (`Session::staging`): the copy is the session's `dev` while
/// it lasts.
pub(super) struct Staging {
    name: String,
    /// The switch itself, put back as the session's device by `commit` or `abort`.
    real: Arc<Mutex<Device>>,
}

/// The running config of a switch fresh from the factory: empty, or each port's
/// `shutdown` where ports start shut (FTOS: `interface TenGigabitEthernet 0/1` / ` shutdown`).
pub(super) fn factory_running(d: &Dialect, ports: &[SimPort]) -> Vec<Section> {
    match d.ports_start_shut {
        true => (ports.iter())
            .map(|p| Section {
                head: (d.interface_head)(p),
                lines: vec![("admin-state".into(), "shutdown".into())],
            })
            .collect(),
        false => Vec::new(),
    }
}

impl Device {
    /// A copy of the config to stage changes on. Its ports are unplugged, so changing
    /// their admin state logs nothing and records no link change: the switch's own
    /// ports change link at `commit`, if at all.
    fn candidate(&self) -> Device {
        let ports = (self.ports.iter().cloned())
            .map(|mut p| {
                p.cabled = false;
                p.oper_up = false;
                p
            })
            .collect();
        Device {
            name: self.name.clone(),
            hostname: self.hostname.clone(),
            ports,
            running: self.running.clone(),
            startup: self.startup.clone(),
            log_buffer: Default::default(),
            truth: Vec::new(),
            booted: self.booted,
            secret: self.secret.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            factory: false,
            console_tx: tokio::sync::broadcast::channel(1).0,
            zerotouch: self.zerotouch,
            syslog_targets: self.syslog_targets.clone(),
            syslog_port: self.syslog_port,
            syslog_names_host: self.syslog_names_host,
            syslog_source: self.syslog_source,
            syslog_seq: 0,
            clock_offset_s: self.clock_offset_s,
            flap_on_command: Vec::new(),
            schedule_trigger: None,
            hang_on: None,
        }
    }

    /// Factory defaults: default hostname, no logging targets, every port as shipped.
    fn clean(&mut self, d: &Dialect) {
        self.hostname = d.default_hostname.to_string();
        self.syslog_targets.clear();
        for p in &mut self.ports {
            p.admin_up = !d.ports_start_shut;
            p.description = None;
        }
        self.running = factory_running(d, &self.ports);
    }

    /// Take a staged config as this switch's own.
    fn take_config(&mut self, d: &Dialect, staged: &Device) {
        self.hostname = staged.hostname.clone();
        self.running = staged.running.clone();
        self.syslog_targets = staged.syslog_targets.clone();
        for (i, s) in staged.ports.iter().enumerate() {
            let p = &mut self.ports[i];
            p.description = s.description.clone();
            if p.admin_up == s.admin_up {
                continue;
            }
            p.admin_up = s.admin_up;
            p.err_disabled &= !s.admin_up;
            super::link::refresh_and_log(d, self, i);
        }
    }
}

impl Session {
    pub(super) fn staging(&self) -> bool {
        self.staging.is_some()
    }

    /// The prompt in a session names it (`sw1(config-s-switch-if-Et1)#`), the switch's
    /// own hostname in front: the staged one counts from `commit`.
    pub(super) fn staged_prompt(&self, mode: &Mode) -> Option<String> {
        let st = self.staging.as_ref()?;
        let host = lock(&st.real).hostname.clone();
        let short: String = st.name.chars().take(6).collect();
        let p = (self.d.prompt)(&host, mode);
        Some(p.replacen("(config", &format!("(config-s-{short}"), 1))
    }

    pub(super) fn open_config_session(&mut self, name: &str) -> String {
        if self.staging.is_none() {
            let candidate = self.dev().candidate();
            let real = std::mem::replace(&mut self.dev, Arc::new(Mutex::new(candidate)));
            self.staging = Some(Staging {
                name: name.to_string(),
                real,
            });
        }
        self.mode = Mode::Config;
        self.prompt()
    }

    pub(super) fn rollback_clean(&mut self) -> String {
        let d = self.d;
        self.dev().clean(d);
        self.prompt()
    }

    /// `commit`: the staged config becomes the running config; back to privileged.
    pub(super) fn commit(&mut self) -> String {
        if let Some(st) = self.staging.take() {
            let staged = std::mem::replace(&mut self.dev, st.real);
            let d = self.d;
            self.dev().take_config(d, &lock(&staged));
        }
        self.mode = Mode::Privileged;
        self.prompt()
    }

    /// Drop the staged config (`abort`, or configuration mode left without `commit`).
    pub(super) fn drop_staged(&mut self) {
        if let Some(st) = self.staging.take() {
            self.dev = st.real;
        }
    }

    /// After a command: a session left for exec mode is dropped (EOS keeps it pending
    /// until `commit`; nothing here ever resumes one).
    pub(super) fn end_staging_outside_config(&mut self) {
        if !matches!(self.mode, Mode::Config | Mode::Interface(_) | Mode::Vlan(_)) {
            self.drop_staged();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::session::SessionStart;
    use super::*;

    fn typed(s: &mut Session, line: &str) -> String {
        String::from_utf8_lossy(&s.feed(format!("{line}\r").as_bytes())).into_owned()
    }

    fn eos() -> (super::super::Sim, Session) {
        let sim = super::super::Sim::start(super::super::SimOptions::new("arista_eos"))
            .expect("the EOS simulator starts");
        let start = SessionStart {
            console: false,
            authenticated: true,
            acknowledge: false,
            echo_secrets: false,
        };
        let (mut s, _) = Session::new(sim.dialect, sim.device.clone(), start);
        typed(&mut s, "enable");
        (sim, s)
    }

    #[test]
    fn nothing_changes_until_commit_and_a_port_left_as_it_was_keeps_its_link() {
        let (sim, mut s) = eos();
        typed(&mut s, "configure terminal");
        typed(&mut s, "interface Ethernet2");
        typed(&mut s, "shutdown");
        typed(&mut s, "end");
        let links = sim.device.lock().unwrap().truth.len();
        let said = typed(&mut s, "configure session restore");
        assert!(said.ends_with("localhost(config-s-restor)#"), "{said:?}");
        typed(&mut s, "rollback clean-config");
        typed(&mut s, "hostname lab-old");
        typed(&mut s, "interface Ethernet2");
        typed(&mut s, "shutdown");
        let dev = sim.device.lock().unwrap();
        assert_eq!(dev.hostname, "localhost", "staged, not running");
        drop(dev);
        let said = typed(&mut s, "commit");
        assert!(said.ends_with("lab-old#"), "{said:?}");
        let dev = sim.device.lock().unwrap();
        assert_eq!(dev.hostname, "lab-old");
        assert!(!dev.ports[1].admin_up);
        assert_eq!(
            dev.truth.len(),
            links,
            "Ethernet2 was shut before and after"
        );
    }

    #[test]
    fn abort_or_end_drops_the_session_and_outside_one_its_commands_are_unknown() {
        let (sim, mut s) = eos();
        for leave in ["abort", "end"] {
            typed(&mut s, "configure session x");
            typed(&mut s, "rollback clean-config");
            typed(&mut s, "hostname gone");
            let said = typed(&mut s, leave);
            assert!(said.ends_with("localhost#"), "{leave}: {said:?}");
            assert_eq!(sim.device.lock().unwrap().hostname, "localhost", "{leave}");
        }
        typed(&mut s, "configure terminal");
        let said = typed(&mut s, "commit");
        assert!(said.contains("% Invalid input"), "{said:?}");
    }
}
