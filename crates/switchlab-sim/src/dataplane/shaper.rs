//! When a frame may leave a simulated port: a token bucket at the port's speed, a buffer
//! that holds at most `max_wait` of it (a fuller buffer drops the frame, as a switch's
//! does), then the link's added delay. The same bucket counted in frames is a switch's
//! forwarding capacity (`max_fps`). A pure core: time is an input, so it is tested with
//! made-up instants.

use std::time::{Duration, Instant};

/// One egress port's shaper (in bits), or a forwarding capacity (in frames).
#[derive(Debug, Clone)]
pub struct Shaper {
    rate_bps: f64,
    depth_bits: f64,
    tokens: f64,
    at: Instant,
    max_wait: Duration,
}

impl Shaper {
    /// `rate_bps` bits per second; a burst of `depth_bits` leaves at once; a frame that
    /// would wait more than `max_wait` for its turn is dropped.
    pub fn new(rate_bps: f64, depth_bits: f64, max_wait: Duration, now: Instant) -> Shaper {
        Shaper {
            rate_bps: rate_bps.max(1.0),
            depth_bits,
            tokens: depth_bits,
            at: now,
            max_wait,
        }
    }

    /// When a frame of `bytes` arriving at `now` leaves (its last bit on the wire), or
    /// None when the buffer is full (the frame is dropped and costs nothing).
    pub fn departure(&mut self, bytes: usize, now: Instant) -> Option<Instant> {
        self.take(bytes as f64 * 8.0, now, self.max_wait)
    }

    /// When `cost` units (bits, or frames) arriving at `now` may pass, or None when that
    /// is more than `max_wait` away (dropped, costing nothing).
    pub fn take(&mut self, cost: f64, now: Instant, max_wait: Duration) -> Option<Instant> {
        let now = now.max(self.at);
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate_bps).min(self.depth_bits);
        self.at = now;
        let after = self.tokens - cost;
        let wait = Duration::from_secs_f64((-after).max(0.0) / self.rate_bps);
        if wait > max_wait {
            return None;
        }
        self.tokens = after;
        Some(now + wait)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counted_in_frames_it_is_a_forwarding_capacity_with_a_buffer() {
        let t0 = Instant::now();
        // 1000 frames/s, one at once, a buffer of 10 frames' wait (10 ms).
        let mut s = Shaper::new(1000.0, 1.0, Duration::ZERO, t0);
        let wait = Duration::from_millis(10);
        let passed = (0..50).filter(|_| s.take(1.0, t0, wait).is_some()).count();
        assert_eq!(passed, 11, "one at once and ten queued");
        // At the capacity, nothing is lost.
        let mut s = Shaper::new(1000.0, 1.0, Duration::ZERO, t0);
        let lost = (0..1000)
            .filter(|k| s.take(1.0, at(t0, *k), wait).is_none())
            .count();
        assert_eq!(lost, 0);
    }

    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn a_burst_leaves_at_once_then_frames_leave_at_the_port_speed() {
        let t0 = Instant::now();
        // 1 Gbit/s, a 12000-bit burst (one 1500-byte frame), a 10 ms buffer.
        let mut s = Shaper::new(1e9, 12_000.0, Duration::from_millis(10), t0);
        assert_eq!(s.departure(1500, at(t0, 0)), Some(t0), "the burst");
        // The next 1500 bytes wait 12 µs for their tokens.
        let second = s.departure(1500, at(t0, 0)).unwrap();
        assert_eq!(second.duration_since(t0), Duration::from_micros(12));
        // 1 ms later the bucket has refilled to its depth, no more.
        let later = s.departure(1500, at(t0, 1)).unwrap();
        assert_eq!(later, at(t0, 1));
    }

    #[test]
    fn a_full_buffer_drops_and_the_dropped_frame_costs_nothing() {
        let t0 = Instant::now();
        // 8 Mbit/s: 1 ms per 1000 bytes; the buffer holds 5 ms.
        let mut s = Shaper::new(8e6, 8_000.0, Duration::from_millis(5), t0);
        let mut sent = 0;
        for _ in 0..20 {
            if s.departure(1000, t0).is_some() {
                sent += 1;
            }
        }
        // One at once (the burst) and 5 within the 5 ms buffer; the rest dropped.
        assert_eq!(sent, 6);
        // 10 ms later, the buffer has drained: frames pass again.
        assert!(s.departure(1000, at(t0, 10)).is_some());
    }

    #[test]
    fn over_a_second_it_passes_the_port_speed_and_no_more() {
        let t0 = Instant::now();
        let mut s = Shaper::new(1e9, 1e6, Duration::from_millis(20), t0);
        let mut bits = 0.0;
        // Offered: 2 Gbit/s in 64 KB frames, one every 262 µs.
        let mut t = t0;
        while t < t0 + Duration::from_secs(1) {
            if let Some(d) = s.departure(65_536, t)
                && d <= t0 + Duration::from_secs(1)
            {
                bits += 65_536.0 * 8.0;
            }
            t += Duration::from_micros(262);
        }
        let gbps = bits / 1e9;
        assert!((0.99..=1.002).contains(&gbps), "{gbps}");
    }
}
