//! Vendor profiles: every built-in profile loads with its regexes compiled and its modes
//! reachable; a sixth vendor defined only in TOML is picked up from a folder; broken
//! profiles are refused with file and key.

use assert_cmd::Command;
use predicates::prelude::*;
use switchlab::vendor::{Origin, Registry};

const BUILT_IN: [&str; 5] = [
    "arista_eos",
    "brocade_fastiron",
    "cisco_ios",
    "dell_force10",
    "interface_masters",
];

fn switchlab() -> Command {
    Command::cargo_bin("switchlab").unwrap()
}

#[test]
fn every_built_in_profile_loads_with_a_complete_mode_graph() {
    let reg = Registry::load(None, None).expect("built-in profiles are valid");
    assert_eq!(reg.vendor_names(), BUILT_IN);
    for v in reg.vendors() {
        assert_eq!(v.origin, Origin::BuiltIn);
        for mode in &switchlab::vendor::ModeName::REQUIRED {
            assert!(v.mode(mode).is_some(), "{} lacks {mode}", v.name());
        }
        assert!(!v.errors.is_empty(), "{} has no error patterns", v.name());
        // Compiled at first use, so checked here: every rule of every built-in compiles.
        if let Err(e) = v.compile_parse_rules() {
            panic!("{}: {e}", v.name());
        }
        assert_eq!(v.parse_rules().len(), v.profile.parse.len());
        assert!(
            !v.link_events.is_empty(),
            "{} has no link-event patterns",
            v.name()
        );
        assert!(
            reg.template(v.name(), "baseline").is_some(),
            "{} has no baseline template",
            v.name()
        );
        for cmd in [&v.profile.commands.interfaces, &v.profile.commands.logging] {
            assert!(
                v.parse_rule(cmd).is_some(),
                "{}: no parse rule for its own command '{cmd}'",
                v.name()
            );
        }
    }
}

#[test]
fn prompts_are_told_apart_deepest_mode_first() {
    let reg = Registry::load(None, None).unwrap();
    let cases = [
        ("cisco_ios", "Switch>", "user"),
        ("cisco_ios", "Switch#", "privileged"),
        ("cisco_ios", "Switch(config)#", "config"),
        ("cisco_ios", "Switch(config-if)#", "config_sub"),
        ("arista_eos", "sw 1 (lab)#", "privileged"),
        ("arista_eos", "sw(config-if-Et1)#", "config_sub"),
        ("dell_force10", "FTOS(conf-if-te-0/1)#", "config_sub"),
        ("dell_force10", "Dell(conf)#", "config"),
        ("brocade_fastiron", "SSH@sw1#", "privileged"),
        ("brocade_fastiron", "ICX7150-24P Switch>", "user"),
        (
            "brocade_fastiron",
            "telnet@sw1(config-if-e10000-1/1/1)#",
            "config_sub",
        ),
        ("interface_masters", "(Niagara) >", "user"),
        ("interface_masters", "(Niagara) (Config)#", "config"),
        (
            "interface_masters",
            "(Niagara) (Interface 0/1)#",
            "config_sub",
        ),
    ];
    for (vendor, prompt, want) in cases {
        let v = reg.vendor(vendor).unwrap();
        let got = v
            .modes
            .iter()
            .find(|m| m.prompt.is_match(prompt))
            .map(|m| m.name.as_str());
        assert_eq!(got, Some(want), "{vendor}: prompt {prompt:?}");
    }
}

#[test]
fn port_names_in_any_form_are_one_port() {
    let reg = Registry::load(None, None).unwrap();
    let cisco = reg.vendor("cisco_ios").unwrap();
    assert!(cisco.same_port("Gi0/1", "GigabitEthernet0/1"));
    assert!(!cisco.same_port("Gi0/1", "Te0/1"));
    let f10 = reg.vendor("dell_force10").unwrap();
    assert!(f10.same_port("Te 0/1", "TenGigabitEthernet 0/1"));
    let icx = reg.vendor("brocade_fastiron").unwrap();
    assert!(icx.same_port("1/1/1", "10GigabitEthernet1/1/1"));
    assert!(icx.same_port("ethernet 1/1/1", "e1/1/1"));
}

#[test]
fn vendors_command_lists_built_ins() {
    let out = switchlab().arg("vendors").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for v in BUILT_IN {
        assert!(text.contains(v), "{v} missing from:\n{text}");
    }
    assert!(text.contains("5 vendor profiles, all valid"));
}

