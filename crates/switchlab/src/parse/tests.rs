//! Shapes of real switch output that broke the parse rules, written small by hand: each
//! test is one class of output (not one device's), read through the built-in profiles.

use super::*;
use crate::vendor::Registry;

fn parsed(vendor: &str, command: &str, text: &str) -> Parsed {
    let reg = Registry::load(None, None).expect("built-in profiles");
    let v = reg.vendor(vendor).expect("vendor");
    parse_output(v, command, text).expect("rule")
}

fn ports(vendor: &str, command: &str, text: &str) -> Vec<PortState> {
    match parsed(vendor, command, text) {
        Parsed::Ports(p) => p,
        other => panic!("expected ports, got {other:?}"),
    }
}

fn modules(vendor: &str, command: &str, text: &str) -> Vec<Transceiver> {
    match parsed(vendor, command, text) {
        Parsed::Transceivers(t) => t,
        other => panic!("expected transceivers, got {other:?}"),
    }
}

fn recognizes(vendor: &str, command: &str, text: &str) -> bool {
    let reg = Registry::load(None, None).expect("built-in profiles");
    recognized(reg.vendor(vendor).expect("vendor"), command, text)
}

// Regression: a switch whose ports are all copper lists no module: its inventory was
// refused as not being `show inventory` output at all.
#[test]
fn an_inventory_without_optics_is_an_empty_list_of_that_command() {
    let text = "NAME: \"Switch 1\", DESCR: \"24-port copper switch\"\n\
                PID: XX-24T-S          , VID: V02  , SN: ABC1234X\n\n\
                NAME: \"Power Supply 1\", DESCR: \"AC power supply\"\n\
                PID: PWR-AC            , VID: V01  , SN: DEF5678Y\n";
    assert!(modules("cisco_ios", "show inventory", text).is_empty());
    assert!(recognizes("cisco_ios", "show inventory", text));
    assert!(!recognizes(
        "cisco_ios",
        "show inventory",
        "Version 15.2(4)E\n"
    ));
}

// Regression: optics named `Transceiver Te1/3` (a modular chassis) were not found, and a
// module's empty PID took the next entry's (a fan's).
#[test]
fn optics_are_found_under_every_name_and_no_entry_lends_its_pid() {
    let text = "NAME: \"3\", DESCR: \"16 port 10GE line card\"\n\
                PID: XX-16X            , VID: V01  , SN: LC0001\n\
                NAME: \"Transceiver Te3/2\", DESCR: \"SFP+ 10GBASE-SR Te3/2\"\n\
                PID: SFP-10G-SR        , VID: V03  , SN: OPT0002\n\
                NAME: \"FortyGigabitEthernet1/1/1\", DESCR: \"QSFP 40GBASE-SR4\"\n\
                PID:                   , VID:      , SN:\n\
                NAME: \"Fan 1\", DESCR: \"Fan tray\"\n\
                PID: FAN-T1            , VID: V01  , SN: FAN0003\n\
                NAME: \"subslot 0/0 transceiver 0\", DESCR: \"GE T\"\n\
                PID: GLC-T             , VID: V01  , SN: SLOT0004\n\
                NAME: \"StackPort1/1\", DESCR: \"StackPort1/1\"\n\
                PID: STACK-T1-50CM     , VID: V01  , SN: STK0005\n";
    let got: Vec<_> = modules("cisco_ios", "show inventory", text)
        .into_iter()
        .map(|m| (m.port, m.media, m.part, m.serial))
        .collect();
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        got,
        [
            (
                "Te3/2".into(),
                s("SFP+ 10GBASE-SR Te3/2"),
                s("SFP-10G-SR"),
                s("OPT0002")
            ),
            (
                "FortyGigabitEthernet1/1/1".into(),
                s("QSFP 40GBASE-SR4"),
                None,
                None
            ),
            (
                "StackPort1/1".into(),
                s("StackPort1/1"),
                s("STACK-T1-50CM"),
                s("STK0005")
            ),
        ]
    );
}

