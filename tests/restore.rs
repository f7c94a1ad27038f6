//! Leaving each switch as it was found, on all five simulators over real SSH: `push --diff`
//! says what the baseline would change and touches nothing; every push keeps the running
//! config before and after; `restore` puts the before-config back, checked against the
//! simulator's own running config (its truth), also after a push that failed halfway in
//! a `run`.

mod common;

use std::path::Path;

use common::*;
use switchlab_sim::Sim;
use switchlab_sim::state::Section;

/// What the simulator holds: hostname, config sections with something in them (in any
/// order), logging targets, and each port's admin state and description.
type Truth = (
    String,
    Vec<Section>,
    Vec<(String, u16)>,
    Vec<(bool, Option<String>)>,
);

fn truth(sim: &Sim) -> Truth {
    let dev = sim.device.lock().unwrap();
    // The hostname is the device's own field (a stored `hostname` line only mirrors it).
    let mut sections: Vec<Section> = (dev.running.iter().cloned())
        .map(|mut s| {
            s.lines
                .retain(|(k, _)| !(s.head.is_empty() && k == "hostname"));
            // An untouched port is up: FTOS's `no shutdown` line says no more than that.
            s.lines
                .retain(|(k, l)| !(k == "admin-state" && l == "no shutdown"));
            s.lines.sort();
            s
        })
        .filter(|s| !s.lines.is_empty())
        .collect();
    sections.sort_by(|a, b| a.head.cmp(&b.head));
    let ports = (dev.ports.iter())
        .map(|p| (p.admin_up, p.description.clone()))
        .collect();
    (
        dev.hostname.clone(),
        sections,
        dev.syslog_targets.clone(),
        ports,
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn manifest(devices: &[String], template: &str) -> String {
    let mut m = String::from("name = \"t\"\n[flaps]\ninterval = \"500ms\"\nduration = \"1s\"\n");
    for d in devices {
        m.push_str(&format!(
            "[[device]]\nname = \"{d}\"\ntemplate = \"{template}\"\n"
        ));
    }
    m
}

/// An EOS simulator found with a hostname of its own (`lab-old`), as `name` in
/// `dir/lab.toml`.
async fn found_eos(dir: &Path, name: &str) -> Sim {
    let v = "arista_eos";
    let mut o = options(v);
    o.hostname = Some("lab-old".into());
    let (sim, addr) = ssh_sim(o).await;
    write(
        dir,
        "lab.toml",
        &ssh_device(name, v, addr, &[first_port(v)]),
    );
    sim
}

/// Five simulators, one per vendor, each found with a hostname of its own (`lab-old`).
async fn five(dir: &Path) -> Vec<(String, Sim)> {
    let mut sims = Vec::new();
    let mut lab = String::new();
    for v in VENDORS {
        let name = format!("sw-{}", v.replace('_', "-"));
        let mut o = options(v);
        o.hostname = Some("lab-old".into());
        let (sim, addr) = ssh_sim(o).await;
        lab.push_str(&ssh_device(&name, v, addr, &[first_port(v)]));
        sims.push((name, sim));
    }
    write(dir, "lab.toml", &lab);
    let names: Vec<String> = sims.iter().map(|(n, _)| n.clone()).collect();
    write(dir, "m.toml", &manifest(&names, "baseline"));
    sims
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_touches_nothing_push_keeps_snapshots_and_restore_gives_back_every_vendor_s_config() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let sims = five(dir).await;
    let found: Vec<_> = sims.iter().map(|(_, s)| truth(s)).collect();

    // --diff: what would change, per device; nothing configured.
    let diff = [&PUSH[..], &["--diff", "--transcripts", "tr"]].concat();
    let out = switchlab(&diff, &ENV, dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "changes to make exit 1: {t}");
    assert!(t.contains("5 of 5 devices would change"), "{t}");
    for (name, _) in &sims {
        assert!(
            t.contains(&format!("--- {name}: running-config"))
                && t.contains("-hostname lab-old")
                && t.contains(&format!("+hostname {name}")),
            "{name}: {t}"
        );
        let transcript = std::fs::read_to_string(dir.join(format!("tr/{name}.log"))).unwrap();
        assert!(
            !transcript.contains("configure") && transcript.contains("show running-config"),
            "{name}: --diff only reads:\n{transcript}"
        );
    }
    for ((name, sim), was) in sims.iter().zip(&found) {
        assert_eq!(&truth(sim), was, "{name}: --diff changed nothing");
    }

    // The push keeps the running config before and after it.
    let push = [&PUSH[..], &["--snapshots", "snap"]].concat();
    let out = switchlab(&push, &ENV, dir).await;
    let t = text(&out);
    assert!(
        out.status.success() && t.contains("5 of 5 devices ok"),
        "{t}"
    );
    assert!(t.contains("switchlab restore snap --lab lab.toml"), "{t}");
    for (name, _) in &sims {
        let before = read(&dir.join("snap"), &format!("configs/{name}.before.txt"));
        let after = read(&dir.join("snap"), &format!("configs/{name}.after.txt"));
        assert!(before.contains("hostname lab-old"), "{name}: {before}");
        assert!(
            after.contains(&format!("hostname {name}")),
            "{name}: {after}"
        );
    }

    // Pushed: the baseline changes nothing any more, on every vendor.
    let out = switchlab(&[&PUSH[..], &["--diff"]].concat(), &ENV, dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("0 of 5 devices would change"), "{t}");

    // Restored: each simulator holds the config it was found with.
    let restore = [
        "restore",
        "snap",
        "--lab",
        "lab.toml",
        "--accept-new-host-keys",
    ];
    let out = switchlab(&restore, &ENV, dir).await;
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("5 of 5 devices restored"), "{t}");
    for ((name, sim), was) in sims.iter().zip(&found) {
        assert_eq!(&truth(sim), was, "{name}: restored\n{t}");
        let dev = sim.device.lock().unwrap();
        assert_eq!(dev.startup.as_ref(), Some(&dev.running), "{name}: saved");
        drop(dev);
        let kept = read(&dir.join("snap"), &format!("configs/{name}.restored.txt"));
        assert!(kept.contains("hostname lab-old"), "{name}: {kept}");
    }
    // And the baseline would change them again.
    let out = switchlab(&[&PUSH[..], &["--diff"]].concat(), &ENV, dir).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

/// Each vendor's own baseline with a line no CLI takes two lines after its hostname: the
/// push stops there, halfway.
fn halfway_templates(dir: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for v in VENDORS {
        let baseline =
            std::fs::read_to_string(repo.join(format!("templates/{v}/baseline.j2"))).unwrap();
        let mut lines: Vec<&str> = baseline.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("hostname"))
            .unwrap()
            + 2;
        lines.insert(at, "no such command");
        write(dir, &format!("tpl/{v}/half.j2"), &(lines.join("\n") + "\n"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_whose_push_failed_halfway_is_restored_from_its_folder_on_every_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let sims = five(dir).await;
    let names: Vec<String> = sims.iter().map(|(n, _)| n.clone()).collect();
    write(dir, "m.toml", &manifest(&names, "half"));
    halfway_templates(dir);
    let found: Vec<_> = sims.iter().map(|(_, s)| truth(s)).collect();
    let run = [&["--templates", "tpl"][..], &RUN[..], &["--runs", "runs"]].concat();
    let out = switchlab(&run, &ENV, dir).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("no such command"), "{t}");
    for ((name, sim), was) in sims.iter().zip(&found) {
        assert_ne!(
            &truth(sim),
            was,
            "{name}: the lines before the rejected one went in"
        );
    }
    let folder = the_run_folder(&dir.join("runs"));
    let json = run_json(&folder);
    for (name, _) in &sims {
        let device = (json["devices"].as_array().unwrap().iter())
            .find(|d| d["device"] == name.as_str())
            .unwrap();
        assert_eq!(device["push"], "failed", "{json}");
        assert_eq!(device["config_before_sha256"].as_str().unwrap().len(), 64);
        let before = read(&folder, &format!("configs/{name}.before.txt"));
        assert!(before.contains("hostname lab-old"), "{name}: {before}");
        let after = read(&folder, &format!("configs/{name}.after.txt"));
        assert!(
            after.contains(&format!("hostname {name}")),
            "{name}: {after}"
        );
    }

    // The lab comes from the run folder's copy.
    let f = folder.display().to_string();
    let out = switchlab(&["restore", &f, "--accept-new-host-keys"], &ENV, dir).await;
    let t = text(&out);
    assert!(
        out.status.success() && t.contains("5 of 5 devices restored"),
        "{t}"
    );
    for ((name, sim), was) in sims.iter().zip(&found) {
        assert_eq!(&truth(sim), was, "{name}: {t}");
        let transcript = read(&folder, &format!("transcripts/{name}.restore.log"));
        assert!(
            transcript.contains("hostname lab-old"),
            "{name}: {transcript}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn run_restore_leaves_the_switch_as_found_also_after_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let name = "sw-found".to_string();
    let sim = found_eos(dir, &name).await;
    let long = manifest(std::slice::from_ref(&name), "baseline").replace("\"1s\"", "\"10m\"");
    write(dir, "m.toml", &long);
    let found = truth(&sim);
    let run = [&RUN[..], &["--runs", "runs", "--restore"]].concat();
    let running = run_until(&run, dir, "every push done").await;
    assert_ne!(truth(&sim), found, "the baseline is in");
    nix::sys::signal::kill(running.pid(), nix::sys::signal::Signal::SIGTERM).unwrap();
    let (out, err) = running.finish().await;
    assert_eq!(out.status.code(), Some(INTERRUPTED), "{err}");
    let said = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(said.contains("1 of 1 devices restored"), "{said}");
    assert_eq!(truth(&sim), found, "{said}");
}

/// EOS is restored by replacing its config (`[restore.replace]`): one session that starts
/// clean, committed at once, so no port changes link; a line the switch refuses aborts the
/// session and leaves the switch as it was, not half cleaned.
#[tokio::test(flavor = "multi_thread")]
async fn eos_is_restored_in_one_committed_session_and_a_refused_line_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let name = "sw-eos".to_string();
    let sim = found_eos(dir, &name).await;
    write(
        dir,
        "m.toml",
        &manifest(std::slice::from_ref(&name), "baseline"),
    );
    let found = truth(&sim);
    let push = [&PUSH[..], &["--snapshots", "snap"]].concat();
    let out = switchlab(&push, &ENV, dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let pushed = truth(&sim);
    assert_ne!(pushed, found, "the baseline is in");
    let changes = |sim: &Sim| sim.device.lock().unwrap().truth.len();
    let links = changes(&sim);

    let restore = ["restore", "snap", "--lab", "lab.toml"];
    let restore = [&restore[..], &["--accept-new-host-keys"]].concat();
    let out = switchlab(&restore, &ENV, dir).await;
    let t = text(&out);
    assert!(
        out.status.success() && t.contains("1 of 1 devices restored"),
        "{t}"
    );
    assert_eq!(truth(&sim), found, "{t}");
    assert_eq!(changes(&sim), links, "a replace changes no port's link");
    let transcript = read(
        &dir.join("snap"),
        &format!("transcripts/{name}.restore.log"),
    );
    let at = |s: &str| {
        transcript
            .find(s)
            .unwrap_or_else(|| panic!("{s}: {transcript}"))
    };
    assert!(
        at("configure session") < at("rollback clean-config")
            && at("rollback clean-config") < at("hostname lab-old")
            && at("hostname lab-old") < at("commit"),
        "{transcript}"
    );
    assert!(
        !transcript.contains("no description"),
        "no undo lines: {transcript}"
    );

    // A snapshot with a line the switch refuses: nothing of it is taken.
    let out = switchlab(&push, &ENV, dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let snap = dir.join("snap");
    let before = snap.join(format!("configs/{name}.before.txt"));
    let text_before = std::fs::read_to_string(&before).unwrap();
    let bad = text_before.replace("hostname lab-old\n", "hostname lab-old\nfrobnicate now\n");
    std::fs::write(&before, bad).unwrap();
    let f = snap.display().to_string();
    let out = switchlab(
        &["restore", &f, "--lab", "lab.toml", "--accept-new-host-keys"],
        &ENV,
        dir,
    )
    .await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("frobnicate now"),
        "the refused line is named: {t}"
    );
    assert_eq!(truth(&sim), pushed, "aborted, not half cleaned: {t}");
    let transcript = read(&snap, &format!("transcripts/{name}.restore.log"));
    assert!(transcript.contains("abort"), "{transcript}");
}

/// Regression: an endpoint the traffic could not reach ended the run before its last
/// files: run.json stayed `incomplete`, ports.csv, summary.csv and report.html were never
/// written, and `--restore` was skipped, leaving the pushed baseline on the switch. Now the
/// failure is one of the run's errors, the folder is whole, and the switch is put back.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_still_ends_the_run_with_its_evidence_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let name = "sw-found".to_string();
    let mut o = options("arista_eos");
    o.hostname = Some("lab-old".into());
    let (sim, addr) = ssh_sim(o).await;
    // A port nothing listens on: the endpoint's SSH is down.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let lab = ssh_device(&name, "arista_eos", addr, &[])
        + &cabled(&[("Ethernet1", "s1"), ("Ethernet2", "s2")])
        + &format!(
            "[[endpoint]]\nname = \"s1\"\naddress = \"127.0.0.71\"\n[[endpoint]]\nname = \"s2\"\naddress = \"127.0.0.72\"\nssh = {{ host = \"127.0.0.1\", port = {port}, user = \"root\", password_env = \"T_PASS\" }}\n"
        );
    write(dir, "lab.toml", &lab);
    // Counters and state: no syslog receiver on the default port beside other tests.
    let m = manifest(std::slice::from_ref(&name), "baseline").replace(
        "[flaps]\n",
        "[flaps]\nsources = [\"counters\", \"state\"]\n",
    ) + "[[throughput]]\nname = \"t1\"\nfrom = \"s1\"\nto = \"s2\"\nduration = \"1s\"\n";
    write(dir, "m.toml", &m);
    let found = truth(&sim);
    let run = [&RUN[..], &["--runs", "runs", "--restore"]].concat();
    let out = switchlab(&run, &ENV, dir).await;
    let t = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "something could not be done: {t}"
    );
    assert!(t.contains("1 of 1 devices restored"), "{t}");
    assert_eq!(truth(&sim), found, "the switch is as found: {t}");
    let folder = the_run_folder(&dir.join("runs"));
    for file in ["ports.csv", "summary.csv", "report.html", "junit.xml"] {
        assert!(folder.join(file).exists(), "{file}: {t}");
    }
    assert!(!t.contains("not written"), "{t}");
    let data = switchlab::record::read::RunData::read(&folder).unwrap();
    assert_eq!(data.run.outcome, switchlab::states::RunOutcome::Errors);
    assert!(
        data.run.errors.iter().any(|e| e.starts_with("traffic: ")),
        "{:?}",
        data.run.errors
    );
    assert!(!data.ports.is_empty(), "the ports were judged");
}

/// `show running-config` as `switchlab show` prints it from `name`, without the header
/// lines that change by themselves (size, build banner, timestamps).
async fn running_text(dir: &Path, name: &str) -> String {
    let show = [
        "show",
        "--lab",
        "lab.toml",
        "--accept-new-host-keys",
        name,
        "show running-config",
    ];
    let out = switchlab(&show, &ENV, dir).await;
    assert!(out.status.success(), "{name}: {}", text(&out));
    let volatile = regex::Regex::new(
        r"^(Building configuration|Current configuration|!\s*(Last configuration change|NVRAM config last updated|Time:|Command:))",
    )
    .unwrap();
    (String::from_utf8_lossy(&out.stdout).lines())
        .map(str::trim_end)
        .filter(|l| !volatile.is_match(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restore_gives_back_the_running_config_text_it_found_on_every_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let sims = five(dir).await;
    let mut found = Vec::new();
    for (name, _) in &sims {
        found.push(running_text(dir, name).await);
    }
    let push = [&PUSH[..], &["--snapshots", "snap"]].concat();
    let out = switchlab(&push, &ENV, dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let restore = ["restore", "snap", "--lab", "lab.toml"];
    let restore = [&restore[..], &["--accept-new-host-keys"]].concat();
    let out = switchlab(&restore, &ENV, dir).await;
    let t = text(&out);
    assert!(t.contains("5 of 5 devices restored"), "{t}");
    for ((name, _), was) in sims.iter().zip(&found) {
        let now = running_text(dir, name).await;
        assert!(now.contains("hostname lab-old"), "{name}: {now}");
        assert_eq!(&now, was, "{name}: the text it was found with\n{t}");
    }
}
