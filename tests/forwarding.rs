//! One model on both forwarding paths of the virtual lab's data plane: a switch whose
//! links ask for no delay, loss or forwarding figures forwards in the kernel (a bridge per
//! VLAN, a shaper per port), any switch can be asked to forward frame by frame in user
//! space; on either, frames cross only between up ports of one VLAN, a shut port takes
//! its endpoint's carrier, a port forwards at its speed and the switch counts what it
//! moved. Needs root (CAP_NET_ADMIN): without it each test says why it skips, and fails
//! where `.ci/run` says every tool is there. Addresses are 198.18.0.0/15's, only ever
//! reached from inside a namespace the test made.

mod common;

use std::time::Duration;

use common::netns::*;
use common::*;

/// What the data plane said of switch `sw`'s path.
fn said_path(lines: &[String]) -> &str {
    lines
        .iter()
        .find(|l| l.starts_with("sw forwards in"))
        .map_or("", String::as_str)
}

fn assert_on(path: ForwardingPath, lines: &[String]) {
    let said = said_path(lines);
    match path {
        ForwardingPath::Kernel => assert!(said.contains("in the kernel"), "{lines:?}"),
        ForwardingPath::UserSpace => {
            assert!(said.contains("in user space (as asked)"), "{lines:?}")
        }
    }
}

