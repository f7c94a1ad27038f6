//! Brocade/Ruckus FastIron, ICX7150: 24 × 1/1/x + 2 × 1/2/x, `enable` inside the interface,
//! `skip-page-display` only in privileged mode, `Invalid input -> …`.

use std::time::SystemTime;

use crate::dialect::*;
use crate::module::{ModKind, Module};
use crate::state::{Device, SimPort, Slot};

const COMMANDS: &[Cmd] = &[
    cmd(EXEC, "show media validation", Act::Modules(0)),
    cmd(EXEC, "show optic <bare>", Act::Modules(1)),
    cmd(EXEC, "show media", Act::Modules(2)),
    cmd(USER, "enable", Act::Enable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(EXEC, "logout", Act::Logout),
    cmd(PRIV, "configure terminal", Act::Configure),
    cmd(PRIV, "skip-page-display", Act::SkipPage),
    cmd(PRIV, "page-display", Act::Nothing),
    cmd(EXEC, "show version", Act::ShowVersion),
    cmd(EXEC, "show clock", Act::ShowClock),
    cmd(EXEC, "show interfaces", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces ethernet <bare>", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces brief", Act::ShowStatus),
    cmd(PRIV, "show logging", Act::ShowLogging),
    cmd(PRIV, "show running-config", Act::ShowRunning),
    cmd(PRIV, "show configuration", Act::ShowStartup),
    cmd(PRIV, "write memory", Act::WriteMemory),
    cmd(PRIV, "clear statistics", Act::ClearCounters),
    set(CONF, "hostname <word>", Act::Hostname),
    cmd(CONF, "interface ethernet <bare>", Act::Interface),
    cmd(CONF, "vlan <num> name <word> by port", Act::Vlan),
    cmd(CONF, "vlan <num> by port", Act::Vlan),
    cmd(CONF, "vlan <num>", Act::Vlan),
    cmd(CONF, "logging host <word>", Act::LoggingHost),
    cmd(CONF, "logging host <word> udp-port <num>", Act::LoggingHost),
    cmd(CONF | SUB, "end", Act::End),
    cmd(CONF | SUB, "exit", Act::Exit),
    set(IF, "port-name <rest>", Act::Description),
    cmd(IF, "enable", Act::AdminUp),
    cmd(IF, "disable", Act::AdminDown),
    cmd(VLAN, "untagged ethernet <bare>", Act::Store),
    cmd(VLAN, "tagged ethernet <bare>", Act::Store),
];

fn ports() -> Vec<SimPort> {
    let mut p = ports_of("GigabitEthernet", "e", "1/1/", 1..=24, 1000);
    p.extend(ports_of("10GigabitEthernet", "e", "1/2/", 1..=4, 10_000));
    p
}

fn prompt(h: &str, m: &Mode) -> String {
    match m {
        Mode::User => format!("{h}>"),
        Mode::Privileged => format!("{h}#"),
        Mode::Config => format!("{h}(config)#"),
        Mode::Interface(i) => {
            let (speed, n) = if *i < 24 {
                ("e1000", format!("1/1/{}", i + 1))
            } else {
                ("e10000", format!("1/2/{}", i - 23))
            };
            format!("{h}(config-if-{speed}-{n})#")
        }
        Mode::Vlan(v) => format!("{h}(config-vlan-{v})#"),
    }
}

fn show_clock(t: jiff::Timestamp) -> String {
    format!(
        "{} GMT+00 {}\n",
        t.strftime("%H:%M:%S%.3f"),
        t.strftime("%a %b %d %Y")
    )
}

fn show_version(dev: &Device) -> String {
    format!(
        "  Copyright (c) Ruckus Networks, Inc. All rights reserved.\n    UNIT 1: compiled on Aug 12 2020 at 07:52:33 labeled as SPR08095\n\
         \x20     (29646436 bytes) from Primary SPR08095.bin (UFI)\n  HW: Stackable ICX7150-24P\n\
         ==========================================================================\nUNIT 1: SL 1: ICX7150-24P POE 24-port Management Module\n\
         ==========================================================================\n  The system uptime is {}\n",
        age_words(dev.booted.elapsed().as_secs())
    )
}

fn uptime_words(secs: u64) -> String {
    format!(
        "{} day(s) {} hour(s) {} minute(s) {} second(s)",
        secs / 86400,
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn show_interface(dev: &Device, p: &SimPort) -> String {
    let (state, proto) = if !p.admin_up {
        ("disabled", "down")
    } else if p.oper_up {
        ("up", "up")
    } else {
        ("down", "down")
    };
    let idx = dev.position_of(p);
    let name = p
        .description
        .as_ref()
        .map(|d| format!("  Port name is {d}\n"))
        .unwrap_or_else(|| "  No port name\n".into());
    let actual = if p.oper_up {
        p.shown_speed("Gbit", "Mbit")
    } else {
        "unknown".into()
    };
    let updown = if p.oper_up { "up" } else { "down" };
    format!(
        "{long} is {state}, line protocol is {proto}\n\
         \x20 Port {updown} for {age}\n\
         \x20 Hardware is {kind}, address is {mac} (bia {mac})\n\
         \x20 Configured speed auto, actual {actual}, configured duplex fdx, actual fdx\n\
         \x20 Member of 1 L2 VLANs, port is untagged, port state is FORWARDING\n\
         \x20 BPDU guard is Disabled, ROOT protect is Disabled, Designated protect is Disabled\n\
         \x20 Link Error Dampening is Disabled\n\
         \x20 STP configured to ON, priority is level0, mac-learning is enabled\n\
         \x20 Flow Control is config enabled, oper enabled, negotiation disabled\n\
         \x20 Mirror disabled, Monitor disabled\n\
         \x20 Not member of any active trunks\n\
         \x20 Not member of any configured trunks\n{name}\
         \x20 IPG MII 96 bits-time, IPG GMII 96 bits-time\n\
         \x20 MTU 1500 bytes\n\
         \x20 300 second input rate: 0 bits/sec, 0 packets/sec, 0.00% utilization\n\
         \x20 300 second output rate: 0 bits/sec, 0 packets/sec, 0.00% utilization\n\
         \x20 {ip} packets input, {ib} bytes, 0 no buffer\n\
         \x20 Received 0 broadcasts, 0 multicasts, 0 unicasts\n\
         \x20 {ie} input errors, {crc} CRC, 0 frame, 0 ignored\n\
         \x20 0 runts, 0 giants\n\
         \x20 {op} packets output, {ob} bytes, 0 underruns\n\
         \x20 Transmitted 0 broadcasts, 0 multicasts, 0 unicasts\n\
         \x20 0 output errors, 0 collisions\n\
         \x20 Relay Agent Information option: Disabled\n",
        long = p.long(),
        ip = p.traffic.in_packets,
        ib = p.traffic.in_bytes,
        op = p.traffic.out_packets,
        ob = p.traffic.out_bytes,
        kind = p.long_type,
        age = uptime_words(p.last_change.elapsed().as_secs()),
        mac = mac(0x9f00, idx),
        ie = p.in_errors,
        crc = p.crc,
    )
}

fn show_status(dev: &Device) -> String {
    let mut out = String::from(
        "\nPort       Link    State   Dupl Speed Trunk Tag Pvid Pri MAC             Name\n",
    );
    for (i, p) in dev.ports.iter().enumerate() {
        let (link, state, dupl, speed) = if !p.admin_up {
            ("Disable", "None", "None", "None".to_string())
        } else if p.oper_up {
            ("Up", "Forward", "Full", p.shown_speed("G", "M"))
        } else {
            ("Down", "None", "None", "None".to_string())
        };
        let name: String = p
            .description
            .clone()
            .unwrap_or_default()
            .chars()
            .take(8)
            .collect();
        let vlan = port_vlan(dev, p, &format!("interface ethernet {}", p.number));
        out.push_str(&format!(
            "{:<10} {:<7} {:<7} {:<4} {:<5} None  No  {:<4} 0   {}  {}\n",
            p.number,
            link,
            state,
            dupl,
            speed,
            vlan,
            mac(0x9f00, i),
            name
        ));
    }
    out
}

fn link_log(dev: &Device, p: &SimPort, up: bool, _t: SystemTime) -> Vec<String> {
    let s = dev.booted.elapsed().as_secs();
    let stamp = format!(
        "{}d{:02}h{:02}m{:02}s",
        s / 86400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60
    );
    vec![format!(
        "{stamp}:I:System: Interface ethernet {}, state {}",
        p.number,
        if up { "up" } else { "down" }
    )]
}

pub(crate) static DIALECT: Dialect = Dialect {
    name: "brocade_fastiron",
    default_hostname: "ICX7150-24P Switch",
    commands: COMMANDS,
    ports,
    ports_start_shut: false,
    sub_exit_leaves_config: false,
    factory_zerotouch: false,
    hidden: &["enable"],
    prompt,
    invalid: |_, word| format!("Invalid input -> {word}\r\nType ? for a list\r\n"),
    incomplete: "Incomplete command.\r\n",
    ambiguous: |l| format!("Ambiguous input -> {l}\r\n"),
    pager: "--More--, next page: Space, next line: Return key, quit: Control-c",
    login: LoginStyle {
        banner: "\r\n",
        user_prompt: "Please Enter Login Name: ",
        password_prompt: "Please Enter Password: ",
        failure: "\r\nError - Incorrect username or password.",
    },
    enable_password_prompt: "Password:",
    enable_failure: "Error - incorrect password.",
    save: SaveStyle {
        write_intro: "",
        write_confirm: None,
        write_done: "Write startup-config done.",
        copy_question: None,
        copy_done: "",
    },
    term_length_reply: "",
    term_width_reply: "",
    show_version,
    show_clock,
    show_interface,
    show_status,
    module_shows: &[show_media_validation, show_optic, show_media],
    show_logging_header: "Syslog logging: enabled ( 0 messages dropped, 0 flushes, 0 overruns)\n    Buffer logging: level ACDMEINW, 50 messages logged\n    level code: A=alert C=critical D=debugging M=emergency E=error\n                I=informational N=notification W=warning\n\nDynamic Log Buffer (50 lines):\n",
    link_log,
    interface_head: |p| format!("interface ethernet {}", p.number),
    lists_every_interface: false,
    syslog_names_host: true,
    running_header: "Current configuration:\n!\nver 08.0.95dT213\n!\nstack unit 1\n  module 1 icx7150-24p-poe-port-management-module\n  module 2 icx7150-2-copper-port-2g-module\n!\n",
    errdisable_log: None,
};

/// FastIron's view of a module: its type string, vendor, and whether the OS supports it
/// (a module coded for another vendor is refused).
fn ruckus_module(m: &Module) -> (String, &'static str, bool) {
    let foreign = m
        .part
        .as_deref()
        .is_some_and(|p| p.starts_with("SFP-H10GB") || p.starts_with("SFP-10G-"));
    let media = match m.kind {
        ModKind::Dac { active: false } => format!("10GE Passive Copper {}m", m.length_text(false)),
        ModKind::Dac { active: true } => format!("10GE Active Copper {}m", m.length_text(false)),
        ModKind::Aoc => format!("10GE AOC {}m", m.length_text(false)),
        ModKind::Fiber(r) => format!("10GE {r} 300m"),
    };
    match foreign {
        true => (media, "CISCO-OEM", false),
        false => (media, "RUCKUS", true),
    }
}

/// `show media validation`: a row per module.
fn show_media_validation(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "Port       Supported Vendor               Type\n----------------------------------------------------------------------\n",
    );
    for p in &dev.ports {
        if let Some(m) = p.slot.module() {
            let (media, vendor, ok) = ruckus_module(m);
            let yes = if ok { "Yes" } else { "No" };
            out.push_str(&format!(
                "{:<10} {yes:<9} {vendor:<21} Type  : {media} (SFP+)\n",
                p.number
            ));
        }
    }
    out
}

/// `show optic PORT`: the module's DOM (copper has none).
fn show_optic(_: &Device, port: Option<&SimPort>) -> String {
    let head = " Port  Temperature    Tx Power     Rx Power       Tx Bias Current\n+-----+-------------+------------+------------+------------------+\n";
    let Some(p) = port else { return head.into() };
    match p.slot.module().filter(|m| m.has_dom()) {
        Some(m) => format!(
            "{head}{:<7} {:.4} C  {:09.4} dBm {:09.4} dBm   5.658 mA\n        Normal       Normal        Normal         Normal\n",
            p.number,
            m.temp_c,
            m.tx_dbm,
            m.rx_dbm()
        ),
        None => format!(
            "{head}{:<7} N/A          N/A          N/A            N/A\n",
            p.number
        ),
    }
}

/// `show media`: every pluggable port's type (`EMPTY` where nothing is in it).
fn show_media(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::new();
    for p in dev
        .ports
        .iter()
        .filter(|p| matches!(p.slot, Slot::Empty | Slot::Module(_)))
    {
        let media = p.slot.module().map_or("EMPTY".to_string(), |m| {
            format!("{} (SFP+)", ruckus_module(m).0)
        });
        out.push_str(&format!("Port {:>6}: Type  : {media}\n", p.number));
    }
    out
}
