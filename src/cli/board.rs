//! Console output while `watch`, `run` and `demo` go: a line per device push and per
//! test, the live view ([`super::live`]), progress bars on a terminal; every line fits
//! the terminal. All printing of a run's progress is here.

use std::sync::Mutex;
use std::time::SystemTime;

use super::bars::Bars;
use super::live::{Flush, LiveBoard};
use super::table::cut;
use switchlab::locks::lock;
use switchlab::record::rfc2544::Rfc2544Row;
use switchlab::run::bench::{BenchPlan, BenchResult};
use switchlab::run::pipeline::{DeviceReport, Progress};
use switchlab::run::push::Outcome;
use switchlab::run::traffic::frames::TrialReport;
use switchlab::run::traffic::{TestOutcome, TestResult, TrafficProgress, TrafficTest};
use switchlab::watch::Heard;

/// Said on the first Ctrl-C of a watch or a run.
pub(crate) const STOPPING: &str =
    "interrupted: a last poll, then the files (Ctrl-C or SIGTERM again quits at once)";

/// `text` cut to the terminal's width, its names kept: the tail goes.
fn fit(text: &str) -> String {
    match super::table::width() {
        Some(w) => cut(text, w),
        None => text.to_string(),
    }
}

/// One device's push as `push`, `run` and `demo` print it: `ok` or `FAILED`, the device,
/// the seconds it took and what happened; `then` follows a push that went in.
pub(crate) fn push_line(
    device: &str,
    secs: f64,
    lines: usize,
    outcome: &Outcome,
    then: &str,
) -> String {
    match outcome {
        Outcome::Rendered => format!("ok     {device} {secs:.2}s {lines} lines rendered (dry run)"),
        Outcome::Diff(d) if d.is_empty() => {
            format!("same   {device} {secs:.2}s the baseline changes nothing")
        }
        Outcome::Diff(d) => format!(
            "differs {device} {secs:.2}s the baseline would change {} line(s)",
            changed_lines(d)
        ),
        Outcome::Pushed { saved } => format!(
            "ok     {device} {secs:.2}s {lines} lines pushed, verified{}{then}",
            if *saved { ", saved" } else { ", not saved" }
        ),
        Outcome::NotVerified { missing } => {
            let list: Vec<String> = missing.iter().map(|(n, l)| format!("{n}: {l}")).collect();
            format!(
                "FAILED {device} {secs:.2}s pushed, but not in the running config: {}",
                list.join("; ")
            )
        }
        Outcome::Failed(e) => {
            let e = switchlab::secrets::masked(&e.to_string());
            format!("FAILED {device} {secs:.2}s {e}")
        }
    }
}

/// The `+`/`-` lines of a unified diff (its `---`/`+++` header left out).
pub(crate) fn changed_lines(diff: &str) -> usize {
    (diff.lines())
        .filter(|l| {
            (l.starts_with('+') && !l.starts_with("+++"))
                || (l.starts_with('-') && !l.starts_with("---"))
        })
        .count()
}

/// `run`, `watch` and `demo` progress on the console.
pub(crate) struct ConsoleProgress {
    board: Mutex<LiveBoard>,
    bars: Option<Bars>,
    /// Standard output carries JSON at the end (`--json`): progress lines go to stderr.
    json: bool,
    /// Said when the run has started (Ctrl-C handled from then on).
    intro: Option<String>,
}

impl ConsoleProgress {
    /// A live view of `ports` (device, port), judged against `max_flaps`.
    pub(crate) fn new(ports: Vec<(String, String)>, max_flaps: u64, json: bool) -> ConsoleProgress {
        let bars = Bars::on_terminal();
        let rows = super::table::height().map_or(20, |h| h.saturating_sub(6).max(3));
        let multi = bars.as_ref().map(Bars::multi);
        ConsoleProgress {
            board: Mutex::new(LiveBoard::new(ports, max_flaps, multi, rows)),
            bars,
            json,
            intro: None,
        }
    }

    /// A line said once the run has started, before anything else it says.
    pub(crate) fn with_intro(mut self, line: String) -> ConsoleProgress {
        self.intro = Some(line);
        self
    }

    /// A progress line: stdout, or stderr when stdout is for the JSON; cut to the width.
    fn line(&self, text: &str) {
        let text = fit(text);
        Bars::say(&self.bars, || match self.json {
            true => eprintln!("{text}"),
            false => println!("{text}"),
        });
    }

