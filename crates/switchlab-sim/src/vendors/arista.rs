//! Arista EOS, 7048T: 48 × 1G + 4 SFP+, counts link status changes, `% Invalid input`.

use std::time::SystemTime;

use crate::dialect::*;
use crate::module::{ModKind, Module};
use crate::state::{Device, SimPort, Slot};

const ANY: u8 = EXEC | CONF | SUB;

const COMMANDS: &[Cmd] = &[
    cmd(
        EXEC,
        "show interfaces transceiver hardware",
        Act::Modules(0),
    ),
    cmd(EXEC, "show inventory", Act::Modules(1)),
    cmd(EXEC, "show interfaces transceiver", Act::Modules(2)),
    cmd(USER, "enable", Act::Enable),
    cmd(PRIV, "disable", Act::Disable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(EXEC, "logout", Act::Logout),
    cmd(PRIV, "configure terminal", Act::Configure),
    cmd(PRIV, "configure session <word>", Act::ConfigSession),
    cmd(CONF | SUB, "rollback clean-config", Act::RollbackClean),
    cmd(CONF | SUB, "commit", Act::Commit),
    cmd(CONF | SUB, "abort", Act::Abort),
    cmd(PRIV, "configure", Act::Configure),
    cmd(EXEC, "terminal length <num>", Act::TermLength),
    cmd(EXEC, "terminal width <num>", Act::TermWidth),
    cmd(ANY, "show version", Act::ShowVersion),
    cmd(ANY, "show clock", Act::ShowClock),
    cmd(ANY, "show interfaces", Act::ShowInterfaces),
    cmd(ANY, "show interfaces <ports>", Act::ShowInterfaces),
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
    let speed = p.shown_speed("Gb/s", "Mb/s");
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
         \x20    {ie} input errors, {crc} CRC, 0 alignment, 0 symbol, {id} input discards\n\
         \x20    0 PAUSE input\n\
         \x20    {op} packets output, {ob} bytes\n\
         \x20    Sent 0 broadcasts, 0 multicast\n\
         \x20    0 output errors, 0 collisions\n\
         \x20    0 late collision, 0 deferred, {od} output discards\n\
         \x20    0 PAUSE output\n",
        long = p.long(),
        ip = p.traffic.in_packets,
        ib = p.traffic.in_bytes,
        op = p.traffic.out_packets,
        ob = p.traffic.out_bytes,
        id = p.traffic.in_discards,
        od = p.traffic.out_discards,
        mac = mac(0x7300, idx),
        bw = p.shown_mbps() * 1000,
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
            ("full", p.shown_speed("G", "M"))
        } else {
            ("auto", "auto".to_string())
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
    module_shows: &[show_transceiver_hardware, show_inventory, show_transceiver],
    show_logging_header: "Syslog logging: enabled\n    Buffer logging: level debugging\n    Console logging: level errors\n\n",
    link_log,
    interface_head: |p| format!("interface {}", p.long()),
    lists_every_interface: false,
    syslog_names_host: true,
    running_header: "! Command: show running-config\n! device: localhost (DCS-7048T-A, EOS-4.20.15M)\n!\n! boot system flash:/EOS-4.20.15M.swi\n!\n",
    errdisable_log: Some(errdisable),
};

/// EOS's module strings: the media type and the model.
fn arista_module(m: &Module) -> (String, String) {
    let part = |own: String| m.part.clone().unwrap_or(own);
    match m.kind {
        ModKind::Dac { .. } => (
            "10GBASE-CR".into(),
            part(format!("CAB-SFP-SFP-{}M", m.length_text(false))),
        ),
        ModKind::Aoc => (
            "10GBASE-AR".into(),
            part(format!("AOC-S-S-10G-{}M", m.length_text(false))),
        ),
        ModKind::Fiber(r) => (format!("10GBASE-{r}"), part(format!("SFP-10G-{r}"))),
    }
}

/// `show interfaces transceiver hardware`: a block per port.
fn show_transceiver_hardware(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = Vec::new();
    for p in &dev.ports {
        let body = match &p.slot {
            Slot::Unknown => continue,
            Slot::Fixed => {
                "Media type: 1000BASE-T\nMaximum module power (W): 0.0\nMaximum slot power (W): N/A"
                    .to_string()
            }
            Slot::Empty => "Module presence: not detected\nMaximum slot power (W): N/A".to_string(),
            Slot::Module(m) => {
                let wave = match m.kind {
                    ModKind::Fiber(_) => "\nWavelength (nm): 850",
                    _ => "",
                };
                format!(
                    "Media type: {}\nMaximum module power (W): 1.0\nMaximum slot power (W): N/A{wave}",
                    arista_module(m).0
                )
            }
        };
        out.push(format!("Name: {}\n{body}\n", p.short()));
    }
    out.join("\n")
}

/// `show inventory`, ending with its transceiver-slot table.
fn show_inventory(dev: &Device, _: Option<&SimPort>) -> String {
    let slots = dev
        .ports
        .iter()
        .filter(|p| matches!(p.slot, Slot::Empty | Slot::Module(_)))
        .count();
    let mut out = format!(
        "System information\n  Model                    Description\n  ------------------------ ----------------------------------\n  DCS-7048T-A              48-port 1GbE + 4-port SFP+ 1RU\n\n\
         System has 2 power supply slots\n  Slot Model            Serial Number\n  ---- ---------------- ----------------\n  1    PWR-460AC-F      K192KU00241CZ\n  2    PWR-460AC-F      K192L200751CZ\n\n\
         System has 52 ports\n  Type             Count\n  ---------------- ----\n  Management       1\n  Switched         52\n\n\
         System has {slots} transceiver slots\n  Port Manufacturer     Model            Serial Number    Rev\n  ---- ---------------- ---------------- ---------------- ----\n"
    );
    for p in dev
        .ports
        .iter()
        .filter(|p| matches!(p.slot, Slot::Empty | Slot::Module(_)))
    {
        match p.slot.module() {
            Some(m) => out.push_str(&format!(
                "  {:<4} {:<16} {:<16} {:<16} 0002\n",
                p.number,
                "Arista Networks",
                arista_module(m).1,
                m.serial
            )),
            None => out.push_str(&format!("  {:<4} Not Present\n", p.number)),
        }
    }
    out
}

/// `show interfaces transceiver`: DOM per optic.
fn show_transceiver(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "If device is externally calibrated, only calibrated values are printed.\n\
         N/A: not applicable, Tx: transmit, Rx: receive.\n\
         mA: milliamperes, dBm: decibels (milliwatts).\n\
         \x20          Bias      Optical   Optical\n\
         \x20          Temp       Voltage   Current   Tx Power  Rx Power\n\
         Port       (Celsius)  (Volts)   (mA)      (dBm)     (dBm)     Last Update\n\
         ---------  ---------  --------  --------  --------  --------  -------------------\n",
    );
    for p in &dev.ports {
        if let Some(m) = p.slot.module().filter(|m| m.has_dom()) {
            out.push_str(&format!(
                "{:<10} {:>6.2}     3.30      6.71      {:>6.2}    {:>6.2}    0:00:02 ago\n",
                p.short(),
                m.temp_c,
                m.tx_dbm,
                m.rx_dbm()
            ));
        }
    }
    out
}
