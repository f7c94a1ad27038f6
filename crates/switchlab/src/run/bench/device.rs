//! One benchmark through one device: the line rate from the slowest port of the path (as
//! the switch shows it, else as the lab gives it), then per frame size the generator's
//! ceiling and the tests asked for, each trial a window of the run folder's traffic, each
//! row appended to rfc2544.csv as it is found and judged against `[criteria]`.

use std::time::{Duration, SystemTime};

use super::account::StageDrops;
use super::judge::judge;
mod calibrate;
mod no_drop;
mod stages;

use super::search::{Burst, FrameLoss, Outcome, SHORTFALL, line_fps};
use super::throughput::CEILING_MARGIN;
use super::trials::{Ask, Ends};
use super::{BenchError, BenchPlan, BenchResult, Windows};
use crate::format::manifest::{BenchmarkTest, Criteria};
use crate::record::rfc2544::Rfc2544Row;
use crate::run::traffic::frames::TrialReport;
use crate::run::traffic::{Traffic, TrafficProgress};
use crate::states::{LimitedBy, TestState};
use crate::watch::{End, PortSpeeds, RunFolder};

/// What a benchmark runs against.
pub(super) struct At<'a> {
    pub(super) traffic: &'a Traffic,
    pub(super) criteria: &'a Criteria,
    pub(super) speeds: &'a PortSpeeds,
    pub(super) folder: &'a RunFolder,
    pub(super) progress: &'a dyn TrafficProgress,
}

/// The longest ramp before a trial: 10 % of it, at most this (RFC 2544 counts none of it).
const RAMP_MAX: Duration = Duration::from_secs(1);
/// The generator's ceiling is measured over this (or the search trial, if shorter).
const CEILING_TRIAL: Duration = Duration::from_secs(1);
/// How many times a trial whose sender fell short of its rate runs, at most (a stall the
/// tester's thread met once is unlikely twice in a row; a limit it met, certain).
const SHORT_RUNS: u32 = 2;

/// Why a benchmark stopped early.
enum Halt {
    Stopped,
    Failed(BenchError),
}

impl From<BenchError> for Halt {
    fn from(e: BenchError) -> Halt {
        Halt::Failed(e)
    }
}

struct Bench<'a, 'b> {
    at: &'b At<'a>,
    plan: &'b BenchPlan,
    stop: End,
    ends: Option<Ends>,
    rows: Vec<(Rfc2544Row, Windows)>,
    /// A poll of the switch was awaited in vain: its watch has ended.
    unpolled: bool,
    /// The testers' own latency at the frame size under way (a direct cable's).
    calibration: Option<calibrate::Calibration>,
    /// The generator's ceiling at the frame size under way (frames/s): a trial asked for
    /// more falls short by the generator's limit, not by a stall, and is not run again.
    ceiling_fps: f64,
}

pub(super) async fn measure(at: &At<'_>, plan: &BenchPlan, stop: End) -> BenchResult {
    let started = SystemTime::now();
    let mut b = Bench {
        at,
        plan,
        stop,
        ends: None,
        rows: Vec::new(),
        unpolled: false,
        calibration: None,
        ceiling_fps: 0.0,
    };
    let halted = b.all().await.err();
    if let Some(ends) = b.ends.take() {
        ends.close().await;
    }
    let (outcome, error) = match halted {
        None => (TestState::Measured, None),
        Some(Halt::Stopped) => (TestState::Interrupted, None),
        Some(Halt::Failed(e)) => (TestState::Failed, Some(e)),
    };
    BenchResult {
        plan: plan.clone(),
        rows: b.rows,
        started,
        ended: SystemTime::now(),
        outcome,
        error,
    }
}

/// A trial's outcome as the searches see it, its loss placed by what each stage counted.
fn outcome(r: &TrialReport, drops: &StageDrops) -> Outcome {
    let loss = r.loss_percent();
    Outcome {
        sent_fps: r.sent_fps,
        forwarded_fps: r.sent_fps * (1.0 - loss / 100.0),
        loss_percent: loss,
        lost_at: drops.lost_at(super::account::lost(r)),
    }
}

impl Bench<'_, '_> {
    /// The slowest port of the path, in Mbit/s.
    fn line_mbps(&self) -> Result<u64, BenchError> {
        let plan = self.plan;
        let mut slowest = None::<u64>;
        for h in [&plan.from, &plan.to] {
            let port = h.port.clone().unwrap_or_default();
            let seen = self.at.speeds.get(&plan.device, &port);
            let Some(mbps) = seen.or(h.lab_speed_mbps).filter(|m| *m > 0) else {
                return Err(BenchError::NoSpeed {
                    benchmark: plan.name.clone(),
                    device: plan.device.clone(),
                    port,
                });
            };
            slowest = Some(slowest.map_or(mbps, |s| s.min(mbps)));
        }
        Ok(slowest.unwrap_or_default())
    }

    async fn all(&mut self) -> Result<(), Halt> {
        let mbps = self.line_mbps()?;
        self.ends = Some(Ends::open(self.at.traffic, self.plan).await?);
        let mut direct = match self.direct_plan() {
            Some(p) => Some(Ends::open(self.at.traffic, &p).await?),
            None => None,
        };
        let measured = self.sizes(mbps, direct.as_mut()).await;
        if let Some(d) = direct {
            d.close().await;
        }
        measured
    }

