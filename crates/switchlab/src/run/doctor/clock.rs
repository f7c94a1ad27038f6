//! The doctor's clock check: a device's clock against this machine's, by the profile's
//! `commands.clock` and `clock_pattern`, in UTC (a log line stamped in another zone is
//! misplaced on the timeline).

use super::{Check, MAX_SKEW, fail, pass};
use crate::format::lab::Device;
use crate::transport::ConnectOptions;

/// Whether a clock's zone is UTC by its name, however a CLI spells it: `UTC`, `GMT`, `Z`,
/// none, or one of those with a zero offset (`GMT+00`, `UTC+0:00`, `UTC-00:00`).
fn is_utc(zone: &str) -> bool {
    let z = zone.trim().to_ascii_uppercase();
    let rest = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|base| z.strip_prefix(base))
        .unwrap_or(&z);
    if rest.is_empty() {
        return true;
    }
    let Some(offset) = rest.strip_prefix(['+', '-']) else {
        return false;
    };
    !offset.is_empty() && offset.chars().all(|c| c == '0' || c == ':')
}

/// Log in and compare the device's clock with this machine's.
pub(super) async fn clock(
    dev: &Device,
    vendor: &crate::vendor::Vendor,
    opts: &ConnectOptions,
    out: &mut Vec<Check>,
) {
    let subject = format!("device '{}'", dev.name());
    let mut d = match crate::driver::session::open(dev, vendor, opts, None).await {
        Ok(d) => d,
        Err(e) => {
            out.push(fail(
                &subject,
                "clock",
                format!("not read: {e}"),
                "fix the login first (credentials, enable secret)".into(),
            ));
            return;
        }
    };
    let asked = jiff::Timestamp::now();
    let shown = d.clock().await;
    let answered = jiff::Timestamp::now();
    drop(d);
    let midpoint = asked + (answered.duration_since(asked) / 2);
    out.push(match shown {
        Ok(Some((at, zone))) if is_utc(&zone) => compared(&subject, at, midpoint),
        Ok(Some((_, zone))) => fail(
            &subject,
            "clock",
            format!("shown in zone {zone}: not compared"),
            "set the device's clock zone to UTC, so its times can be checked (and read beside the watch's)".into(),
        ),
        // The profile names no clock command: nothing to check, nothing said.
        Ok(None) => return,
        Err(e) => fail(
            &subject,
            "clock",
            format!("not read: {e}"),
            "check the profile's commands.clock and clock_pattern against the device's answer".into(),
        ),
    });
}

/// The check of a device clock that showed `at` (UTC) against this machine's `midpoint`
/// of the question and the answer.
fn compared(subject: &str, at: jiff::civil::DateTime, midpoint: jiff::Timestamp) -> Check {
    let device = match jiff::tz::TimeZone::UTC.to_timestamp(at) {
        Ok(device) => device,
        Err(e) => {
            return fail(
                subject,
                "clock",
                format!("not read: {e}"),
                "check the profile's clock_pattern".into(),
            );
        }
    };
    let skew = device.duration_since(midpoint).as_secs_f64();
    let said = match skew >= 0.0 {
        true => format!("{:.1} s ahead of this machine's", skew),
        false => format!("{:.1} s behind this machine's", -skew),
    };
    if skew.abs() <= MAX_SKEW.as_secs_f64() {
        pass(subject, "clock", said)
    } else {
        fail(
            subject,
            "clock",
            said,
            "set the device's clock (NTP, or `clock set`): its log times will not line up with the watch's".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_zone_is_utc_by_name_with_any_zero_offset() {
        for z in ["UTC", "gmt", "", "Z", "GMT+00", "UTC+0:00", "UTC-00:00"] {
            assert!(super::is_utc(z), "{z}");
        }
        for z in ["CET", "GMT+01", "UTC+5:30", "PST", "UTC+"] {
            assert!(!super::is_utc(z), "{z}");
        }
    }
}
