//! Interface Masters Niagara 2924-24TG, modelled as Broadcom FASTPATH/ICOS (UNSURE):
//! `(Niagara) #` prompts, 24 × 0/x ports shut by default, save asks `(y/n)`.

use std::time::SystemTime;

use crate::dialect::*;
use crate::module::ModKind;
use crate::state::{Device, SimPort, Slot};

const COMMANDS: &[Cmd] = &[
    cmd(EXEC, "show fiber-ports optics all", Act::Modules(0)),
    cmd(EXEC, "show fiber-ports optics-info all", Act::Modules(1)),
    cmd(USER, "enable", Act::Enable),
    cmd(PRIV, "disable", Act::Disable),
    cmd(EXEC, "exit", Act::Exit),
    cmd(EXEC, "logout", Act::Logout),
    cmd(EXEC, "quit", Act::Logout),
    cmd(PRIV, "configure", Act::Configure),
    cmd(EXEC, "terminal length <num>", Act::TermLength),
    cmd(EXEC, "terminal width <num>", Act::TermWidth),
    cmd(EXEC, "show version", Act::ShowVersion),
    cmd(EXEC, "show clock", Act::ShowClock),
    cmd(EXEC, "show port all", Act::ShowStatus),
    cmd(EXEC, "show interface <bare>", Act::ShowInterfaces),
    cmd(PRIV, "show logging buffered", Act::ShowLogging),
    cmd(PRIV, "show running-config", Act::ShowRunning),
    cmd(PRIV, "show startup-config", Act::ShowStartup),
    cmd(PRIV, "write memory", Act::WriteMemory),
    cmd(PRIV, "clear counters", Act::ClearCounters),
    set(CONF, "hostname <word>", Act::Hostname),
    cmd(CONF, "interface <bare>", Act::Interface),
    cmd(CONF, "logging host <word>", Act::LoggingHost),
    cmd(CONF, "logging host <word> ipv4 <num>", Act::LoggingHost),
    cmd(CONF | SUB, "exit", Act::Exit),
    cmd(CONF | SUB, "end", Act::End),
    set(IF, "description <rest>", Act::Description),
    set(IF, "vlan participation include <num>", Act::Store),
    set(IF, "vlan pvid <num>", Act::Store),
    cmd(IF, "no shutdown", Act::AdminUp),
    cmd(IF, "shutdown", Act::AdminDown),
];

fn ports() -> Vec<SimPort> {
    // 2924-24TG: 24 copper ports and 4 SFP+ cages.
    let mut p = ports_of("", "", "0/", 1..=24, 1000);
    p.extend(ports_of("", "", "0/", 25..=28, 10_000));
    p
}

fn prompt(h: &str, m: &Mode) -> String {
    match m {
        Mode::User => format!("({h}) >"),
        Mode::Privileged => format!("({h}) #"),
        Mode::Config => format!("({h}) (Config)#"),
        Mode::Interface(i) => format!("({h}) (Interface 0/{})#", i + 1),
        Mode::Vlan(v) => format!("({h}) (Vlan {v})#"),
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
        "{} UTC(UTC+0:00) {}\nNo time source\n",
        t.strftime("%H:%M:%S"),
        t.strftime("%b %-d %Y")
    )
}

fn show_version(dev: &Device) -> String {
    format!(
        "Switch: 1\n\nSystem Description............................. Niagara 2924-24TG, 6.6.1.4, Linux 2.6.35\n\
         Machine Type................................... Niagara 2924-24TG\nMachine Model.................................. 2924-24TG\n\
         Serial Number.................................. IM2924A0012\nSoftware Version............................... 6.6.1.4\n\
         System Up Time................................. {}\n",
        age_words(dev.booted.elapsed().as_secs())
    )
}

/// `show interface 0/N`: FASTPATH's counter summary of one port, which names no port.
fn show_interface(dev: &Device, p: &SimPort) -> String {
    let t = &p.traffic;
    let since = dev.booted.elapsed().as_secs();
    let rows = [
        ("Packets Received Without Error", t.in_packets.to_string()),
        ("Packets Received With Error", p.in_errors.to_string()),
        ("Broadcast Packets Received", "0".into()),
        ("Receive Packets Discarded", t.in_discards.to_string()),
        (
            "Packets Transmitted Without Errors",
            t.out_packets.to_string(),
        ),
        ("Transmit Packets Discarded", t.out_discards.to_string()),
        ("Transmit Packet Errors", "0".into()),
        ("Collision Frames", "0".into()),
        (
            "Time Since Counters Last Cleared",
            format!(
                "{} day {} hr {} min {} sec",
                since / 86_400,
                since / 3600 % 24,
                since / 60 % 60,
                since % 60
            ),
        ),
    ];
    let mut out = String::from("\n");
    for (label, value) in rows {
        out.push_str(&format!("{label:.<47} {value}\n"));
    }
    out
}

