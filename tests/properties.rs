//! Hostile bytes never panic: every parser of every built-in profile, the log-line
//! matchers, the syslog decoder and the TOML loaders take arbitrary input (random text,
//! and device-like lines with their numbers, spaces, CRs and escapes mangled) and answer
//! with a value or an error. Cases per property: `PROPTEST_CASES` (default 256 here, and
//! `.ci/run` raises it).

use proptest::prelude::*;
use switchlab::format::source::Source;
use switchlab::vendor::Registry;

fn registry() -> &'static Registry {
    static REG: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REG.get_or_init(|| Registry::load(None, None).expect("built-in profiles"))
}

/// Text that looks like device output: real header and counter lines with their parts
/// shuffled, numbers grown huge, indents, bare CRs, ANSI escapes and quotes thrown in.
fn device_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Ethernet1 is up, line protocol is up (connected)".to_string()),
        Just(
            "GigabitEthernet0/1 is administratively down, line protocol is down (disabled)"
                .to_string()
        ),
        Just("TenGigabitEthernet 0/1 is up, line protocol is up".to_string()),
        Just("  12 link status changes since last clear".to_string()),
        Just("  Description: \"uplink".to_string()),
        Just("Time since last interface status change: 999999999999999999:00:00".to_string()),
        Just("Port    Name   Status       Vlan  Duplex Speed Type".to_string()),
        Just("Gi0/1   connected  connected  1  a-full a-1000 10/100/1000BaseTX".to_string()),
        Just("%LINK-3-UPDOWN: Interface GigabitEthernet0/3, changed state to down".to_string()),
        Just("\x1b[1m".to_string()),
        Just("\r".to_string()),
        "[0-9]{1,30}".prop_map(|s| s),
        "[ \t]{0,4}[A-Za-z/ .,:()%-]{0,40}".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join("\n"))
}

proptest! {
    #[test]
    fn every_parse_rule_takes_any_text(text in device_like()) {
        let reg = registry();
        for name in reg.vendor_names() {
            let v = reg.vendor(&name).unwrap();
            for rule in &v.profile.parse {
                let _ = switchlab::parse::parse_output(v, &rule.command, &text);
            }
            for line in text.lines() {
                let _ = switchlab::parse::link_event(v, line);
            }
        }
    }

    #[test]
    fn numbers_in_any_form_are_a_value_or_null(s in "[0-9a-z:, ().]{0,40}") {
        let _ = switchlab::parse::duration_s(&s);
        let _ = switchlab::parse::speed_mbps(&s);
    }

    #[test]
    fn the_syslog_decoder_takes_any_datagram(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = switchlab::syslog::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn the_loaders_take_any_toml_like_text(text in toml_like()) {
        let src = Source::from_text("lab.toml", text.clone());
        if let Ok(lab) = switchlab::format::Lab::from_source(&src) {
            let m = Source::from_text("manifest.toml", text.clone());
            let _ = switchlab::format::Manifest::from_source(&m, &lab, &|_, a, b| a == b);
        }
        let p = Source::from_text("x.toml", text);
        let _ = switchlab::vendor::Vendor::from_source(&p, switchlab::vendor::Origin::BuiltIn);
    }
}

/// TOML-ish text: real keys of the lab, manifest and profiles with values of every kind.
fn toml_like() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("name"),
        Just("vendor"),
        Just("port"),
        Just("baud"),
        Just("vlan"),
        Just("streams"),
        Just("host"),
        Just("jump"),
        Just("key_file"),
        Just("prompt"),
        Just("pattern"),
        Just("interval"),
        Just("duration"),
        Just("length_m"),
        Just("min_gbps"),
        Just("description"),
    ];
    let value = prop_oneof![
        "-?[0-9]{1,25}".prop_map(|s| s),
        "\"[^\"\\\\]{0,20}\"".prop_map(|s| s),
        Just("[".to_string()),
        Just("{ kind = \"dac\", length_m = -1 }".to_string()),
        Just("\"\\n\"".to_string()),
        Just("'(?P<port>'".to_string()),
    ];
    let header = prop_oneof![
        Just("[[device]]"),
        Just("[[device.port]]"),
        Just("[[endpoint]]"),
        Just("[[throughput]]"),
        Just("[baseline]"),
        Just("[flaps]"),
        Just("[vendor]"),
        Just("[modes.privileged]"),
        Just(""),
    ];
    prop::collection::vec((header, key, value), 0..20).prop_map(|v| {
        v.into_iter()
            .map(|(h, k, val)| format!("{h}\n{k} = {val}\n"))
            .collect()
    })
}
