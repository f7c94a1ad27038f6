//! Network namespaces for the virtual lab's data plane: whether the test may make them,
//! names unique to a test, labs whose endpoints live in them, the data plane started in
//! this process, and `switchlab` run inside one (never on the host).

use std::time::Duration;

use super::*;
use switchlab::format::{Lab, Source};
use switchlab_sim::Sim;
use switchlab_sim::dataplane::{DataPlane, DataPlaneOptions};

/// Whether the test may make network namespaces; prints why not (and fails under
/// SWITCHLAB_REQUIRE_TOOLS, which `.ci/run` sets, running as root).
pub(crate) fn may_make_namespaces(check: &str) -> bool {
    if seen_absent("netns", check) {
        return false;
    }
    match DataPlane::available() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("SWITCHLAB_REQUIRE_TOOLS").is_none(),
                "network namespaces cannot be made ({why}), and SWITCHLAB_REQUIRE_TOOLS says they must ({check})"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {check}: network namespaces cannot be made here ({why}; it needs root, as .ci/run runs)"
            );
            false
        }
    }
}

/// Names unique to this test process and test: namespaces of parallel tests never meet.
pub(crate) fn tag(test: &str) -> String {
    format!("{}{test}", std::process::id())
}

/// An endpoint in namespace `swl-<tag>-<name>` with NIC `eth1` at `address`.
pub(crate) fn endpoint(tag: &str, name: &str, address: &str) -> String {
    format!(
        "[[endpoint]]\nname = \"{name}\"\naddress = \"{address}\"\nnetns = \"swl-{tag}-{name}\"\ninterface = [{{ name = \"eth1\", address = \"{address}\" }}]\n"
    )
}

/// As [`endpoint`], with a second NIC `cal0` at `direct_address` cabled straight to the
/// `cal0` of endpoint `to` (no switch between: a benchmark's calibration path).
pub(crate) fn endpoint_direct(
    tag: &str,
    name: &str,
    address: &str,
    direct_address: &str,
    to: &str,
) -> String {
    format!(
        "[[endpoint]]\nname = \"{name}\"\naddress = \"{address}\"\nnetns = \"swl-{tag}-{name}\"\ninterface = [{{ name = \"eth1\", address = \"{address}\" }}, {{ name = \"cal0\", address = \"{direct_address}\", direct = \"{to}\" }}]\n"
    )
}

/// A port cabled to `endpoint`'s eth1, with the link's `sim` (e.g. `delay = "40ms"`).
pub(crate) fn wired(port: &str, endpoint: &str, sim: &str) -> String {
    let sim = if sim.is_empty() {
        String::new()
    } else {
        format!("sim = {{ {sim} }}\n")
    };
    format!(
        "[[device.port]]\nname = \"{port}\"\npeer = {{ endpoint = \"{endpoint}\", interface = \"eth1\" }}\n{sim}"
    )
}

/// Where a test asks the simulated switches to forward: the kernel's path (the default,
/// for links without delay, loss or forwarding figures) or frame by frame in user space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ForwardingPath {
    Kernel,
    UserSpace,
}

/// Start the data plane of `lab` for `sims` (device name, simulator).
pub(crate) fn plane(lab: &str, sims: &[(&str, &Sim)], tag: &str) -> DataPlane {
    scaled_plane(lab, sims, tag, None, ForwardingPath::Kernel)
}

/// As [`plane`], the fastest port forwarding at `max_gbit_s` (the others scaled alike),
/// on `path`.
pub(crate) fn scaled_plane(
    lab: &str,
    sims: &[(&str, &Sim)],
    tag: &str,
    max_gbit_s: Option<f64>,
    path: ForwardingPath,
) -> DataPlane {
    let src = Source::from_text("lab.toml", lab);
    let lab = Lab::from_source(&src).expect("the test's lab is valid");
    let devices: Vec<_> = sims
        .iter()
        .map(|(n, s)| (n.to_string(), s.device.clone()))
        .collect();
    let opts = DataPlaneOptions {
        tag: tag.into(),
        max_gbit_s,
        user_space: path == ForwardingPath::UserSpace,
    };
    DataPlane::start(&lab, &devices, &opts)
        .expect("the data plane starts")
        .expect("the lab has endpoints with netns")
}

