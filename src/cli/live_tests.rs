//! The live view with the clock as input: `at(ms)`.

use super::*;

fn at(ms: u64) -> SystemTime {
    // 2026-11-29T10:00:00Z
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_946_400_000 + ms)
}

fn board() -> LiveBoard {
    LiveBoard::new(
        vec![("sw".into(), "Et1".into()), ("sw".into(), "Et2".into())],
        0,
        None,
        10,
    )
}

fn heard(port: &str, what: WatchEvent, ms: u64, certainty: Certainty) -> Heard<'_> {
    Heard {
        device: "sw",
        port,
        what,
        at: at(ms),
        certainty,
    }
}

#[test]
fn an_event_is_said_when_first_sighted_and_counted_once() {
    let mut b = board();
    let said = b.heard(
        heard("Et1", WatchEvent::Down, 250, Certainty::Sighted),
        at(1_250),
    );
    assert_eq!(said.as_deref(), Some("10:00:00.250 sw Et1 down"));
    assert_eq!(
        b.heard(
            heard("Et1", WatchEvent::Down, 240, Certainty::Settled),
            at(9_000)
        ),
        None
    );
    b.heard(
        heard("Et1", WatchEvent::Unseen(3), 900, Certainty::Settled),
        at(1_000),
    );
    assert_eq!(b.devices["sw"].ports["Et1"].flaps, 4);
    let late = b.heard(
        heard("Et2", WatchEvent::Up, 1_000, Certainty::Sighted),
        at(9_500),
    );
    assert_eq!(
        late.as_deref(),
        Some("10:00:01.000 sw Et2 up (late sighting: said 8.5 s after the change)")
    );
    assert!(
        b.status().contains("4 flap(s) so far on 1 port(s)"),
        "{}",
        b.status()
    );
}

#[test]
fn ups_after_a_push_are_said_once_as_the_baselines() {
    let mut b = board();
    b.pushed("sw", at(0));
    assert_eq!(
        b.heard(
            heard("Et1", WatchEvent::Up, 1_000, Certainty::Sighted),
            at(1_100)
        ),
        None
    );
    assert_eq!(
        b.heard(
            heard("Et2", WatchEvent::Up, 2_000, Certainty::Sighted),
            at(2_100)
        ),
        None
    );
    assert_eq!(
        b.baseline_lines(at(3_000), Flush::Due),
        ["sw: came up after the baseline: Et1, Et2"],
        "every port is up: nothing more can come up"
    );
    assert!(
        b.baseline_lines(at(4_000), Flush::Closing).is_empty(),
        "said once"
    );
}

#[test]
fn ups_heard_after_traffic_starts_still_fold_into_the_baselines() {
    let mut b = board();
    b.pushed("sw", at(0));
    // Traffic starts before the watch has heard anything: nothing to say yet.
    assert!(b.baseline_lines(at(100), Flush::Started).is_empty());
    b.heard(
        heard("Et1", WatchEvent::Up, 900, Certainty::Sighted),
        at(1_000),
    );
    assert!(
        b.baseline_lines(at(1_000), Flush::Due).is_empty(),
        "Et2 may still come up"
    );
    assert_eq!(
        b.heard(
            heard("Et2", WatchEvent::Down, 1_500, Certainty::Sighted),
            at(1_500)
        ),
        Some("10:00:01.500 sw Et2 down".to_string()),
        "a down is never the baseline's"
    );
    let back = b.heard(
        heard("Et2", WatchEvent::Up, 2_000, Certainty::Sighted),
        at(2_000),
    );
    assert_eq!(
        back.as_deref(),
        Some("10:00:02.000 sw Et2 up"),
        "the up that ends a flap is not the baseline's"
    );
    assert_eq!(
        b.baseline_lines(at(2_000), Flush::Due),
        ["sw: came up after the baseline: Et1"]
    );
}

#[test]
fn the_region_shows_the_busiest_devices_first_and_counts_the_rest() {
    let ports = (0..30)
        .map(|i| (format!("sw{i:02}"), "Et1".to_string()))
        .collect();
    let mut b = LiveBoard::new(ports, 0, None, 5);
    b.heard(
        Heard {
            device: "sw17",
            port: "Et1",
            what: WatchEvent::Down,
            at: at(0),
            certainty: Certainty::Sighted,
        },
        at(10),
    );
    let lines = b.lines(5);
    assert_eq!(lines.len(), 5);
    assert!(
        lines[0].starts_with("sw17  0/1 up  flaps 1  last: Et1 down 10:00:00.000?"),
        "{lines:?}"
    );
    assert_eq!(lines[4], "… and 26 more device(s)");
}
