use super::*;

const LINE: f64 = 1_488_095.0;
const NONE: Confirm = Confirm {
    times: 0,
    search_is_full: false,
};
const ONCE: Confirm = Confirm {
    times: 1,
    search_is_full: false,
};
const TWICE: Confirm = Confirm {
    times: 2,
    search_is_full: false,
};

/// A switch that forwards `cap` fps and drops the rest, and a generator that sends
/// `gen_max` fps at most.
fn trial(asked: f64, cap: f64, gen_max: f64) -> Outcome {
    let sent = asked.min(gen_max);
    let forwarded = sent.min(cap);
    Outcome {
        sent_fps: sent,
        forwarded_fps: forwarded,
        loss_percent: (sent - forwarded) * 100.0 / sent,
        lost_at: (forwarded < sent).then_some(LostAt::Switch),
    }
}

fn search(line: f64, ceiling: f64, cap: f64, gen_max: f64) -> Found {
    let mut s = Throughput::new(line, ceiling, 0.5, 0.0, NONE);
    while let Some((r, length)) = s.next() {
        s.record(r, length, trial(r, cap, gen_max));
        assert!(s.trials < 40, "the search ends");
    }
    s.found()
}

/// A search confirmed at full length through a switch with a buffer: short trials pass up
/// to `short_cap`, full-length ones only up to `full_cap`. Every trial is returned.
fn confirmed(short_cap: f64, full_cap: f64) -> (Found, Vec<(f64, Length, Outcome)>) {
    confirmed_by(short_cap, |r| trial(r, full_cap, 2e6))
}

/// As [`confirmed`], each full-length trial coming to `full(rate)`.
fn confirmed_by(
    short_cap: f64,
    full: impl Fn(f64) -> Outcome,
) -> (Found, Vec<(f64, Length, Outcome)>) {
    let mut s = Throughput::new(LINE, 2e6, 0.5, 0.0, ONCE);
    let mut tried = Vec::new();
    while let Some((r, length)) = s.next() {
        let o = match length {
            Length::Search => trial(r, short_cap, 2e6),
            Length::Full => full(r),
        };
        s.record(r, length, o);
        tried.push((r, length, o));
        assert!(s.trials < 40, "the search ends");
    }
    (s.found(), tried)
}

fn rate(f: &Found) -> f64 {
    f.pass.map_or(0.0, |t| t.rate)
}

#[test]
fn the_line_rate_passing_ends_the_search_at_once() {
    let f = search(LINE, 2e6, 1e9, 2e6);
    assert_eq!((f.limited_by, f.trials), (LimitedBy::Line, 1));
    assert_eq!(f.pass.map(|t| t.outcome.sent_fps), Some(LINE));
}

#[test]
fn a_switch_capped_below_line_rate_is_found_within_the_resolution_in_few_trials() {
    let f = search(LINE, 2e6, 500_000.0, 2e6);
    let rate = rate(&f);
    assert!(
        (500_000.0 - LINE * 0.005..=500_000.0).contains(&rate),
        "{rate}"
    );
    assert_eq!(f.limited_by, LimitedBy::Switch);
    assert!(
        f.trials <= 4,
        "the guess from the top's forwarded rate: {f:?}"
    );
}

#[test]
fn a_generator_slower_than_the_line_is_never_the_switch_s_limit() {
    // The generator's ceiling is 300k fps, the line 1.49M, the switch forwards all.
    let f = search(LINE, 300_000.0, 1e9, 300_000.0);
    assert_eq!(f.limited_by, LimitedBy::Generator);
    // Measured ceiling higher than what it reaches under load: a short trial.
    let f = search(LINE, 400_000.0, 1e9, 300_000.0);
    assert_eq!(f.limited_by, LimitedBy::Generator, "{f:?}");
    // A loss no stage accounts for just under the ceiling is within the generator's
    // margin; one the switch's counters show is the switch's.
    let mut s = Throughput::new(LINE, 300_000.0, 0.5, 0.0, NONE);
    while let Some((r, length)) = s.next() {
        let mut o = trial(r, 290_000.0, 300_000.0);
        o.lost_at = o.lost_at.map(|_| LostAt::Unaccounted);
        s.record(r, length, o);
    }
    assert_eq!(
        s.found().limited_by,
        LimitedBy::Generator,
        "{:?}",
        s.found()
    );
    let f = search(LINE, 300_000.0, 290_000.0, 300_000.0);
    assert_eq!(f.limited_by, LimitedBy::Switch, "{f:?}");
    // Well under it, the switch is the limit.
    let f = search(LINE, 300_000.0, 100_000.0, 300_000.0);
    assert_eq!(f.limited_by, LimitedBy::Switch, "{f:?}");
}

