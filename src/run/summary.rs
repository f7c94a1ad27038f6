//! A run's summary.csv rows: per device, what its push, watch and traffic came to.

use super::pipeline::DeviceReport;
use super::traffic::{TestOutcome, TestResult};
use crate::format::lab::Lab;
use crate::record::milli;
use crate::record::summary::SummaryRow;

/// One row per device of the run, in the run's order.
pub fn summarize(devices: &[DeviceReport], tests: &[TestResult], lab: &Lab) -> Vec<SummaryRow> {
    devices
        .iter()
        .map(|d| {
            let dev = lab.device(&d.device);
            let mine: Vec<&TestResult> = tests
                .iter()
                .filter(|t| t.test.device.as_deref() == Some(d.device.as_str()))
                .collect();
            let mut by_test = Vec::new();
            let (mut gbit, mut min_second, mut retrans, mut lost) = (None, None, None, None);
            // A test through the device that failed its criterion; one that could not run;
            // one interrupted before its end (measured nothing).
            let (mut test_failed, mut test_error, mut test_unmeasured) = (false, false, false);
            for t in &mine {
                match &t.outcome {
                    TestOutcome::Measured {
                        received_gbps,
                        retransmits,
                        pass,
                        udp,
                        min_interval_gbps,
                        ..
                    } => {
                        by_test.push(format!("{}={received_gbps:.3}", t.test.name));
                        gbit = Some(gbit.map_or(*received_gbps, |g: f64| g.min(*received_gbps)));
                        if let Some(m) = min_interval_gbps {
                            min_second = Some(min_second.map_or(*m, |x: f64| x.min(*m)));
                        }
                        if let Some(r) = retransmits {
                            retrans = Some(retrans.unwrap_or(0) + r);
                        }
                        if let Some(u) = udp {
                            lost =
                                Some(lost.map_or(u.lost_percent, |l: f64| l.max(u.lost_percent)));
                        }
                        test_failed |= *pass == Some(false);
                    }
                    TestOutcome::Failed(_) => {
                        by_test.push(format!("{}=failed", t.test.name));
                        test_error = true;
                    }
                    TestOutcome::Interrupted => {
                        by_test.push(format!("{}=interrupted", t.test.name));
                        test_unmeasured = true;
                    }
                }
            }
            let verdicts: Vec<&str> = d.ports.iter().map(|p| p.verdict.as_str()).collect();
            let failing: Vec<&str> = d
                .ports
                .iter()
                .filter(|p| p.verdict == "fail")
                .map(|p| p.port.as_str())
                .collect();
            let suspects: Vec<String> = d
                .ports
                .iter()
                .filter(|p| !p.hint.is_empty() && p.verdict == "fail")
                .map(|p| format!("{}: {}", p.port, p.hint))
                .collect();
            let verdict = if (!d.ok() && d.watch_word() != "lost") || test_error {
                "error"
            } else if !failing.is_empty() || test_failed {
                "fail"
            } else if verdicts.contains(&"lost") || d.watch_word() == "lost" {
                "lost"
            } else if verdicts.contains(&"unknown") || test_unmeasured {
                "unknown"
            } else {
                "pass"
            };
            SummaryRow {
                device: d.device.clone(),
                vendor: dev.map(|x| x.vendor().to_string()).unwrap_or_default(),
                model: dev.and_then(|x| x.model.clone()).unwrap_or_default(),
                software: d.software.clone().unwrap_or_default(),
                push_seconds: milli(d.push_time.as_secs_f64()),
                config_lines: d.lines,
                push: d.push.word().into(),
                watch: d.watch_word().into(),
                gbit_s: gbit.map(milli),
                gbit_s_by_test: by_test.join(" "),
                min_second_gbit_s: min_second.map(milli),
                retransmits: retrans,
                lost_percent: lost,
                flaps: d.ports.iter().map(|p| p.flaps).sum(),
                unseen_flaps: d.ports.iter().map(|p| p.unseen_flaps).sum(),
                failing_ports: failing.join(" "),
                suspects: suspects.join("; "),
                verdict: verdict.into(),
            }
        })
        .collect()
}