async fn only_up_ports_of_one_vlan(path: ForwardingPath, net: u8) {
    let t = tag(&format!("vlan{net}"));
    let (arista, addr) = ssh_sim(options("arista_eos")).await;
    let at = |host: u8| format!("198.18.{net}.{host}");
    let lab = format!(
        "{}{}{}{}{}{}{}",
        ssh_device("sw", "arista_eos", addr, &[]),
        wired("Ethernet1", "s1", ""),
        wired("Ethernet2", "s2", ""),
        wired("Ethernet3", "s3", ""),
        endpoint(&t, "s1", &at(1)),
        endpoint(&t, "s2", &at(2)),
        endpoint(&t, "s3", &at(3)),
    );
    let plane = scaled_plane(&lab, &[("sw", &arista)], &t, None, path);
    assert_on(path, &plane.lines);
    let s1 = format!("swl-{t}-s1");
    // An unconfigured Arista: every port up, in VLAN 1: all three reach each other.
    assert!(rtt(&s1, &at(1), &at(2)).await.is_some());
    assert!(rtt(&s1, &at(1), &at(3)).await.is_some());

    // The baseline puts Ethernet1 and 2 in VLAN 10; Ethernet3 stays in VLAN 1.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let manifest = "name = \"vlan\"\n[baseline]\nvlan = 10\n[[device]]\nname = \"sw\"\nports = [\"Ethernet1\", \"Ethernet2\"]\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let out = switchlab(&PUSH, &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    // The data plane reads the config within a tick.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        rtt(&s1, &at(1), &at(2)).await.is_some(),
        "VLAN 10 to VLAN 10"
    );
    assert!(
        rtt(&s1, &at(1), &at(3)).await.is_none(),
        "VLAN 10 to VLAN 1"
    );

    // A port shut on the switch carries nothing, and its endpoint's NIC loses carrier.
    let i = arista
        .device
        .lock()
        .unwrap()
        .port_index("Ethernet2")
        .unwrap();
    arista.device.lock().unwrap().ports[i].admin_up = false;
    switchlab_sim::link::refresh_and_log(arista.dialect, &mut arista.device.lock().unwrap(), i);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rtt(&s1, &at(1), &at(2)).await.is_none(), "to a shut port");
    let carrier = std::process::Command::new("ip")
        .args(["-n", &format!("swl-{t}-s2"), "link", "show", "eth1"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&carrier.stdout);
    assert!(shown.contains("NO-CARRIER"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_kernel_frames_cross_only_between_up_ports_of_one_vlan() {
    if may_make_namespaces("forwarding by port state and VLAN, in the kernel") {
        only_up_ports_of_one_vlan(ForwardingPath::Kernel, 20).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn in_user_space_frames_cross_only_between_up_ports_of_one_vlan() {
    if may_make_namespaces("forwarding by port state and VLAN, in user space") {
        only_up_ports_of_one_vlan(ForwardingPath::UserSpace, 21).await;
    }
}

async fn one_gigabit(path: ForwardingPath, net: u8) {
    let t = tag(&format!("rate{net}"));
    let ends = TwoEnds {
        vendor: "arista_eos",
        ports: [("Ethernet1", ""), ("Ethernet2", "")],
        net,
        device_sim: "",
        max_gbit_s: None,
        path,
    };
    let (_arista, lab, plane) = two_ends_as(ends, options("arista_eos"), &t).await;
    assert_on(path, &plane.lines);
    let (s1, s2) = (format!("swl-{t}-s1"), format!("swl-{t}-s2"));
    let (from, to) = (format!("198.18.{net}.1"), format!("198.18.{net}.2:5201"));
    let server = tokio::spawn({
        let to = to.clone();
        async move {
            let args = ["traffic", "serve", "--bind", &to, "--once"];
            in_ns(&s2, &args, Duration::from_secs(30)).await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let args = [
        "traffic",
        "send",
        &to,
        "--from",
        &from,
        "--duration",
        "3s",
        "--streams",
        "2",
        "--json",
    ];
    let out = in_ns(&s1, &args, Duration::from_secs(30)).await;
    assert!(out.status.success(), "{}", text(&out));
    let _ = server.await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gbps = report["received_bits_per_second"].as_f64().unwrap() / 1e9;
    assert!(
        (0.8..=1.0).contains(&gbps),
        "{gbps} Gbit/s through a 1 Gbit/s port ({path:?}): {report}"
    );
    eprintln!("through a 1 Gbit/s port ({path:?}): {gbps:.3} Gbit/s");
    // The switch's counters count the frames it moved, as `show interfaces` prints them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.toml"), &lab).unwrap();
    let args = [
        "show",
        "--lab",
        "lab.toml",
        "sw",
        "show interfaces Ethernet2",
        "--accept-new-host-keys",
    ];
    let out = switchlab(&args, &ENV, dir.path()).await;
    let shown = text(&out);
    let bytes: u64 = regex::Regex::new(r"(\d+) packets output, (\d+) bytes")
        .unwrap()
        .captures(&shown)
        .and_then(|c| c[2].parse().ok())
        .unwrap_or(0);
    assert!(bytes > 300_000_000, "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_kernel_a_one_gigabit_port_measures_between_0_8_and_1_0_gbit_s() {
    if may_make_namespaces("port speed, in the kernel") {
        one_gigabit(ForwardingPath::Kernel, 22).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn in_user_space_a_one_gigabit_port_measures_between_0_8_and_1_0_gbit_s() {
    if may_make_namespaces("port speed, in user space") {
        one_gigabit(ForwardingPath::UserSpace, 23).await;
    }
}

// A link with a delay needs each frame in hand: that switch forwards in user space, and
// says why, without being asked.
#[tokio::test(flavor = "multi_thread")]
async fn a_switch_with_a_delayed_link_forwards_in_user_space_and_says_why() {
    if !may_make_namespaces("the path a delayed link takes") {
        return;
    }
    let t = tag("why");
    let ends = TwoEnds {
        vendor: "arista_eos",
        ports: [("Ethernet1", "delay = \"1ms\""), ("Ethernet2", "")],
        net: 24,
        device_sim: "",
        max_gbit_s: None,
        path: ForwardingPath::Kernel,
    };
    let (_arista, _lab, plane) = two_ends_as(ends, options("arista_eos"), &t).await;
    let said = said_path(&plane.lines);
    assert!(
        said.contains("user space (a link asks for delay"),
        "{:?}",
        plane.lines
    );
    let s1 = format!("swl-{t}-s1");
    let ms = rtt(&s1, "198.18.24.1", "198.18.24.2")
        .await
        .expect("a path");
    assert!(ms >= 2.0, "{ms} ms through a 1 ms link each way");
}

/// Frames of 64 bytes offered at twice the line rate of a 1 Gbit/s port scaled to
/// 10 Mbit/s: what arrives each second, and the frames lost against the output discards
/// the switch counted on the port that could not send them.
async fn small_frames_at_twice_the_line(path: ForwardingPath, net: u8) -> (f64, u64, u64) {
    let t = tag(&format!("line{net}"));
    let ends = TwoEnds {
        vendor: "arista_eos",
        ports: [("Ethernet1", ""), ("Ethernet2", "")],
        net,
        device_sim: "",
        max_gbit_s: Some(0.01),
        path,
    };
    let (arista, _lab, plane) = two_ends_as(ends, options("arista_eos"), &t).await;
    assert_on(path, &plane.lines);
    let (_sink, udp, control) =
        frame_sink(&format!("swl-{t}-s2"), &format!("198.18.{net}.2")).await;
    let (udp, control) = (udp.as_str(), control.as_str());
    let from = format!("198.18.{net}.1");
    let args = [
        "traffic",
        "blast",
        udp,
        "--control",
        control,
        "--from",
        &from,
        "--frame-size",
        "64",
        "--fps",
        "30000",
        "--duration",
        "4s",
        "--drain",
        "300ms",
        "--json",
    ];
    let out = in_ns(&format!("swl-{t}-s1"), &args, Duration::from_secs(30)).await;
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let received = report["count"]["received"].as_f64().unwrap();
    let seconds = report["seconds"].as_f64().unwrap();
    let sent_fps = report["sent_fps"].as_f64().unwrap();
    assert!(sent_fps > 25_000.0, "the sender kept up: {report}");
    // A veth has no hardware clock: the kernel's stamps time the tagged frames, and the
    // report says why the NIC's did not.
    let why = report["hardware_why_not"].as_str().unwrap_or_default();
    assert!(
        why.contains("does not stamp frames in hardware"),
        "{report}"
    );
    assert_eq!(
        report["count"]["latency"]["kernel_stamped"], true,
        "{report}"
    );
    let lost = report["sent"].as_u64().unwrap() - received as u64;
    // The data plane hands its counts to the switch every 20 ms.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dev = arista.device.lock().unwrap();
    let out = dev.port_index("Ethernet2").unwrap();
    (
        received / seconds,
        lost,
        dev.ports[out].traffic.out_discards,
    )
}

// 10 Mbit/s at 64 bytes is 14,881 frames/s with preamble and gap counted (84 bytes a
// frame on the wire): on both paths a port holds small frames to that, not to what their
// bytes alone would allow (20,800 frames/s of 60 bytes). Over 4 s what the port's burst
// and buffer let through beyond it stays under 4 % (the user-space path's burst is two
// 64 KB GSO frames, 1,560 small ones).
#[tokio::test(flavor = "multi_thread")]
async fn on_both_paths_a_port_holds_64_byte_frames_to_its_line_rate() {
    if !may_make_namespaces("line rate at 64 bytes") {
        return;
    }
    let line = 10e6 / (84.0 * 8.0);
    for (path, net) in [
        (ForwardingPath::Kernel, 25),
        (ForwardingPath::UserSpace, 26),
    ] {
        let (fps, lost, discards) = small_frames_at_twice_the_line(path, net).await;
        assert!(
            (0.95 * line..=1.04 * line).contains(&fps),
            "{path:?}: {fps:.0} frames/s through a 10 Mbit/s port, line rate {line:.0}"
        );
        // What the port could not send is the switch's own output discards, on either path
        // (in the kernel: its shaper's drops); within 2 % and a few frames left in flight.
        let near = (lost as f64 * 0.98 - 50.0)..=(lost as f64 * 1.02 + 50.0);
        assert!(
            near.contains(&(discards as f64)),
            "{path:?}: {lost} frames lost, the switch counted {discards} output discards"
        );
        eprintln!(
            "{path:?}: {fps:.0} frames/s at 64 B, line rate {line:.0}; {lost} lost, {discards} output discards"
        );
    }
}
