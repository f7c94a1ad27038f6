//! The login machine walked through made-up hits: no device, no I/O.

use super::*;

fn vendor() -> Vendor {
    let reg = crate::vendor::Registry::load(None, None).unwrap();
    reg.vendor("cisco_ios").unwrap().clone()
}

fn hit(want: Want, before: &str, mode: Option<&str>, tail: &str) -> Hit {
    Hit {
        want,
        mode: mode.map(ModeName::from),
        before: before.into(),
        tail: tail.into(),
    }
}

fn creds() -> Credentials {
    Credentials {
        user: Some("admin".into()),
        password: Some("pw".into()),
        secret: Some("sec".into()),
        password_from: Some("LAB_PASS".into()),
        secret_from: Some("LAB_SECRET".into()),
        ..Credentials::default()
    }
}

#[test]
fn a_console_login_goes_from_username_to_privileged_and_skips_stale_prompts() {
    let (v, c) = (vendor(), creds());
    let mut l = Login::new("sw", &v, &c);
    let mut step = |want, before: &str, mode: Option<&str>, tail: &str| {
        l.step(&hit(want, before, mode, tail)).unwrap()
    };
    let line = |s: &str| Action::Line(s.into());
    assert_eq!(step(Want::Username, "", None, "Username:"), line("admin"));
    assert_eq!(step(Want::Password, "", None, "Password:"), line("pw"));
    assert_eq!(
        step(Want::Prompt, "\n", Some("user"), "Switch>"),
        line("enable")
    );
    // A prompt left over from an earlier Enter: not where `enable` led.
    assert_eq!(
        step(Want::Prompt, "\n", Some("user"), "Switch>"),
        Action::Wait
    );
    assert_eq!(
        step(Want::Password, "enable\n", None, "Password:"),
        line("sec")
    );
    assert_eq!(
        step(Want::Prompt, "\n", Some("privileged"), "Switch#"),
        Action::Done
    );
    assert_eq!(
        step(Want::Pager, "", None, " --More-- "),
        Action::Raw(" ".into())
    );
}

#[test]
fn a_refused_secret_and_a_refused_login_name_what_to_fix() {
    let (v, c) = (vendor(), creds());
    let mut l = Login::new("sw", &v, &c);
    l.step(&hit(Want::Prompt, "\n", Some("user"), "Switch>"))
        .unwrap();
    l.step(&hit(Want::Password, "enable\n", None, "Password:"))
        .unwrap();
    let e = l.step(&hit(
        Want::Prompt,
        "% Access denied\n",
        Some("user"),
        "Switch>",
    ));
    let e = e.unwrap_err().to_string();
    assert!(
        e.contains("the enable secret from $LAB_SECRET was refused") && e.contains("Access denied"),
        "{e}"
    );

    let mut l = Login::new("sw", &v, &c);
    l.step(&hit(Want::Username, "", None, "Username:")).unwrap();
    l.step(&hit(Want::Password, "", None, "Password:")).unwrap();
    let e = l
        .step(&hit(Want::LoginFailed, "% Login invalid", None, ""))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "device 'sw': console login as 'admin' refused (password from $LAB_PASS): \"% Login invalid\""
    );
}

// Regression: a console server's user was told to set `serial.user`, a key its lab entry
// does not have.
#[test]
fn a_missing_login_names_the_key_of_the_way_the_device_is_reached() {
    let v = vendor();
    let console = Credentials {
        user_key: "console.login_user".into(),
        password_key: "console.login_password_env".into(),
        ..Credentials::default()
    };
    let mut l = Login::new("sw", &v, &console);
    let e = l
        .step(&hit(Want::Username, "", None, "Username:"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("set console.login_user in the lab"), "{e}");
    let e = l
        .step(&hit(Want::Password, "", None, "Password:"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("set console.login_password_env in the lab"),
        "{e}"
    );
    let e = expand("sw", &console, "$secret").unwrap_err().to_string();
    assert!(e.contains("set secret_env in the lab"), "{e}");
}

#[test]
fn the_mode_graph_says_how_to_get_to_privileged_from_anywhere() {
    let v = vendor();
    assert_eq!(
        step_toward(&v, &ModeName::Privileged, Some(&ModeName::from("user"))),
        Step::Enter(ModeName::Privileged, "enable".into())
    );
    assert_eq!(
        step_toward(&v, &ModeName::Privileged, Some(&ModeName::Config)),
        Step::Leave("end".into())
    );
}

// Regression (#44): a console left at `Password:` answers the first Enter with
// `% Login invalid`, which failed the login before any credential was sent.
#[test]
fn a_failure_before_any_credential_went_out_is_stale_and_read_past() {
    let (v, c) = (vendor(), creds());
    let mut l = Login::new("sw", &v, &c);
    let stale = hit(Want::LoginFailed, "\n% Login invalid\n", None, "");
    assert_eq!(l.step(&stale).unwrap(), Action::Wait);
    assert_eq!(
        l.step(&hit(Want::Username, "\n", None, "Username:"))
            .unwrap(),
        Action::Line("admin".into())
    );
    l.step(&hit(Want::Password, "", None, "Password:")).unwrap();
    let e = l.step(&stale).unwrap_err().to_string();
    assert!(e.contains("console login as 'admin' refused"), "{e}");
}
