//! What each source gives a device's watch: the `interfaces` output per port (states and
//! counters), log lines the session showed, syslog messages, the log buffer's new lines.
//! Every sighting goes to events.jsonl at once, and a new one to the live view.

use std::time::{Duration, SystemTime};

use super::DeviceWatch;
use crate::driver::session::DeviceError;
use crate::driver::{Driver, DriverError};
use crate::format::manifest::FlapSource;
use crate::parse::{Parsed, parse_output};
use crate::record::rows::PollReading;
use crate::watch::events::{Certainty, Heard, Problem, WatchEvent};
use crate::watch::output::{Sighting, WatchRecords};

impl DeviceWatch<'_> {
    /// The log buffer's lines the last read did not have, or None when the device rejects
    /// the command: that is said once (a problem of the device) and the watch goes on with
    /// its other sources.
    pub(super) async fn buffer(
        &mut self,
        d: &mut Driver,
    ) -> Result<Option<Vec<String>>, DeviceError> {
        let command = &self.vendor.profile.commands.logging;
        match d.show_log(command, &mut self.seen_buffer).await {
            Ok(lines) => Ok(Some(lines)),
            Err(DriverError::CommandRejected {
                command, message, ..
            }) => {
                self.problem(Problem::BufferRejected { command, message });
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The watched ports' `interfaces` output, each with the time its command went out:
    /// one command for them all where the profile has one (`interface_list`; where the
    /// device rejects it, warned once, then one a port from then on), else one command per
    /// port where the profile has one, else the whole switch's. A port
    /// whose command the device rejects is marked and not asked again (a problem of the
    /// device); when no port is left to read, or the whole-switch command is rejected,
    /// nothing can be watched and that is the device's error.
    pub(super) async fn read_states(
        &mut self,
        d: &mut Driver,
        now: SystemTime,
    ) -> Result<Vec<(SystemTime, String)>, DeviceError> {
        let cmds = &self.vendor.profile.commands;
        let mut outputs = Vec::new();
        let Some(one) = &cmds.interface else {
            outputs.push((now, d.show(&cmds.interfaces).await?));
            return Ok(outputs);
        };
        if let Some(out) = self.read_all_at_once(d).await? {
            return Ok(vec![out]);
        }
        let mut last_rejection = None;
        for w in self.ports.values_mut().filter(|w| w.rejected.is_none()) {
            let at = SystemTime::now();
            match d.show(&one.replace("{port}", &w.name)).await {
                Ok(out) => outputs.push((at, out)),
                Err(e @ DriverError::CommandRejected { .. }) => {
                    if let DriverError::CommandRejected {
                        command, message, ..
                    } = &e
                    {
                        w.rejected = Some(Problem::PortUnreadable {
                            port: w.name.clone(),
                            command: command.clone(),
                            message: message.clone(),
                        });
                    }
                    (self.on_event)(Heard {
                        device: self.dev.name(),
                        port: &w.name,
                        what: WatchEvent::Unreadable,
                        at,
                        certainty: Certainty::Settled,
                    });
                    last_rejection = Some(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(e) = last_rejection
            && self.ports.values().all(|w| w.rejected.is_some())
        {
            return Err(e.into());
        }
        Ok(outputs)
    }

    /// The watched ports in one command, where the profile and the device allow it.
    async fn read_all_at_once(
        &mut self,
        d: &mut Driver,
    ) -> Result<Option<(SystemTime, String)>, DeviceError> {
        let list =
            (self.vendor.profile.commands.interface_list.as_ref()).filter(|_| !self.list_rejected);
        let names: Vec<&str> = (self.ports.values())
            .filter(|w| w.rejected.is_none())
            .map(|w| w.name.as_str())
            .collect();
        let Some(list) = list.filter(|_| names.len() > 1) else {
            return Ok(None);
        };
        let command = list
            .command
            .replace("{ports}", &names.join(&list.separator));
        let at = SystemTime::now();
        match d.show(&command).await {
            Ok(out) => Ok(Some((at, out))),
            Err(DriverError::CommandRejected {
                command, message, ..
            }) => {
                // Not a problem of the watch: every port is still read, one by one.
                self.list_rejected = true;
                tracing::warn!(
                    "{}: ports polled one command each: `{command}` rejected: {message}",
                    self.dev.name()
                );
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A log line's link event: into the port's timeline, at once into events.jsonl, and
    /// to the live view when it is news.
    fn sighted(
        &mut self,
        ev: &crate::parse::LinkEvent,
        time: SystemTime,
        source: FlapSource,
        window: Duration,
    ) -> std::io::Result<()> {
        let Some(w) = self.ports.get_mut(&self.vendor.port_key(&ev.port)) else {
            return Ok(());
        };
        let up = ev.state.is_up();
        if w.tl.observe(time, up, source, window) {
            (self.on_event)(Heard {
                device: self.dev.name(),
                port: &w.name,
                what: if up { WatchEvent::Up } else { WatchEvent::Down },
                at: time,
                certainty: Certainty::Sighted,
            });
        }
        WatchRecords::sighting(
            self.folder,
            &Sighting {
                time,
                device: self.dev.name(),
                port: &w.name,
                up,
                source,
                window,
            },
        )
    }

    /// Link events from the console lines the session showed and from syslog.
    pub(super) fn take_log_lines(
        &mut self,
        d: &mut Driver,
        tolerance: Duration,
    ) -> std::io::Result<()> {
        let vendor = self.vendor;
        for line in d.take_log_lines() {
            if let (true, Some(ev)) = (self.uses(FlapSource::Console), &line.event) {
                self.sighted(ev, line.time, FlapSource::Console, tolerance)?;
            }
        }
        let stopped = self
            .problems
            .iter()
            .any(|p| matches!(p, Problem::SyslogStopped { .. }));
        if let (Some(inbox), false) = (&self.opts.syslog, stopped) {
            let names = [self.dev.hostname().to_string(), self.dev.name().to_string()];
            match inbox.take_for(&names, &self.senders) {
                Ok(messages) => {
                    for m in messages {
                        if let Some(ev) = crate::parse::link_event(vendor, &m.text) {
                            self.sighted(&ev, m.time, FlapSource::Syslog, tolerance)?;
                        }
                    }
                }
                // Said once; the other sources go on.
                Err(why) => self.problem(Problem::SyslogStopped { why }),
            }
        }
        Ok(())
    }

    /// Port states and counters from `read_states` into the timelines; a poll that finds
    /// a port's state or flap counter changed goes into events.jsonl at once, and a state
    /// no source had seen change yet to the live view.
    pub(super) fn take_states(
        &mut self,
        outputs: Vec<(SystemTime, String)>,
        last: bool,
    ) -> std::io::Result<()> {
        let vendor = self.vendor;
        let (counters, state) = (
            self.uses(FlapSource::Counters),
            self.uses(FlapSource::State),
        );
        if !(counters || state) {
            return Ok(());
        }
        let rule = &vendor.profile.commands.interfaces;
        for (at, out) in outputs {
            let Ok(Parsed::Ports(states)) = parse_output(vendor, rule, &out) else {
                continue;
            };
            for mut s in states {
                let Some(w) = self.ports.get_mut(&vendor.port_key(&s.port)) else {
                    continue;
                };
                if !counters {
                    s.link_changes = None;
                    s.link_downs = None;
                    s.link_ups = None;
                    s.last_change_s = None;
                }
                let up = s.is_up() == Some(true);
                if let (true, Some(mbps)) = (up, s.speed_mbps) {
                    self.opts.speeds.set(self.dev.name(), &w.name, mbps);
                }
                // A benchmark trial's loss account reads the switch's own discards.
                let counts = crate::watch::SwitchCounts::read(at, &s);
                self.opts.speeds.counted(self.dev.name(), &w.name, counts);
                let news = w.tl.poll(at, &s, self.opts.interval);
                // What `recover` replays: the first and last readings, and each that changed.
                let now = crate::watch::output::reading(&s);
                let was = w.last_polled.replace(now.clone());
                if last || was.is_none_or(|was| changed(&was, &now)) {
                    WatchRecords::poll(self.folder, self.dev.name(), &w.name, at, &s)?;
                }
                if news {
                    (self.on_event)(Heard {
                        device: self.dev.name(),
                        port: &w.name,
                        what: if up { WatchEvent::Up } else { WatchEvent::Down },
                        at,
                        certainty: Certainty::Sighted,
                    });
                }
            }
        }
        Ok(())
    }

    /// For each port without link since the push, whether its running config says it is
    /// shut (where the profile can tell: `commands.interface_config`): the first cause a
    /// lab engineer checks. A rejected command tells nothing and is left at that.
    pub(crate) async fn examine_unlinked(&mut self, d: &mut Driver) -> Result<(), DeviceError> {
        let cmds = &self.vendor.profile.commands;
        let (Some(cmd), Some(shut)) = (&cmds.interface_config, &self.vendor.shut_pattern) else {
            return Ok(());
        };
        for w in self.ports.values_mut() {
            if w.expect_down || w.rejected.is_some() || w.tl.had_link() != Some(false) {
                continue;
            }
            match d.show(&cmd.replace("{port}", &w.name)).await {
                Ok(out) => w.shut = shut.is_match(&out),
                Err(DriverError::CommandRejected { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Link events from the log buffer's new lines. A buffer line happened at some time
    /// since the last read, so it matches other sources' sightings that far back.
    pub(super) async fn read_buffer_news(
        &mut self,
        d: &mut Driver,
        tolerance: Duration,
    ) -> Result<(), DeviceError> {
        let vendor = self.vendor;
        let Some(fresh) = self.buffer(d).await? else {
            return Ok(());
        };
        let at = SystemTime::now();
        let since_read =
            at.duration_since(self.last_buffer_read).unwrap_or_default() + super::SLACK;
        let window = tolerance.max(since_read);
        for line in fresh {
            if let Some(ev) = crate::parse::link_event(vendor, &line) {
                self.sighted(&ev, at, FlapSource::Buffer, window)
                    .map_err(|e| self.io(e))?;
            }
        }
        self.last_buffer_read = at;
        Ok(())
    }
}

/// Whether a poll reading differs from the last in what the timeline counts by: state,
/// counters of changes, err-disabled, or a last change younger than before.
fn changed(was: &PollReading, now: &PollReading) -> bool {
    let key = |r: &PollReading| {
        (
            r.admin,
            r.oper,
            r.link_changes,
            r.link_downs,
            r.link_ups,
            r.err_disabled,
        )
    };
    key(was) != key(now)
        || matches!((was.last_change_s, now.last_change_s), (Some(w), Some(n)) if n < w)
}