// Regression: a DOM table with a column more (IOS-XE's `Max Power`) was not read at all.
#[test]
fn a_dom_table_is_read_by_its_header_whatever_columns_it_adds() {
    let text = concat!(
        "                                              Optical   Optical\n",
        "            Temperature  Voltage  Current   Tx Power  Rx Power   Max Power\n",
        "Port        (Celsius)    (Volts)  (mA)      (dBm)     (dBm)      (Watts)\n",
        "---------   -----------  -------  --------  --------  --------   ---------\n",
        "Te1/1/1       26.2       3.27      5.9      -2.4      -3.2        1.5 W\n",
        "Te1/1/2       27.0       3.28      6.1      -2.1     -14.9 -      1.5\n",
        "Gi1/1/3       N/A        3.30      N/A       N/A       N/A        1.0\n",
    );
    let got: Vec<_> = modules("cisco_ios", "show interfaces transceiver", text)
        .into_iter()
        .map(|m| (m.port, m.temp_c, m.tx_dbm, m.rx_dbm, m.rx_low_warning))
        .collect();
    assert_eq!(
        got,
        [
            ("Te1/1/1".into(), Some(26.2), Some(-2.4), Some(-3.2), None),
            (
                "Te1/1/2".into(),
                Some(27.0),
                Some(-2.1),
                Some(-14.9),
                Some(true)
            ),
            ("Gi1/1/3".into(), None, None, None, None),
        ]
    );
    // The table without its current column still reads Tx and Rx where they are.
    let short = concat!(
        "           Temperature  Voltage  Tx Power  Rx Power\n",
        "Port       (Celsius)    (Volts)  (dBm)     (dBm)\n",
        "---------  -----------  -------  --------  --------\n",
        "Te1/49       23.1       3.29      -2.2      -3.0\n",
    );
    let m = &modules("cisco_ios", "show interfaces transceiver", short)[0];
    assert_eq!(
        (m.temp_c, m.tx_dbm, m.rx_dbm),
        (Some(23.1), Some(-2.2), Some(-3.0))
    );
    // A second ruled table whose labels name no field is not read as the first.
    let other = concat!(
        "\n",
        "           Lane  Bias      Low Warn  High Warn\n",
        "Port             (mA)      (mA)      (mA)\n",
        "---------  ----  --------  --------  --------\n",
        "Hu1/0/1       1     6.1       2.0      10.0\n",
    );
    let got = modules(
        "cisco_ios",
        "show interfaces transceiver",
        &format!("{short}{other}"),
    );
    assert_eq!(got.len(), 1, "{got:?}");
}

const BLOCKS: &str = "\
GigabitEthernet0/1 is up, line protocol is up (connected)
  Description: uplink
     5 input errors, 2 CRC, 0 frame, 0 overrun, 0 ignored
pseudowire1 is up
  Description: to the core
  MTU 9198 bytes
GigabitEthernet0/2.10 is deleted, line protocol is down
GigabitEthernet0/3 is administratively down, line protocol is down
Description: no indentation at all
Hardware is Gigabit Ethernet, address is 0011.2233.4455
Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX
0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
0 output errors, 0 collisions, 7 interface resets
";

// Regression: an interface header switchlab does not read (`pseudowire1 is up`) did not
// end the port before it, whose description became the pseudowire's; `is deleted` read as
// nothing; fields at column 0 were missed.
#[test]
fn any_header_ends_a_block_deleted_is_down_and_no_field_needs_indentation() {
    let p = ports("cisco_ios", "show interfaces", BLOCKS);
    let names: Vec<_> = p.iter().map(|p| p.port.as_str()).collect();
    assert_eq!(
        names,
        [
            "GigabitEthernet0/1",
            "GigabitEthernet0/2.10",
            "GigabitEthernet0/3"
        ]
    );
    assert_eq!(p[0].description.as_deref(), Some("uplink"));
    assert_eq!((p[0].in_errors, p[0].crc), (Some(5), Some(2)));
    assert_eq!(p[1].admin, Some(LinkState::Down));
    assert_eq!(p[1].description, None);
    let third = &p[2];
    assert_eq!(third.description.as_deref(), Some("no indentation at all"));
    assert_eq!(
        (third.speed_mbps, third.crc, third.resets),
        (Some(1000), Some(0), Some(7))
    );
}

