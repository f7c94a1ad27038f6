//! The virtual lab: simulated switches of each vendor, reachable exactly like real ones —
//! over SSH (russh) and on a serial console (a pty that switchlab opens like /dev/ttyUSB0).
//!
//! Layout: `dialect` (what a vendor is, as data and formatters), `vendors/` (one file per
//! vendor, written from VENDORS.md and independent of `vendors/*.toml`), `grammar`
//! (abbreviated commands), `session` + `actions` (one CLI session), `state` (the device:
//! ports, config, log, ground truth), `link` (flap injection), `ssh` and `console` (front ends),
//! `replay` (a recorded device served again from its transcripts).

#![allow(clippy::result_large_err)]
#![warn(unreachable_pub)]

pub mod actions;
pub mod bench;
mod config_session;
pub mod console;
pub mod console_tcp;
pub mod dataplane;
pub mod demo;
pub mod dialect;
pub mod grammar;
pub mod link;
pub mod module;
mod negate;
pub mod replay;
pub mod session;
pub mod ssh;
pub mod state;
mod telnet_server;
pub mod vendors;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

pub use dialect::Dialect;
pub use link::{FlapPlan, parse_flaps};
pub use state::{Device, TruthEvent};

/// A port's cabling, as the lab describes it (decides link-up and flakiness), and what is
/// really plugged in where the lab's `sim` says otherwise.
#[derive(Debug, Clone, Default)]
pub struct Cabling {
    pub port: String,
    pub kind: Option<String>,
    pub length_m: Option<f64>,
    pub nic: Option<String>,
    /// The part the switch reports (`SFP-H10GB-CU0-5M`), or `absent` for an empty cage.
    pub transceiver: Option<String>,
    /// How far the module's Rx power moves after its first read, in dB.
    pub rx_drift_db: Option<f64>,
}

impl Cabling {
    fn is(&self, p: &state::SimPort) -> bool {
        let c = state::squash(&self.port);
        c == state::squash(&p.long()) || c == state::squash(&p.number)
    }
}

/// Everything that makes one simulated switch.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub vendor: String,
    /// Name in the ground truth (the lab's device name).
    pub name: String,
    pub hostname: Option<String>,
    pub user: String,
    /// Login password (SSH password auth, console login); empty = console asks no login.
    pub password: String,
    pub secret: Option<String>,
    pub authorized_keys: Vec<russh::keys::PublicKey>,
    pub factory: bool,
    pub seed: u64,
    pub flaps: FlapPlan,
    /// Cabled ports; `None` = every port has a peer.
    pub cabling: Option<Vec<Cabling>>,
    pub pace_baud: Option<u32>,
    /// Ask the FTOS-style banner acknowledgement on SSH login.
    pub acknowledge: bool,
    /// Offer only the old algorithms old switches speak.
    pub legacy_algorithms: bool,
    /// How far ahead profile-driven flaps are planned.
    pub horizon: Duration,
    /// UDP port syslog goes to on a `logging host` line that names none (514, as real switches).
    pub syslog_port: u16,
    /// Start the flap schedule's clock when a typed command line first starts with this
    /// text (say `show`: the watch's first read) instead of at start.
    pub flaps_from: Option<String>,
    /// The address syslog datagrams go out from (default: any).
    pub syslog_source: Option<std::net::IpAddr>,
    /// The console echoes passwords and secrets as they are typed.
    pub echo_secrets: bool,
    /// The console writes one byte at a time (a client reads everything in pieces).
    pub split_writes: bool,
    /// How far the switch's clock is off (seconds; `show clock`), for `doctor`'s check.
    pub clock_offset_s: i64,
    /// A command line starting with this text never ends: no output, no prompt, input
    /// ignored (a CLI stuck in a command while the console keeps printing log lines).
    pub hang_on: Option<String>,
}

