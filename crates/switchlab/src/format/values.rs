//! Checks on single values as they are read, so a bad one is refused at its own line and
//! column: names that become file names, text that goes into a device's config, numbers
//! no switch takes. Used with `#[serde(deserialize_with = …)]` on the input types.

use serde::{Deserialize, Deserializer, de::Error};
use toml::Spanned;

/// An error at the second of two equal names (`{what} 'x' {twice}`), or Ok.
pub fn each_once<'a>(
    src: &super::Source,
    names: impl IntoIterator<Item = &'a Spanned<String>>,
    key: &str,
    what: &str,
    twice: &str,
) -> Result<(), super::FormatError> {
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if !seen.insert(n.get_ref()) {
            return Err(src.invalid(&n.span(), key, format!("{what} '{}' {twice}", n.get_ref())));
        }
    }
    Ok(())
}

/// Why `name` cannot name a file: letters, digits, `-`, `_`, `.`; not empty, not leading `.`.
pub fn path_part_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a name cannot be empty".into());
    }
    if name.starts_with('.') {
        return Some(format!(
            "'{name}' starts with '.': names become file names in run folders"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Some(format!(
            "'{name}' has {c:?}: names become file names in run folders; use letters, digits, '-', '_' and '.'"
        ));
    }
    None
}

/// A name that becomes part of a path (device, endpoint, test, manifest name).
pub fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<String>, D::Error> {
    let v = Spanned::<String>::deserialize(d)?;
    match path_part_problem(v.get_ref()) {
        Some(why) => Err(D::Error::custom(why)),
        None => Ok(v),
    }
}

/// A name that becomes part of a path, without a span.
pub fn plain_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    name(d).map(Spanned::into_inner)
}

/// Template variables: every string in them (however deep) one line.
pub fn vars<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<std::collections::BTreeMap<String, toml::Value>, D::Error> {
    let v = std::collections::BTreeMap::<String, toml::Value>::deserialize(d)?;
    fn check(v: &toml::Value) -> Option<String> {
        match v {
            toml::Value::String(s) => line_problem(s),
            toml::Value::Array(a) => a.iter().find_map(check),
            toml::Value::Table(t) => t.values().find_map(check),
            _ => None,
        }
    }
    match v.values().find_map(check) {
        Some(why) => Err(D::Error::custom(why)),
        None => Ok(v),
    }
}

/// Why `text` cannot go into a config line: a control character (a newline would add a
/// config line of its own: `Ethernet49\nshutdown`), or an invisible or bidirectional
/// one (U+200B, U+202E: a port name that reads as `Ethernet1` and is not, text shown in
/// another order than it is sent).
pub fn line_problem(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!(
            "{text:?} holds the control character {c:?}: a value that goes into a config must be one line"
        ));
    }
    text.chars().find(|c| invisible(*c)).map(|c| {
        format!(
            "{text:?} holds the invisible character U+{:04X}: it would not show on a screen or in a config",
            c as u32
        )
    })
}

/// Zero-width and bidirectional formatting characters.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// Text that goes into a device's config: one line.
pub fn line<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = String::deserialize(d)?;
    match line_problem(&v) {
        Some(why) => Err(D::Error::custom(why)),
        None => Ok(v),
    }
}

/// Optional text that goes into a device's config: one line.
pub fn opt_line<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    match v.as_deref().and_then(line_problem) {
        Some(why) => Err(D::Error::custom(why)),
        None => Ok(v),
    }
}

/// A port name: one line, not empty.
pub fn port_name<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<String>, D::Error> {
    let v = Spanned::<String>::deserialize(d)?;
    if v.get_ref().trim().is_empty() {
        return Err(D::Error::custom(
            "a port name cannot be empty (it would render a bare `interface ` line)",
        ));
    }
    match line_problem(v.get_ref()) {
        Some(why) => Err(D::Error::custom(why)),
        None => Ok(v),
    }
}

/// The name of an environment variable holding a secret: not empty.
pub fn opt_env_var<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    match v.as_deref() {
        Some(s) if s.trim().is_empty() || s.contains('=') || s.contains('\0') => {
            Err(D::Error::custom(format!(
                "{s:?} is not an environment variable name; e.g. \"LAB_PASS\""
            )))
        }
        _ => Ok(v),
    }
}

/// A whole number, or an error saying a number was expected (not "i64").
pub fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::Integer(n) => Ok(n),
        other => Err(D::Error::custom(format!("{other} is not a whole number"))),
    }
}

/// A number at least `min` (and at most `max`), or an error naming the range.
pub fn in_range<T: PartialOrd + std::fmt::Display>(
    v: T,
    min: T,
    max: Option<T>,
    what: &str,
) -> Result<T, String> {
    let ok = v >= min && max.as_ref().is_none_or(|m| v <= *m);
    if ok {
        return Ok(v);
    }
    Err(match max {
        Some(m) => format!("{v} is out of range: {what} is {min} to {m}"),
        None => format!("{v} is out of range: {what} is at least {min}"),
    })
}