fn show_status(dev: &Device) -> String {
    let mut out = String::from(
        "\n                 Admin     Physical   Physical   Link   Link    LACP   Actor\nIntf      Type   Mode      Mode       Status     Status Trap    Mode   Timeout\n--------- ------ --------- ---------- ---------- ------ ------- ------ --------\n",
    );
    for p in &dev.ports {
        let status = match p.oper_up {
            true => format!("{} Full", p.shown_mbps()),
            false => String::new(),
        };
        out.push_str(&format!(
            "{:<9} {:<6} {:<9} {:<10} {:<10} {:<6} Enable  Enable long\n",
            p.number,
            "",
            if p.admin_up { "Enable" } else { "Disable" },
            "Auto",
            status,
            if p.oper_up { "Up" } else { "Down" }
        ));
    }
    out
}

fn link_log(dev: &Device, p: &SimPort, up: bool, t: SystemTime) -> Vec<String> {
    vec![format!(
        "<189> {} {}-1 TRAPMGR[148]: traputil.c(611) {} %% Link {}: {}",
        log_stamp(t),
        dev.hostname,
        dev.log_buffer.len() + 1,
        if up { "Up" } else { "Down" },
        p.number
    )]
}

pub(crate) static DIALECT: Dialect = Dialect {
    name: "interface_masters",
    default_hostname: "Niagara",
    commands: COMMANDS,
    ports,
    ports_start_shut: true,
    sub_exit_leaves_config: true,
    factory_zerotouch: false,
    hidden: &[],
    prompt,
    invalid,
    incomplete: "% Incomplete command.\r\n",
    ambiguous: |_| "% Ambiguous command.\r\n".to_string(),
    pager: "--More-- or (q)uit",
    login: LoginStyle {
        banner: "\r\n",
        user_prompt: "User:",
        password_prompt: "Password:",
        failure: "\r\nLogin failed.",
    },
    enable_password_prompt: "Password:",
    enable_failure: "Incorrect Password!",
    save: SaveStyle {
        write_intro: "\nThis operation may take a few minutes.\nManagement interfaces will not be available during this time.\n\n",
        write_confirm: Some("Are you sure you want to save? (y/n) "),
        write_done: "\r\nConfiguration Saved!",
        copy_question: None,
        copy_done: "",
    },
    term_length_reply: "",
    term_width_reply: "",
    show_version,
    show_clock,
    show_interface,
    show_status,
    module_shows: &[show_optics, show_optics_info],
    show_logging_header: "Buffered (In-Memory) Logging    : enabled\nBuffered Logging Wrapping Behavior : On\nBuffered Log Count   : 0\n\n",
    link_log,
    interface_head: |p| format!("interface {}", p.number),
    lists_every_interface: false,
    syslog_names_host: true,
    running_header: "!Current Configuration:\n!\n!System Description \"Niagara 2924-24TG, 6.6.1.4, Linux 2.6.35\"\n!System Software Version \"6.6.1.4\"\n!\n",
    errdisable_log: None,
};

/// `show fiber-ports optics all`: DOM per fibre port (`N/A` on copper).
fn show_optics(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "                                     Output    Input\nPort     Temp  Voltage  Current     Power     Power    TX     LOS\n         [C]   [Volt]   [mA]        [dBm]     [dBm]    Fault\n-------- ----  -------  -------     -------   -------  -----  ---\n",
    );
    for p in dev
        .ports
        .iter()
        .filter(|p| matches!(p.slot, Slot::Empty | Slot::Module(_)))
    {
        let line = match p.slot.module() {
            Some(m) if m.has_dom() => format!(
                "{:<8} {:.1}  3.256    6.2         {:.3}    {:.3}   No     No\n",
                p.number,
                m.temp_c,
                m.tx_dbm,
                m.rx_dbm()
            ),
            Some(_) => format!(
                "{:<8} N/A   N/A      N/A         N/A       N/A      N/A    No\n",
                p.number
            ),
            None => format!(
                "{:<8} N/A   N/A      N/A         N/A       N/A      N/A    Yes\n",
                p.number
            ),
        };
        out.push_str(&line);
    }
    out
}

/// `show fiber-ports optics-info all`: vendor, lengths, serial and part per module.
fn show_optics_info(dev: &Device, _: Option<&SimPort>) -> String {
    let mut out = String::from(
        "                        Link Length  Link Length                                   Nominal\nPort   Vendor Name      50um [m]     62.5um [m]   Serial Number    Part Number      Rate [Mbps]\n------ ---------------- ------------ ------------ ---------------- ---------------- -----------\n",
    );
    for p in dev
        .ports
        .iter()
        .filter(|p| matches!(p.slot, Slot::Empty | Slot::Module(_)))
    {
        let Some(m) = p.slot.module() else {
            out.push_str(&format!("{:<6} Not Present\n", p.number));
            continue;
        };
        let (vendor, part, reach) = match m.kind {
            ModKind::Dac { .. } => (
                "OEM",
                format!("SFP-H10GB-CU{}M", m.length_text(true)),
                "N/A",
            ),
            ModKind::Aoc => (
                "OEM",
                format!("SFP-10G-AOC{}M", m.length_text(false)),
                "N/A",
            ),
            ModKind::Fiber(r) => ("FINISAR CORP.", format!("SFP-10G-{r}"), "300"),
        };
        let part = m.part.clone().unwrap_or(part);
        out.push_str(&format!(
            "{:<6} {vendor:<16} {reach:<12} N/A          {:<16} {part:<16} 10300\n",
            p.number, m.serial
        ));
    }
    out
}
