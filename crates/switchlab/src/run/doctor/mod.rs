//! `doctor`: is the bench ready for a run? One check per line, each with the fix: every
//! device reachable (TCP, SSH host key known, console path present and a tty, console
//! server port open), the
//! credentials' environment variables set, the endpoints reachable (their namespace,
//! their SSH, an engine here), the syslog port free, and each device's clock against this
//! machine's. Nothing is changed (no host key is learnt); a device is logged into only to
//! read its clock, once its other checks passed.

use std::os::unix::fs::OpenOptionsExt as _;
use std::time::Duration;

use serde::Serialize;

use crate::format::Lab;
use crate::format::lab::{Device, Endpoint, SshAccess};
use crate::format::manifest::{FlapSource, Manifest};
use crate::transport::{ConnectOptions, Problem, TransportError};

/// One check's outcome.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// `device 'arista-7048'`, `endpoint 'server1'`, `syslog`.
    pub subject: String,
    /// What was checked: `ssh reachable`, `ssh host key`, `secret T_PASS`…
    pub check: String,
    pub ok: bool,
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

pub(super) fn pass(subject: &str, check: &str, detail: String) -> Check {
    Check {
        subject: subject.into(),
        check: check.into(),
        ok: true,
        detail,
        fix: None,
    }
}

pub(super) fn fail(subject: &str, check: &str, detail: String, fix: String) -> Check {
    Check {
        subject: subject.into(),
        check: check.into(),
        ok: false,
        detail,
        fix: Some(fix),
    }
}

/// Whether `host:port` takes a TCP connection within `limit`.
mod clock;

async fn tcp(host: &str, port: u16, limit: Duration) -> Result<(), String> {
    match tokio::time::timeout(limit, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer within {}",
            humantime::format_duration(limit)
        )),
    }
}

/// The environment variables a device or endpoint names: each set?
fn secrets(subject: &str, vars: &[(&str, &str)], out: &mut Vec<Check>) {
    for (key, var) in vars {
        let check = format!("{key} {var}");
        match std::env::var_os(var) {
            Some(_) => out.push(pass(subject, &check, "set".into())),
            None => out.push(fail(
                subject,
                &check,
                "not set".into(),
                format!(
                    "export {var}=… (the lab's {key} names it; switchlab never stores secrets)"
                ),
            )),
        }
    }
}

/// An SSH target: reachable, and its host key known.
async fn ssh(
    subject: &str,
    name: &str,
    s: &SshAccess,
    opts: &ConnectOptions,
    out: &mut Vec<Check>,
) {
    let addr = format!("{}:{}", s.host, s.port);
    if s.jump.is_none() {
        if let Err(e) = tcp(&s.host, s.port, opts.connect_timeout).await {
            out.push(fail(
                subject,
                "ssh reachable",
                format!("{addr}: {e}"),
                "check the address and port in the lab, the management cabling, and that SSH is enabled on it".into(),
            ));
            return;
        }
        out.push(pass(subject, "ssh reachable", addr.clone()));
    }
    match crate::transport::ssh::check_host_key(name, s, opts).await {
        Ok(()) => out.push(pass(subject, "ssh host key", format!("{addr}: known"))),
        Err(TransportError {
            problem:
                Problem::HostKeyUnknown {
                    fingerprint,
                    learn_into,
                    ..
                },
            ..
        }) => out.push(fail(
            subject,
            "ssh host key",
            format!("{addr}: unknown key {fingerprint}"),
            format!(
                "check the fingerprint on the device's console, then connect once with --accept-new-host-keys (it is recorded in {})",
                learn_into.display()
            ),
        )),
        Err(
            e @ TransportError {
                problem: Problem::HostKeyChanged { .. },
                ..
            },
        ) => out.push(fail(
            subject,
            "ssh host key",
            e.to_string(),
            "if the device was replaced or reinstalled, remove the old line; otherwise do not connect".into(),
        )),
        Err(e) => out.push(fail(
            subject,
            "ssh host key",
            e.to_string(),
            "check that the port speaks SSH".into(),
        )),
    }
}

/// The most a device's clock may be off before its log times stop lining up with the
/// watch's (a flap is matched across sources within a couple of seconds).
/// (`show clock` gives whole seconds on some vendors: a second of that is the reading.)
pub(super) const MAX_SKEW: Duration = Duration::from_secs(3);

async fn device(dev: &Device, opts: &ConnectOptions, out: &mut Vec<Check>) {
    let subject = format!("device '{}'", dev.name());
    secrets(&subject, &secret_vars(dev), out);
    if let Some(s) = &dev.ssh {
        ssh(&subject, dev.name(), s.get_ref(), opts, out).await;
    }
    if let Some(c) = &dev.console {
        let c = c.get_ref();
        match c.protocol {
            crate::format::lab::ConsoleProtocol::Ssh => {
                ssh(&subject, dev.name(), &c.ssh(), opts, out).await;
            }
            _ => {
                let port = c.tcp_port().unwrap_or(23);
                let addr = format!("{}:{port}", c.host);
                out.push(match tcp(&c.host, port, opts.connect_timeout).await {
                    Ok(()) => pass(&subject, "console server port", format!("{addr}: open")),
                    Err(e) => fail(
                        &subject,
                        "console server port",
                        format!("{addr}: {e}"),
                        "check the console server's address and this device's port on it (and that no one else holds the port)".into(),
                    ),
                });
            }
        }
    }
    if let Some(serial) = &dev.serial {
        out.push(console_tty(&subject, &opts.lab_dir, &serial.get_ref().port));
    }
}

