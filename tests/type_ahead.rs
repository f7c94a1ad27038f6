//! Config lines typed ahead over SSH (`[session.type_ahead]`): a long baseline lands and
//! verifies in batches; a refused line names the lines sent behind it that the device
//! took; a line that leaves configuration goes alone; `--line-by-line` and serial
//! consoles send each line after the answer to the one before.

mod common;

use std::path::Path;

use common::*;

/// lab.toml with `device`, m.toml pushing template `t/<vendor>/baseline.j2` to it.
fn lab(dir: &Path, device: &str, vendor: &str, template: &str) {
    std::fs::write(dir.join("lab.toml"), device).unwrap();
    std::fs::write(
        dir.join("m.toml"),
        "name = \"t\"\n[[device]]\nname = \"sw\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("t").join(vendor)).unwrap();
    std::fs::write(dir.join("t").join(vendor).join("baseline.j2"), template).unwrap();
}

/// How many lines the built-in profile lets a push type ahead.
fn batch(vendor: &str) -> usize {
    let reg = switchlab::vendor::Registry::load(None, None).unwrap();
    let v = reg.vendor(vendor).unwrap();
    v.type_ahead
        .as_ref()
        .expect("the profile types ahead")
        .lines
}

async fn push(dir: &Path, extra: &[&str]) -> (bool, String) {
    let args = [
        &PUSH[..],
        &["--templates", "t", "--transcripts", "tr"],
        extra,
    ]
    .concat();
    let out = switchlab(&args, &ENV, dir).await;
    (out.status.success(), text(&out))
}

fn sent_in_transcript(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("tr/sw.log")).unwrap()
}

// Several batches of a flat config (sub-mode lines without indentation): every line
// lands under the section its batch put it in, and the verify finds each.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_flat_baseline_lands_in_batches_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, addr) = ssh_sim(options("cisco_ios")).await;
    let n = batch("cisco_ios") * 3 + 5;
    let lines: Vec<String> = (0..n / 2)
        .flat_map(|i| [format!("vlan {}", 100 + i), format!("name v{}", 100 + i)])
        .collect();
    let device = ssh_device("sw", "cisco_ios", addr, &["GigabitEthernet0/1"]);
    lab(dir.path(), &device, "cisco_ios", &(lines.join("\n") + "\n"));
    let (ok, text) = push(dir.path(), &[]).await;
    assert!(ok, "{text}");
    assert!(text.contains("1 of 1 devices ok"), "{text}");
    let run = sim.running_config();
    let last = 100 + n / 2 - 1;
    assert!(
        run.contains(&format!("vlan {last}\n name v{last}")),
        "the last batch's lines are in their section:\n{run}"
    );
}

// Lines typed ahead of a refused one were taken by the device: the error names them, and
// nothing of the next batch was sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_line_names_the_lines_typed_ahead_that_the_device_took() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, addr) = ssh_sim(options("arista_eos")).await;
    let b = batch("arista_eos");
    let mut lines = vec!["vlan 10".to_string(), "frobnicate the port".to_string()];
    lines.extend((0..b).map(|i| format!("vlan {}", 200 + i)));
    let device = ssh_device("sw", "arista_eos", addr, &["Ethernet1"]);
    lab(
        dir.path(),
        &device,
        "arista_eos",
        &(lines.join("\n") + "\n"),
    );
    let (ok, text) = push(dir.path(), &[]).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "config line 2 rejected: `frobnicate the port`: % Invalid input; lines 3–{b} had been typed ahead of its answer, and the device took all of them"
        )),
        "{text}"
    );
    let run = sim.running_config();
    let (taken, unsent) = (200 + b - 3, 200 + b - 2);
    assert!(
        run.contains(&format!("vlan {taken}")) && !run.contains(&format!("vlan {unsent}")),
        "the batch's lines were taken, the next batch's never sent:\n{run}"
    );
}

// `end` leaves configuration: it goes alone, so the line after it is never typed into
// privileged mode.
#[tokio::test(flavor = "multi_thread")]
async fn a_line_that_leaves_configuration_is_not_typed_ahead_of() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, addr) = ssh_sim(options("cisco_ios")).await;
    let device = ssh_device("sw", "cisco_ios", addr, &["GigabitEthernet0/1"]);
    lab(dir.path(), &device, "cisco_ios", "vlan 10\nend\nvlan 20\n");
    let (ok, text) = push(dir.path(), &[]).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains("config line 2 `end` left configuration mode (prompt \"privileged\"); nothing after it was sent"),
        "{text}"
    );
    assert!(
        !sent_in_transcript(dir.path()).contains("vlan 20"),
        "the line after `end` was never sent"
    );
    assert!(sim.running_config().contains("vlan 10"));
}

// `--line-by-line` over SSH, and any serial console: nothing after a refused line is sent.
#[tokio::test(flavor = "multi_thread")]
async fn line_by_line_and_consoles_send_nothing_after_a_refused_line() {
    let dir = tempfile::tempdir().unwrap();
    let template = "hostname before\nfrobnicate the port\nhostname after\n";
    let (ssh, addr) = ssh_sim(options("cisco_ios")).await;
    let (console, link) = console_sim(options("cisco_ios"), dir.path(), "con").await;
    let cases = [
        (
            "ssh --line-by-line",
            ssh_device("sw", "cisco_ios", addr, &[]),
            &ssh,
            &["--line-by-line"][..],
        ),
        (
            "console",
            serial_device("sw", "cisco_ios", &link, true, &[]),
            &console,
            &[][..],
        ),
    ];
    for (case, device, sim, extra) in cases {
        lab(dir.path(), &device, "cisco_ios", template);
        let (ok, text) = push(dir.path(), extra).await;
        assert!(!ok, "{case}: {text}");
        assert!(
            text.contains("config line 2 rejected: `frobnicate the port`")
                && text.contains("; nothing after it was sent"),
            "{case}: {text}"
        );
        let run = sim.running_config();
        assert!(
            run.contains("hostname before") && !run.contains("hostname after"),
            "{case}: {run}"
        );
    }
}
