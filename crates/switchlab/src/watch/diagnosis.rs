//! The diagnosis of one watched port at the end of a watch: flaps (seen and unseen), the
//! worst burst in 10 s, error growth, err-disabled state, whether it had link, a verdict
//! against the criteria and a hint from the cabling (`hints.toml`).

use super::hints::{HintFile, PortFacts};
use super::timeline::PortTimeline;
use crate::parse::LinkState;
use crate::record::rows::PortRow;
use crate::states::PortVerdict;

/// What every port of one device is judged by.
pub(crate) struct Judge<'a> {
    pub(crate) device: &'a str,
    pub(crate) hints: &'a HintFile,
    /// Flaps a port may have and still pass.
    pub(crate) max_flaps: u64,
    /// Whether the watch polled states at all (else a port is never "shown").
    pub(crate) polled: bool,
    /// The command that shows a port (`{port}` where per port), for the unknown hint.
    pub(crate) shown_by: &'a str,
    /// The watch of this device was cut short: when (UTC) and why. A port that had not
    /// failed by then is `lost`, never `pass`.
    pub(crate) lost: Option<(String, String)>,
}

/// One watched port as the judge sees it.
pub(crate) struct Watched<'a> {
    pub(crate) name: &'a str,
    pub(crate) cabling: &'a PortFacts,
    pub(crate) tl: &'a PortTimeline,
    /// The device's answer when it rejected the command showing this port.
    pub(crate) rejected: Option<&'a str>,
    /// The manifest expects this port down (a deliberately unplugged one): it is not
    /// judged by its link.
    pub(crate) expect_down: bool,
    /// Its running config says it is shut.
    pub(crate) shut: bool,
}

impl Judge<'_> {
    /// The ports.csv row of one port.
    pub(crate) fn row(&self, p: &Watched) -> PortRow {
        let tl = p.tl;
        let flaps = tl.flaps();
        let (crc, ie) = tl.error_deltas();
        let err_disabled = tl.err_disabled();
        let last = tl.last_poll();
        let oper_at_end = last.and_then(|(_, s)| s.oper);
        let admin_down = p.shut || last.is_some_and(|(_, s)| s.admin == Some(LinkState::Down));
        let judged_link = self.polled && !p.expect_down;
        let no_link = judged_link && tl.had_link() == Some(false);
        // Down at the end after it had been up: when it went down for good.
        let down_since = (judged_link && !no_link && oper_at_end == Some(LinkState::Down))
            .then(|| tl.tally.last_down.or(last.map(|(t, _)| *t)))
            .flatten()
            .map(crate::record::stamp);
        let facts = PortFacts {
            flaps,
            burst: tl.tally.worst_burst,
            crc_delta: crc,
            err_disabled: err_disabled == Some(true),
            no_link,
            admin_down,
            down_since,
            ..p.cabling.clone()
        };
        let (verdict, hint) = self.verdict(p, &facts);
        PortRow {
            device: self.device.into(),
            port: p.name.into(),
            flaps,
            unseen_flaps: tl.tally.unseen,
            worst_burst_10s: tl.tally.worst_burst,
            crc_delta: crc,
            in_errors_delta: ie,
            err_disabled,
            oper_at_end,
            up_percent: last
                .and_then(|(t, _)| tl.tally.up_percent(*t))
                .map(|p| (p * 10.0).round() / 10.0),
            cable: facts.declared.clone(),
            nic: facts.nic.clone().unwrap_or_default(),
            verdict,
            hint,
        }
    }

    /// The port's verdict and its hint, from its `facts`.
    fn verdict(&self, p: &Watched, facts: &PortFacts) -> (PortVerdict, String) {
        let hint = || self.hints.explain_all(facts);
        let evidence = facts.flaps > self.max_flaps || facts.err_disabled;
        // Evidence of a failure stands first: however the watch ended, and whether or not
        // a poll ever showed the port (syslog may have seen it flap).
        if evidence {
            (PortVerdict::Fail, hint())
        } else if let Some(why) = p.rejected {
            (PortVerdict::Unknown, format!("not watched: {why}"))
        } else if !p.tl.shown() && self.polled {
            // A port no poll showed (a misspelt name) has no verdict, not a pass.
            let shown_by = self.shown_by.replace("{port}", p.name);
            let hint = format!(
                "the switch never showed this port in `{shown_by}`: check its name in the lab"
            );
            (PortVerdict::Unknown, hint)
        } else if let Some((at, why)) = &self.lost {
            (PortVerdict::Lost, format!("watch cut short at {at}: {why}"))
        } else if facts.no_link {
            (PortVerdict::NoLink, hint())
        } else if facts.down_since.is_some() {
            (PortVerdict::Fail, hint())
        } else {
            (PortVerdict::Pass, hint())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::format::manifest::FlapSource;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000 + ms)
    }

    fn judge<'a>(hints: &'a HintFile, lost: Option<(String, String)>) -> Judge<'a> {
        Judge {
            device: "sw1",
            hints,
            max_flaps: 1,
            polled: true,
            shown_by: "show interfaces {port}",
            lost,
        }
    }

    fn verdict(j: &Judge, tl: &PortTimeline) -> PortVerdict {
        let facts = PortFacts::default();
        let w = Watched {
            name: "Et1",
            cabling: &facts,
            tl,
            rejected: None,
            expect_down: false,
            shut: false,
        };
        j.row(&w).verdict
    }

    // Regression: a port missing from every poll, whose flaps syslog saw, was `unknown`.
    #[test]
    fn evidence_of_a_failure_wins_over_a_port_no_poll_showed() {
        let hints = HintFile::builtin();
        let mut tl = PortTimeline::default();
        for k in 0..5 {
            tl.observe(
                at(k * 2_000),
                false,
                FlapSource::Syslog,
                Duration::from_secs(1),
            );
            tl.observe(
                at(k * 2_000 + 300),
                true,
                FlapSource::Syslog,
                Duration::from_secs(1),
            );
        }
        assert!(!tl.shown());
        assert_eq!(verdict(&judge(&hints, None), &tl), PortVerdict::Fail);
        let quiet = PortTimeline::default();
        assert_eq!(verdict(&judge(&hints, None), &quiet), PortVerdict::Unknown);
        let lost = Some(("2026-12-07T10:00:00Z".into(), "session closed".into()));
        assert_eq!(
            verdict(&judge(&hints, lost.clone()), &tl),
            PortVerdict::Fail
        );
        let mut polled = PortTimeline::default();
        polled.poll(at(0), &up(), Duration::from_secs(1));
        assert_eq!(verdict(&judge(&hints, lost), &polled), PortVerdict::Lost);
    }

    fn up() -> crate::parse::PortState {
        crate::parse::PortState {
            port: "Et1".into(),
            oper: Some(LinkState::Up),
            ..Default::default()
        }
    }
}