/// Regression: a generator reaching 0.3 % of line rate lost a few frames at its
/// ceiling (a loaded machine) and the search, whose resolution was 1 % of line,
/// stopped there: "0 % no-drop, the switch's limit".
#[test]
fn a_loss_at_a_slow_generator_s_ceiling_searches_on_below_it() {
    let ceiling = 5_000.0;
    let mut s = Throughput::new(LINE, ceiling, 1.0, 0.0, NONE);
    while let Some((r, length)) = s.next() {
        // The generator's jitter: a frame or two lost at its very ceiling.
        let lost = if r >= ceiling * 0.999 { 0.05 } else { 0.0 };
        let o = Outcome {
            sent_fps: r,
            forwarded_fps: r * (1.0 - lost / 100.0),
            loss_percent: lost,
            lost_at: None,
        };
        s.record(r, length, o);
        assert!(s.trials < 40, "the search ends");
    }
    let f = s.found();
    assert!((4_900.0..5_000.0).contains(&rate(&f)), "{f:?}");
    assert_eq!(f.limited_by, LimitedBy::Generator, "{f:?}");
}

#[test]
fn nothing_passing_finds_nothing() {
    for confirm in [NONE, ONCE, TWICE] {
        let mut s = Throughput::new(1000.0, 1e6, 1.0, 0.0, confirm);
        while let Some((r, length)) = s.next() {
            s.record(r, length, trial(r, 0.0, 1e6));
        }
        let f = s.found();
        assert_eq!((f.pass, f.limited_by), (None, LimitedBy::Switch));
    }
}

// Regression (#43): the rate reported was stepped down after the last lossy confirming
// trial, never tried, and paired with that trial's figures.
#[test]
fn an_unconfirmed_rate_is_never_reported() {
    for (short_cap, full_cap) in [
        (1e9, 1e9),
        (1e9, 527_000.0),
        (800_000.0, 790_000.0),
        (800_000.0, 300_000.0),
        (800_000.0, 10.0),
        (800_000.0, 0.0),
    ] {
        let (f, tried) = confirmed(short_cap, full_cap);
        let Some(t) = f.pass else {
            assert_eq!(f.limited_by, LimitedBy::Unconfirmed, "{f:?}");
            continue;
        };
        let (r, length, o) = tried[t.trial as usize - 1];
        assert_eq!((r, length, o), (t.rate, Length::Full, t.outcome), "{f:?}");
        assert_eq!(o.loss_percent, 0.0, "{f:?}");
        assert!(t.rate <= full_cap, "{f:?}");
    }
}

#[test]
fn every_confirmation_trial_lossy_is_unconfirmed() {
    // Every full-length trial loses 0.2 %, whatever its rate.
    let (f, tried) = confirmed_by(800_000.0, |r| Outcome {
        sent_fps: r,
        forwarded_fps: r * 0.998,
        loss_percent: 0.2,
        lost_at: Some(LostAt::Switch),
    });
    let full: Vec<_> = tried.iter().filter(|t| t.1 == Length::Full).collect();
    assert_eq!(full.len() as u32, CONFIRM_STEPS, "{tried:?}");
    assert_eq!((f.pass, f.limited_by), (None, LimitedBy::Unconfirmed));
    // The row's figures: the slowest confirming trial, as it was.
    let lossy = f.lossy.unwrap();
    assert_eq!(lossy.rate, full[full.len() - 1].0);
    assert_eq!(lossy.outcome.loss_percent, 0.2);
    // Forwarding nothing at full length, there is nothing under it to try.
    let (f, tried) = confirmed(800_000.0, 0.0);
    assert_eq!((f.pass, f.limited_by), (None, LimitedBy::Unconfirmed));
    assert_eq!(tried.last().map(|t| t.1), Some(Length::Full), "{tried:?}");
}

// Regression (#43): the top passed its short trial, lost at full length, and the row said
// `line` with 35.4 % of line forwarded.
#[test]
fn a_lossy_confirmation_searches_on_below_it_under_what_was_forwarded() {
    let full_cap = 0.354 * LINE;
    let (f, tried) = confirmed(1e9, full_cap);
    let rate = rate(&f);
    assert!(
        (full_cap - LINE * 0.005..=full_cap).contains(&rate),
        "{f:?}"
    );
    assert_eq!(f.limited_by, LimitedBy::Switch, "{f:?}");
    assert_eq!(
        tried.len(),
        3,
        "top, its confirmation, one under it: {tried:?}"
    );
}

#[test]
fn line_is_the_limit_only_within_the_resolution_of_line_rate() {
    let resolution = LINE * 0.005;
    let (f, _) = confirmed(1e9, 1e9);
    assert_eq!((rate(&f), f.limited_by), (LINE, LimitedBy::Line));
    let (f, _) = confirmed(1e9, LINE - resolution / 2.0);
    assert!(rate(&f) >= LINE - resolution, "{f:?}");
    assert_eq!(f.limited_by, LimitedBy::Line, "{f:?}");
    for cap in [0.354 * LINE, LINE - 3.0 * resolution] {
        let (f, _) = confirmed(1e9, cap);
        assert_eq!(f.limited_by, LimitedBy::Switch, "{cap}: {f:?}");
        let f = search(LINE, 2e6, cap, 2e6);
        assert_eq!(f.limited_by, LimitedBy::Switch, "{cap}: {f:?}");
    }
}

