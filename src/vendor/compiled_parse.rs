//! A profile's `[[parse]]` rules checked and compiled: every field a schema field, every
//! regex compiled, the style's required keys present.

use super::compiled::{CompiledParse, Compiler};
use super::profile::{ParseRule, ParseStyle};
use crate::format::FormatError;

const SCHEMA_FIELDS: &[&str] = &[
    "port",
    "admin",
    "oper",
    "link_changes",
    "link_downs",
    "last_change_s",
    "speed_mbps",
    "in_errors",
    "crc",
    "resets",
    "description",
    "err_disabled",
];

pub(super) fn compile(c: &Compiler, r: &ParseRule) -> Result<CompiledParse, FormatError> {
    let key = |k: &str| format!("parse[{}].{k}", r.command);
    let rows = r
        .rows
        .iter()
        .map(|p| c.regex(&key("rows"), p))
        .collect::<Result<Vec<_>, _>>()?;
    let start = r
        .start
        .as_deref()
        .map(|p| c.regex(&key("start"), p))
        .transpose()?;
    match r.style {
        ParseStyle::Table if rows.is_empty() => {
            return Err(c.invalid(
                &r.command,
                &key("rows"),
                "style \"table\" needs `rows` regexes".into(),
            ));
        }
        ParseStyle::Blocks if start.is_none() => {
            return Err(c.invalid(
                &r.command,
                &key("start"),
                "style \"blocks\" needs a `start` regex".into(),
            ));
        }
        _ => {}
    }
    let mut fields = Vec::new();
    for (name, pattern) in &r.fields {
        if !SCHEMA_FIELDS.contains(&name.as_str()) {
            return Err(c.invalid(
                name,
                &key("fields"),
                format!(
                    "'{name}' is not a port-state field; known: {}",
                    SCHEMA_FIELDS.join(", ")
                ),
            ));
        }
        // Without a group `v` the field would be null on every port, silently.
        let k = key(&format!("fields.{name}"));
        fields.push((name.clone(), c.with_v(&c.regex(&k, pattern)?, pattern, &k)?));
    }
    for re in rows.iter().chain(start.iter()) {
        for g in re.capture_names().flatten() {
            if !SCHEMA_FIELDS.contains(&g) {
                return Err(c.invalid(
                    g,
                    &key("row"),
                    format!(
                        "group '{g}' is not a port-state field; known: {}",
                        SCHEMA_FIELDS.join(", ")
                    ),
                ));
            }
        }
    }
    let mut map = Vec::new();
    for (field, pairs) in &r.map {
        let compiled = pairs
            .iter()
            .map(|[p, v]| Ok((c.regex(&key(&format!("map.{field}")), p)?, v.clone())))
            .collect::<Result<Vec<_>, FormatError>>()?;
        map.push((field.clone(), compiled));
    }
    for field in r.derive.keys() {
        if !SCHEMA_FIELDS.contains(&field.as_str()) || !r.map.contains_key(field) {
            return Err(c.invalid(
                field,
                &key("derive"),
                format!("'{field}' must be a port-state field with a `map` entry"),
            ));
        }
    }
    for field in r.columns.keys() {
        if !SCHEMA_FIELDS.contains(&field.as_str()) {
            return Err(c.invalid(
                field,
                &key("columns"),
                format!(
                    "'{field}' is not a port-state field; known: {}",
                    SCHEMA_FIELDS.join(", ")
                ),
            ));
        }
    }
    Ok(CompiledParse {
        columns: r
            .columns
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        derive: r
            .derive
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        command: r.command.clone(),
        style: r.style,
        rows,
        start,
        fields,
        map,
    })
}