/// A whole number from `min` to `max` as a `T`, or an error naming the range.
pub fn int_in<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
    d: D,
    min: i64,
    max: i64,
    what: &str,
) -> Result<T, D::Error> {
    let n = in_range(integer(d)?, min, Some(max), what).map_err(D::Error::custom)?;
    // In range, so it fits every T it is asked as (ports, VLANs, counts, baud rates).
    T::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range: {what}")))
}

/// A non-negative, finite number of some unit (Gbit/s, metres).
pub fn opt_non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    match v {
        Some(x) if !x.is_finite() || x < 0.0 => Err(D::Error::custom(format!(
            "{x} is out of range: write a number of 0 or more"
        ))),
        _ => Ok(v),
    }
}

/// A count above 0, optional (frames per second, kilobytes).
pub fn opt_positive_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<u64>::deserialize(d)? {
        Some(0) => Err(D::Error::custom("0 is out of range: write 1 or more")),
        v => Ok(v),
    }
}

/// A non-negative, finite number (a percent, a rate).
pub fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if !x.is_finite() || x < 0.0 {
        return Err(D::Error::custom(format!(
            "{x} is out of range: write a number of 0 or more"
        )));
    }
    Ok(x)
}

/// A one-way delay a simulated link adds: a duration from 0 to 10 s ("40ms").
pub fn opt_delay<'de, D: Deserializer<'de>>(d: D) -> Result<Option<std::time::Duration>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let t = humantime::parse_duration(&text).map_err(|e| {
        D::Error::custom(format!(
            "'{text}' is not a duration ({e}); write e.g. \"40ms\""
        ))
    })?;
    if t > std::time::Duration::from_secs(10) {
        return Err(D::Error::custom(format!(
            "'{text}' is out of range: a link delay is 0 to 10s"
        )));
    }
    Ok(Some(t))
}

/// "1G", "500M", "64K", "100000": bits per second.
pub fn parse_rate(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().ok()?;
    let factor = match unit {
        "" => 1,
        "K" | "k" => 1_000,
        "M" | "m" => 1_000_000,
        "G" | "g" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(factor).filter(|r| *r > 0)
}

/// A port speed ("10G", "1G", "100M"), in Mbit/s.
pub fn opt_speed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match parse_rate(&text) {
        Some(bps) if bps >= 1_000_000 => Ok(Some(bps / 1_000_000)),
        _ => Err(D::Error::custom(format!(
            "'{text}' is not a port speed; write e.g. \"10G\", \"1G\", \"100M\""
        ))),
    }
}

/// A share in percent, 0 to 100.
pub fn opt_percent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    match v {
        Some(x) if !(0.0..=100.0).contains(&x) => Err(D::Error::custom(format!(
            "{x} is out of range: a percentage is 0 to 100"
        ))),
        _ => Ok(v),
    }
}

/// A name that becomes part of a path, optional (a network namespace's).
pub fn opt_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    if let Some(n) = &v
        && let Some(why) = path_part_problem(n)
    {
        return Err(D::Error::custom(why));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_leave_the_run_folder_are_refused() {
        for bad in ["../etc", "a/b", ".hidden", "", "sw 1", "sw\n1"] {
            assert!(path_part_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["arista-7048", "f10_s4810", "sw1.lab"] {
            assert_eq!(path_part_problem(good), None, "{good}");
        }
    }

    #[test]
    fn config_text_must_be_one_line() {
        assert!(line_problem("Ethernet49\nshutdown").is_some());
        assert!(line_problem("a b\rreload").is_some());
        assert_eq!(line_problem("server1 eth2 Intel X520 0.5m dac"), None);
        // Regression: a zero-width space or a right-to-left override passed as text.
        for hidden in ["Ethernet\u{200B}1", "desc \u{202E}evil", "\u{FEFF}Gi0/1"] {
            let why = line_problem(hidden).unwrap_or_default();
            assert!(why.contains("invisible character U+"), "{hidden:?}: {why}");
        }
        assert_eq!(
            line_problem("Café µs Ä"),
            None,
            "letters of any script are fine"
        );
    }

    #[test]
    fn ranges_say_what_is_allowed() {
        assert_eq!(
            in_range(5000u32, 1, Some(4094), "a VLAN ID").unwrap_err(),
            "5000 is out of range: a VLAN ID is 1 to 4094"
        );
        assert_eq!(
            in_range(0u32, 1, None, "streams").unwrap_err(),
            "0 is out of range: streams is at least 1"
        );
        assert_eq!(in_range(10u32, 1, Some(4094), "a VLAN ID"), Ok(10));
    }
}
