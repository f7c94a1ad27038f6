//! Dell Force10 FTOS (OS9), S4810: 48 Te + 4 Fo, ports shut by default, `% Error: Invalid input at "^" marker.`

use std::time::SystemTime;

use crate::dialect::*;
use crate::module::ModKind;
use crate::state::{Device, SimPort, Slot};

const COMMANDS: &[Cmd] = &[
    cmd(EXEC, "show interfaces transceiver", Act::Modules(0)),
    cmd(USER, "enable", Act::Enable),
    cmd(PRIV, "disable", Act::Disable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(PRIV, "configure", Act::Configure),
    cmd(PRIV, "configure terminal", Act::Configure),
    cmd(EXEC, "terminal length <num>", Act::TermLength),
    cmd(EXEC, "terminal width <num>", Act::TermWidth),
    cmd(EXEC, "show version", Act::ShowVersion),
    cmd(EXEC, "show clock", Act::ShowClock),
    cmd(EXEC, "show interfaces", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces <port>", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces status", Act::ShowStatus),
    cmd(PRIV, "show logging", Act::ShowLogging),
    cmd(PRIV, "show running-configuration", Act::ShowRunning),
    cmd(
        PRIV,
        "show running-configuration interface <port>",
        Act::ShowRunningInterface,
    ),
    cmd(PRIV, "show startup-configuration", Act::ShowStartup),
    cmd(PRIV, "write memory", Act::WriteMemory),
    cmd(
        PRIV,
        "copy running-configuration startup-configuration",
        Act::CopyRunStart,
    ),
    cmd(PRIV, "clear counters", Act::ClearCounters),
    set(CONF, "hostname <word>", Act::Hostname),
    cmd(CONF, "interface <port>", Act::Interface),
    cmd(CONF, "interface Vlan <num>", Act::Vlan),
    cmd(CONF, "logging <word>", Act::LoggingHost),
    cmd(CONF, "logging <word> udp <num>", Act::LoggingHost),
    cmd(CONF | SUB, "end", Act::End),
    cmd(CONF | SUB, "exit", Act::Exit),
    set(IF, "description <rest>", Act::Description),
    set(IF, "switchport", Act::Store),
    cmd(IF, "no shutdown", Act::AdminUp),
    cmd(IF, "shutdown", Act::AdminDown),
    set(VLAN, "name <word>", Act::Store),
    set(VLAN, "description <rest>", Act::Store),
    cmd(VLAN, "untagged <port>", Act::Store),
    cmd(VLAN, "tagged <port>", Act::Store),
    set(VLAN, "no shutdown", Act::Store),
];

fn ports() -> Vec<SimPort> {
    let mut p = ports_of("TenGigabitEthernet ", "Te ", "0/", 0..=47, 10_000);
    for n in [48, 52, 56, 60] {
        p.extend(ports_of("fortyGigE ", "Fo ", "0/", n..=n, 40_000));
    }
    p
}

fn prompt(h: &str, m: &Mode) -> String {
    match m {
        Mode::User => format!("{h}>"),
        Mode::Privileged => format!("{h}#"),
        Mode::Config => format!("{h}(conf)#"),
        Mode::Interface(i) => {
            let n = if *i < 48 {
                format!("te-0/{i}")
            } else {
                format!("fo-0/{}", 48 + (i - 48) * 4)
            };
            format!("{h}(conf-if-{n})#")
        }
        Mode::Vlan(v) => format!("{h}(conf-if-vl-{v})#"),
    }
}

fn invalid(col: usize, _word: &str) -> String {
    format!(
        "{}^\r\n% Error: Invalid input at \"^\" marker.\r\n",
        " ".repeat(col)
    )
}

fn show_clock(t: jiff::Timestamp) -> String {
    format!(
        "{} UTC {}\n",
        t.strftime("%H:%M:%S%.3f"),
        t.strftime("%a %b %-d %Y")
    )
}

fn show_version(dev: &Device) -> String {
    format!(
        "Dell Real Time Operating System Software\nDell Operating System Version: 2.0\nDell Application Software Version: 9.14(2.0)\n\
         Copyright (c) 1999-2020 by Dell Inc. All Rights Reserved.\nBuild Time: Thu Mar 12 10:11:12 2020\n\
         Build Path: /build/build04/SW/SRC/Cp_src/Tacacs\nForce10 Real Time Operating System Software\n\
         {} uptime is {}\n\nSystem image file is \"system://A\"\n\nSystem Type: S4810\nControl Processor: Freescale QorIQ P2020 with 2147483648 bytes of memory.\n\n\
         48 Ten GigabitEthernet/IEEE 802.3 interface(s)\n4 Forty GigabitEthernet/IEEE 802.3 interface(s)\n",
        dev.hostname,
        age_clock(dev.booted.elapsed().as_secs())
    )
}

fn show_interface(dev: &Device, p: &SimPort) -> String {
    let (state, proto) = if !p.admin_up {
        ("down", "down")
    } else if p.oper_up {
        ("up", "up")
    } else {
        ("down", "down")
    };
    let idx = dev.position_of(p);
    let desc = p
        .description
        .as_ref()
        .map(|d| format!("Description: {d}\n"))
        .unwrap_or_default();
    let speed = if p.oper_up {
        format!("{} Mbit", p.shown_mbps())
    } else {
        "auto".into()
    };
    format!(
        "{long} is {state}, line protocol is {proto}\n{desc}\
         Hardware is DellForce10Eth, address is 00:01:e8:8b:{:02x}:{:02x}\n\
         \x20   Current address is 00:01:e8:8b:{:02x}:{:02x}\n\
         {media}\
         Interface index is {ifindex}\n\
         Internet address is not set\n\
         Mode of IPv4 Address Assignment : NONE\n\
         MTU 1554 bytes, IP MTU 1500 bytes\n\
         LineSpeed {speed}\n\
         Flowcontrol rx off tx off\n\
         ARP type: ARPA, ARP Timeout 04:00:00\n\
         Last clearing of \"show interface\" counters never\n\
         Queueing strategy: fifo\n\
         {counters}\
         Time since last interface status change: {age}\n",
        idx / 256,
        idx % 256,
        idx / 256,
        idx % 256,
        long = p.long(),
        ifindex = 34_603_010 + idx * 262_144,
        age = age_clock(p.last_change.elapsed().as_secs()),
        media = media_lines(p),
        counters = counters(p),
    )
}

/// The `Input Statistics:` and `Output Statistics:` sections, from the port's own counters.
fn counters(p: &SimPort) -> String {
    let t = &p.traffic;
    format!(
        "Input Statistics:\n\
         \x20    {ip} packets, {ib} bytes\n\
         \x20    0 64-byte pkts, 0 over 64-byte pkts, 0 over 127-byte pkts\n\
         \x20    0 Multicasts, 0 Broadcasts, 0 Unicasts\n\
         \x20    0 runts, 0 giants, 0 throttles\n\
         \x20    {crc} CRC, 0 overrun, {id} discarded\n\
         Output Statistics:\n\
         \x20    {op} packets, {ob} bytes, 0 underruns\n\
         \x20    0 Multicasts, 0 Broadcasts, 0 Unicasts\n\
         \x20    0 throttles, {od} discarded, 0 collisions, 0 wreddrops\n\
         Rate info (interval 299 seconds):\n\
         \x20    Input 00.00 Mbits/sec,          0 packets/sec, 0.00% of line-rate\n\
         \x20    Output 00.00 Mbits/sec,          0 packets/sec, 0.00% of line-rate\n",
        ip = t.in_packets,
        ib = t.in_bytes,
        op = t.out_packets,
        ob = t.out_bytes,
        id = t.in_discards,
        od = t.out_discards,
        crc = p.crc,
    )
}

/// The module lines of `show interfaces`: type and length in one string, DOM for optics.
fn media_lines(p: &SimPort) -> String {
    let cage = if p.speed_mbps >= 40_000 {
        "QSFP+"
    } else {
        "SFP+"
    };
    let m = match &p.slot {
        Slot::Fixed | Slot::Unknown => return String::new(),
        Slot::Empty => return "Pluggable media not present\n".into(),
        Slot::Module(m) => m,
    };
    let media = match m.kind {
        ModKind::Dac { .. } => format!("10GBASE-CU{}M", m.length_text(false)),
        ModKind::Aoc => format!("10GBASE-AOC{}M", m.length_text(false)),
        ModKind::Fiber(r) => format!("10GBASE-{r}"),
    };
    let mut out = format!("Pluggable media present, {cage} type is {media}\n");
    if m.has_dom() {
        out.push_str(&format!(
            "    {cage} receive power reading is {:.2}dBm\n    {cage} transmit power reading is {:.2}dBm\n    {cage} temperature is {:.1}C\n",
            m.rx_peek(),
            m.tx_dbm,
            m.temp_c
        ));
    }
    out
}

fn show_status(dev: &Device) -> String {
    let mut out =
        String::from("Port                Description  Status Speed        Duplex Vlan\n");
    for p in &dev.ports {
        let status = if p.oper_up { "Up" } else { "Down" };
        let speed = if p.oper_up {
            format!("{} Mbit", p.shown_mbps())
        } else {
            "Auto".into()
        };
        let duplex = if p.oper_up { "Full" } else { "Auto" };
        let name: String = p
            .description
            .clone()
            .unwrap_or_default()
            .chars()
            .take(12)
            .collect();
        let vlan = port_vlan(dev, p, &format!("interface {}", p.long()));
        let vlan = if p.admin_up {
            vlan.to_string()
        } else {
            "--".into()
        };
        out.push_str(&format!(
            "{:<19} {:<12} {:<6} {:<12} {:<6} {}\n",
            p.short(),
            name,
            status,
            speed,
            duplex,
            vlan
        ));
    }
    out
}

fn link_log(_dev: &Device, p: &SimPort, up: bool, t: SystemTime) -> Vec<String> {
    let (tag, word) = if up {
        ("OSTATE_UP", "up")
    } else {
        ("OSTATE_DN", "down")
    };
    vec![format!(
        "{}: %STKUNIT0-M:CP %IFMGR-5-{tag}: Changed interface state to {word}: {}",
        log_stamp(t),
        p.short()
    )]
}

pub(crate) static DIALECT: Dialect = Dialect {
    name: "dell_force10",
    default_hostname: "FTOS",
    commands: COMMANDS,
    ports,
    ports_start_shut: true,
    sub_exit_leaves_config: false,
    factory_zerotouch: false,
    hidden: &[],
    prompt,
    invalid,
    incomplete: "% Error: Incomplete command.\r\n",
    ambiguous: |_| "% Error: Ambiguous command.\r\n".to_string(),
    pager: "--More--",
    login: LoginStyle {
        banner: "\r\n",
        user_prompt: "Login: ",
        password_prompt: "Password: ",
        failure: "% Login incorrect",
    },
    enable_password_prompt: "Password: ",
    enable_failure: "% Error: Bad passwords",
    save: SaveStyle {
        write_intro: "",
        write_confirm: None,
        write_done: "!\n5641 bytes successfully copied",
        copy_question: Some(
            "File with same name already exist.\r\nProceed to copy the file [confirm yes/no]: ",
        ),
        copy_done: "!\r\n5641 bytes successfully copied",
    },
    term_length_reply: "",
    term_width_reply: "",
    show_version,
    show_clock,
    show_interface,
    show_status,
    module_shows: &[show_transceiver],
    show_logging_header: "Syslog logging: enabled\n    Console logging: level debugging\n    Monitor logging: level debugging\n    Buffer logging: level debugging, 40 Messages Logged, Size (40960 bytes)\n    Trap logging: level informational\nLast logged buffer messages:\n",
    link_log,
    interface_head: |p| format!("interface {}", p.long()),
    lists_every_interface: false,
    syslog_names_host: true,
    running_header: "Current Configuration ...\n! Version 9.14(2.0)\n! Last configuration change at Fri Nov 27 05:00:00 2026 by admin\n!\nboot system stack-unit 0 primary system: A:\n!\n",
    errdisable_log: None,
};

/// `show interfaces transceiver`: each module's serial ID fields and diagnostics, by its
/// port number (UNSURE: OS9's block layout as remembered, no fixture shows it).
fn show_transceiver(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::new();
    for p in dev
        .ports
        .iter()
        .filter(|p| p.long_type.starts_with("TenGig"))
    {
        let Some(m) = p.slot.module() else { continue };
        let n = p.number.trim_start_matches("0/");
        let part = m.part.clone().unwrap_or_else(|| match m.kind {
            ModKind::Dac { .. } => format!("DAC-SFP-10G-{}M", m.length_text(false)),
            ModKind::Aoc => format!("AOC-SFP-10G-{}M", m.length_text(false)),
            ModKind::Fiber(r) => format!("SFP-10G-{r}"),
        });
        out.push_str(&format!(
            "SFP+ {n} Serial Base ID fields\nSFP+ {n} Id                  = 0x03\nSFP+ {n} Vendor Name         = DELL\nSFP+ {n} Vendor PN           = {part}\nSFP+ {n} Vendor SN           = {}\n",
            m.serial
        ));
        if m.has_dom() {
            out.push_str(&format!(
                "SFP+ {n} Diagnostic Information\nSFP+ {n} Temp                = {:.2}C\nSFP+ {n} Tx Power            = {:.3}dBm\nSFP+ {n} Rx Power            = {:.3}dBm\n",
                m.temp_c,
                m.tx_dbm,
                m.rx_dbm()
            ));
        }
        out.push('\n');
    }
    out
}