/// The environment variables a device's secrets come from, by the key that names each.
fn secret_vars(dev: &Device) -> Vec<(&'static str, &str)> {
    let mut vars = Vec::new();
    if let Some(s) = &dev.ssh
        && let Some(v) = &s.get_ref().password_env
    {
        vars.push(("ssh.password_env", v.as_str()));
    }
    if let Some(s) = &dev.serial
        && let Some(v) = &s.get_ref().password_env
    {
        vars.push(("serial.password_env", v.as_str()));
    }
    if let Some(c) = &dev.console {
        let c = c.get_ref();
        for (key, v) in [
            ("console.password_env", &c.password_env),
            ("console.login_password_env", &c.login_password_env),
        ] {
            if let Some(v) = v {
                vars.push((key, v.as_str()));
            }
        }
    }
    if let Some(v) = &dev.secret_env {
        vars.push(("secret_env", v.as_str()));
    }
    vars
}

/// Whether the serial console `port` (a lab path) is a tty that opens.
fn console_tty(subject: &str, lab_dir: &std::path::Path, port: &str) -> Check {
    let path = crate::format::lab::lab_path(lab_dir, port);
    let shown = path.display().to_string();
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(&path)
        .map(|f| nix::unistd::isatty(&f).unwrap_or(false));
    match tty {
        Ok(true) => pass(subject, "console", format!("{shown}: a tty")),
        Ok(false) => fail(
            subject,
            "console",
            format!("{shown}: not a tty"),
            "serial.port must name the USB-serial adapter (switchlab ports lists them)".into(),
        ),
        Err(e) => fail(
            subject,
            "console",
            format!("{shown}: {e}"),
            "plug in the console cable's adapter, or fix serial.port (switchlab ports lists the adapters)".into(),
        ),
    }
}

async fn endpoint(ep: &Endpoint, opts: &ConnectOptions, out: &mut Vec<Check>) {
    let subject = format!("endpoint '{}'", ep.name.get_ref());
    if let Some(ns) = &ep.netns {
        let here = std::path::Path::new("/run/netns").join(ns).exists();
        out.push(match here {
            true => pass(&subject, "network namespace", format!("{ns}: present")),
            false => fail(
                &subject,
                "network namespace",
                format!("{ns}: absent"),
                "start the virtual lab first: switchlab sim --lab LAB (as root)".into(),
            ),
        });
        return;
    }
    if let Some(s) = &ep.ssh {
        let mut vars = Vec::new();
        if let Some(v) = &s.password_env {
            vars.push(("ssh.password_env", v.as_str()));
        }
        secrets(&subject, &vars, out);
        ssh(&subject, ep.name.get_ref(), s, opts, out).await;
        return;
    }
    let iperf3 = crate::run::traffic::iperf3::version().await.is_ok();
    out.push(pass(
        &subject,
        "engine",
        match iperf3 {
            true => "this machine: iperf3 and the built-in engine".into(),
            false => "this machine: the built-in engine (iperf3 is not installed)".into(),
        },
    ));
}

/// The syslog receiver's port, when the manifest's watch listens for syslog.
fn syslog(manifest: &Manifest, out: &mut Vec<Check>) {
    if !manifest.flaps.sources.contains(&FlapSource::Syslog) {
        return;
    }
    let addr = manifest.flaps.syslog_listen;
    if addr.port() == 0 {
        out.push(pass(
            "syslog",
            "receiver port",
            format!("{addr}: any free port"),
        ));
        return;
    }
    out.push(match std::net::UdpSocket::bind(addr) {
        Ok(_) => pass("syslog", "receiver port", format!("udp {addr}: free")),
        Err(e) => fail(
            "syslog",
            "receiver port",
            format!("udp {addr}: {e}"),
            "another program listens there: stop it, or set [flaps] syslog_listen to a free port"
                .into(),
        ),
    });
}

/// Every check of the bench, in the lab's order.
/// The cable audit of one device: what its modules report against the lab.
async fn cables(
    dev: &Device,
    vendor: &crate::vendor::Vendor,
    opts: &ConnectOptions,
    out: &mut Vec<Check>,
) {
    if vendor.profile.commands.transceivers.is_empty() {
        return;
    }
    let subject = format!("device '{}'", dev.name());
    let table = crate::parse::Cables::builtin();
    match crate::run::cables::audit_device(dev, vendor, opts, &table).await {
        Ok(rows) => {
            let found: Vec<String> = (rows.iter())
                .filter(|(r, _)| !r.findings.is_empty())
                .map(|(r, _)| format!("{}: {}", r.port, r.findings))
                .collect();
            let seen = rows.iter().filter(|(r, _)| !r.seen_kind.is_empty()).count();
            out.push(match found.is_empty() {
                true => pass(&subject, "cables", format!("{seen} module(s) read, each the cable the lab declares")),
                false => fail(
                    &subject,
                    "cables",
                    found.join("; "),
                    "swap the cable, or correct its `cable` in the lab (switchlab cables --lab … shows every port)".into(),
                ),
            });
        }
        Err(e) => out.push(fail(
            &subject,
            "cables",
            format!("not read: {e}"),
            "check the profile's transceiver commands".into(),
        )),
    }
}

pub async fn doctor(
    lab: &Lab,
    reg: &crate::vendor::Registry,
    manifest: Option<&Manifest>,
    opts: &ConnectOptions,
) -> Vec<Check> {
    let mut out = Vec::new();
    for d in &lab.devices {
        let before = out.len();
        device(d, opts, &mut out).await;
        let ready = out[before..].iter().all(|c| c.ok);
        if let (true, Some(vendor)) = (ready, reg.vendor(d.vendor())) {
            clock::clock(d, vendor, opts, &mut out).await;
            cables(d, vendor, opts, &mut out).await;
        }
    }
    for e in &lab.endpoints {
        endpoint(e, opts, &mut out).await;
    }
    if let Some(m) = manifest {
        syslog(m, &mut out);
    }
    out
}