impl SimOptions {
    pub fn new(vendor: &str) -> SimOptions {
        SimOptions {
            vendor: vendor.to_string(),
            name: vendor.to_string(),
            hostname: None,
            user: "admin".into(),
            password: "admin".into(),
            secret: None,
            authorized_keys: Vec::new(),
            factory: false,
            seed: 1,
            flaps: FlapPlan::default(),
            cabling: None,
            pace_baud: None,
            acknowledge: false,
            legacy_algorithms: false,
            horizon: Duration::from_secs(3600),
            syslog_port: 514,
            flaps_from: None,
            echo_secrets: false,
            split_writes: false,
            clock_offset_s: 0,
            syslog_source: None,
            hang_on: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("no simulator for vendor '{0}'; simulated vendors: {1}")]
    UnknownVendor(String, String),
    #[error("{what}: {error}")]
    Io { what: String, error: std::io::Error },
    #[error(
        "port {port}: sim transceiver '{part}' is not a part the simulator reads: give one such as SFP-H10GB-CU0-5M, CAB-SFP-SFP-1M, SFP-10G-SR, or \"absent\""
    )]
    Part { port: String, part: String },
    #[error("flap schedule names port '{port}', which {vendor} has not; ports look like {example}")]
    UnknownPort {
        port: String,
        vendor: String,
        example: String,
    },
}

/// A running simulated switch; its listeners and flaps stop when it is dropped.
pub struct Sim {
    pub dialect: &'static Dialect,
    pub device: Arc<Mutex<Device>>,
    pub options: SimOptions,
    tasks: Vec<JoinHandle<()>>,
    /// Console links made (link, pty): removed when the simulator ends.
    links: Vec<(PathBuf, PathBuf)>,
}

impl Sim {
    /// Build the switch and start its flap schedule (listeners come with `listen_*`).
    pub fn start(options: SimOptions) -> Result<Sim, SimError> {
        let dialect = vendors::dialect(&options.vendor).ok_or_else(|| {
            SimError::UnknownVendor(options.vendor.clone(), vendors::names().join(", "))
        })?;
        let mut device = new_device(dialect, &options)?;
        let flaps = planned_flaps(&device, &options);
        let named = flaps.iter().map(|f| &f.port);
        for port in named.chain(options.flaps.crc.iter().map(|c| &c.port)) {
            if device.port_index(port).is_none() {
                return Err(SimError::UnknownPort {
                    port: port.clone(),
                    vendor: dialect.name.into(),
                    example: device.ports[0].long(),
                });
            }
        }
        let trigger = options
            .flaps_from
            .as_ref()
            .map(|text| (text.clone(), Arc::new(tokio::sync::Notify::new())));
        device.schedule_trigger = trigger.clone();
        device.hang_on = options.hang_on.clone();
        let mut sim = Sim {
            dialect,
            device: Arc::new(Mutex::new(device)),
            options,
            tasks: Vec::new(),
            links: Vec::new(),
        };
        let plan = link::FlapPlan {
            flaps,
            crc: sim.options.flaps.crc.clone(),
            clears: sim.options.flaps.clears.clone(),
            profile: false,
        };
        if !(plan.flaps.is_empty() && plan.crc.is_empty() && plan.clears.is_empty()) {
            let dev = sim.device.clone();
            sim.tasks.push(tokio::spawn(async move {
                if let Some((_, start)) = trigger {
                    start.notified().await;
                }
                link::run_plan(dialect, dev, plan).await;
            }));
        }
        Ok(sim)
    }

    /// Listen for SSH on `addr` (port 0 = any free port); returns the bound address.
    pub async fn listen_ssh(&mut self, addr: SocketAddr) -> Result<SocketAddr, SimError> {
        let (bound, task) = ssh::serve(self, addr).await.map_err(|error| SimError::Io {
            what: format!("ssh listener on {addr}"),
            error,
        })?;
        self.tasks.push(task);
        Ok(bound)
    }

    /// Serve the console on a TCP port, as a console server's port: reverse telnet, or raw
    /// bytes (`telnet` false); returns the bound address.
    pub async fn listen_console_tcp(
        &mut self,
        addr: SocketAddr,
        telnet: bool,
    ) -> Result<SocketAddr, SimError> {
        let (bound, task) = console_tcp::serve(self, addr, telnet)
            .await
            .map_err(|error| SimError::Io {
                what: format!("console port on {addr}"),
                error,
            })?;
        self.tasks.push(task);
        Ok(bound)
    }

