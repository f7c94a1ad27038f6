//! The live view of a watch or a run: per watched port, flaps so far and the last event,
//! redrawn as a table on a terminal, or a line per event when stderr is not one. Each
//! event says when the port changed state (UTC, as flaps.csv writes it), not when it was
//! said; one said much later (a slow source: the log buffer, a counter) says so.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

use crate::watch::WatchEvent;

/// An event said this long after the port changed state is called a late sighting.
pub const LATE: Duration = Duration::from_secs(5);

/// `t` as the live view writes it: UTC, to the millisecond.
fn clock(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|t| t.strftime("%H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// What an event says: when the port changed state, what happened, and how late it is
/// said when that is `LATE` or more.
pub fn describe(what: WatchEvent, at: SystemTime, now: SystemTime) -> String {
    let late = now.duration_since(at).unwrap_or_default();
    let mut s = format!("{} {what}", clock(at));
    if late >= LATE {
        s.push_str(&format!(
            " (late sighting: said {:.1} s after the change)",
            late.as_secs_f64()
        ));
    }
    s
}

pub struct LiveBoard {
    rows: Vec<(String, String, u64, String)>,
    /// Redraw the table (a terminal) or print a line per event.
    live: bool,
}

impl LiveBoard {
    /// A row per (device, port); redrawn as a table when stderr is a terminal, else a line
    /// per event.
    pub fn new(ports: Vec<(String, String)>) -> LiveBoard {
        LiveBoard {
            rows: ports
                .into_iter()
                .map(|(d, p)| (d, p, 0, String::new()))
                .collect(),
            live: std::io::stderr().is_terminal(),
        }
    }

    /// Count the event (the port changed state at `at`) and show it.
    pub fn show(&mut self, device: &str, port: &str, what: WatchEvent, at: SystemTime) {
        let said = self.event(device, port, what, at, SystemTime::now());
        if self.live {
            eprint!("\x1b[H\x1b[2J{}", self.render());
        } else {
            eprintln!("{said}");
        }
    }

    /// Count it; the line that says it.
    fn event(
        &mut self,
        device: &str,
        port: &str,
        what: WatchEvent,
        at: SystemTime,
        now: SystemTime,
    ) -> String {
        let text = describe(what, at, now);
        if let Some(r) = self.rows.iter_mut().find(|r| r.0 == device && r.1 == port) {
            r.2 += what.flaps();
            r.3 = text.clone();
        }
        let (clock, rest) = text.split_once(' ').unwrap_or((&text, ""));
        format!("{clock} {device} {port} {rest}")
    }

    fn render(&self) -> String {
        let mut t = super::board::terminal_table();
        t.set_header([
            "device",
            "port",
            "flaps so far",
            "last event (when the port changed)",
        ]);
        for r in &self.rows {
            t.add_row([r.0.clone(), r.1.clone(), r.2.to_string(), r.3.clone()]);
        }
        format!("{t}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        // 2026-11-29T10:00:00Z
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_946_400_000 + ms)
    }

    fn board() -> LiveBoard {
        LiveBoard {
            rows: vec![
                ("sw".into(), "Et1".into(), 0, String::new()),
                ("sw".into(), "Et2".into(), 0, String::new()),
            ],
            live: false,
        }
    }

    #[test]
    fn live_board_counts_downs_and_unseen_flaps_per_port() {
        let mut b = board();
        b.event("sw", "Et1", WatchEvent::Down, at(0), at(100));
        b.event("sw", "Et1", WatchEvent::Up, at(200), at(300));
        b.event("sw", "Et1", WatchEvent::Unseen(3), at(900), at(1000));
        assert_eq!(b.rows[0].2, 4);
        assert_eq!(b.rows[1].2, 0);
        assert!(b.render().contains("unseen flap(s)"));
    }

    #[test]
    fn an_event_says_when_the_port_changed_and_a_late_one_says_how_late() {
        let mut b = board();
        let prompt = b.event("sw", "Et1", WatchEvent::Down, at(250), at(1_250));
        assert_eq!(prompt, "10:00:00.250 sw Et1 down");
        let late = b.event("sw", "Et2", WatchEvent::Up, at(1_000), at(9_500));
        assert_eq!(
            late,
            "10:00:01.000 sw Et2 up (late sighting: said 8.5 s after the change)"
        );
        assert!(b.render().contains("late sighting"));
    }
}
