use super::*;

fn sink() -> (SocketAddr, SocketAddr) {
    let s =
        super::super::Sink::bind(IpAddr::from([127, 0, 0, 1]), super::super::SINK_BUFFER).unwrap();
    let addrs = (s.udp, s.control_addr);
    std::thread::spawn(move || s.serve());
    addrs
}

fn trial(to: SocketAddr, control: SocketAddr, fps: Option<f64>) -> Blast {
    Blast {
        to,
        control,
        from: None,
        frame_size: 128,
        fps,
        duration: Duration::from_millis(500),
        frames: None,
        ramp: Duration::ZERO,
        drain: Duration::from_millis(500),
        trial: 1,
        reflect: false,
        path: super::super::FramePath::Auto,
    }
}

#[test]
fn a_paced_trial_on_loopback_keeps_its_rate_and_loses_nothing() {
    let (to, control) = sink();
    let r = blast(&trial(to, control, Some(10_000.0)), &AtomicBool::new(false)).unwrap();
    assert!((4_800..=5_100).contains(&r.sent), "{r:?}");
    assert!((r.sent_fps - 10_000.0).abs() < 300.0, "{r:?}");
    assert_eq!(r.loss_percent(), 0.0, "{r:?}");
    // Timed by the kernel's stamps of the tagged frames: one a millisecond at most,
    // RFC 2544's 20 at least; on loopback a few µs, not a batch's hand-over.
    let l = r.count.latency.unwrap();
    assert!(
        !l.halved_round_trip && l.kernel_stamped && l.min_us > 0.0,
        "{l:?}"
    );
    assert!((20..=501).contains(&l.frames), "{l:?}");
    assert!(l.p50_us < 50.0, "{l:?}");
    assert!(
        r.count.tagged.is_empty(),
        "the arrivals are not reported on"
    );
}

#[test]
fn a_burst_is_exactly_its_frames_and_a_reflected_trial_is_timed_both_ways() {
    let (to, control) = sink();
    let mut b = trial(to, control, None);
    b.frames = Some(1_000);
    b.reflect = true;
    let r = blast(&b, &AtomicBool::new(false)).unwrap();
    assert_eq!(r.sent, 1_000);
    assert_eq!(r.count.received, 1_000, "{r:?}");
    let l = r.count.latency.unwrap();
    assert!(l.halved_round_trip && l.frames > 0, "{l:?}");
}

#[test]
fn a_sink_nobody_answers_for_is_said_to_be_unreached() {
    let (_, control) = sink();
    // A UDP port nobody listens on: the learning frames never arrive.
    let dead = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = blast(&trial(dead, control, Some(1e3)), &AtomicBool::new(false));
    assert!(matches!(err, Err(BlastError::NoPath { .. })), "{err:?}");
}

// Regression: a sender 20 ms late at 27,000 frames/s sent the 540 frames it owed back to
// back, and a capped switch's buffer overflowed: it sends 2 ms of frames at most (a batch
// at least), the rest not at all.
#[test]
fn a_late_sender_sends_at_most_two_milliseconds_of_frames_at_once() {
    assert_eq!(caught_up(540.0, 27_000.0), BATCH as f64);
    assert_eq!(caught_up(8_000.0, 2_000_000.0), 4_000.0);
    assert_eq!(caught_up(30.0, 2_000_000.0), 30.0);
}