    /// A line of the run's own, said above the bars (they are live by then).
    pub(crate) fn say(&self, text: &str) {
        self.line(text);
    }

    /// A line for stderr (warnings, notes), cut to the width.
    fn note(&self, text: &str) {
        let text = fit(text);
        Bars::say(&self.bars, || eprintln!("{text}"));
    }

    /// The baseline's port-ups said, as far as `flush` goes.
    fn baseline_ups(&self, flush: Flush) {
        let lines = lock(&self.board).baseline_lines(SystemTime::now(), flush);
        for l in lines {
            self.note(&l);
        }
    }

    /// The live region goes: the end-of-run screen follows.
    pub(crate) fn close(&self) {
        self.baseline_ups(Flush::Closing);
        lock(&self.board).close();
    }
}

impl TrafficProgress for ConsoleProgress {
    fn preflight(&self, warnings: &[String]) {
        for w in warnings {
            self.note(&format!("warning: {w}"));
        }
    }

    fn test_second(&self, _t: &TrafficTest, at_s: f64, gbit_s: f64) {
        if let Some(b) = &self.bars {
            b.test_second(at_s, gbit_s);
        }
    }

    fn test_started(&self, t: &TrafficTest) {
        self.baseline_ups(Flush::Started);
        if let Some(b) = &self.bars {
            let name = format!("{} {}", t.name, t.device.as_deref().unwrap_or(""));
            b.test_started(name.trim(), t.duration.as_secs());
        }
        let through = t
            .device
            .as_deref()
            .map(|d| format!(" via {d}"))
            .unwrap_or_default();
        let engine = engine_name(t.engine);
        self.note(&format!(
            "traffic {}{through}{}: {}, {} stream(s), {engine}",
            t.name,
            ends(&t.name, &t.from.name, &t.to.name),
            humantime::format_duration(t.duration),
            t.streams,
        ));
    }

    fn test_ended(&self, r: &TestResult) {
        if let Some(b) = &self.bars {
            b.test_ended();
        }
        self.line(&test_line(r));
    }

    fn benchmark_started(&self, p: &BenchPlan) {
        self.baseline_ups(Flush::Started);
        let tests: Vec<&str> = p.tests.iter().map(|t| t.as_str()).collect();
        self.note(&format!(
            "benchmark {} via {}{}: {} frame size(s), {}",
            p.name,
            p.device,
            ends(&p.name, &p.from.name, &p.to.name),
            p.frame_sizes.len(),
            tests.join("+"),
        ));
    }

    fn trial_started(
        &self,
        p: &BenchPlan,
        label: &str,
        fps: Option<f64>,
        frames: Option<u64>,
        duration: std::time::Duration,
    ) {
        if let Some(b) = &self.bars {
            let asked = fps.map_or("full speed".into(), |f| format!("{} fps", human_count(f)));
            let length = match frames {
                Some(n) => format!("{} frames", human_count(n as f64)),
                None => humantime::format_duration(duration).to_string(),
            };
            b.trial_started(
                &format!("{} {}", p.device, label.trim_start_matches(&p.name).trim()),
                &length,
                &asked,
            );
        }
    }

    fn trial_ended(&self, _p: &BenchPlan, _label: &str, _r: &TrialReport) {
        if let Some(b) = &self.bars {
            b.test_ended();
        }
    }

    fn benchmark_row(&self, _p: &BenchPlan, row: &Rfc2544Row) {
        // On a terminal the trial bars show the progress and the table at the end the
        // rows; in a pipe each row is a line as it is found.
        if self.bars.is_some() {
            return;
        }
        if let Some(l) = super::bench_table::row_line(row) {
            self.line(&l);
        }
    }

    fn benchmark_ended(&self, r: &BenchResult) {
        if let Some(e) = &r.error {
            self.line(&format!("FAILED {e}"));
        }
    }
}

/// 1234567 as `1.23M`, 81274 as `81.3k`.
pub(crate) fn human_count(n: f64) -> String {
    match n {
        n if n >= 1e6 => format!("{:.2}M", n / 1e6),
        n if n >= 1e3 => format!("{:.1}k", n / 1e3),
        n => format!("{n:.0}"),
    }
}

