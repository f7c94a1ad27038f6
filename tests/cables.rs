//! The cable the switch sees, on every vendor: the simulator answers its transceiver
//! commands in that vendor's format, switchlab parses and classifies the modules, and a
//! watch (and `switchlab cables`) reports what differs from the lab.

mod common;

use common::*;
use switchlab::record::read::RunData;
use switchlab::record::rows::TransceiverRow;
use switchlab::states::PortVerdict;
use switchlab_sim::Cabling;

/// Three pluggable ports of each vendor, as the lab writes them.
fn pluggable(vendor: &str) -> [&'static str; 3] {
    match vendor {
        "cisco_ios" => [
            "TenGigabitEthernet0/1",
            "TenGigabitEthernet0/2",
            "TenGigabitEthernet0/3",
        ],
        "arista_eos" => ["Ethernet49", "Ethernet50", "Ethernet51"],
        "dell_force10" => [
            "TenGigabitEthernet 0/1",
            "TenGigabitEthernet 0/2",
            "TenGigabitEthernet 0/3",
        ],
        "brocade_fastiron" => ["1/2/1", "1/2/2", "1/2/3"],
        _ => ["0/25", "0/26", "0/27"],
    }
}

fn row<'a>(rows: &'a [TransceiverRow], port: &str) -> &'a TransceiverRow {
    rows.iter()
        .find(|r| r.port == port)
        .unwrap_or_else(|| panic!("no {port} in {rows:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vendor_reports_the_cable_it_sees_against_the_one_declared() {
    for vendor in VENDORS {
        let dir = tempfile::tempdir().unwrap();
        let [short, empty, optic] = pluggable(vendor);
        let mut o = options(vendor);
        // Declared 3 m, but a 0.5 m DAC is in the port; an empty cage the lab thinks holds
        // an optic; an optic whose Rx power falls 2 dB once it has been read.
        o.cabling = Some(vec![
            Cabling {
                port: short.into(),
                kind: Some("dac".into()),
                length_m: Some(3.0),
                transceiver: Some("SFP-H10GB-CU0-5M".into()),
                ..Default::default()
            },
            Cabling {
                port: empty.into(),
                kind: Some("fiber".into()),
                transceiver: Some("absent".into()),
                ..Default::default()
            },
            Cabling {
                port: optic.into(),
                kind: Some("fiber".into()),
                rx_drift_db: Some(-2.0),
                ..Default::default()
            },
        ]);
        let (sim, addr) = ssh_sim(o).await;
        {
            // Force10's and FASTPATH's ports start shut: these are brought up, as a
            // baseline would.
            let mut dev = sim.device.lock().unwrap();
            for p in [short, empty, optic] {
                let i = dev.port_index(p).unwrap();
                dev.bring_up(i);
            }
        }
        let mut lab = ssh_device("sw", vendor, addr, &[]);
        for (p, cable) in [
            (short, "{ kind = \"dac\", length_m = 3.0 }"),
            (empty, "{ kind = \"fiber\" }"),
            (optic, "{ kind = \"fiber\" }"),
        ] {
            lab.push_str(&format!(
                "[[device.port]]\nname = \"{p}\"\ncable = {cable}\npeer = {{ nic = \"Intel X520\" }}\n"
            ));
        }
        std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
        let args = watch_args("sw", "1s", "300ms", "counters,state", &[]);
        let out = switchlab(&args, &ENV, dir.path()).await;
        let t = text(&out);
        // All was watched; the empty port has no link, a failed verdict.
        assert_eq!(out.status.code(), Some(3), "{vendor}: {t}");
        let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
        let rows = &run.transceivers;
        let r = row(rows, short);
        assert_eq!(
            (r.seen_kind.as_str(), r.seen_length_m),
            ("dac-passive", Some(0.5)),
            "{vendor}: {r:?}"
        );
        assert_eq!(r.matches, Some(false), "{vendor}: {r:?}");
        assert!(
            r.findings.contains("lab says 3 m, the switch sees 0.5 m"),
            "{vendor}: {r:?}"
        );
        assert!(
            r.findings.contains("short passive DAC seen (0.5 m"),
            "{vendor}: {r:?}"
        );
        let e = row(rows, empty);
        assert_eq!(e.seen_kind, "absent", "{vendor}: {e:?}");
        assert!(
            e.findings.contains("no transceiver in the port"),
            "{vendor}: {e:?}"
        );
        let port = run.ports.iter().find(|p| p.port == empty).unwrap();
        assert_eq!(port.verdict, PortVerdict::NoLink, "{vendor}: {port:?}");
        assert!(
            port.hint.starts_with("no link: no transceiver in the port"),
            "{vendor}: {port:?}"
        );
        let f = row(rows, optic);
        assert_eq!(f.seen_kind, "fiber", "{vendor}: {f:?}");
        assert_eq!(
            f.rx_delta_db.map(|d| d.round()),
            Some(-2.0),
            "{vendor}: {f:?}"
        );
        assert!(f.findings.contains("Rx power fell from"), "{vendor}: {f:?}");
        // The short DAC's port passes its watch (it did not flap), but is a suspect.
        let s = &run.summary[0];
        assert!(s.cable_findings >= 4, "{vendor}: {s:?}");
        assert!(
            s.suspects.contains(&format!("{short}: lab says 3 m")),
            "{vendor}: {s:?}"
        );
        if vendor == "brocade_fastiron" {
            assert!(
                r.findings
                    .contains("the switch does not support the module (CISCO-OEM)"),
                "{r:?}"
            );
        }

        // The audit alone: the same cable seen, nothing configured.
        let out = switchlab(&["cables", "--lab", "lab.toml", "--json"], &ENV, dir.path()).await;
        assert!(out.status.success(), "{vendor}: {}", text(&out));
        let alone: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let r = alone.iter().find(|r| r["port"] == short).unwrap();
        assert_eq!(r["seen_length_m"], 0.5, "{vendor}: {r}");
        assert_eq!(r["matches"], "no", "{vendor}: {r}");
    }
}

// The bench's Ethernet49 declared a 3 m DAC while a 0.5 m one is plugged in: the switch's
// own module says so, and the short-DAC hint fires from what it reads.
#[tokio::test(flavor = "multi_thread")]
async fn a_demo_bench_whose_lab_misdeclares_a_short_dac_is_told_so_by_the_switch() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchlab(&["demo", "--export-bench", "bench"], &[], dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    let lab_path = dir.path().join("bench/lab.toml");
    let lab = std::fs::read_to_string(&lab_path).unwrap();
    let misdeclared = lab.replace(
        "name = \"Ethernet49\"\ncable = { kind = \"dac\", length_m = 0.5 }",
        "name = \"Ethernet49\"\ncable = { kind = \"dac\", length_m = 3.0 }\nsim = { transceiver = \"CAB-SFP-SFP-0.5M\" }",
    );
    assert_ne!(misdeclared, lab);
    std::fs::write(&lab_path, misdeclared).unwrap();
    let args = [
        "demo", "--bench", "bench", "--watch", "3s", "--runs", "runs",
    ];
    let out = switchlab(&args, &[], dir.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let run = RunData::read(&printed_folder(&out, dir.path())).unwrap();
    let audit = |port: &str| {
        run.transceivers
            .iter()
            .find(|r| r.device == "arista-7048" && r.port == port)
            .unwrap()
            .clone()
    };
    let wrong = audit("Ethernet49");
    assert_eq!(
        (wrong.matches, wrong.seen_length_m),
        (Some(false), Some(0.5)),
        "{wrong:?}"
    );
    let hint = &run
        .ports
        .iter()
        .find(|p| p.port == "Ethernet49")
        .unwrap()
        .hint;
    assert!(
        hint.contains("short SFP+ DAC") && hint.contains("lab says 3 m, the switch sees 0.5 m"),
        "{hint}"
    );
    let right = audit("Ethernet50");
    assert_eq!(
        (right.matches, right.findings.as_str()),
        (Some(true), ""),
        "{right:?}"
    );
    let hint = &run
        .ports
        .iter()
        .find(|p| p.port == "Ethernet50")
        .unwrap()
        .hint;
    assert!(
        !hint.contains("DAC") && !hint.contains("lab says"),
        "{hint}"
    );
    // transceivers.csv is in every run folder, a row per watched port.
    assert_eq!(run.transceivers.len(), run.ports.len());
}
