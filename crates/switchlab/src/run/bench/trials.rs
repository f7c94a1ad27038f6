//! A benchmark's two ends: a frame sink (`switchlab traffic sink`) started once on the
//! receiving endpoint, and one `switchlab traffic blast` per trial on the sending one,
//! each where its endpoint is (this machine, a namespace, over SSH). One-way latency where
//! both ends share a clock (this machine and its namespaces); else the sink reflects and
//! the round trip is halved.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::search::SHORTFALL;
use super::{BenchError, BenchPlan};
use crate::run::traffic::frames::{TrialReport, sink_line};
use crate::run::traffic::place::{Place, Process};
use crate::run::traffic::{Host, Traffic};
use crate::states::LatencyKind;

/// How long a sink may take to say where it listens.
const SINK_READY: Duration = Duration::from_secs(10);
/// Beyond a trial's own length and drain: starting, learning, the count.
const TRIAL_GRACE: Duration = Duration::from_secs(20);

/// One trial as asked of the sender.
#[derive(Debug, Clone)]
pub(crate) struct Ask {
    pub(crate) frame_size: u32,
    /// None: as fast as the sender goes.
    pub(crate) fps: Option<f64>,
    pub(crate) duration: Duration,
    /// A burst of this many frames.
    pub(crate) frames: Option<u64>,
    pub(crate) ramp: Duration,
}

impl Ask {
    /// Whether a paced trial's sender fell short of the rate asked: its thread was kept
    /// from its core, and what it owed beyond 2 ms of frames was not sent (a burst
    /// would have been blamed on the switch). Such a trial says nothing of the switch yet.
    /// A burst or a flat-out trial cannot fall short.
    pub(crate) fn fell_short(&self, sent_fps: f64) -> bool {
        self.frames.is_none() && self.fps.is_some_and(|fps| sent_fps < fps * SHORTFALL)
    }
}

pub(crate) struct Ends {
    from: Place,
    from_bin: String,
    from_ip: IpAddr,
    sink: Process,
    sink_udp: SocketAddr,
    sink_control: SocketAddr,
    pub(crate) latency: LatencyKind,
    drain: Duration,
    /// `--frame-path` of every blast.
    generator: crate::states::FramePath,
    next_trial: u16,
    benchmark: String,
    device: String,
}

fn ip(h: &Host) -> Result<IpAddr, String> {
    h.address.parse().map_err(|_| {
        format!(
            "endpoint '{}': '{}' is not an IP address (a benchmark sends to addresses)",
            h.name, h.address
        )
    })
}

/// The sink's data and control addresses, from the line it prints once it listens.
async fn sink_ready(
    sink: &mut Process,
    plan: &BenchPlan,
    to: &Place,
) -> Result<(SocketAddr, SocketAddr), BenchError> {
    let mut said = String::new();
    loop {
        match tokio::time::timeout(SINK_READY, sink.next_line()).await {
            Ok(Some(l)) => match sink_line(&l) {
                Some(addrs) => return Ok(addrs),
                None => said.push_str(&format!("; it said: {l}")),
            },
            Ok(None) | Err(_) => {
                return Err(BenchError::SinkNotReady {
                    benchmark: plan.name.clone(),
                    device: plan.device.clone(),
                    place: to.describe(),
                    waited: SINK_READY,
                    said,
                });
            }
        }
    }
}

impl Ends {
    /// The sink started on `plan.to`, the sender's place opened.
    pub(crate) async fn open(traffic: &Traffic, plan: &BenchPlan) -> Result<Ends, BenchError> {
        let place_err = |error| BenchError::Place {
            benchmark: plan.name.clone(),
            device: plan.device.clone(),
            error,
        };
        let from = traffic.place(&plan.from.name).await.map_err(place_err)?;
        let to = traffic.place(&plan.to.name).await.map_err(place_err)?;
        let bad = |said: String| BenchError::Trial {
            benchmark: plan.name.clone(),
            device: plan.device.clone(),
            frame_size: 0,
            test: "setup",
            place: "the lab".into(),
            command: String::new(),
            said,
        };
        let (from_ip, to_ip) = (ip(&plan.from).map_err(bad)?, ip(&plan.to).map_err(bad)?);
        let mut sink_argv = vec![
            traffic.switchlab_at(&plan.to.name),
            "traffic".into(),
            "sink".into(),
            "--bind".into(),
            to_ip.to_string(),
        ];
        if let Some(kb) = plan.sink_buffer_kb {
            sink_argv.extend(["--buffer-kb".into(), kb.to_string()]);
        }
        let mut sink = to.start(&sink_argv).await.map_err(place_err)?;
        let (sink_udp, sink_control) = sink_ready(&mut sink, plan, &to).await?;
        let local = |p: &Place| matches!(p, Place::Local | Place::Netns { .. });
        let latency = match local(&from) && local(&to) {
            true => LatencyKind::OneWay,
            false => LatencyKind::HalfRoundTrip,
        };
        Ok(Ends {
            from_bin: traffic.switchlab_at(&plan.from.name),
            from,
            from_ip,
            sink,
            sink_udp,
            sink_control,
            latency,
            drain: plan.drain,
            generator: plan.generator,
            next_trial: 1,
            benchmark: plan.name.clone(),
            device: plan.device.clone(),
        })
    }