    /// Each frame size's tests, the testers' own latency first where `direct` reaches it.
    async fn sizes(&mut self, mbps: u64, mut direct: Option<&mut Ends>) -> Result<(), Halt> {
        let tests = self.plan.tests.clone();
        for &size in &self.plan.frame_sizes.clone() {
            self.calibration = match direct.as_deref_mut() {
                Some(d) => self.calibrate(d, size).await?,
                None => None,
            };
            let line = line_fps(mbps, size);
            let ceiling = self.ceiling(size).await?;
            self.ceiling_fps = ceiling;
            let mut found = None;
            if tests.contains(&BenchmarkTest::Throughput) || tests.contains(&BenchmarkTest::Latency)
            {
                found = self.throughput(size, line, ceiling).await?;
            }
            if tests.contains(&BenchmarkTest::Latency)
                && let Some(rate) = found
            {
                self.latency(size, line, rate).await?;
            }
            if tests.contains(&BenchmarkTest::FrameLoss) {
                self.frame_loss(size, line).await?;
            }
            if tests.contains(&BenchmarkTest::BackToBack) {
                self.back_to_back(size, line, ceiling).await?;
            }
        }
        Ok(())
    }

    fn ends(&mut self) -> Result<&mut Ends, Halt> {
        // Opened first thing in `all`; a benchmark without them has nothing to run.
        self.ends.as_mut().ok_or(Halt::Stopped)
    }

    async fn ceiling(&mut self, size: u32) -> Result<f64, Halt> {
        let d = self.plan.search_trial.min(CEILING_TRIAL);
        let r = self.ends()?.ceiling(size, d).await?;
        let cap = self
            .plan
            .max_offered_fps
            .map_or(f64::INFINITY, |c| c as f64);
        Ok(r.sent_fps.min(cap))
    }

    /// One trial (run again, [`SHORT_RUNS`] in all at most, while its sender fell short of
    /// the rate: a stall of the tester's, which says nothing of the switch).
    async fn trial(
        &mut self,
        test: BenchmarkTest,
        ask: Ask,
    ) -> Result<(TrialReport, StageDrops, (SystemTime, SystemTime)), Halt> {
        let mut runs = 1;
        let mut began = None;
        loop {
            let (report, drops, (from, to)) = self.trial_once(test, ask.clone()).await?;
            // The row's window spans every run: a flap in a run done again is the row's too.
            let from = *began.get_or_insert(from);
            let below_ceiling = ask
                .fps
                .is_some_and(|f| f < self.ceiling_fps * CEILING_MARGIN);
            if runs >= SHORT_RUNS || !below_ceiling || !ask.fell_short(report.sent_fps) {
                return Ok((report, drops, (from, to)));
            }
            runs += 1;
        }
    }

    /// One trial, its window recorded (flaps.csv names it), its loss accounted, then the
    /// settle gap.
    async fn trial_once(
        &mut self,
        test: BenchmarkTest,
        ask: Ask,
    ) -> Result<(TrialReport, StageDrops, (SystemTime, SystemTime)), Halt> {
        let label = self.plan.label(ask.frame_size, test);
        let (plan, at) = (self.plan, self.at);
        at.progress
            .trial_started(plan, &label, ask.fps, ask.frames, ask.duration);
        let ports = [&plan.from.port, &plan.to.port]
            .into_iter()
            .flatten()
            .cloned();
        at.folder
            .traffic_started(&label, Some((&plan.device, ports.collect())));
        let before = self.stages_before();
        let from = SystemTime::now();
        let mut stop = self.stop.clone();
        let ends = self.ends()?;
        let ran = tokio::select! {
            r = ends.trial(&ask, test.as_str()) => Some(r),
            _ = stop.wait_for(|end| end.is_some()) => None,
        };
        at.folder.traffic_ended(&label);
        let window = (from, SystemTime::now());
        let report = ran.ok_or(Halt::Stopped)??;
        at.progress.trial_ended(plan, &label, &report);
        let settle = tokio::time::sleep(plan.settle);
        let drops = self.stages_after(&before, &report, window.1).await;
        tokio::select! {
            _ = settle => {}
            _ = stop.wait_for(|end| end.is_some()) => return Err(Halt::Stopped),
        }
        Ok((report, drops, window))
    }

    fn ask(&self, size: u32, fps: f64, duration: Duration) -> Ask {
        Ask {
            frame_size: size,
            fps: Some(super::search::asked_fps(fps, self.plan.max_offered_fps)),
            duration,
            frames: None,
            ramp: (duration / 10).min(RAMP_MAX),
        }
    }

