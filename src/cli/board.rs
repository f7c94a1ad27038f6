//! Console output shared by `watch`, `run` and `demo`: the live per-port table (one line
//! per event when stderr is not a terminal), the final ports table, and run progress.

use std::sync::Mutex;

use comfy_table::Table;

use super::bars::Bars;

use crate::run::pipeline::{DeviceReport, Progress, RunReport};
use crate::run::push::Outcome;
use crate::run::traffic::{TestOutcome, TestResult, TrafficProgress, TrafficTest, verdict};
use crate::watch::{PortRow, WatchEvent};

pub use super::live::LiveBoard;

/// Said on the first Ctrl-C of a watch or a run.
pub const STOPPING: &str =
    "interrupted: a last poll, then the CSVs (Ctrl-C or SIGTERM again quits at once)";

/// An empty table whose long cells wrap within the terminal's width (`COLUMNS` where set,
/// else the terminal's own; no limit when not on a terminal): every table switchlab prints.
pub fn terminal_table() -> Table {
    let mut t = Table::new();
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
    {
        t.set_width(w);
    }
    t
}

/// A table that fits: columns that carry nothing in any row left out, long cells wrapped
/// within the terminal's width ([`terminal_table`]).
fn fitted<const N: usize>(header: [&str; N], rows: Vec<[String; N]>) -> Table {
    let empty = |v: &str| v.is_empty() || v == "-";
    let keep: Vec<usize> = (0..N)
        .filter(|&c| rows.iter().any(|r| !empty(&r[c])))
        .collect();
    let mut t = terminal_table();
    t.set_header(keep.iter().map(|&c| header[c]));
    for r in &rows {
        t.add_row(keep.iter().map(|&c| r[c].clone()));
    }
    t
}

/// The diagnosis per port, as a table.
pub fn ports_table(rows: &[PortRow]) -> Table {
    let header = [
        "device",
        "port",
        "flaps",
        "unseen",
        "burst/10s",
        "crc+",
        "err-dis",
        "cable",
        "verdict",
        "hint",
    ];
    let mut cells = Vec::new();
    for r in rows {
        cells.push([
            r.device.clone(),
            r.port.clone(),
            r.flaps.to_string(),
            r.unseen_flaps.to_string(),
            r.worst_burst_10s.to_string(),
            r.crc_delta.map_or("-".into(), |c| c.to_string()),
            if r.err_disabled.is_empty() {
                "-".into()
            } else {
                r.err_disabled.clone()
            },
            r.cable.clone(),
            r.verdict.clone(),
            r.hint.clone(),
        ]);
    }
    fitted(header, cells)
}

