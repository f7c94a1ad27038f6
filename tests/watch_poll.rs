//! How the watch polls a device's ports: in one command where the profile says the OS
//! takes a list (`commands.interface_list`, EOS), else one command a port; a list the
//! device rejects is warned of once and the ports are polled one by one, their flaps
//! still counted. Real SSH to the simulator on loopback.

mod common;

use common::*;

/// The commands the watch sent, from the device's transcript.
fn sent(folder: &std::path::Path) -> Vec<String> {
    let t = read(folder, "transcripts/a.log");
    let mut lines = t.lines();
    let mut out = Vec::new();
    while let Some(l) = lines.next() {
        if l.starts_with("--- sent")
            && let Some(cmd) = lines.next()
        {
            out.push(cmd.to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn eos_ports_are_polled_in_one_command_and_each_flap_is_still_its_port_s() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet2@300ms/100ms")).await;
    let lab = ssh_device("a", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let args = watch_args("a", "2s", "300ms", "counters,state", &[]);
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    let folder = printed_folder(&out, dir.path());
    let sent = sent(&folder);
    assert!(
        sent.iter()
            .any(|c| c == "show interfaces Ethernet1,Ethernet2"),
        "{sent:?}"
    );
    assert!(
        !sent.iter().any(|c| c == "show interfaces Ethernet1"),
        "no command a port: {sent:?}"
    );
    let flaps = read(&folder, "flaps.csv");
    assert_eq!(counted(&flaps, "a", "Ethernet2"), 1, "{flaps}\n{t}");
    assert_eq!(counted(&flaps, "a", "Ethernet1"), 0, "{flaps}\n{t}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_list_the_device_rejects_is_warned_of_once_and_each_port_is_polled_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(flapping("arista_eos", "Ethernet2@300ms/100ms")).await;
    arista_with(
        dir.path(),
        "command = \"show interfaces {ports}\"",
        "command = \"show interfaces {ports} detail\"",
    );
    let lab = ssh_device("a", "arista_eos", addr, &["Ethernet1", "Ethernet2"]);
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let args = [
        &["--vendors", "vendors"][..],
        &watch_args("a", "2s", "300ms", "counters,state", &[]),
    ]
    .concat();
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    let folder = printed_folder(&out, dir.path());
    let sent = sent(&folder);
    // Not an error of the device (1): all was watched, and the flapped port fails (3).
    assert_eq!(
        out.status.code(),
        Some(3),
        "not an error of the device: {t}"
    );
    assert!(t.contains("1 of 1 devices watched"), "{t}");
    let list = "show interfaces Ethernet1,Ethernet2 detail";
    assert_eq!(sent.iter().filter(|c| *c == list).count(), 1, "{sent:?}");
    assert!(
        sent.iter().any(|c| c == "show interfaces Ethernet1"),
        "{sent:?}"
    );
    let warned =
        "ports polled one command each: `show interfaces Ethernet1,Ethernet2 detail` rejected";
    assert_eq!(t.matches(warned).count(), 1, "{t}");
    let flaps = read(&folder, "flaps.csv");
    assert_eq!(counted(&flaps, "a", "Ethernet2"), 1, "{flaps}\n{t}");
}