    /// One trial against the sink.
    pub(crate) async fn trial(
        &mut self,
        ask: &Ask,
        test: &'static str,
    ) -> Result<TrialReport, BenchError> {
        let trial = self.next_trial;
        self.next_trial = self.next_trial.checked_add(1).unwrap_or(1);
        let mut argv = vec![
            self.from_bin.clone(),
            "traffic".into(),
            "blast".into(),
            self.sink_udp.to_string(),
            "--control".into(),
            self.sink_control.to_string(),
            "--from".into(),
            self.from_ip.to_string(),
            "--frame-size".into(),
            ask.frame_size.to_string(),
            "--duration".into(),
            format!("{}ms", ask.duration.as_millis().max(1)),
            "--drain".into(),
            format!("{}ms", self.drain.as_millis()),
            "--ramp".into(),
            format!("{}ms", ask.ramp.as_millis()),
            "--trial".into(),
            trial.to_string(),
            "--frame-path".into(),
            self.generator.to_string(),
            "--json".into(),
        ];
        if let Some(fps) = ask.fps {
            argv.extend(["--fps".into(), format!("{fps:.0}")]);
        }
        if let Some(n) = ask.frames {
            argv.extend(["--frames".into(), n.to_string()]);
        }
        if self.latency == LatencyKind::HalfRoundTrip {
            argv.push("--reflect".into());
        }
        self.run(
            argv,
            ask.frame_size,
            test,
            ask.ramp + ask.duration + self.drain,
        )
        .await
    }

    /// The generator's own ceiling at `frame_size`: flat out on the sender's loopback.
    pub(crate) async fn ceiling(
        &mut self,
        frame_size: u32,
        duration: Duration,
    ) -> Result<TrialReport, BenchError> {
        let argv = vec![
            self.from_bin.clone(),
            "traffic".into(),
            "blast".into(),
            "--loopback".into(),
            "--frame-size".into(),
            frame_size.to_string(),
            "--duration".into(),
            format!("{}ms", duration.as_millis().max(1)),
            "--frame-path".into(),
            self.generator.to_string(),
            "--json".into(),
        ];
        self.run(argv, frame_size, "ceiling", duration).await
    }

    async fn run(
        &mut self,
        argv: Vec<String>,
        frame_size: u32,
        test: &'static str,
        takes: Duration,
    ) -> Result<TrialReport, BenchError> {
        let fail = |said: String| BenchError::Trial {
            benchmark: self.benchmark.clone(),
            device: self.device.clone(),
            frame_size,
            test,
            place: self.from.describe(),
            command: argv.join(" "),
            said,
        };
        let process = self
            .from
            .start(&argv)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let out = process
            .finish(takes + TRIAL_GRACE)
            .await
            .map_err(|waited| {
                fail(format!(
                    "had not ended {} after it started",
                    humantime::format_duration(waited)
                ))
            })?;
        if out.status != Some(0) {
            let said = format!("{}{}", out.stderr.trim(), out.stdout.trim());
            return Err(fail(match said.is_empty() {
                true => "it ended without saying why".into(),
                false => said,
            }));
        }
        let line = out
            .stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or("");
        serde_json::from_str(line)
            .map_err(|e| fail(format!("an unreadable report ({e}): {}", out.stdout.trim())))
    }

    /// The sink ended (its process, or its remote one through the watchdog).
    pub(crate) async fn close(mut self) {
        self.sink.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(fps: Option<f64>, frames: Option<u64>) -> Ask {
        Ask {
            frame_size: 1518,
            fps,
            duration: Duration::from_millis(250),
            frames,
            ramp: Duration::ZERO,
        }
    }

    #[test]
    fn a_paced_trial_more_than_a_percent_under_its_rate_fell_short() {
        let paced = ask(Some(27_000.0), None);
        assert!(paced.fell_short(26_000.0));
        assert!(!paced.fell_short(26_900.0));
        // Flat out and bursts have no rate to fall short of.
        assert!(!ask(None, None).fell_short(1.0));
        assert!(!ask(Some(27_000.0), Some(100)).fell_short(1.0));
    }
}
