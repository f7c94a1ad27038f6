//! The diagnosis of one watched port at the end of a watch: flaps (seen and unseen), the
//! worst burst in 10 s, error growth, err-disabled state, a verdict against the criteria
//! and a hint from the cabling (`hints.toml`).

use std::time::Duration;

use super::hints::{HintFile, PortFacts};
use super::timeline::PortTimeline;
use crate::record::rows::PortRow;

/// What every port of one device is judged by.
pub struct Judge<'a> {
    pub device: &'a str,
    pub hints: &'a HintFile,
    /// Flaps a port may have and still pass.
    pub max_flaps: u64,
    /// Whether the watch polled states at all (else a port is never "shown").
    pub polled: bool,
    /// The command that shows a port (`{port}` where per port), for the unknown hint.
    pub shown_by: &'a str,
    /// The watch of this device was cut short: when (UTC) and why. A port that had not
    /// failed by then is `lost`, never `pass`.
    pub lost: Option<(String, String)>,
}

impl Judge<'_> {
    /// The ports.csv row of the port `name`, cabled as `cabling` says, from its timeline.
    /// `rejected`: the device's answer when it rejected the command showing this port.
    pub fn row(
        &self,
        name: &str,
        cabling: &PortFacts,
        tl: &PortTimeline,
        rejected: Option<&str>,
    ) -> PortRow {
        let flaps = tl.flaps();
        let burst = tl.worst_burst(Duration::from_secs(10));
        let (crc, ie) = tl.error_deltas();
        let err_disabled = tl.err_disabled();
        // A port no poll showed (a misspelt name) has no verdict, not a pass.
        let never_shown = tl.first_poll.is_none() && self.polled;
        let facts = PortFacts {
            flaps,
            burst,
            crc_delta: crc,
            err_disabled: err_disabled == Some(true),
            ..cabling.clone()
        };
        let pass = flaps <= self.max_flaps && !facts.err_disabled;
        let (verdict, hint) = match (rejected, never_shown, pass, &self.lost) {
            (Some(why), ..) => ("unknown", format!("not watched: {why}")),
            (None, true, ..) => {
                let shown_by = self.shown_by.replace("{port}", name);
                let hint = format!(
                    "the switch never showed this port in `{shown_by}`: check its name in the lab"
                );
                ("unknown", hint)
            }
            // Evidence of a failure stands, however the watch ended.
            (None, false, false, _) => ("fail", self.hints.explain(&facts).unwrap_or_default()),
            (None, false, true, Some((at, why))) => {
                ("lost", format!("watch cut short at {at}: {why}"))
            }
            (None, false, true, None) => ("pass", self.hints.explain(&facts).unwrap_or_default()),
        };
        PortRow {
            device: self.device.into(),
            port: name.into(),
            flaps,
            unseen_flaps: tl.unseen.iter().map(|u| u.flaps).sum(),
            worst_burst_10s: burst,
            crc_delta: crc,
            in_errors_delta: ie,
            err_disabled: match err_disabled {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .into(),
            cable: match (&facts.cable_kind, facts.length_m) {
                (Some(k), Some(l)) => format!("{l} m {k}"),
                (Some(k), None) => k.clone(),
                _ => String::new(),
            },
            nic: facts.nic.clone().unwrap_or_default(),
            verdict: verdict.into(),
            hint,
        }
    }
}
