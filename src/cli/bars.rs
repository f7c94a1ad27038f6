//! Progress bars for long work, on a terminal only: one per device push (lines in, of
//! the config), one per throughput test (seconds, with the last second's Gbit/s) and one
//! per benchmark trial (its time, the rate asked). Lines
//! printed while bars are up go through [`Bars::say`] so they do not tear the bars.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use switchlab::locks::lock;

pub(crate) struct Bars {
    multi: MultiProgress,
    pushes: Mutex<HashMap<String, ProgressBar>>,
    test: Mutex<Option<ProgressBar>>,
}

fn style(template: &str) -> ProgressStyle {
    // The templates below are fixed and valid; a bad one falls back to the default bar.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Bars {
    /// Bars on stderr when it is a terminal; None otherwise (logs and CI stay plain).
    pub(crate) fn on_terminal() -> Option<Bars> {
        std::io::stderr().is_terminal().then(|| Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            pushes: Mutex::new(HashMap::new()),
            test: Mutex::new(None),
        })
    }

    /// The region the bars (and the live view) are drawn in.
    pub(crate) fn multi(&self) -> MultiProgress {
        self.multi.clone()
    }

    /// Print `f`'s output without tearing the bars.
    pub(crate) fn say(bars: &Option<Bars>, f: impl FnOnce()) {
        match bars {
            Some(b) => b.multi.suspend(f),
            None => f(),
        }
    }

    pub(crate) fn push_started(&self, device: &str, lines: usize) {
        let bar = self.multi.add(ProgressBar::new(lines as u64));
        bar.set_style(style(
            "push    {prefix:<16} [{bar:30}] {pos:>3}/{len} lines {elapsed}",
        ));
        bar.set_prefix(device.to_string());
        lock(&self.pushes).insert(device.to_string(), bar);
    }

    pub(crate) fn push_progress(&self, device: &str, done: usize) {
        if let Some(b) = lock(&self.pushes).get(device) {
            b.set_position(done as u64);
        }
    }

    pub(crate) fn push_ended(&self, device: &str) {
        if let Some(b) = lock(&self.pushes).remove(device) {
            b.finish_and_clear();
        }
    }

    pub(crate) fn test_started(&self, name: &str, seconds: u64) {
        let bar = self.multi.add(ProgressBar::new(seconds.max(1)));
        bar.set_style(style(
            "traffic {prefix:<24} [{bar:30}] {pos:>3}/{len} s {msg}",
        ));
        bar.set_prefix(name.to_string());
        if let Some(old) = lock(&self.test).replace(bar) {
            old.finish_and_clear();
        }
    }

    pub(crate) fn test_second(&self, at_s: f64, gbit_s: f64) {
        if let Some(b) = lock(&self.test).as_ref() {
            b.set_position(at_s.round() as u64);
            b.set_message(format!("{gbit_s:.2} Gbit/s"));
        }
    }

    /// An RFC 2544 trial: its time so far against its length, the rate asked (the
    /// sender reports only at its end).
    pub(crate) fn trial_started(&self, name: &str, length: &str, asked: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(style("trial   {prefix:<24} {spinner} {elapsed}/{msg}"));
        bar.set_prefix(name.to_string());
        bar.set_message(format!("{length} at {asked}"));
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        if let Some(old) = lock(&self.test).replace(bar) {
            old.finish_and_clear();
        }
    }

    pub(crate) fn test_ended(&self) {
        if let Some(b) = lock(&self.test).take() {
            b.finish_and_clear();
        }
    }
}