/// A test's end, as a line.
fn test_line(r: &TestResult) -> String {
    let secs = r
        .ended
        .duration_since(r.started)
        .unwrap_or_default()
        .as_secs_f64();
    let name = &r.test.name;
    let through = r.test.device.as_deref().unwrap_or("-");
    match &r.outcome {
        TestOutcome::Measured {
            received_gbps,
            pass,
            udp,
            ..
        } => format!(
            "{} traffic {name} {through} {secs:.2}s {received_gbps:.2} Gbit/s received{}",
            // A verdict, not a failure of the tool: lower case, as in ports.csv.
            if *pass == Some(false) {
                "fail  "
            } else {
                "ok    "
            },
            udp.as_ref()
                .map(|u| format!(
                    ", {:.3}% lost, jitter {:.3} ms",
                    u.lost_percent, u.jitter_ms
                ))
                .unwrap_or_default(),
        ),
        TestOutcome::Failed(e) => format!("FAILED traffic {name} {e}"),
        TestOutcome::Interrupted => format!("interrupted traffic {name} {secs:.2}s"),
    }
}

impl Progress for ConsoleProgress {
    fn started(&self, folder: &std::path::Path, syslog: Option<std::net::SocketAddr>) {
        if let Some(intro) = &self.intro {
            self.note(intro);
        }
        self.note(&format!("run folder {}", folder.display()));
        if let Some(a) = syslog {
            self.note(&format!("syslog receiver on udp {a}"));
        }
    }

    fn watch_began(&self, device: &str, ports: usize) {
        self.note(&format!("{device}: watching {ports} port(s)"));
    }

    fn push_started(&self, device: &str, lines: usize) {
        if let Some(b) = &self.bars {
            b.push_started(device, lines);
        }
    }

    fn push_progress(&self, device: &str, done: usize, _lines: usize) {
        if let Some(b) = &self.bars {
            b.push_progress(device, done);
        }
    }

    fn pushed(&self, r: &DeviceReport) {
        if let Some(b) = &self.bars {
            b.push_ended(&r.device);
        }
        lock(&self.board).pushed(&r.device, SystemTime::now());
        if let Some(push) = &r.push {
            let secs = r.push_time.as_secs_f64();
            self.line(&push_line(&r.device, secs, r.lines, push, "; watching"));
        }
    }

    fn watching(&self, watch: std::time::Duration) {
        self.baseline_ups(Flush::Due);
        self.note(&format!(
            "every push done: watching for {} more (Ctrl-C ends it early)",
            // Whole milliseconds: "1s 988ms", not down to the nanosecond.
            humantime::format_duration(std::time::Duration::from_millis(watch.as_millis() as u64))
        ));
    }

    fn interrupted(&self) {
        self.note(STOPPING);
    }

    fn event(&self, heard: Heard) {
        let said = lock(&self.board).heard(heard, SystemTime::now());
        if let Some(line) = said {
            self.note(&line);
        }
        self.baseline_ups(Flush::Due);
    }

    fn heartbeat(&self) {
        if self.bars.is_none() {
            let status = lock(&self.board).status();
            self.note(&status);
        }
    }
}

/// ` (A -> B)`, unless the measurement's name already says both ends: a line is read at
/// 80 columns.
fn ends(name: &str, from: &str, to: &str) -> String {
    match name.contains(from) && name.contains(to) {
        true => String::new(),
        false => format!(" ({from} -> {to})"),
    }
}

/// How many measurements a run makes and the engine for tests that name none, and why.
pub(crate) fn traffic_line(t: &switchlab::run::traffic::Traffic) -> String {
    let engine = engine_name(t.default_engine.engine);
    // Short enough for 80 columns with either reason (regression: 81 without iperf3).
    let n = t.tests.len();
    let s = if n == 1 { "" } else { "s" };
    format!(
        "traffic: {n} measurement{s}; engine {engine} ({})",
        t.default_engine.why
    )
}

/// An engine as the output names it.
pub(crate) fn engine_name(e: switchlab::format::manifest::Engine) -> &'static str {
    match e {
        switchlab::format::manifest::Engine::Iperf3 => "iperf3",
        switchlab::format::manifest::Engine::Builtin => "built-in",
    }
}

/// What a `switchlab run` of the demo's bench would exit with, said after the demo.
pub(crate) fn run_would_exit(d: switchlab::run::exit::Decision) -> String {
    use switchlab::run::exit::Decision;
    let why = match d {
        Decision::Passed => "every verdict passed",
        Decision::VerdictFailed => "a verdict failed",
        Decision::NotDone => "something could not be done",
        Decision::Interrupted => "interrupted",
    };
    format!(
        "`switchlab run` of this bench would exit {} ({why})",
        d.code()
    )
}