#[test]
fn a_sixth_vendor_defined_only_in_toml_is_picked_up_and_usable() {
    switchlab()
        .args([
            "--vendors",
            "examples/vendors",
            "--templates",
            "examples/templates",
            "vendors",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("supermicro_sse")
                .and(predicate::str::contains(
                    "examples/vendors/supermicro_sse.toml",
                ))
                .and(predicate::str::contains("examples/vendors/frr.toml"))
                .and(predicate::str::contains("7 vendor profiles, all valid")),
        );
    // ...and a lab can use it: check + render with the folder's template.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lab.toml"),
        "[[device]]\nname = \"sse\"\nvendor = \"supermicro_sse\"\nssh = { host = \"127.0.0.1\", user = \"admin\" }\n[[device.port]]\nname = \"Ex 0/1\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("m.toml"),
        "name = \"t\"\n[[device]]\nname = \"sse\"\n",
    )
    .unwrap();
    let root = std::env::current_dir().unwrap();
    switchlab()
        .current_dir(dir.path())
        .arg("--vendors")
        .arg(root.join("examples/vendors"))
        .arg("--templates")
        .arg(root.join("examples/templates"))
        .args(["render", "--lab", "lab.toml", "--manifest", "m.toml", "sse"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "interface Ex 0/1\n description \"switchlab test port\"\n switchport mode access",
        ));
}

fn broken(edit: impl Fn(String) -> String) -> assert_cmd::assert::Assert {
    broken_profile("examples/vendors/supermicro_sse.toml", edit)
}

/// `switchlab vendors` with the profile at `path` edited, in a folder of its own.
fn broken_profile(path: &str, edit: impl Fn(String) -> String) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let name = std::path::Path::new(path).file_name().unwrap();
    std::fs::write(dir.path().join(name), edit(text)).unwrap();
    switchlab()
        .arg("--vendors")
        .arg(dir.path())
        .arg("vendors")
        .assert()
        .code(1)
}

#[test]
fn a_regex_that_does_not_compile_is_refused_with_file_line_and_key() {
    broken(|t| t.replace(r"'^% Invalid'", r"'^% Invalid('")).stderr(
        predicate::str::contains("supermicro_sse.toml:5:").and(predicate::str::contains(
            "key `errors`: regex does not compile",
        )),
    );
}

// Session patterns are compiled by regex-lite, which has no Unicode classes: a profile
// that uses one hears so at load, not at the first prompt.
#[test]
fn a_unicode_class_in_a_session_pattern_is_refused_at_load_saying_why() {
    broken(|t| t.replace(r"'(?i)login:\s*$'", r"'(?i)\pL+:\s*$'")).stderr(
        predicate::str::contains("supermicro_sse.toml:28:")
            .and(predicate::str::contains(
                "key `login.username_prompt`: regex does not compile",
            ))
            .and(predicate::str::contains(
                "Unicode character classes are not supported",
            )),
    );
}

#[test]
fn an_unreachable_or_missing_mode_is_refused() {
    broken(|t| t.replace("enter = \"configure terminal\"\n", "")).stderr(predicate::str::contains(
        "key `modes.config.enter`: mode 'config' has no `enter` command",
    ));
    broken(|t| t.replace("parent = \"config\"", "parent = \"interface\"")).stderr(
        predicate::str::contains(
            "key `modes.config_sub.parent`: parent mode 'interface' is not defined",
        ),
    );
    broken(|t| {
        t.replace("[modes.config]", "[modes.configure]")
            .replace("parent = \"config\"", "parent = \"configure\"")
    })
    .stderr(predicate::str::contains(
        "the mode graph needs a `config` mode",
    ));
    broken(|t| {
        let sub = t.find("[modes.config_sub]").unwrap();
        let (head, tail) = t.split_at(sub);
        format!("{head}{}", tail.replacen("leave = \"end\"\n", "", 1))
    })
    .stderr(predicate::str::contains(
        "mode 'config_sub' has no `leave` command",
    ));
}

// Regression: a field regex without the group `v` was accepted and gave null for every
// port; a broken `verify.ignore` regex was silently dropped.
#[test]
fn a_field_without_its_value_group_and_a_broken_ignore_are_refused() {
    broken_profile("vendors/arista_eos.toml", |t| {
        t.replacen("(?P<v>", "(?P<value>", 1)
    })
    .stderr(predicate::str::contains(
        "has no group `v` to take the value from",
    ));
    broken(|t| t.replace("[session]", "[verify]\nignore = ['^(end']\n\n[session]")).stderr(
        predicate::str::contains("key `verify.ignore`: regex does not compile"),
    );
}

#[test]
fn profile_name_must_match_file_and_unknown_keys_are_refused() {
    broken(|t| t.replace("name = \"supermicro_sse\"", "name = \"sse\"")).stderr(
        predicate::str::contains(
            "key `vendor.name`: 'sse' must match the file name 'supermicro_sse'",
        ),
    );
    broken(|t| t.replace("[session]", "[session]\npaging = \"off\""))
        .stderr(predicate::str::contains("unknown field `paging`"));
}