// Regression: a description that reads like a counter (`3 input errors`) set the counter.
#[test]
fn a_description_is_no_counter() {
    let text = "Ethernet1 is up, line protocol is up (connected)\n\
                \x20 Description: 3 input errors, 4 CRC seen here\n\
                \x20    0 input errors, 0 CRC, 0 alignment, 0 symbol\n";
    for vendor in ["cisco_ios", "arista_eos"] {
        let p = &ports(vendor, "show interfaces", text)[0];
        assert_eq!((p.in_errors, p.crc), (Some(0), Some(0)), "{vendor}");
    }
}

// The same classes in the other profiles that read blocks: an unread header ends the
// block, and a field at column 0 is read.
#[test]
fn other_profiles_end_blocks_at_any_header_and_read_unindented_fields() {
    let arista = "Ethernet1 is up, line protocol is up (connected)\n\
                  Description: at column 0\n\
                  3 link status changes since last clear\n\
                  Vxlan1 is down\n\
                  \x20 Description: the tunnel's\n";
    let p = ports("arista_eos", "show interfaces", arista);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].description.as_deref(), Some("at column 0"));
    assert_eq!(p[0].link_changes, Some(3));
    let fastiron = "GigabitEthernet1/1/1 is up, line protocol is up\n\
                    Port name is at column 0\n\
                    ve10 is down\n\
                    \x20 Port name is the ve's\n";
    let p = ports("brocade_fastiron", "show interfaces", fastiron);
    assert_eq!(p[0].description.as_deref(), Some("at column 0"));
    let force10 = "TenGigabitEthernet 0/1 is up, line protocol is up\n\
                   \x20 Description: indented\n\
                   Vlan 10 is down\n\
                   Description: the vlan's\n";
    let p = ports("dell_force10", "show interfaces", force10);
    assert_eq!(p[0].description.as_deref(), Some("indented"));
}

// Counter lines as real outputs print them: IOS-XE splits `Input queue` and `Total output
// drops` over two lines; Force10 tells input from output frames only by what follows
// `bytes` (`underruns` on output), and its two `discarded` by the counter before them.
#[test]
fn frame_and_discard_counters_in_each_vendors_shape() {
    let ios = "GigabitEthernet1 is up, line protocol is up\n\
               \x20 Input queue: 0/375/12/0 (size/max/drops/flushes)\n\
               \x20 Total output drops: 34\n\
               \x20    5 packets input, 640 bytes\n\
               \x20    6 packets output, 768 bytes\n";
    let p = &ports("cisco_ios", "show interfaces", ios)[0];
    let got = [p.in_packets, p.out_packets, p.in_discards, p.out_discards];
    assert_eq!(got, [Some(5), Some(6), Some(12), Some(34)]);
    let f10 = "TenGigabitEthernet 0/1 is up, line protocol is up\n\
               Input Statistics:\n\
               \x20    7 packets, 896 bytes\n\
               \x20    0 runts, 0 giants, 0 throttles\n\
               \x20    0 CRC, 0 overrun, 8 discarded\n\
               Output Statistics:\n\
               \x20    9 packets, 1152 bytes, 0 underruns\n\
               \x20    0 throttles, 10 discarded, 0 collisions, 0 wreddrops\n\
               Rate info (interval 299 seconds):\n\
               \x20    Input 00.00 Mbits/sec,          0 packets/sec, 0.00% of line-rate\n";
    let p = &ports("dell_force10", "show interfaces", f10)[0];
    let got = [p.in_packets, p.out_packets, p.in_discards, p.out_discards];
    assert_eq!(got, [Some(7), Some(9), Some(8), Some(10)]);
    // A description is no counter.
    let eos = "Ethernet1 is up, line protocol is up (connected)\n\
               \x20 Description: 3 packets input, 4 input discards\n\
               \x20    0 input errors, 0 CRC, 0 alignment, 0 symbol, 2 input discards\n";
    let p = &ports("arista_eos", "show interfaces", eos)[0];
    assert_eq!((p.in_packets, p.in_discards), (None, Some(2)));
}
