//! `switchlab doctor` on a bench with problems a lab engineer meets on day one: a device
//! that does not answer, one whose host key was never seen, a password variable not set,
//! a console server port that is closed.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn doctor_names_each_problem_of_the_bench_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (_arista, addr) = ssh_sim(options("arista_eos")).await;
    // A port nobody listens on: held bound (without SO_REUSEADDR) and never listening, so
    // no other test's listener can take it while doctor knocks.
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(
        &"127.0.0.1:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    let closed = held.local_addr().unwrap().as_socket().unwrap();
    let lab = format!(
        "{}{}{}[[device]]\nname = \"cs\"\nvendor = \"cisco_ios\"\nconsole = {{ host = \"127.0.0.1\", port = {}, protocol = \"telnet\" }}\n[[endpoint]]\nname = \"here\"\naddress = \"127.0.0.1\"\n",
        ssh_device("fresh", "arista_eos", addr, &[]),
        ssh_device("gone", "arista_eos", closed, &[]),
        ssh_device("nopass", "arista_eos", addr, &[]).replace("T_PASS", "T_UNSET_PASSWORD"),
        closed.port(),
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let out = switchlab(
        &["doctor", "--lab", "lab.toml", "--timeout", "3s"],
        &ENV,
        dir.path(),
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    // One line per check, each failure with its fix.
    assert!(
        t.contains("ok   device 'fresh' ssh reachable: 127.0.0.1:"),
        "{t}"
    );
    assert!(
        t.contains("FAIL device 'fresh' ssh host key: 127.0.0.1:"),
        "{t}"
    );
    assert!(t.contains("unknown key SHA256:"), "{t}");
    assert!(t.contains("fix: check the fingerprint on the device's console, then connect once with --accept-new-host-keys"), "{t}");
    assert!(
        t.contains(&format!(
            "FAIL device 'gone' ssh reachable: 127.0.0.1:{}",
            closed.port()
        )),
        "{t}"
    );
    assert!(
        t.contains("FAIL device 'nopass' ssh.password_env T_UNSET_PASSWORD: not set"),
        "{t}"
    );
    assert!(t.contains("fix: export T_UNSET_PASSWORD=…"), "{t}");
    assert!(
        t.contains("ok   endpoint 'here' engine: this machine"),
        "{t}"
    );
    // Nothing was learnt: the key is still unknown.
    assert!(!dir.path().join(".ssh/known_hosts").exists());

    let out = switchlab(
        &["doctor", "--lab", "lab.toml", "--timeout", "3s", "--json"],
        &ENV,
        dir.path(),
    )
    .await;
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let failed: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 5, "{checks}");
    assert!(
        failed.contains(&"ssh host key") && failed.contains(&"ssh reachable"),
        "{checks}"
    );
}

// A device whose other checks pass is logged into and its clock compared: one 2 minutes
// ahead fails with the fix, one on time passes, on every vendor's `show clock` format.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_compares_each_devices_clock_with_this_machines() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = String::new();
    let mut sims = Vec::new();
    for (i, vendor) in VENDORS.iter().enumerate() {
        let mut o = options(vendor);
        // The last one is two minutes ahead.
        o.clock_offset_s = if i == VENDORS.len() - 1 { 120 } else { 0 };
        let (sim, addr) = ssh_sim(o).await;
        lab.push_str(&ssh_device(&format!("d{i}"), vendor, addr, &[]));
        sims.push(sim);
    }
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    // Learn the host keys first: doctor itself never does.
    for i in 0..VENDORS.len() {
        let name = format!("d{i}");
        let args = [
            "show",
            "--lab",
            "lab.toml",
            &name,
            "show version",
            "--accept-new-host-keys",
        ];
        let out = switchlab(&args, &ENV, dir.path()).await;
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = switchlab(&["doctor", "--lab", "lab.toml"], &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    // Each reachable device's modules are audited too (this lab declares no ports).
    for i in 0..VENDORS.len() {
        assert!(
            t.contains(&format!("ok   device 'd{i}' cables: 0 module(s) read")),
            "{t}"
        );
    }
    for (i, vendor) in VENDORS.iter().enumerate().take(VENDORS.len() - 1) {
        let line = t
            .lines()
            .find(|l| l.contains(&format!("device 'd{i}' clock:")))
            .unwrap_or_else(|| panic!("no clock line for d{i} ({vendor}):\n{t}"));
        assert!(
            line.starts_with("ok   ") && line.contains("this machine's"),
            "{vendor} {line}"
        );
    }
    let last = VENDORS.len() - 1;
    let skewed = t
        .lines()
        .find(|l| l.contains(&format!("device 'd{last}' clock:")))
        .unwrap();
    assert!(
        skewed.starts_with("FAIL") && skewed.contains("s ahead of this machine's"),
        "{skewed}"
    );
    let ahead: f64 = skewed
        .split("clock: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!((117.0..=123.0).contains(&ahead), "{skewed}");
}
