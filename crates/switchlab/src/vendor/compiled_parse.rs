//! A profile's `[[parse]]` rules checked and compiled: every field one of its record's
//! schema (port state or transceiver), every regex compiled, the style's required keys
//! present; and the `[[link_event]]` patterns, each with the groups it needs.

use super::compiled::{CompiledParse, LinkEventPattern};
use super::compiler::Compiler;
use super::profile::{LinkEventRule, ParseRecord, ParseRule, ParseStyle};
use crate::format::FormatError;
use regex::Regex;

const PORT_FIELDS: &[&str] = &[
    "port",
    "admin",
    "oper",
    "link_changes",
    "link_downs",
    "link_ups",
    "last_change_s",
    "speed_mbps",
    "in_errors",
    "crc",
    "resets",
    "description",
    "err_disabled",
    "in_packets",
    "out_packets",
    "in_discards",
    "out_discards",
];

/// The fields a transceiver parse rule may set.
pub const TRANSCEIVER_FIELDS: &[&str] = &[
    "port",
    "media",
    "part",
    "vendor",
    "serial",
    "temp_c",
    "tx_dbm",
    "rx_dbm",
    "rx_low_warning",
    "rx_low_warn_dbm",
    "present",
    "supported",
    "length_m",
];

/// The fields a rule's record has, and what the record is called in errors.
fn schema(r: &ParseRule) -> (&'static [&'static str], &'static str) {
    match r.record {
        ParseRecord::Port => (PORT_FIELDS, "port-state"),
        ParseRecord::Transceiver => (TRANSCEIVER_FIELDS, "transceiver"),
    }
}

pub(super) fn compile(c: &Compiler, r: &ParseRule) -> Result<CompiledParse, FormatError> {
    let key = |k: &str| format!("parse[{}].{k}", r.command);
    let rows = (r.rows.iter())
        .map(|p| c.scan_regex(&key("rows"), p))
        .collect::<Result<Vec<_>, _>>()?;
    let start = c.scan_opt(&key("start"), r.start.as_deref())?;
    let ends = c.scan_opt(&key("ends"), r.ends.as_deref())?;
    let needs = style_needs(r.style, rows.is_empty(), start.is_some(), ends.is_some());
    if let Some((k, why)) = needs {
        return Err(c.invalid(&r.command, &key(k), why.into()));
    }
    let known = |name: &str, what: &str, k: &str| check_field(c, r, name, what, &key(k));
    let mut fields = Vec::new();
    for (name, pattern) in &r.fields {
        known(name, "field", "fields")?;
        // Without a group `v` the field would be null on every port, silently.
        let k = key(&format!("fields.{name}"));
        fields.push((
            name.clone(),
            c.with_v(c.scan_regex(&k, pattern)?, pattern, &k)?,
        ));
    }
    for re in rows.iter().chain(start.iter()).chain(ends.iter()) {
        for g in re.capture_names().flatten() {
            known(g, "group", "row")?;
        }
    }
    let map = compile_map(c, r)?;
    for field in r.columns.keys() {
        known(field, "field", "columns")?;
    }
    let pairs = |m: &std::collections::BTreeMap<String, String>| {
        m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    Ok(CompiledParse {
        columns: pairs(&r.columns),
        derive: pairs(&r.derive),
        command: r.command.clone(),
        style: r.style,
        record: r.record,
        after: c.scan_opt(&key("after"), r.after.as_deref())?,
        until: c.scan_opt(&key("until"), r.until.as_deref())?,
        bare_port: r.bare_port.clone(),
        rows,
        start,
        ends,
        fields,
        map,
    })
}

/// Each field's value patterns and the value each gives.
type ValueMap = Vec<(String, Vec<(Regex, String)>)>;

/// The rule's `map` (each field's patterns and values), and its `derive`, which needs it.
fn compile_map(c: &Compiler, r: &ParseRule) -> Result<ValueMap, FormatError> {
    let key = |k: &str| format!("parse[{}].{k}", r.command);
    let mut map = Vec::new();
    for (field, pairs) in &r.map {
        let compiled = (pairs.iter())
            .map(|[p, v]| Ok((c.scan_regex(&key(&format!("map.{field}")), p)?, v.clone())))
            .collect::<Result<Vec<_>, FormatError>>()?;
        map.push((field.clone(), compiled));
    }
    for field in r.derive.keys() {
        check_field(c, r, field, "field", &key("derive"))?;
        if !r.map.contains_key(field) {
            return Err(c.invalid(
                field,
                &key("derive"),
                format!("'{field}' must have a `map` entry"),
            ));
        }
    }
    Ok(map)
}

/// The key a style lacks (or has without use), and why.
fn style_needs(
    style: ParseStyle,
    no_rows: bool,
    start: bool,
    ends: bool,
) -> Option<(&'static str, &'static str)> {
    match style {
        ParseStyle::Table if no_rows => Some(("rows", "style \"table\" needs `rows` regexes")),
        ParseStyle::Blocks if !start => Some(("start", "style \"blocks\" needs a `start` regex")),
        ParseStyle::Table | ParseStyle::Events if ends => {
            Some(("ends", "only style \"blocks\" has block headers to end"))
        }
        _ => None,
    }
}

/// `name` is a field of the rule's record, or an error listing those it has.
fn check_field(
    c: &Compiler,
    r: &ParseRule,
    name: &str,
    what: &str,
    key: &str,
) -> Result<(), FormatError> {
    let (fields, record) = schema(r);
    if fields.contains(&name) {
        return Ok(());
    }
    Err(c.invalid(
        name,
        key,
        format!(
            "{what} '{name}' is not a {record} field; known: {}",
            fields.join(", ")
        ),
    ))
}

/// Each link-event pattern has the groups it needs.
pub(super) fn link_events(
    c: &Compiler<'_>,
    rules: &[LinkEventRule],
) -> Result<Vec<LinkEventPattern>, FormatError> {
    rules
        .iter()
        .map(|r| {
            let pattern = c.regex("link_event.pattern", &r.pattern)?;
            let names: Vec<_> = pattern.capture_names().flatten().collect();
            if !names.contains(&"port") || (r.state.is_none() && !names.contains(&"state")) {
                return Err(c.invalid(
                    &r.pattern,
                    "link_event.pattern",
                    "needs a (?P<port>…) group and a (?P<state>…) group or a fixed `state`".into(),
                ));
            }
            Ok(LinkEventPattern {
                pattern,
                state: r.state,
            })
        })
        .collect()
}