/// A search confirmed `times` times, each full-length trial coming to `full(n, rate)`
/// (n: the how-manyth full-length trial, from 0).
fn confirmed_n(
    times: u32,
    short_cap: f64,
    full: impl Fn(u32, f64) -> Outcome,
) -> (Found, Vec<(f64, Length, Outcome)>) {
    let confirm = Confirm {
        times,
        search_is_full: false,
    };
    let mut s = Throughput::new(LINE, 2e6, 0.5, 0.0, confirm);
    let (mut tried, mut n) = (Vec::new(), 0);
    while let Some((r, length)) = s.next() {
        let o = match length {
            Length::Search => trial(r, short_cap, 2e6),
            Length::Full => {
                n += 1;
                full(n - 1, r)
            }
        };
        s.record(r, length, o);
        tried.push((r, length, o));
        assert!(s.trials < 40, "the search ends");
    }
    (s.found(), tried)
}

#[test]
fn the_answer_is_confirmed_as_often_as_asked_and_a_later_loss_steps_below_it() {
    let cap = 500_000.0;
    // The second full-length trial at the search's rate loses: the rate is not the
    // throughput, the count starts again under it.
    let (f, tried) = confirmed_n(2, cap, |n, r| match n {
        1 => trial(r, r * 0.998, 2e6),
        _ => trial(r, cap, 2e6),
    });
    let full: Vec<f64> = (tried.iter())
        .filter(|t| t.1 == Length::Full)
        .map(|t| t.0)
        .collect();
    assert_eq!(full.len(), 4, "{tried:?}");
    assert_eq!(full[0], full[1]);
    assert!(full[2] < full[1] && full[2] == full[3], "{full:?}");
    let pass = f.pass.unwrap();
    assert_eq!((pass.rate, f.confirmations), (full[3], 2), "{f:?}");
    assert_eq!(f.limited_by, LimitedBy::Switch, "{f:?}");
    // A lossy rate at the search's answer is within the band the row states.
    assert!(f.spread_fps >= full[1] - pass.rate, "{f:?}");
    assert!(
        !f.unstable,
        "one step of the resolution is no disagreement: {f:?}"
    );
}

#[test]
fn full_length_trials_that_disagree_by_more_than_the_resolution_mark_the_row_unstable() {
    let cap = 500_000.0;
    // At the search's rate the first full-length trial holds and the second loses 5 %
    // (noise on the bench); the answer is then well below it.
    let (f, tried) = confirmed_n(2, cap, |n, r| match n {
        1 => trial(r, r * 0.95, 2e6),
        _ => trial(r, cap, 2e6),
    });
    let first = tried.iter().find(|t| t.1 == Length::Full).unwrap().0;
    let rate = rate(&f);
    assert!(rate < first * 0.96, "{f:?}");
    assert!(f.unstable, "{f:?}");
    assert!(f.spread_fps >= first - rate, "{f:?}");
    assert_eq!(f.confirmations, 2);
}

#[test]
fn what_held_the_rate_is_where_the_frames_above_it_were_lost() {
    let cap = 500_000.0;
    for (at, limit) in [
        (LostAt::Switch, LimitedBy::Switch),
        (LostAt::Receiver, LimitedBy::Receiver),
        (LostAt::Host, LimitedBy::Host),
        (LostAt::Sender, LimitedBy::Generator),
        (LostAt::Unaccounted, LimitedBy::Unaccounted),
    ] {
        let blamed = |r: f64| {
            let mut o = trial(r, cap, 2e6);
            o.lost_at = o.lost_at.map(|_| at);
            o
        };
        let mut s = Throughput::new(LINE, 2e6, 0.5, 0.0, TWICE);
        while let Some((r, length)) = s.next() {
            s.record(r, length, blamed(r));
        }
        let f = s.found();
        assert_eq!(f.limited_by, limit, "{at}: {f:?}");
        assert!(rate(&f) <= cap, "{f:?}");
    }
    // An unaccounted loss at the generator's own ceiling is the generator's.
    let mut s = Throughput::new(LINE, 300_000.0, 0.5, 0.0, TWICE);
    while let Some((r, length)) = s.next() {
        let mut o = trial(r, 290_000.0, 300_000.0);
        o.lost_at = o.lost_at.map(|_| LostAt::Unaccounted);
        s.record(r, length, o);
    }
    assert_eq!(s.found().limited_by, LimitedBy::Generator);
}
