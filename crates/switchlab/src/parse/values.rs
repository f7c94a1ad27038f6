//! Device words → schema values: up/down, yes/no, counters, speeds, uptime-style ages.

use crate::states::LinkState;

/// A description the device printed in quotes, without them; any other quote is its own.
pub(crate) fn unquote(v: &str) -> &str {
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner,
        _ => v,
    }
}

pub(crate) fn fold_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn up_down(v: &str) -> Option<LinkState> {
    if v.eq_ignore_ascii_case("up") {
        Some(LinkState::Up)
    } else if v.eq_ignore_ascii_case("down") {
        Some(LinkState::Down)
    } else {
        None
    }
}

pub(crate) fn yes_no(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

pub(crate) fn number(v: &str) -> Option<u64> {
    v.replace(',', "").trim().parse().ok()
}

/// "10Gb/s", "1Gbit", "10000 Mbit", "a-1000", "a-10G", "100M", "40G" → Mbit/s.
///
/// ```
/// assert_eq!(switchlab::parse::speed_mbps("a-10G"), Some(10_000));
/// assert_eq!(switchlab::parse::speed_mbps("auto"), None);
/// ```
pub fn speed_mbps(v: &str) -> Option<u64> {
    let s = v.trim().trim_start_matches("a-").to_lowercase();
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n: f64 = digits.parse().ok()?;
    let unit = s[digits.len()..].trim_start();
    let factor = if unit.starts_with('g') {
        1000.0
    } else if unit.starts_with('k') {
        0.001
    } else {
        1.0
    };
    let mbps = (n * factor).round();
    // A port faster than a petabit is a misread, not a speed.
    (mbps.is_finite() && mbps <= 1e9).then_some(mbps as u64)
}

/// Ages beyond this are misreads (a device's clock, a garbled line), not ages: null.
const MAX_AGE_S: u64 = 100 * 365 * 86_400;

/// Uptime-style durations → seconds: "14 minutes, 2 seconds", "05:18:35", "6d23h54m",
/// "23w1d6h", "2 day(s) 3 hour(s) 4 minute(s) 5 second(s)", "1:02:03".
///
/// ```
/// assert_eq!(switchlab::parse::duration_s("Up 14 minutes, 2 seconds".trim_start_matches("Up ")), Some(842));
/// assert_eq!(switchlab::parse::duration_s("05:18:35"), Some(19_115));
/// ```
pub fn duration_s(v: &str) -> Option<u64> {
    let s = v.trim().to_lowercase();
    if s.is_empty() || s == "never" {
        return None;
    }
    if s.contains(':') && s.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return s
            .split(':')
            .try_fold(0u64, |acc, part| {
                acc.checked_mul(60)?.checked_add(part.parse::<u64>().ok()?)
            })
            .filter(|t| *t <= MAX_AGE_S);
    }
    let mut total = 0u64;
    let mut num = String::new();
    let mut any = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if c.is_alphabetic() && !num.is_empty() {
            let n: u64 = num.parse().ok()?;
            num.clear();
            let unit = match c {
                'w' => 604_800,
                'd' => 86_400,
                'h' => 3_600,
                'm' if chars.peek() == Some(&'s') => return None, // milliseconds: not an uptime
                'm' => 60,
                's' => 1,
                'y' => 31_536_000,
                _ => return None,
            };
            total = total.checked_add(n.checked_mul(unit)?)?;
            any = true;
            // skip the rest of the unit word ("minutes", "hour(s)")
            while chars
                .peek()
                .is_some_and(|c| c.is_alphabetic() || *c == '(' || *c == ')')
            {
                chars.next();
            }
        }
    }
    (any && total <= MAX_AGE_S).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_vendor_format() {
        assert_eq!(duration_s("14 minutes, 2 seconds"), Some(842));
        assert_eq!(duration_s("05:18:35"), Some(5 * 3600 + 18 * 60 + 35));
        // Regression: these overflowed (a panic in debug, a wrapped age in release).
        assert_eq!(duration_s("999999999999999999:00:00"), None);
        assert_eq!(duration_s("99999999999999999999w"), None);
        assert_eq!(duration_s("30000000000w"), None);
        assert_eq!(speed_mbps("99999999999999999999999999999G"), None);
        assert_eq!(
            duration_s("6d23h54m"),
            Some(6 * 86400 + 23 * 3600 + 54 * 60)
        );
        assert_eq!(duration_s("23w1d6h"), Some(23 * 604800 + 86400 + 6 * 3600));
        assert_eq!(
            duration_s("2 day(s) 3 hour(s) 4 minute(s) 5 second(s)"),
            Some(2 * 86400 + 3 * 3600 + 4 * 60 + 5)
        );
        assert_eq!(duration_s("never"), None);
    }

    #[test]
    fn speeds_in_every_vendor_format() {
        assert_eq!(speed_mbps("10Gb/s"), Some(10_000));
        assert_eq!(speed_mbps("1Gbit"), Some(1000));
        assert_eq!(speed_mbps("10000 Mbit"), Some(10_000));
        assert_eq!(speed_mbps("a-1000"), Some(1000));
        assert_eq!(speed_mbps("a-10G"), Some(10_000));
        assert_eq!(speed_mbps("auto"), None);
    }
}
