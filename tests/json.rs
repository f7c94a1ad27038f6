//! `--json` on the commands that print results: standard output is one JSON document and
//! nothing else (progress goes to stderr), so scripts can read it.

mod common;

use common::*;

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", text(out)))
}

#[tokio::test(flavor = "multi_thread")]
async fn vendors_check_push_watch_and_run_print_json_and_only_json() {
    let root = std::env::current_dir().unwrap();
    let out = switchlab(&["vendors", "--json"], &[], &root).await;
    let v = json(&out);
    assert_eq!(v.as_array().unwrap().len(), 5, "{v}");
    assert!(v[0]["platforms"].is_array(), "{v}");

    let demo = [
        "check",
        "--lab",
        "examples/demo/lab.toml",
        "--manifest",
        "examples/demo/manifest.toml",
        "--json",
    ];
    let v = json(&switchlab(&demo, &[], &root).await);
    assert_eq!(v["valid"], true);
    assert_eq!(v["devices"].as_array().unwrap().len(), 5, "{v}");
    assert_eq!(v["throughput"].as_array().unwrap().len(), 5, "{v}");

    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::write(
        dir.path().join("lab.toml"),
        ssh_device("sw", "arista_eos", addr, &["Ethernet1"]),
    )
    .unwrap();
    let manifest = "name = \"j\"\n[[device]]\nname = \"sw\"\n[flaps]\nsources = [\"counters\", \"state\"]\ninterval = \"300ms\"\nduration = \"600ms\"\n";
    std::fs::write(dir.path().join("m.toml"), manifest).unwrap();
    let push = [&PUSH[..], &["--json"]].concat();
    let v = json(&switchlab(&push, &ENV, dir.path()).await);
    assert_eq!(v[0]["device"], "sw");
    assert_eq!(
        (v[0]["ok"].clone(), v[0]["outcome"].clone()),
        (true.into(), "pushed".into()),
        "{v}"
    );

    let watch = watch_args("sw", "1s", "300ms", "counters,state", &["--json"]);
    let v = json(&switchlab(&watch, &ENV, dir.path()).await);
    assert_eq!(v["run"]["kind"], "watch", "{v}");
    assert_eq!(v["run"]["outcome"], "complete", "{v}");
    assert_eq!(v["ports"][0]["port"], "Ethernet1", "{v}");

    let run = [&RUN[..], &["--json"]].concat();
    let out = switchlab(&run, &ENV, dir.path()).await;
    let v = json(&out);
    assert_eq!(v["run"]["kind"], "run", "{v}");
    assert_eq!(v["run"]["devices"][0]["push"], "pushed", "{v}");
    let folder = std::path::PathBuf::from(v["folder"].as_str().unwrap());
    let folder = if folder.is_absolute() {
        folder
    } else {
        dir.path().join(folder)
    };
    assert!(folder.join("summary.csv").exists());
}
