//! Arista EOS, 7048T: 48 × 1G + 4 SFP+, counts link status changes, `% Invalid input`.

use std::time::SystemTime;

use crate::sim::dialect::*;
use crate::sim::state::{Device, SimPort};

const ANY: u8 = EXEC | CONF | SUB;

const COMMANDS: &[Cmd] = &[
    cmd(USER, "enable", Act::Enable),
    cmd(PRIV, "disable", Act::Disable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(EXEC, "logout", Act::Logout),
    cmd(PRIV, "configure terminal", Act::Configure),
    cmd(PRIV, "configure", Act::Configure),
    cmd(EXEC, "terminal length <num>", Act::TermLength),
    cmd(EXEC, "terminal width <num>", Act::TermWidth),
    cmd(ANY, "show version", Act::ShowVersion),
    cmd(ANY, "show clock", Act::ShowClock),
    cmd(ANY, "show interfaces", Act::ShowInterfaces),
    cmd(ANY, "show interfaces <port>", Act::ShowInterfaces),
    cmd(ANY, "show interfaces status", Act::ShowStatus),
    cmd(PRIV | CONF | SUB, "show logging", Act::ShowLogging),
    cmd(PRIV | CONF | SUB, "show running-config", Act::ShowRunning),
    cmd(PRIV | CONF | SUB, "show startup-config", Act::ShowStartup),
    cmd(PRIV, "write memory", Act::WriteMemory),
    cmd(
        PRIV,
        "copy running-config startup-config",
        Act::CopyRunStart,
    ),
    cmd(PRIV, "zerotouch cancel", Act::ZerotouchCancel),
    cmd(PRIV, "clear counters", Act::ClearCounters),
    set(CONF, "hostname <word>", Act::Hostname),
    cmd(CONF, "interface <port>", Act::Interface),
    cmd(CONF, "vlan <num>", Act::Vlan),
    cmd(CONF, "logging host <word>", Act::LoggingHost),
    cmd(CONF, "logging host <word> <num>", Act::LoggingHost),
    cmd(CONF | SUB, "end", Act::End),
    cmd(CONF | SUB, "exit", Act::Exit),
    set(IF, "description <rest>", Act::Description),
    set(IF, "switchport", Act::Store),
    set(IF, "switchport mode access", Act::Store),
    set(IF, "switchport access vlan <num>", Act::Store),
    cmd(IF, "no shutdown", Act::AdminUp),
    cmd(IF, "shutdown", Act::AdminDown),
    set(VLAN, "name <word>", Act::Store),
];

fn ports() -> Vec<SimPort> {
    let mut p = ports_of("Ethernet", "Et", "", 1..=48, 1000);
    p.extend(ports_of("Ethernet", "Et", "", 49..=52, 10_000));
    p
}

fn prompt(h: &str, m: &Mode) -> String {
    match m {
        Mode::User => format!("{h}>"),
        Mode::Privileged => format!("{h}#"),
        Mode::Config => format!("{h}(config)#"),
        Mode::Interface(i) => format!("{h}(config-if-Et{})#", i + 1),
        Mode::Vlan(v) => format!("{h}(config-vlan-{v})#"),
    }
}

fn show_clock(t: jiff::Timestamp) -> String {
    format!(
        "{}\nTimezone: UTC\nClock source: local\n",
        t.strftime("%a %b %e %H:%M:%S %Y")
    )
}

fn show_version(dev: &Device) -> String {
    format!(
        "Arista DCS-7048T-A\nHardware version:    02.00\nSerial number:       JPE12345678\nSystem MAC address:  001c.7300.0001\n\n\
         Software image version: 4.20.15M\nArchitecture:           i386\nInternal build version: 4.20.15M-14812195.42015M\n\n\
         Uptime:                 {}\nTotal memory:           4011272 kB\nFree memory:            2105372 kB\n",
        age_words(dev.booted.elapsed().as_secs())
    )
}

fn show_interface(dev: &Device, p: &SimPort) -> String {
    let (state, proto) = if !p.admin_up {
        ("administratively down", "notpresent (disabled)")
    } else if p.err_disabled {
        ("down", "down (errdisabled)")
    } else if p.oper_up {
        ("up", "up (connected)")
    } else {
        ("down", "down (notconnect)")
    };
    let idx = p.number.parse::<usize>().unwrap_or(1) - 1;
    let desc = p
        .description
        .as_ref()
        .map(|d| format!("  Description: {d}\n"))
        .unwrap_or_default();
    let speed = if p.speed_mbps >= 10_000 {
        "10Gb/s"
    } else {
        "1Gb/s"
    };
    let updown = if p.oper_up { "Up" } else { "Down" };
    let _ = dev;
    format!(
        "{long} is {state}, line protocol is {proto}\n\
         \x20 Hardware is Ethernet, address is {mac} (bia {mac})\n{desc}\
         \x20 Ethernet MTU 9214 bytes , BW {bw} kbit\n\
         \x20 Full-duplex, {speed}, auto negotiation: off, uni-link: n/a\n\
         \x20 {updown} {age}\n\
         \x20 Loopback Mode : None\n\
         \x20 {changes} link status changes since last clear\n\
         \x20 Last clearing of \"show interface\" counters never\n\
         \x20 5 minutes input rate 0 bps (0.0% with framing overhead), 0 packets/sec\n\
         \x20 5 minutes output rate 0 bps (0.0% with framing overhead), 0 packets/sec\n\
         \x20    {ip} packets input, {ib} bytes\n\
         \x20    Received 0 broadcasts, 0 multicast\n\
         \x20    0 runts, 0 giants\n\
         \x20    {ie} input errors, {crc} CRC, 0 alignment, 0 symbol, 0 input discards\n\
         \x20    0 PAUSE input\n\
         \x20    {op} packets output, {ob} bytes\n\
         \x20    Sent 0 broadcasts, 0 multicast\n\
         \x20    0 output errors, 0 collisions\n\
         \x20    0 late collision, 0 deferred, 0 output discards\n\
         \x20    0 PAUSE output\n",
        long = p.long(),
        ip = p.traffic.in_packets,
        ib = p.traffic.in_bytes,
        op = p.traffic.out_packets,
        ob = p.traffic.out_bytes,
        mac = mac(0x7300, idx),
        bw = p.speed_mbps * 1000,
        age = age_words(p.last_change.elapsed().as_secs()),
        changes = p.link_changes,
        ie = p.in_errors,
        crc = p.crc,
    )
}

fn show_status(dev: &Device) -> String {
    let mut out = String::from(
        "Port       Name        Status       Vlan     Duplex Speed  Type            Flags\n",
    );
    for p in &dev.ports {
        let status = if !p.admin_up {
            "disabled"
        } else if p.err_disabled {
            "errdisabled"
        } else if p.oper_up {
            "connected"
        } else {
            "notconnect"
        };
        let name: String = p
            .description
            .clone()
            .unwrap_or_default()
            .chars()
            .take(11)
            .collect();
        let vlan = port_vlan(dev, p, &format!("interface {}", p.long()));
        let (duplex, speed) = if p.oper_up {
            ("full", if p.speed_mbps >= 10_000 { "10G" } else { "1G" })
        } else {
            ("auto", "auto")
        };
        let kind = if p.speed_mbps >= 10_000 {
            "10GBASE-CR"
        } else {
            "10/100/1000"
        };
        out.push_str(&format!(
            "{:<10} {:<11} {:<12} {:<8} {:<6} {:<6} {:<15}\n",
            p.short(),
            name,
            status,
            vlan,
            duplex,
            speed,
            kind
        ));
    }
    out
}

fn link_log(dev: &Device, p: &SimPort, up: bool, t: SystemTime) -> Vec<String> {
    let desc = p
        .description
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let stamp = log_stamp(t);
    vec![format!(
        "{stamp} {} Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface {}{desc}, changed state to {}",
        dev.hostname,
        p.long(),
        if up { "up" } else { "down" }
    )]
}

fn errdisable(p: &SimPort) -> String {
    format!(
        "{} Ebra: %ERRDISABLE-4-ERR_DISABLE: link-flap error detected on {}.",
        log_stamp(SystemTime::now()),
        p.long()
    )
}

pub(crate) static DIALECT: Dialect = Dialect {
    name: "arista_eos",
    default_hostname: "localhost",
    commands: COMMANDS,
    ports,
    ports_start_shut: false,
    sub_exit_leaves_config: false,
    factory_zerotouch: true,
    hidden: &["no shutdown"],
    prompt,
    invalid: |_, _| "% Invalid input\r\n".to_string(),
    incomplete: "% Incomplete command\r\n",
    ambiguous: |_| "% Ambiguous command\r\n".to_string(),
    pager: " --More-- ",
    login: LoginStyle {
        banner: "\r\n",
        user_prompt: "localhost login: ",
        password_prompt: "Password: ",
        failure: "\r\nLogin incorrect",
    },
    enable_password_prompt: "Password: ",
    enable_failure: "% Access denied",
    save: SaveStyle {
        write_intro: "",
        write_confirm: None,
        write_done: "Copy completed successfully.",
        copy_question: None,
        copy_done: "Copy completed successfully.",
    },
    term_length_reply: "Pagination disabled.",
    term_width_reply: "Width set to {} columns.",
    show_version,
    show_clock,
    show_interface,
    show_status,
    show_logging_header: "Syslog logging: enabled\n    Buffer logging: level debugging\n    Console logging: level errors\n\n",
    link_log,
    interface_head: |p| format!("interface {}", p.long()),
    syslog_names_host: true,
    running_header: "! Command: show running-config\n! device: localhost (DCS-7048T-A, EOS-4.20.15M)\n!\n! boot system flash:/EOS-4.20.15M.swi\n!\n",
    errdisable_log: Some(errdisable),
};
