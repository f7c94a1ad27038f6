//! The timeline's merging and counting, with the clock as input: `at(ms)`.

use super::*;
use crate::parse::LinkState;

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000 + ms)
}
const TOL: Duration = Duration::from_secs(3);

fn state(up: bool) -> PortState {
    PortState {
        port: "Et1".into(),
        oper: Some(LinkState::of(up)),
        ..Default::default()
    }
}

fn poll(t: &mut PortTimeline, ms: u64, up: bool, changes: Option<u64>) {
    let s = PortState {
        link_changes: changes,
        ..state(up)
    };
    t.poll(at(ms), &s, Duration::from_secs(1));
}

fn settle_all(t: &mut PortTimeline) -> Vec<Settled> {
    t.settle(None)
}

#[test]
fn one_flap_seen_by_three_sources_counts_once() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(0));
    t.observe(at(100), false, FlapSource::Console, TOL);
    t.observe(at(101), false, FlapSource::Console, TOL); // LINEPROTO after LINK
    t.observe(at(105), false, FlapSource::Syslog, TOL);
    poll(&mut t, 1000, false, Some(1));
    t.observe(at(1100), true, FlapSource::Syslog, TOL);
    t.observe(at(1102), true, FlapSource::Console, TOL);
    poll(&mut t, 2000, true, Some(2));
    assert_eq!(t.flaps(), 1);
    let settled = settle_all(&mut t);
    assert_eq!(settled.len(), 2);
    let Settled::Transition(down) = &settled[0] else {
        panic!("{settled:?}")
    };
    assert_eq!(down.time, at(100), "the console's precise time wins");
    assert!(
        down.sources.contains(&FlapSource::State) && down.sources.contains(&FlapSource::Counters)
    );
    assert_eq!(t.tally.flaps(), 1);
    assert_eq!(t.tally.unseen, 0);
}

#[test]
fn a_counter_proves_flaps_nobody_saw() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(4));
    poll(&mut t, 1000, true, Some(10)); // 3 flaps inside one poll interval, no log line
    assert_eq!(
        settle_all(&mut t),
        vec![Settled::Unseen(Unseen {
            from: at(0),
            to: at(1000),
            flaps: 3
        })]
    );
    assert_eq!(t.flaps(), 3);
    assert_eq!(t.tally.worst_burst, 3, "proven flaps make a burst");
}

#[test]
fn a_log_line_read_later_turns_an_unseen_flap_into_a_seen_one() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(0));
    poll(&mut t, 1000, true, Some(2));
    assert_eq!(t.flaps(), 1);
    t.observe(at(2500), false, FlapSource::Buffer, TOL);
    t.observe(at(2500), true, FlapSource::Buffer, TOL);
    assert_eq!(
        t.flaps(),
        1,
        "the buffer's line is the flap the counter proved"
    );
    let settled = settle_all(&mut t);
    let Settled::Transition(down) = &settled[0] else {
        panic!("{settled:?}")
    };
    assert_eq!(down.time, at(500));
    assert_eq!(t.tally.unseen, 0);
}

// The three ways a log-buffer sighting (dated at its read) meets a counter's window.
#[test]
fn a_buffer_sighting_before_a_poll_is_the_flap_the_counter_then_proves() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(0));
    t.observe(at(700), false, FlapSource::Buffer, TOL);
    t.observe(at(700), true, FlapSource::Buffer, TOL);
    poll(&mut t, 1000, true, Some(2));
    assert_eq!(t.flaps(), 1);
    settle_all(&mut t);
    assert_eq!((t.tally.downs_seen, t.tally.unseen), (1, 0));
}

#[test]
fn a_buffer_sighting_after_the_poll_that_proved_it_takes_the_unseen_place() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(0));
    poll(&mut t, 1000, true, Some(2)); // proven, not yet seen: unseen 1
    t.observe(at(1200), false, FlapSource::Buffer, TOL); // the buffer read just after
    t.observe(at(1200), true, FlapSource::Buffer, TOL);
    poll(&mut t, 2000, true, Some(2));
    poll(&mut t, 3000, true, Some(4)); // a second flap, seen by nobody
    assert_eq!(t.flaps(), 2, "one seen late, one unseen: never three");
    settle_all(&mut t);
    assert_eq!((t.tally.downs_seen, t.tally.unseen), (1, 1));
}

#[test]
fn a_buffer_sighting_that_straddles_a_poll_is_counted_once() {
    // The down falls before the poll, its up after it; the buffer tells both at its read,
    // which falls in the next window; the counter saw the down in the first window.
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(10));
    poll(&mut t, 1000, true, Some(11)); // down at ~900: one change
    poll(&mut t, 2000, true, Some(12)); // up at ~1100: the second
    t.observe(
        at(2300),
        false,
        FlapSource::Buffer,
        Duration::from_millis(1500),
    );
    t.observe(
        at(2300),
        true,
        FlapSource::Buffer,
        Duration::from_millis(1500),
    );
    poll(&mut t, 3000, true, Some(12));
    assert_eq!(t.flaps(), 1);
    // Settling in steps as the watch does gives the same count.
    let mut steps = PortTimeline::default();
    poll(&mut steps, 0, true, Some(10));
    poll(&mut steps, 1000, true, Some(11));
    steps.settle(Some(at(0)));
    poll(&mut steps, 2000, true, Some(12));
    steps.observe(
        at(2300),
        false,
        FlapSource::Buffer,
        Duration::from_millis(1500),
    );
    steps.observe(
        at(2300),
        true,
        FlapSource::Buffer,
        Duration::from_millis(1500),
    );
    poll(&mut steps, 3000, true, Some(12));
    steps.settle(Some(at(2500)));
    poll(&mut steps, 4000, true, Some(12));
    steps.settle(None);
    assert_eq!(steps.tally.flaps(), 1);
}