    /// A row of `test` from one trial's report.
    fn row(
        &self,
        test: BenchmarkTest,
        size: u32,
        line: f64,
        asked: f64,
        r: &TrialReport,
        drops: &StageDrops,
    ) -> Rfc2544Row {
        let o = outcome(r, drops);
        let mut row = Rfc2544Row::new(&self.plan.device, &self.plan.name, size, test);
        row.load_percent = Some(crate::record::milli(asked * 100.0 / line));
        row.offered_fps = Some(o.sent_fps.round());
        row.forwarded_fps = Some(o.forwarded_fps.round());
        row.loss_percent = Some(crate::record::milli(o.loss_percent));
        row.lost_at = o.lost_at;
        use crate::run::traffic::frames::FramePath;
        row.generator_path = Some(match r.path {
            FramePath::Ring => crate::states::GeneratorPath::Ring,
            // A report never says `auto`: it names the path that ran.
            FramePath::Udp | FramePath::Auto => crate::states::GeneratorPath::Udp,
        });
        row.generator_path_why = r.path_why.clone();
        row.gbit_s = Some(crate::record::milli(
            o.forwarded_fps * size as f64 * 8.0 / 1e9,
        ));
        if let Some(l) = &r.count.latency {
            let us = |v: f64| (v * 100.0).round() / 100.0;
            row.latency_min_us = Some(us(l.min_us));
            row.latency_avg_us = Some(us(l.avg_us));
            row.latency_median_us = Some(us(l.p50_us));
            row.timestamps = Some(match (l.hardware_stamped, l.kernel_stamped) {
                (true, _) => crate::states::Stamps::Hardware,
                (false, true) => crate::states::Stamps::Kernel,
                (false, false) => crate::states::Stamps::InFrame,
            });
            row.latency_p99_us = Some(us(l.p99_us));
            row.latency_max_us = Some(us(l.max_us));
            row.latency_kind = self.ends.as_ref().map(|e| e.latency);
        }
        if o.sent_fps < asked * SHORTFALL {
            row.limited_by = Some(LimitedBy::Generator);
        }
        row.trials = 1;
        row.line_fps = line.round();
        if let Some(c) = self.calibration {
            c.apply(&mut row);
        }
        row
    }

    /// Into rfc2544.csv and the result.
    fn keep(&mut self, mut row: Rfc2544Row, windows: Windows) -> Result<(), Halt> {
        row.verdict = judge(self.at.criteria, &row);
        self.at.folder.rfc2544(&row).map_err(BenchError::Csv)?;
        self.at.progress.benchmark_row(self.plan, &row);
        self.rows.push((row, windows));
        Ok(())
    }

    async fn frame_loss(&mut self, size: u32, line: f64) -> Result<(), Halt> {
        let mut steps = FrameLoss::new(
            self.plan.frame_loss_step_percent,
            self.plan.loss_tolerance_percent,
        );
        while let Some(load) = steps.next() {
            let rate = line * load / 100.0;
            let (r, drops, w) = self
                .trial(
                    BenchmarkTest::FrameLoss,
                    self.ask(size, rate, self.plan.trial),
                )
                .await?;
            steps.record(r.loss_percent());
            let row = self.row(BenchmarkTest::FrameLoss, size, line, rate, &r, &drops);
            self.keep(row, vec![w])?;
        }
        Ok(())
    }

    /// The longest lossless burst at line rate (at the generator's ceiling where that is
    /// lower, and said so), searched anew on each of `back_to_back_trials`, averaged.
    async fn back_to_back(&mut self, size: u32, line: f64, ceiling: f64) -> Result<(), Halt> {
        let plan = self.plan;
        let rate = line.min(ceiling);
        let longest = (rate * plan.burst.as_secs_f64()).max(1.0) as u64;
        let granularity = ((longest as f64 * plan.resolution_percent / 100.0) as u64).max(1);
        let (mut windows, mut lengths, mut trials, mut whole) = (Vec::new(), Vec::new(), 0, true);
        let mut last = None;
        for _ in 0..plan.back_to_back_trials {
            let mut b = Burst::new(longest, granularity);
            while let Some(n) = b.next() {
                let ask = Ask {
                    frame_size: size,
                    fps: self.ask(size, rate, Duration::ZERO).fps,
                    // The burst's length ends it; this bounds it.
                    duration: plan.burst * 2 + Duration::from_secs(1),
                    frames: Some(n),
                    ramp: Duration::ZERO,
                };
                let (r, drops, w) = self.trial(BenchmarkTest::BackToBack, ask).await?;
                windows.push(w);
                trials += 1;
                b.record(
                    n,
                    r.count.received.saturating_sub(r.count.duplicates) >= r.sent,
                );
                last = Some((r, drops));
            }
            let (n, all) = b.found();
            lengths.push(n);
            whole &= all;
        }
        let Some((r, drops)) = last else {
            return Ok(());
        };
        let mut row = self.row(BenchmarkTest::BackToBack, size, line, rate, &r, &drops);
        row.loss_percent = None;
        row.burst_frames = Some(lengths.iter().sum::<u64>() / lengths.len().max(1) as u64);
        row.limited_by = Some(match (rate < line * SHORTFALL, whole) {
            (true, _) => LimitedBy::Generator,
            (false, true) => LimitedBy::Line,
            (false, false) => LimitedBy::Switch,
        });
        row.trials = trials;
        self.keep(row, windows)?;
        Ok(())
    }
}