/// A simulated `vendor` over SSH whose two `ports` (name, link sim) are cabled to the
/// endpoints s1 and s2 at 198.18.`net`.1 and .2 (and s1 to s2 directly, 198.19.`net`.1
/// and .2), its lab, and its data plane.
pub(crate) async fn two_ends(
    vendor: &str,
    o: switchlab_sim::SimOptions,
    ports: [(&str, &str); 2],
    net: u8,
    t: &str,
) -> (Sim, String, DataPlane) {
    let ends = TwoEnds {
        vendor,
        ports,
        net,
        device_sim: "",
        max_gbit_s: None,
        path: ForwardingPath::Kernel,
    };
    two_ends_as(ends, o, t).await
}

/// What [`two_ends_as`] builds: the device's `sim` (e.g. `max_fps = 20000`) and the
/// data plane's scaling beside what [`two_ends`] takes.
pub(crate) struct TwoEnds<'a> {
    pub(crate) vendor: &'a str,
    pub(crate) ports: [(&'a str, &'a str); 2],
    pub(crate) net: u8,
    pub(crate) device_sim: &'a str,
    pub(crate) max_gbit_s: Option<f64>,
    pub(crate) path: ForwardingPath,
}

pub(crate) async fn two_ends_as(
    e: TwoEnds<'_>,
    o: switchlab_sim::SimOptions,
    t: &str,
) -> (Sim, String, DataPlane) {
    let (vendor, ports, net) = (e.vendor, e.ports, e.net);
    let (sim, addr) = ssh_sim(o).await;
    let device_sim = match e.device_sim {
        "" => String::new(),
        s => format!("sim = {{ {s} }}\n"),
    };
    let lab = format!(
        "{}{device_sim}{}{}{}{}",
        ssh_device("sw", vendor, addr, &[]),
        wired(ports[0].0, "s1", ports[0].1),
        wired(ports[1].0, "s2", ports[1].1),
        // And a direct cable between the two (198.19.0.0/16: still the benchmarking
        // range): RFC 2544's calibration path.
        endpoint_direct(
            t,
            "s1",
            &format!("198.18.{net}.1"),
            &format!("198.19.{net}.1"),
            "s2"
        ),
        endpoint_direct(
            t,
            "s2",
            &format!("198.18.{net}.2"),
            &format!("198.19.{net}.2"),
            "s1"
        ),
    );
    let plane = scaled_plane(&lab, &[("sw", &sim)], t, e.max_gbit_s, e.path);
    (sim, lab, plane)
}

/// `switchlab ARGS` inside namespace `ns` (never on the host: `ip netns exec` fails, and
/// with it the command, if the namespace cannot be entered).
pub(crate) async fn in_ns(ns: &str, args: &[&str], limit: Duration) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("switchlab");
    let run = tokio::process::Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(bin)
        .args(args)
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(limit, run)
        .await
        .expect("the command ended in time")
        .expect("ip netns exec runs")
}

/// The TCP round trip from `from` (in namespace `ns`) to `to`, in ms; None when no frame
/// gets through.
pub(crate) async fn rtt(ns: &str, from: &str, to: &str) -> Option<f64> {
    let out = in_ns(
        ns,
        &["traffic", "rtt", to, "--from", from],
        Duration::from_secs(15),
    )
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().strip_prefix("rtt_ms=")?.parse().ok()
}

/// `switchlab traffic sink` bound to `bind` inside namespace `ns` (killed when dropped),
/// and the UDP and control addresses its first line says.
pub(crate) async fn frame_sink(ns: &str, bind: &str) -> (tokio::process::Child, String, String) {
    use tokio::io::AsyncBufReadExt;
    let bin = assert_cmd::cargo::cargo_bin("switchlab");
    let mut sink = tokio::process::Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(&bin)
        .args(["traffic", "sink", "--bind", bind])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(sink.stdout.take().unwrap()).lines();
    let said = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the sink says where it listens in time")
        .unwrap()
        .unwrap_or_default();
    // `frame sink on UDP control TCP`
    let words: Vec<&str> = said.split_whitespace().collect();
    assert!(words.len() == 6 && words[4] == "control", "{said}");
    (sink, words[3].to_string(), words[5].to_string())
}