/// The end of a run on the console: the diagnosis per port, the throughput tests, what
/// failed or was not run, and the run folder as the last line.
/// The end of a run: the tables and the folder, or with `json` one JSON document (the
/// folder and its run.json) on stdout.
pub fn print_run_report(report: &RunReport, json: bool) -> anyhow::Result<()> {
    if json {
        let run = crate::record::read::read_run(&report.folder.join("run.json"))?;
        let doc = serde_json::json!({ "folder": report.folder, "run": run });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    print_run_tables(report);
    Ok(())
}

fn print_run_tables(report: &RunReport) {
    let rows: Vec<PortRow> = report
        .devices
        .iter()
        .flat_map(|d| d.ports.clone())
        .collect();
    println!("{}", ports_table(&rows));
    if !report.traffic.is_empty() {
        println!("{}", traffic_table(&report.traffic));
    }
    for d in &report.devices {
        if let Some(e) = &d.watch_error {
            println!("FAILED {:<16} watch lost: {e}", d.device);
        }
        for p in &d.problems {
            println!("FAILED {:<16} watch: {p}", d.device);
        }
    }
    if report.interrupted {
        println!("interrupted: the watch ended early");
    }
    let unrun = report.tests_planned.saturating_sub(report.traffic.len());
    if unrun > 0 {
        let why = if report.interrupted {
            "the run was interrupted first"
        } else {
            "no device's baseline went in"
        };
        println!("throughput: {unrun} test(s) not run: {why}");
    }
    let ok = report.devices.iter().filter(|d| d.ok()).count();
    println!(
        "{ok} of {} devices pushed and watched",
        report.devices.len()
    );
    if let Some(e) = &report.report_error {
        eprintln!("warning: report.html not written: {e}");
    }
    println!("{}", report.folder.display());
}

/// The throughput tests, as a table.
fn traffic_table(results: &[TestResult]) -> Table {
    let header = [
        "test",
        "device",
        "from",
        "to",
        "streams",
        "sent Gb/s",
        "recv Gb/s",
        "retrans",
        "verdict",
    ];
    let rows = results
        .iter()
        .map(|r| {
            let [sent, received, retrans, verdict] = match &r.outcome {
                TestOutcome::Measured {
                    sent_gbps,
                    received_gbps,
                    retransmits,
                    pass,
                    ..
                } => [
                    format!("{sent_gbps:.2}"),
                    format!("{received_gbps:.2}"),
                    retransmits.map_or("-".into(), |n| n.to_string()),
                    verdict(*pass).unwrap_or("-").into(),
                ],
                TestOutcome::Failed(_) => ["-".into(), "-".into(), "-".into(), "not run".into()],
                TestOutcome::Interrupted => {
                    ["-".into(), "-".into(), "-".into(), "interrupted".into()]
                }
            };
            [
                r.test.name.clone(),
                r.test.device.clone().unwrap_or_default(),
                r.test.from.name.clone(),
                r.test.to.name.clone(),
                r.test.streams.to_string(),
                sent,
                received,
                retrans,
                verdict,
            ]
        })
        .collect();
    fitted(header, rows)
}

/// One device's push as `push`, `run` and `demo` print it: `ok` or `FAILED`, the device,
/// the seconds it took and what happened; `then` follows a push that went in.
pub fn push_line(device: &str, secs: f64, lines: usize, outcome: &Outcome, then: &str) -> String {
    match outcome {
        Outcome::Rendered => {
            format!("ok     {device:<16} {secs:>6.2}s {lines:>3} lines rendered (dry run)")
        }
        Outcome::Pushed { saved } => format!(
            "ok     {device:<16} {secs:>6.2}s {lines:>3} lines pushed, verified{}{then}",
            if *saved { ", saved" } else { ", not saved" }
        ),
        Outcome::NotVerified { missing } => {
            let list: Vec<String> = missing.iter().map(|(n, l)| format!("{n}: {l}")).collect();
            format!(
                "FAILED {device:<16} {secs:>6.2}s pushed, but not in the running config: {}",
                list.join("; ")
            )
        }
        Outcome::Failed(e) => format!("FAILED {device:<16} {secs:>6.2}s {e}"),
    }
}

/// `run` and `demo` progress on the console: a line per device push, then the live board;
/// on a terminal, progress bars for pushes and tests beside it.
pub struct ConsoleProgress {
    pub board: Mutex<LiveBoard>,
    pub bars: Option<Bars>,
    /// Standard output carries JSON at the end (`--json`): progress lines go to stderr.
    pub json: bool,
}

impl ConsoleProgress {
    pub fn new(ports: Vec<(String, String)>, json: bool) -> ConsoleProgress {
        ConsoleProgress {
            board: Mutex::new(LiveBoard::new(ports)),
            bars: Bars::on_terminal(),
            json,
        }
    }

    /// A progress line: stdout, or stderr when stdout is for the JSON.
    fn line(&self, text: &str) {
        Bars::say(&self.bars, || match self.json {
            true => eprintln!("{text}"),
            false => println!("{text}"),
        });
    }
}

impl TrafficProgress for ConsoleProgress {
    fn preflight(&self, warnings: &[String]) {
        Bars::say(&self.bars, || {
            for w in warnings {
                eprintln!("warning: {w}");
            }
        });
    }

    fn test_second(&self, _t: &TrafficTest, at_s: f64, gbit_s: f64) {
        if let Some(b) = &self.bars {
            b.test_second(at_s, gbit_s);
        }
    }

    fn test_started(&self, t: &TrafficTest) {
        if let Some(b) = &self.bars {
            let name = format!("{} {}", t.name, t.device.as_deref().unwrap_or(""));
            b.test_started(name.trim(), t.duration.as_secs());
        }
        let through = t
            .device
            .as_deref()
            .map(|d| format!(" through {d}"))
            .unwrap_or_default();
        Bars::say(&self.bars, || {
            eprintln!(
                "traffic {:<15}{through} {} -> {}: {}, {} stream(s), {}; every port still watched",
                t.name,
                t.from.name,
                t.to.name,
                humantime::format_duration(t.duration),
                t.streams,
                engine_name(t.engine),
            )
        });
    }

    fn test_ended(&self, r: &TestResult) {
        if let Some(b) = &self.bars {
            b.test_ended();
        }
        self.line(&test_line(r));
    }
}

/// A test's end, as a line.
fn test_line(r: &TestResult) -> String {
    let secs = r
        .ended
        .duration_since(r.started)
        .unwrap_or_default()
        .as_secs_f64();
    match &r.outcome {
        TestOutcome::Measured {
            received_gbps,
            pass,
            udp,
            ..
        } => format!(
            "{:<6} traffic {:<15} {:<16} {secs:>6.2}s {received_gbps:.2} Gbit/s received{}",
            // A verdict, not a failure of the tool: lower case, as in ports.csv.
            if *pass == Some(false) { "fail" } else { "ok" },
            r.test.name,
            r.test.device.as_deref().unwrap_or("-"),
            udp.as_ref()
                .map(|u| format!(
                    ", {:.3}% lost, jitter {:.3} ms",
                    u.lost_percent, u.jitter_ms
                ))
                .unwrap_or_default(),
        ),
        TestOutcome::Failed(e) => format!("FAILED traffic {:<15} {e}", r.test.name),
        TestOutcome::Interrupted => {
            format!("interrupted traffic {:<15} {secs:>6.2}s", r.test.name)
        }
    }
}

impl Progress for ConsoleProgress {
    fn started(&self, folder: &std::path::Path, syslog: Option<std::net::SocketAddr>) {
        eprintln!("run folder {}", folder.display());
        if let Some(a) = syslog {
            eprintln!("syslog receiver on udp {a}");
        }
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
        let secs = r.push_time.as_secs_f64();
        self.line(&push_line(&r.device, secs, r.lines, &r.push, "; watching"));
    }

    fn watching(&self, watch: std::time::Duration) {
        eprintln!(
            "every push done: watching for {} more (Ctrl-C ends it early)",
            // Whole milliseconds: "1s 988ms", not down to the nanosecond.
            humantime::format_duration(std::time::Duration::from_millis(watch.as_millis() as u64))
        );
    }

    fn interrupted(&self) {
        eprintln!("{STOPPING}");
    }

    fn event(&self, device: &str, port: &str, what: WatchEvent, at: std::time::SystemTime) {
        let mut board = self.board.lock().unwrap_or_else(|e| e.into_inner());
        Bars::say(&self.bars, || board.show(device, port, what, at));
    }
}

/// How many measurements a run makes and the engine for tests that name none, and why.
pub fn traffic_line(t: &crate::run::traffic::Traffic) -> String {
    format!(
        "traffic: {} measurement(s); tests that name no engine use {} ({})",
        t.tests.len(),
        engine_name(t.default_engine.engine),
        t.default_engine.why
    )
}

/// An engine as the output names it.
pub fn engine_name(e: crate::format::manifest::Engine) -> &'static str {
    match e {
        crate::format::manifest::Engine::Iperf3 => "iperf3",
        crate::format::manifest::Engine::Builtin => "the built-in engine",
    }
}