    /// Open a console on a new pty and make `link` a symlink to it.
    pub async fn listen_console(&mut self, link: &Path) -> Result<PathBuf, SimError> {
        let (tty, task) = console::serve(self, link).map_err(|error| SimError::Io {
            what: format!("console at {}", link.display()),
            error,
        })?;
        self.tasks.push(task);
        self.links.push((link.to_path_buf(), tty.clone()));
        Ok(tty)
    }

    /// Flap `port` `at` from now, down for `down`: what a test does at the moment it waits
    /// for (a line the client printed), so the flap falls where the test needs it.
    pub fn flap(&self, port: &str, at: Duration, down: Duration) {
        let flap = link::Flap {
            port: port.into(),
            at,
            down,
        };
        link::flap_now(self.dialect, &self.device, flap);
    }

    /// Every link change so far.
    pub fn truth(&self) -> Vec<TruthEvent> {
        session::lock(&self.device).truth.clone()
    }

    /// The running config as it stands, without the vendor's header: what a test
    /// compares a push against.
    pub fn running_config(&self) -> String {
        let dev = session::lock(&self.device);
        actions::render_config(self.dialect, "", &dev, &dev.running)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for (link, tty) in &self.links {
            switchlab::transport::console_link::release(link, tty);
        }
    }
}

/// The device as it boots: `dialect`'s ports, cabled and fitted as `options` say, its
/// factory running config, its users.
fn new_device(dialect: &'static Dialect, options: &SimOptions) -> Result<Device, SimError> {
    let mut ports = (dialect.ports)();
    for (i, p) in ports.iter_mut().enumerate() {
        p.admin_up = !dialect.ports_start_shut;
        let cable = options
            .cabling
            .as_ref()
            .map(|all| all.iter().find(|c| c.is(p)));
        if let Some(c) = cable {
            p.cabled = c.is_some();
        }
        p.slot = state::Slot::for_port(p, cable, i).map_err(|part| SimError::Part {
            port: p.long(),
            part,
        })?;
        if matches!(p.slot, state::Slot::Empty) {
            p.cabled = false;
        }
        p.oper_up = p.admin_up && p.cabled;
    }
    let running = config_session::factory_running(dialect, &ports);
    let (console_tx, _) = tokio::sync::broadcast::channel(1024);
    Ok(Device {
        name: options.name.clone(),
        hostname: options
            .hostname
            .clone()
            .unwrap_or_else(|| dialect.default_hostname.to_string()),
        ports,
        running,
        startup: None,
        log_buffer: Default::default(),
        truth: Vec::new(),
        booted: Instant::now(),
        secret: options.secret.clone(),
        user: options.user.clone(),
        password: options.password.clone(),
        factory: options.factory,
        console_tx,
        zerotouch: options.factory && dialect.factory_zerotouch,
        syslog_targets: Vec::new(),
        syslog_port: options.syslog_port,
        syslog_names_host: dialect.syslog_names_host,
        syslog_source: options.syslog_source,
        syslog_seq: 0,
        clock_offset_s: options.clock_offset_s,
        flap_on_command: Vec::new(),
        schedule_trigger: None,
        hang_on: None,
    })
}

/// The flaps `options` ask for, with the flaky cables' own when the plan says `profile`.
fn planned_flaps(device: &Device, options: &SimOptions) -> Vec<link::Flap> {
    let mut flaps = options.flaps.flaps.clone();
    if options.flaps.profile {
        for c in options.cabling.iter().flatten() {
            // The cable really plugged in flickers, whatever the lab says it is.
            let real = device.port_index(&c.port).map(|i| &device.ports[i].slot);
            let (kind, length) = match real {
                Some(state::Slot::Module(m)) => (Some(m.lab_kind()), m.length_m),
                _ => (c.kind.as_deref(), c.length_m),
            };
            if link::flaky_by_profile(kind, length, c.nic.as_deref()) {
                flaps.extend(link::profile_flaps(&c.port, options.seed, options.horizon));
            }
        }
    }
    flaps
}
