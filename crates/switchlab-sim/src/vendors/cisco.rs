//! Cisco IOS, Catalyst 3560-X: 24 Gi + 2 Te, `--More--`, `% Invalid input detected at '^' marker.`

use std::time::SystemTime;

use crate::dialect::*;
use crate::module::{ModKind, Module};
use crate::state::{Device, SimPort, Slot};

const COMMANDS: &[Cmd] = &[
    cmd(EXEC, "show inventory", Act::Modules(0)),
    cmd(EXEC, "show interfaces transceiver", Act::Modules(1)),
    cmd(USER, "enable", Act::Enable),
    cmd(PRIV, "disable", Act::Disable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(EXEC, "logout", Act::Logout),
    cmd(EXEC, "quit", Act::Logout),
    cmd(PRIV, "configure terminal", Act::Configure),
    cmd(EXEC, "terminal length <num>", Act::TermLength),
    cmd(EXEC, "terminal width <num>", Act::TermWidth),
    cmd(EXEC, "show version", Act::ShowVersion),
    cmd(EXEC, "show clock", Act::ShowClock),
    cmd(EXEC, "show interfaces", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces <port>", Act::ShowInterfaces),
    cmd(EXEC, "show interfaces status", Act::ShowStatus),
    cmd(PRIV, "show logging", Act::ShowLogging),
    cmd(PRIV, "show running-config", Act::ShowRunning),
    cmd(PRIV, "show startup-config", Act::ShowStartup),
    cmd(PRIV, "write memory", Act::WriteMemory),
    cmd(
        PRIV,
        "copy running-config startup-config",
        Act::CopyRunStart,
    ),
    cmd(PRIV, "clear counters", Act::ClearCounters),
    set(CONF, "hostname <word>", Act::Hostname),
    cmd(CONF, "interface <port>", Act::Interface),
    cmd(CONF, "vlan <num>", Act::Vlan),
    cmd(CONF, "logging host <word>", Act::LoggingHost),
    cmd(
        CONF,
        "logging host <word> transport udp port <num>",
        Act::LoggingHost,
    ),
    set(CONF, "logging trap <word>", Act::Store),
    set(CONF, "service timestamps log datetime msec", Act::Store),
    cmd(CONF | SUB, "end", Act::End),
    cmd(CONF | SUB, "exit", Act::Exit),
    set(IF, "description <rest>", Act::Description),
    set(IF, "switchport mode access", Act::Store),
    set(IF, "switchport mode trunk", Act::Store),
    set(IF, "switchport access vlan <num>", Act::Store),
    set(IF, "speed <word>", Act::Store),
    set(IF, "duplex <word>", Act::Store),
    cmd(IF, "no shutdown", Act::AdminUp),
    cmd(IF, "shutdown", Act::AdminDown),
    set(VLAN, "name <word>", Act::Store),
];

fn ports() -> Vec<SimPort> {
    let mut p = ports_of("GigabitEthernet", "Gi", "0/", 1..=24, 1000);
    p.extend(ports_of("TenGigabitEthernet", "Te", "0/", 1..=4, 10_000));
    p
}

fn prompt(h: &str, m: &Mode) -> String {
    match m {
        Mode::User => format!("{h}>"),
        Mode::Privileged => format!("{h}#"),
        Mode::Config => format!("{h}(config)#"),
        Mode::Interface(_) => format!("{h}(config-if)#"),
        Mode::Vlan(_) => format!("{h}(config-vlan)#"),
    }
}

fn invalid(col: usize, _word: &str) -> String {
    format!(
        "{}^\r\n% Invalid input detected at '^' marker.\r\n",
        " ".repeat(col)
    )
}

fn show_clock(t: jiff::Timestamp) -> String {
    format!(
        "*{} UTC {}\n",
        t.strftime("%H:%M:%S%.3f"),
        t.strftime("%a %b %-d %Y")
    )
}

fn show_version(dev: &Device) -> String {
    let up = dev.booted.elapsed().as_secs();
    format!(
        "Cisco IOS Software, C3560E Software (C3560E-UNIVERSALK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)\n\
         Technical Support: http://www.cisco.com/techsupport\n\
         Copyright (c) 1986-2020 by Cisco Systems, Inc.\n\n\
         ROM: Bootstrap program is C3560E boot loader\n\n\
         {} uptime is {}\n\
         System image file is \"flash:c3560e-universalk9-mz.152-4.E10.bin\"\n\n\
         cisco WS-C3560X-24T (PowerPC405) processor (revision A0) with 262144K bytes of memory.\n\
         24 Gigabit Ethernet interfaces\n\
         2 Ten Gigabit Ethernet interfaces\n\n\
         Model number                    : WS-C3560X-24T-S\n\
         System serial number            : FDO1633Z0AB\n\n\
         Configuration register is 0xF\n",
        dev.hostname,
        age_words(up)
    )
}

fn show_interface(dev: &Device, p: &SimPort) -> String {
    let (state, proto) = if !p.admin_up {
        ("administratively down", "down (disabled)")
    } else if p.err_disabled {
        ("down", "down (err-disabled)")
    } else if p.oper_up {
        ("up", "up (connected)")
    } else {
        ("down", "down (notconnect)")
    };
    let idx = dev.position_of(p);
    let desc = p
        .description
        .as_ref()
        .map(|d| format!("  Description: {d}\n"))
        .unwrap_or_default();
    let speed = if p.oper_up {
        format!(
            "Full-duplex, {}Mb/s, media type is 10/100/1000BaseTX",
            p.shown_mbps()
        )
    } else {
        "Auto-duplex, Auto-speed, media type is 10/100/1000BaseTX".into()
    };
    format!(
        "{long} is {state}, line protocol is {proto}\n\
         \x20 Hardware is Gigabit Ethernet, address is {mac} (bia {mac})\n{desc}\
         \x20 MTU 1500 bytes, BW {bw} Kbit/sec, DLY 10 usec,\n\
         \x20    reliability 255/255, txload 1/255, rxload 1/255\n\
         \x20 Encapsulation ARPA, loopback not set\n\
         \x20 Keepalive set (10 sec)\n\
         \x20 {speed}\n\
         \x20 input flow-control is off, output flow-control is unsupported\n\
         \x20 ARP type: ARPA, ARP Timeout 04:00:00\n\
         \x20 Last input never, output 00:00:01, output hang never\n\
         \x20 Last clearing of \"show interface\" counters never\n\
         {counters}",
        long = p.long(),
        mac = mac(0x15aa, idx),
        bw = p.shown_mbps() * 1000,
        counters = counters(p),
    )
}

/// The queue and counter lines of `show interfaces`, from the port's own counters.
fn counters(p: &SimPort) -> String {
    let t = &p.traffic;
    format!(
        "\x20 Input queue: 0/75/{id}/0 (size/max/drops/flushes); Total output drops: {od}\n\
         \x20 Queueing strategy: fifo\n\
         \x20 Output queue: 0/40 (size/max)\n\
         \x20 5 minute input rate 0 bits/sec, 0 packets/sec\n\
         \x20 5 minute output rate 0 bits/sec, 0 packets/sec\n\
         \x20    {ip} packets input, {ib} bytes, 0 no buffer\n\
         \x20    Received 0 broadcasts (0 multicasts)\n\
         \x20    0 runts, 0 giants, 0 throttles\n\
         \x20    {ie} input errors, {crc} CRC, 0 frame, 0 overrun, 0 ignored\n\
         \x20    0 watchdog, 0 multicast, 0 pause input\n\
         \x20    {op} packets output, {ob} bytes, 0 underruns\n\
         \x20    0 output errors, 0 collisions, {resets} interface resets\n\
         \x20    0 unknown protocol drops\n\
         \x20    0 babbles, 0 late collision, 0 deferred\n\
         \x20    0 lost carrier, 0 no carrier, 0 pause output\n\
         \x20    0 output buffer failures, 0 output buffers swapped out\n",
        ip = t.in_packets,
        ib = t.in_bytes,
        op = t.out_packets,
        ob = t.out_bytes,
        id = t.in_discards,
        od = t.out_discards,
        ie = p.in_errors,
        crc = p.crc,
        resets = p.resets,
    )
}

fn show_status(dev: &Device) -> String {
    let mut out =
        String::from("\nPort      Name               Status       Vlan       Duplex  Speed Type\n");
    for p in &dev.ports {
        let status = if !p.admin_up {
            "disabled"
        } else if p.err_disabled {
            "err-disabled"
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
            .take(18)
            .collect();
        let vlan = port_vlan(dev, p, &format!("interface {}", p.long()));
        let (duplex, speed) = if p.oper_up {
            (
                "a-full",
                format!(
                    "a-{}",
                    if p.shown_mbps() >= 10_000 {
                        p.shown_speed("G", "")
                    } else {
                        p.shown_mbps().to_string()
                    }
                ),
            )
        } else {
            ("auto", "auto".to_string())
        };
        let kind = match &p.slot {
            Slot::Fixed => "10/100/1000BaseTX".to_string(),
            Slot::Empty => "Not Present".to_string(),
            Slot::Unknown => "Unknown".to_string(),
            Slot::Module(m) => cisco_module(m).0,
        };
        out.push_str(&format!(
            "{:<9} {:<18} {:<12} {:<10} {:>6} {:>6} {}\n",
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

fn link_log(_dev: &Device, p: &SimPort, up: bool, t: SystemTime) -> Vec<String> {
    let state = if up { "up" } else { "down" };
    vec![
        format!(
            "*{}: %LINK-3-UPDOWN: Interface {}, changed state to {state}",
            log_stamp(t),
            p.long()
        ),
        format!(
            "*{}: %LINEPROTO-5-UPDOWN: Line protocol on Interface {}, changed state to {state}",
            log_stamp(t),
            p.long()
        ),
    ]
}

fn errdisable(p: &SimPort) -> String {
    format!(
        "*{}: %PM-4-ERR_DISABLE: link-flap error detected on {}, putting {} in err-disable state",
        log_stamp(SystemTime::now()),
        p.short(),
        p.short()
    )
}

pub(crate) static DIALECT: Dialect = Dialect {
    name: "cisco_ios",
    default_hostname: "Switch",
    commands: COMMANDS,
    ports,
    ports_start_shut: false,
    sub_exit_leaves_config: false,
    factory_zerotouch: false,
    hidden: &["no shutdown"],
    prompt,
    invalid,
    incomplete: "% Incomplete command.\r\n",
    ambiguous: |l| format!("% Ambiguous command:  \"{l}\"\r\n"),
    pager: " --More-- ",
    login: LoginStyle {
        banner: "\r\n\r\nUser Access Verification\r\n\r\n",
        user_prompt: "Username: ",
        password_prompt: "Password: ",
        failure: "% Login invalid",
    },
    enable_password_prompt: "Password: ",
    enable_failure: "% Access denied",
    save: SaveStyle {
        write_intro: "Building configuration...\n",
        write_confirm: None,
        write_done: "[OK]",
        copy_question: Some("Destination filename [startup-config]? "),
        copy_done: "Building configuration...\r\n[OK]",
    },
    term_length_reply: "",
    term_width_reply: "",
    show_version,
    show_clock,
    show_interface,
    show_status,
    module_shows: &[show_inventory, show_transceiver],
    show_logging_header: "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)\n\nLog Buffer (8192 bytes):\n\n",
    link_log,
    interface_head: |p| format!("interface {}", p.long()),
    lists_every_interface: true,
    syslog_names_host: false,
    running_header: "Building configuration...\n\nCurrent configuration : 4120 bytes\n!\nversion 15.2\n",
    errdisable_log: Some(errdisable),
};

/// Cisco's module strings: the DESCR and the PID.
fn cisco_module(m: &Module) -> (String, String) {
    let part = |own: String| m.part.clone().unwrap_or(own);
    match m.kind {
        ModKind::Dac { active } => (
            "SFP-10GBase-CX1".into(),
            part(format!(
                "SFP-H10GB-{}CU{}M",
                if active { "A" } else { "" },
                m.length_text(true)
            )),
        ),
        ModKind::Aoc => (
            "SFP-10GBase-AOC".into(),
            part(format!("SFP-10G-AOC{}M", m.length_text(false))),
        ),
        ModKind::Fiber(r) => (format!("SFP-10GBase-{r}"), part(format!("SFP-10G-{r}"))),
    }
}

/// `show inventory`: the chassis, then each module by its port.
fn show_inventory(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "NAME: \"1\", DESCR: \"WS-C3560X-24T\"\nPID: WS-C3560X-24T-S  , VID: V05  , SN: FDO1234X0AB\n\n",
    );
    for p in &dev.ports {
        if let Some(m) = p.slot.module() {
            let (descr, pid) = cisco_module(m);
            out.push_str(&format!(
                "NAME: \"{}\", DESCR: \"{descr}\"\nPID: {pid:<18}, VID: V01  , SN: {}\n\n",
                p.long(),
                m.serial
            ));
        }
    }
    out
}

/// `show interfaces transceiver`: DOM per optic (passive copper has none).
fn show_transceiver(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "If device is externally calibrated, only calibrated values are printed.\n\
         ++ : high alarm, +  : high warning, -  : low warning, -- : low alarm.\n\
         NA or N/A: not applicable, Tx: transmit, Rx: receive.\n\
         mA: milliamperes, dBm: decibels (milliwatts).\n\n\
         \x20                                Optical   Optical\n\
         \x20          Temperature  Voltage  Tx Power  Rx Power\n\
         Port       (Celsius)    (Volts)  (dBm)     (dBm)\n\
         ---------  -----------  -------  --------  --------\n",
    );
    for p in dev.ports.iter() {
        if let Some(m) = p.slot.module().filter(|m| m.has_dom()) {
            let rx = m.rx_dbm();
            let flag = if rx < -11.1 { " -" } else { "" };
            out.push_str(&format!(
                "{:<10} {:>6.1}       {:.2}      {:>5.1}     {:>5.1}{flag}\n",
                p.short(),
                m.temp_c,
                3.29,
                m.tx_dbm,
                rx
            ));
        }
    }
    out
}