#[test]
fn a_counter_of_downs_alone_counts_each_down_once() {
    let mut t = PortTimeline::default();
    let s = |downs, up| PortState {
        link_downs: Some(downs),
        ..state(up)
    };
    t.poll(at(0), &s(3, true), Duration::from_secs(1));
    // Two flaps inside one poll: a counter of every change would read 4, of downs 2.
    t.poll(at(1000), &s(5, true), Duration::from_secs(1));
    assert_eq!(t.flaps(), 2);
}

#[test]
fn rapid_flaps_from_two_sources_stay_distinct() {
    let mut t = PortTimeline::default();
    for k in 0..4u64 {
        t.observe(at(k * 100), false, FlapSource::Console, TOL);
        t.observe(at(k * 100 + 40), true, FlapSource::Console, TOL);
    }
    for k in 0..4u64 {
        t.observe(at(k * 100 + 3), false, FlapSource::Buffer, TOL);
        t.observe(at(k * 100 + 43), true, FlapSource::Buffer, TOL);
    }
    assert_eq!(t.flaps(), 4);
    let settled = settle_all(&mut t);
    assert!(settled.iter().all(|s| match s {
        Settled::Transition(x) => x.sources.len() == 2,
        Settled::Unseen(_) => false,
    }));
    assert_eq!(t.tally.worst_burst, 4);
}

#[test]
fn without_a_counter_a_young_last_change_proves_a_flap() {
    let mut t = PortTimeline::default();
    let s = |age| PortState {
        port: "Te 0/1".into(),
        oper: Some(LinkState::Up),
        last_change_s: Some(age),
        ..Default::default()
    };
    t.poll(at(0), &s(3600), Duration::from_secs(5));
    t.poll(at(5000), &s(2), Duration::from_secs(5));
    assert_eq!(t.flaps(), 1);
    // Still young one poll later, but that is the same change: whole seconds are coarse.
    t.poll(at(5500), &s(2), Duration::from_millis(500));
    assert_eq!(t.flaps(), 1);
    // Regression: an absurd age from a garbled line overflowed `age + 1` (a panic that
    // ended every device's watch).
    t.poll(at(6000), &s(u64::MAX), Duration::from_millis(500));
    t.poll(at(6500), &s(u64::MAX), Duration::from_millis(500));
    assert_eq!(t.flaps(), 1);
}

#[test]
fn a_port_never_up_since_the_push_has_no_link_and_one_that_came_up_has() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, None); // up before the push: not what is judged
    t.judge_from(at(500));
    assert_eq!(t.had_link(), None, "no poll since the push yet");
    poll(&mut t, 1000, false, None);
    poll(&mut t, 2000, false, None);
    assert_eq!(t.had_link(), Some(false));
    t.observe(at(2500), true, FlapSource::Console, TOL);
    assert_eq!(t.had_link(), Some(true), "a console line saw it come up");
}

#[test]
fn settled_entries_leave_memory_and_the_counts_stay() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(0));
    for k in 0..1000u64 {
        t.observe(at(1 + k * 1000), false, FlapSource::Console, TOL);
        t.observe(at(1 + k * 1000 + 100), true, FlapSource::Console, TOL);
        poll(&mut t, (k + 1) * 1000, true, Some(2 * (k + 1)));
        t.settle(Some(at((k + 1) * 1000)));
        assert!(t.open.len() <= 2 && t.open_unseen.len() <= 1);
    }
    assert_eq!(t.flaps(), 1000);
    assert_eq!(t.tally.unseen, 0);
    assert!(t.tally.up_percent(at(1_000_000)).unwrap() > 89.0);
}

fn downs_poll(t: &mut PortTimeline, ms: u64, up: bool, downs: u64) {
    let s = PortState {
        link_downs: Some(downs),
        ..state(up)
    };
    t.poll(at(ms), &s, Duration::from_secs(1));
}

