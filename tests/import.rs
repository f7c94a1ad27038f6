//! `switchlab import` on inventories shaped like each tool's documentation: platforms
//! mapped by the profiles, unknown ones named and never guessed, secrets turned into
//! environment variables and never written, the result a lab switchlab reads.

mod common;

use common::*;
use switchlab::inputs::LabInputs;
use switchlab::vendor::Registry;

const FIXTURES: &str = "tests/fixtures/import";

/// The lab written to `dir`/lab.toml, read back as switchlab reads a lab.
fn read_back(dir: &std::path::Path) -> (String, LabInputs) {
    let text = std::fs::read_to_string(dir.join("lab.toml")).unwrap();
    let reg = Registry::load(None, None).unwrap();
    let lab = LabInputs::load(&dir.join("lab.toml"), &reg).expect("the imported lab is valid");
    (text, lab)
}

fn vendor_of(lab: &LabInputs, device: &str) -> String {
    lab.lab.device(device).unwrap().vendor().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nornir_inventory_is_mapped_its_unknown_platform_named_and_no_password_written() {
    let root = std::env::current_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("lab.toml").display().to_string();
    let files = ["hosts.yaml", "groups.yaml", "defaults.yaml"].map(|f| format!("{FIXTURES}/{f}"));
    let mut args = vec!["import", "nornir"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["-o", out_path.as_str()]);
    // spine-1.bma is NX-OS: no profile claims it, so nothing is written.
    let out = switchlab(&args, &[], &root).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("spine-1.bma (nxos)"), "{t}");
    assert!(!dir.path().join("lab.toml").exists(), "nothing written");

    args.push("--skip-unknown");
    let out = switchlab(&args, &[], &root).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("not imported: spine-1.bma: unknown platform 'nxos'"),
        "{t}"
    );
    let (written, lab) = read_back(dir.path());
    assert_eq!(vendor_of(&lab, "access-1.cmh"), "cisco_ios");
    assert_eq!(vendor_of(&lab, "leaf-1.cmh"), "arista_eos");
    assert_eq!(
        vendor_of(&lab, "f10-1.bma"),
        "dell_force10",
        "from connection_options.netmiko"
    );
    assert!(lab.lab.device("spine-1.bma").is_none());
    for secret in [
        "n0rn1r-host-pass",
        "gr0up-bma-pass",
        "d3fault-pass",
        "en4ble-f10",
    ] {
        assert!(!written.contains(secret), "{secret} in the lab:\n{written}");
    }
    // Each secret by the level that holds it: the host's own, the group's, the defaults'.
    let ssh = |d: &str| lab.lab.device(d).unwrap().ssh.clone().unwrap().into_inner();
    assert_eq!(
        ssh("access-1.cmh").password_env.as_deref(),
        Some("SWITCHLAB_ACCESS_1_CMH_PASSWORD")
    );
    assert_eq!(
        ssh("f10-1.bma").password_env.as_deref(),
        Some("SWITCHLAB_GROUP_BMA_PASSWORD")
    );
    assert_eq!(ssh("f10-1.bma").user, "bma-ops");
    assert_eq!(
        ssh("leaf-1.cmh").password_env.as_deref(),
        Some("SWITCHLAB_PASSWORD")
    );
    assert_eq!(ssh("leaf-1.cmh").user, "admin", "from the defaults");
    assert_eq!(
        lab.lab.device("f10-1.bma").unwrap().secret_env.as_deref(),
        Some("SWITCHLAB_F10_1_BMA_SECRET")
    );
    assert!(
        t.contains("set SWITCHLAB_GROUP_BMA_PASSWORD: the password Nornir's group bma holds"),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pyats_testbed_keeps_enc_and_ask_secrets_out_and_says_what_it_cannot_reach() {
    let root = std::env::current_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("lab.toml").display().to_string();
    let testbed = format!("{FIXTURES}/testbed.yaml");
    let out = switchlab(&["import", "pyats", &testbed, "-o", &out_path], &[], &root).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let (written, lab) = read_back(dir.path());
    for secret in [
        "%ENC{",
        "%ASK{",
        "w5PDosOUw5fDosKQwpbCmMKH",
        "cisco123-device",
    ] {
        assert!(!written.contains(secret), "{secret} in the lab:\n{written}");
    }
    assert_eq!(vendor_of(&lab, "ios-1"), "cisco_ios");
    assert_eq!(vendor_of(&lab, "csr1000v-1"), "cisco_ios", "iosxe");
    let csr = lab
        .lab
        .device("csr1000v-1")
        .unwrap()
        .ssh
        .clone()
        .unwrap()
        .into_inner();
    assert_eq!(
        (csr.host.as_str(), csr.user.as_str()),
        ("10.255.0.1", "cisco"),
        "its ssh connection"
    );
    assert_eq!(
        csr.password_env.as_deref(),
        Some("SWITCHLAB_CSR1000V_1_PASSWORD")
    );
    let ios = lab.lab.device("ios-1").unwrap();
    assert_eq!(
        ios.ssh
            .clone()
            .unwrap()
            .into_inner()
            .password_env
            .as_deref(),
        Some("SWITCHLAB_PASSWORD")
    );
    assert_eq!(ios.secret_env.as_deref(), Some("SWITCHLAB_SECRET"));
    assert!(lab.lab.device("console-only").is_none());
    assert!(
        t.contains("not imported: console-only: no ssh connection (a: telnet)"),
        "{t}"
    );
    assert!(
        written.contains("# Not imported: console-only"),
        "{written}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_netbox_export_gives_each_device_its_vendor_model_and_address() {
    let root = std::env::current_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("lab.toml").display().to_string();
    let csv = format!("{FIXTURES}/devices.csv");
    let args = [
        "import", "netbox", &csv, "--user", "netops", "-o", &out_path,
    ];
    let out = switchlab(&args, &[], &root).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let (_, lab) = read_back(dir.path());
    assert_eq!(
        vendor_of(&lab, "access-sw-01"),
        "cisco_ios",
        "\"Cisco IOS\""
    );
    assert_eq!(vendor_of(&lab, "leaf-01"), "arista_eos");
    assert_eq!(
        vendor_of(&lab, "icx-01"),
        "brocade_fastiron",
        "ruckus-fastiron"
    );
    let leaf = lab.lab.device("leaf-01").unwrap();
    assert_eq!(leaf.model.as_deref(), Some("DCS-7048T-A"));
    let ssh = leaf.ssh.clone().unwrap().into_inner();
    assert_eq!(
        (ssh.host.as_str(), ssh.user.as_str()),
        ("10.0.0.12", "netops"),
        "prefix dropped"
    );
    assert!(
        t.contains("not imported: f10-01: no primary IP address in NetBox"),
        "{t}"
    );
}

/// Regression: a host of an unsupported platform (`junos`) without a username failed the
/// whole import, blaming the username. The platform is named first, whatever else the host
/// lacks, and `--skip-unknown` leaves it out; a known platform without a user is still
/// refused, naming the user.
#[tokio::test(flavor = "multi_thread")]
async fn an_unsupported_platform_is_named_whatever_else_the_host_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts.yaml");
    let write = |text: &str| std::fs::write(&hosts, text).unwrap();
    write(
        "sw1:\n  hostname: 10.0.0.1\n  username: ops\n  platform: ios\nmx1:\n  hostname: 10.0.0.2\n  platform: junos\n",
    );
    let out_path = dir.path().join("lab.toml").display().to_string();
    let hosts_arg = hosts.display().to_string();
    let mut args = vec![
        "import",
        "nornir",
        hosts_arg.as_str(),
        "-o",
        out_path.as_str(),
    ];
    let out = switchlab(&args, &[], dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("mx1 (junos)") && !t.contains("no username"),
        "{t}"
    );
    args.push("--skip-unknown");
    let out = switchlab(&args, &[], dir.path()).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("not imported: mx1: unknown platform 'junos'"),
        "{t}"
    );
    write("sw1:\n  hostname: 10.0.0.1\n  platform: ios\n");
    let out = switchlab(&args, &[], dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("host 'sw1': no username"), "{t}");
}