// Regression: `switchlab vendors | head -1` panicked with "failed printing to stdout:
// Broken pipe" (exit 101).
#[test]
fn a_closed_stdout_ends_quietly() {
    for args in [
        &["vendors"][..],
        &[
            "parse",
            "--vendor",
            "arista_eos",
            "--command",
            "show interfaces",
            "tests/fixtures/arista_eos/show_interfaces.txt",
            "--json",
        ][..],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader went away before the first line
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

// The vendors table (wide: modes, parses) wraps within the terminal's width like every
// table switchlab prints.
#[test]
fn the_vendors_table_fits_80_and_120_columns() {
    for width in [80usize, 120] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
            .arg("vendors")
            .env("COLUMNS", width.to_string())
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("arista_eos"), "{text}");
        for l in text.lines() {
            assert!(
                l.chars().count() <= width,
                "{} > {width}: {l}",
                l.chars().count()
            );
        }
    }
}

#[test]
fn a_replace_without_its_commit_is_refused_where_it_is_written() {
    broken_profile("vendors/arista_eos.toml", |t| {
        t.replace("commit = [\"commit\"]\n", "commit = []\n")
    })
    .stderr(
        predicate::str::contains("arista_eos.toml:").and(predicate::str::contains(
            "key `restore.replace.commit`: a replace needs",
        )),
    );
}

/// A folder's `[[parse]]` rules are compiled when it is loaded, although a built-in's
/// wait for their first use: a broken one is said at once, not at the first `show`.
#[test]
fn a_parse_rule_that_does_not_compile_is_refused_at_load() {
    broken_profile("vendors/cisco_ios.toml", |t| {
        t.replacen(r"rows = ['^(?P<port>", r"rows = ['^(?P<port>(", 1)
    })
    .stderr(
        predicate::str::contains("cisco_ios.toml:")
            .and(predicate::str::contains(
                "key `parse[show interfaces status].rows`",
            ))
            .and(predicate::str::contains("regex does not compile")),
    );
}

#[test]
fn a_type_ahead_of_one_line_or_a_broken_alone_pattern_is_refused_where_it_is_written() {
    let line = grep_line("vendors/cisco_ios.toml", "[session.type_ahead]");
    broken_profile("vendors/cisco_ios.toml", |t| {
        t.replace("lines = 32\n", "lines = 1\n")
    })
    .stderr(
        predicate::str::contains(format!("cisco_ios.toml:{line}:")).and(predicate::str::contains(
            "key `session.type_ahead.lines`: 1 lines in flight: give 2 to 1000",
        )),
    );
    broken_profile("vendors/cisco_ios.toml", |t| {
        t.replace(r"alone = ['^(end|exit)\b']", r"alone = ['^(end']")
    })
    .stderr(predicate::str::contains(
        "key `session.type_ahead.alone`: regex does not compile",
    ));
}

/// The 1-based line of the first line of `path` that holds `needle`.
fn grep_line(path: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    1 + text.lines().position(|l| l.contains(needle)).unwrap()
}

// `ends` closes a block; a table has none to close: a rule that gives one is told so.
#[test]
fn block_ends_on_a_table_rule_are_refused_where_they_are_written() {
    broken_profile("vendors/cisco_ios.toml", |t| {
        t.replacen(
            "command = \"show interfaces status\"\nstyle = \"table\"\n",
            "command = \"show interfaces status\"\nstyle = \"table\"\nends = '^x'\n",
            1,
        )
    })
    .stderr(
        predicate::str::contains("key `parse[show interfaces status].ends`")
            .and(predicate::str::contains("only style \"blocks\"")),
    );
}

// An `async_line` that matches anywhere in a line takes config quoting a message ID
// (`description %SW-1-CORE`) out of the output: the loader asks for the line's start.
#[test]
fn an_async_line_not_anchored_at_the_line_start_is_refused_where_it_is_written() {
    let line = grep_line("vendors/cisco_ios.toml", "async_line = ");
    broken_profile("vendors/cisco_ios.toml", |t| {
        let at = t.find("async_line = '^").unwrap() + "async_line = '".len();
        format!("{}{}", &t[..at], &t[at + 1..])
    })
    .stderr(
        predicate::str::contains(format!("cisco_ios.toml:{line}:"))
            .and(predicate::str::contains("key `async_line`"))
            .and(predicate::str::contains("where a log line starts")),
    );
    broken_profile("vendors/cisco_ios.toml", |t| {
        t.replacen("async_line = '^", "async_line = 'x|^", 1)
    })
    .stderr(predicate::str::contains("key `async_line`"));
}
