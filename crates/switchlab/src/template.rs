//! Renders a device's config from `templates/<vendor>/<name>.j2` with the lab's cabling and
//! the manifest's variables. Undefined variables are errors (strict), so `switchlab check`
//! catches a template that needs a variable the manifest does not give.
//!
//! Variables a template sees:
//! - `device.name`, `device.hostname`, `device.vendor`, `device.model`
//! - `ports`: list of `{name, description, cable: {kind, length_m}|none, peer: {endpoint, nic, interface}|none}`
//! - `vlan.id`, `vlan.name`
//! - `logging_host` (none when not set), `logging_port` (the UDP port syslog goes to)
//! - `vars.*`: the manifest's `baseline.vars` overlaid with the device's `vars`

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, context, value::Serde};
use serde::Serialize;

use crate::format::lab::{Cable, Device, Peer, Port};
use crate::format::manifest::DeviceUnderTest;
use crate::format::{Lab, Manifest};
use crate::vendor::{Origin, Registry};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "device '{device}': vendor '{vendor}' has no template '{name}'; templates for it: {known}"
    )]
    Missing {
        device: String,
        vendor: String,
        name: String,
        known: String,
    },
    #[error("device '{device}': template {origin}:{line}: {message}")]
    Render {
        device: String,
        origin: String,
        line: usize,
        message: String,
    },
}

/// A config ready to push: the template's output as non-empty lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedConfig {
    pub device: String,
    pub template: String,
    pub lines: Vec<String>,
}

impl RenderedConfig {
    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }
}

#[derive(Serialize)]
struct PortCtx<'a> {
    name: &'a str,
    description: String,
    cable: Option<&'a Cable>,
    peer: Option<PeerCtx<'a>>,
}

#[derive(Serialize)]
struct PeerCtx<'a> {
    endpoint: Option<&'a str>,
    nic: Option<&'a str>,
    interface: Option<&'a str>,
}

/// A description from the cabling, when the lab gives none: "server1 eth2 Intel X520 0.5m dac".
pub fn describe(port: &Port) -> String {
    if let Some(d) = &port.description {
        return d.clone();
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(peer) = &port.peer {
        parts.extend(peer.endpoint.as_ref().map(|e| e.get_ref().clone()));
        parts.extend(peer.interface.clone());
        parts.extend(peer.nic.clone());
    }
    if let Some(c) = &port.cable {
        let kind = c.kind.as_str();
        match c.length_m {
            Some(l) => parts.push(format!("{l}m {kind}")),
            None => parts.push(kind.to_string()),
        }
    }
    if parts.is_empty() {
        "switchlab test port".into()
    } else {
        parts.join(" ")
    }
}

fn peer_ctx(p: &Peer) -> PeerCtx<'_> {
    PeerCtx {
        endpoint: p.endpoint.as_ref().map(|e| e.get_ref().as_str()),
        nic: p.nic.as_deref(),
        interface: p.interface.as_deref(),
    }
}

/// Render the config of one device under test.
pub fn render(
    reg: &Registry,
    lab: &Lab,
    manifest: &Manifest,
    dut: &DeviceUnderTest,
) -> Result<RenderedConfig, TemplateError> {
    let device_name = dut.name.get_ref();
    let Some(dev) = lab.device(device_name) else {
        return Err(TemplateError::Render {
            device: device_name.clone(),
            origin: "lab".into(),
            line: 0,
            message: "device not in lab".into(),
        });
    };
    let name = dut
        .template
        .clone()
        .unwrap_or_else(|| manifest.baseline.template.clone());
    let Some(tpl) = reg.template(dev.vendor(), &name) else {
        return Err(TemplateError::Missing {
            device: device_name.clone(),
            vendor: dev.vendor().into(),
            name,
            known: reg.template_names(dev.vendor()).join(", "),
        });
    };
    let origin = match &tpl.origin {
        Origin::BuiltIn => format!("templates/{}/{name}.j2", dev.vendor()),
        Origin::Folder(p) => p.display().to_string(),
    };
    let ctx = template_context(lab, manifest, dut, dev);
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(one_line_values);
    let fail = |e: minijinja::Error| TemplateError::Render {
        device: device_name.clone(),
        origin: origin.clone(),
        line: e.line().unwrap_or(0),
        message: render_message(&e, &tpl.text),
    };
    env.add_template_owned(name.clone(), tpl.text.clone())
        .map_err(fail)?;
    let out = env
        .get_template(&name)
        .and_then(|t| t.render(ctx))
        .map_err(fail)?;
    let lines = out
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(RenderedConfig {
        device: device_name.clone(),
        template: name,
        lines,
    })
}

/// What a template sees: the device, its ports of the manifest, the VLAN, the logging
/// host and port, and the variables (the manifest's, then the device's).
fn template_context(
    lab: &Lab,
    manifest: &Manifest,
    dut: &DeviceUnderTest,
    dev: &Device,
) -> minijinja::Value {
    let ports: Vec<PortCtx> = manifest
        .ports_for(dut, lab)
        .into_iter()
        .map(|p| PortCtx {
            name: p.name.get_ref(),
            description: describe(p),
            cable: p.cable.as_ref(),
            peer: p.peer.as_ref().map(peer_ctx),
        })
        .collect();
    let mut vars: BTreeMap<String, toml::Value> = manifest.baseline.vars.clone();
    vars.extend(dut.vars.clone());
    context! {
        device => device_ctx(dev),
        ports => Serde(&ports),
        vlan => context! { id => manifest.baseline.vlan, name => manifest.baseline.vlan_name.clone() },
        logging_host => manifest.baseline.logging_host.clone(),
        logging_port => manifest.logging_port(),
        vars => Serde(&vars),
    }
}

/// What a render error says: an undefined value names the expressions on its line and
/// the variables there are.
fn render_message(e: &minijinja::Error, text: &str) -> String {
    match (e.kind(), e.detail()) {
        (minijinja::ErrorKind::UndefinedError, _) => format!(
            "undefined value in {}; variables are device.*, ports, vlan.*, logging_host, logging_port and vars.* (the manifest's [baseline.vars] and the device's `vars`)",
            expressions_at(text, e.line())
        ),
        (kind, Some(d)) => format!("{kind}: {d}"),
        (kind, None) => kind.to_string(),
    }
}

/// Values are written as usual, but one that holds a line break is refused: a value from
/// the lab or the manifest must never add config lines of its own (`Ethernet49\nshutdown`).
/// The inputs refuse such values when they load; this is the second line of defence.
fn one_line_values(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if let Some(text) = value.as_str()
        && text.contains(['\n', '\r'])
    {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!(
                "the value {text:?} would add config lines of its own: a value rendered into a config must be one line"
            ),
        ));
    }
    minijinja::escape_formatter(out, state, value)
}

/// The `{{ … }}` expressions on a template's line, to name what was undefined.
fn expressions_at(text: &str, line: Option<usize>) -> String {
    let Some(l) = line.and_then(|n| text.lines().nth(n.saturating_sub(1))) else {
        return "the template".into();
    };
    let found: Vec<String> = l
        .split("{{")
        .skip(1)
        .filter_map(|p| p.split_once("}}").map(|(e, _)| format!("`{}`", e.trim())))
        .collect();
    if found.is_empty() {
        format!("`{}`", l.trim())
    } else {
        found.join(", ")
    }
}

fn device_ctx(dev: &Device) -> minijinja::Value {
    context! {
        name => dev.name(),
        hostname => dev.hostname(),
        vendor => dev.vendor(),
        model => dev.model.clone(),
    }
}