// Regression: after `clear counters` every down seen since the start was still
// subtracted from the counter's count since the clear: 3 flaps seen, a clear, then 2
// flaps no source saw counted 3, not 5.
#[test]
fn a_cleared_counter_starts_again_and_no_flap_before_or_after_is_lost() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(10));
    for k in 0..3 {
        t.observe(at(1_000 + k * 1_000), false, FlapSource::Console, TOL);
        t.observe(at(1_300 + k * 1_000), true, FlapSource::Console, TOL);
    }
    poll(&mut t, 4_000, true, Some(16));
    assert_eq!(t.flaps(), 3);
    // `clear counters`, then two short flaps no source saw.
    poll(&mut t, 5_000, true, Some(0));
    poll(&mut t, 6_000, true, Some(4));
    assert_eq!(t.flaps(), 5, "3 seen before the clear, 2 proven after");
    poll(&mut t, 7_000, true, Some(4));
    settle_all(&mut t);
    assert_eq!(t.flaps(), 5);
    assert_eq!(t.tally.unseen, 2);
}

#[test]
fn a_flap_seen_after_a_clear_is_the_one_its_counter_proves() {
    let mut t = PortTimeline::default();
    poll(&mut t, 0, true, Some(7));
    poll(&mut t, 1_000, true, Some(0)); // cleared
    t.observe(at(1_500), false, FlapSource::Syslog, TOL);
    t.observe(at(1_700), true, FlapSource::Syslog, TOL);
    poll(&mut t, 2_000, true, Some(2));
    poll(&mut t, 3_000, true, Some(2));
    settle_all(&mut t);
    assert_eq!(
        (t.flaps(), t.tally.unseen),
        (1, 0),
        "seen once, proven once"
    );
}

#[test]
fn a_reboot_resets_a_downs_counter_and_its_flaps_still_count() {
    let mut t = PortTimeline::default();
    downs_poll(&mut t, 0, true, 40);
    downs_poll(&mut t, 1_000, true, 42); // two unseen
    // The switch reboots: the port goes down, its counter starts again at boot.
    downs_poll(&mut t, 2_000, false, 1);
    downs_poll(&mut t, 3_000, true, 1);
    downs_poll(&mut t, 4_000, true, 3); // two more unseen
    settle_all(&mut t);
    assert_eq!(t.flaps(), 5, "2 + the reboot's down + 2");
    let mut wrapped = PortTimeline::default();
    poll(&mut wrapped, 0, true, Some(u64::from(u32::MAX) - 1));
    poll(&mut wrapped, 1_000, true, Some(2)); // wrapped past zero: one flap since
    settle_all(&mut wrapped);
    assert_eq!(wrapped.flaps(), 1);
}

fn pair_poll(t: &mut PortTimeline, ms: u64, up: bool, ups: u64, downs: u64) {
    let s = PortState {
        link_ups: Some(ups),
        link_downs: Some(downs),
        ..state(up)
    };
    t.poll(at(ms), &s, Duration::from_secs(1));
}

// FRR's zebra saw six short carrier losses: `Link ups` rose by 6, `Link downs` by 4.
#[test]
fn counters_of_ups_and_downs_prove_flaps_by_whichever_moved_more() {
    let mut t = PortTimeline::default();
    pair_poll(&mut t, 0, true, 10, 10);
    pair_poll(&mut t, 1_000, true, 16, 14);
    assert_eq!(t.flaps(), 6, "ups moved more");
    pair_poll(&mut t, 2_000, true, 17, 17);
    assert_eq!(t.flaps(), 7, "downs moved more");
    settle_all(&mut t);
    assert_eq!((t.flaps(), t.tally.unseen), (7, 7));
}

#[test]
fn ups_and_downs_moving_together_count_each_flap_once() {
    let mut t = PortTimeline::default();
    pair_poll(&mut t, 0, true, 3, 3);
    t.observe(at(300), false, FlapSource::Console, TOL);
    t.observe(at(400), true, FlapSource::Console, TOL);
    pair_poll(&mut t, 1_000, true, 5, 5); // the seen flap and one more
    pair_poll(&mut t, 2_000, true, 5, 5);
    settle_all(&mut t);
    assert_eq!((t.flaps(), t.tally.unseen), (2, 1));
    // From down, the first up is the link coming up, not a flap.
    let mut from_down = PortTimeline::default();
    pair_poll(&mut from_down, 0, false, 0, 0);
    pair_poll(&mut from_down, 1_000, true, 1, 0);
    assert_eq!(from_down.flaps(), 0);
}

#[test]
fn a_reset_of_both_counters_starts_an_epoch_and_keeps_what_was_proven() {
    let mut t = PortTimeline::default();
    pair_poll(&mut t, 0, true, 20, 20);
    pair_poll(&mut t, 1_000, true, 23, 22); // 3 proven
    pair_poll(&mut t, 2_000, true, 0, 0); // `clear counters`
    pair_poll(&mut t, 3_000, true, 2, 1); // 2 more
    pair_poll(&mut t, 4_000, true, 2, 2);
    settle_all(&mut t);
    assert_eq!(t.flaps(), 5);
    // Only ups went back (a wrap): a new epoch all the same, nothing counted twice.
    let mut wrapped = PortTimeline::default();
    pair_poll(&mut wrapped, 0, true, u64::from(u32::MAX), 7);
    pair_poll(&mut wrapped, 1_000, true, 1, 8); // one flap across the wrap
    pair_poll(&mut wrapped, 2_000, true, 1, 8);
    settle_all(&mut wrapped);
    assert_eq!(wrapped.flaps(), 1);
}
