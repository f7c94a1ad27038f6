//! SSH access paths against simulators on loopback: a jump host (a simulator standing in
//! for the bastion), ssh-agent keys (OpenSSH's own agent), and the legacy algorithms old
//! switches speak. Plus `switchlab ports` reading USB adapters from a /sys tree.

mod common;

use common::*;

/// `switchlab show --lab lab.toml DEVICE "show version"` in `dir`, learning host keys.
async fn show_version(
    device: &str,
    env: &[(&str, &str)],
    dir: &std::path::Path,
) -> std::process::Output {
    let learn = "--accept-new-host-keys";
    let args = ["show", "--lab", "lab.toml", device, "show version", learn];
    switchlab(&args, env, dir).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_behind_a_jump_host() {
    let dir = tempfile::tempdir().unwrap();
    let (_bastion, b) = ssh_sim(options("arista_eos")).await;
    let (_target, t) = ssh_sim(options("cisco_ios")).await;
    let dev = format!(
        "[[device]]\nname = \"behind\"\nvendor = \"cisco_ios\"\nsecret_env = \"T_SECRET\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"admin\", password_env = \"T_PASS\", jump = \"admin@127.0.0.1:{}\" }}\n",
        t.port(),
        b.port()
    );
    std::fs::write(dir.path().join("lab.toml"), &dev).unwrap();
    let out = show_version("behind", &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Cisco IOS Software"),
        "the command ran on the target, not the bastion: {}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_from_ssh_agent() {
    if !have_tool("ssh-agent", "keys_from_ssh_agent") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key =
        russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519).unwrap();
    let key_path = dir.path().join("id");
    key.write_openssh_file(&key_path, russh::keys::ssh_key::LineEnding::LF)
        .unwrap();
    let sock = dir.path().join("agent.sock");
    let mut agent = std::process::Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&sock)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("OpenSSH's ssh-agent is installed");
    for _ in 0..100 {
        if sock.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await; // test setup waits for the agent's socket
    }
    let added = std::process::Command::new("ssh-add")
        .arg(&key_path)
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut o = options("arista_eos");
    o.authorized_keys.push(key.public_key().clone());
    o.password = "not-used-by-the-client".into();
    let (_sim, addr) = ssh_sim(o).await;
    let dev = format!(
        "[[device]]\nname = \"a\"\nvendor = \"arista_eos\"\nsecret_env = \"T_SECRET\"\nssh = {{ host = \"127.0.0.1\", port = {}, user = \"admin\", agent = true }}\n",
        addr.port()
    );
    std::fs::write(dir.path().join("lab.toml"), dev).unwrap();
    let sock_s = sock.display().to_string();
    let out = show_version(
        "a",
        &[("SSH_AUTH_SOCK", &sock_s), ("T_SECRET", "enablepw")],
        dir.path(),
    )
    .await;
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Arista DCS-7048T-A"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_old_switch_needs_legacy_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options("cisco_ios");
    o.legacy_algorithms = true;
    let (_sim, addr) = ssh_sim(o).await;
    let plain = ssh_device("old", "cisco_ios", addr, &[]);
    std::fs::write(dir.path().join("lab.toml"), &plain).unwrap();
    let out = show_version("old", &ENV, dir.path()).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("legacy_algorithms = true"),
        "the error says what to do: {}",
        text(&out)
    );
    std::fs::write(
        dir.path().join("lab.toml"),
        plain.replace(
            "password_env = \"T_PASS\"",
            "password_env = \"T_PASS\", legacy_algorithms = true",
        ),
    )
    .unwrap();
    let out = show_version("old", &ENV, dir.path()).await;
    assert!(out.status.success(), "{}", text(&out));
}

/// A TCP peer on loopback that is no SSH server: it closes at once, answers like an HTTP
/// server, or accepts and stays silent.
async fn not_ssh(behaviour: &'static str) -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut s, _)) = l.accept().await {
            match behaviour {
                "close" => drop(s),
                "http" => {
                    let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                }
                _ => held.push(s),
            }
        }
    });
    addr
}

// Regression: "for an old switch, set legacy_algorithms = true" came with any failure,
// and the handshake waited its own 10 s whatever --timeout said.
#[tokio::test(flavor = "multi_thread")]
async fn the_legacy_hint_only_for_no_common_algorithm_and_one_timeout_rule() {
    let dir = tempfile::tempdir().unwrap();
    for behaviour in ["close", "http"] {
        let addr = not_ssh(behaviour).await;
        std::fs::write(
            dir.path().join("lab.toml"),
            ssh_device("x", "cisco_ios", addr, &[]),
        )
        .unwrap();
        let out = show_version("x", &ENV, dir.path()).await;
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{behaviour}: {t}");
        assert!(!t.contains("legacy_algorithms"), "{behaviour}: {t}");
    }
    let addr = not_ssh("silent").await;
    std::fs::write(
        dir.path().join("lab.toml"),
        ssh_device("x", "cisco_ios", addr, &[]),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let args = [
        "show",
        "--lab",
        "lab.toml",
        "x",
        "show version",
        "--timeout",
        "1s",
    ];
    let out = switchlab(&args, &ENV, dir.path()).await;
    let t = text(&out);
    assert!(
        t.contains("no answer from")
            && t.contains("within 1s while connecting and exchanging keys"),
        "{t}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn usb_serial_adapters_are_read_from_sys() {
    let root = tempfile::tempdir().unwrap();
    let usb = root.path().join("devices/usb1/1-1");
    let tty_dev = usb.join("1-1:1.0/ttyUSB0");
    std::fs::create_dir_all(&tty_dev).unwrap();
    for (f, v) in [
        ("idVendor", "0403"),
        ("idProduct", "6001"),
        ("manufacturer", "FTDI"),
        ("product", "FT232R USB UART"),
        ("serial", "A10KXYZ1"),
    ] {
        std::fs::write(usb.join(f), format!("{v}\n")).unwrap();
    }
    let class = root.path().join("class/tty/ttyUSB0");
    std::fs::create_dir_all(&class).unwrap();
    std::os::unix::fs::symlink(&tty_dev, class.join("device")).unwrap();
    std::fs::create_dir_all(root.path().join("class/tty/tty0")).unwrap(); // no device: not an adapter
    let list = switchlab::transport::usb::list(root.path());
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].port, "/dev/ttyUSB0");
    assert_eq!(
        (
            list[0].vendor_id.as_deref(),
            list[0].serial.as_deref(),
            list[0].product.as_deref()
        ),
        (Some("0403"), Some("A10KXYZ1"), Some("FT232R USB UART"))
    );
}

/// A TCP server on loopback that answers every connection with `reply` and closes.
async fn answering(reply: &'static [u8]) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.write_all(reply).await;
            let _ = s.shutdown().await;
        }
    });
    addr
}

// Both were said as key-exchange errors before.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_closes_at_once_or_is_not_ssh_is_said_to_be_that() {
    let dir = tempfile::tempdir().unwrap();
    let closing = answering(b"").await;
    let web = answering(b"HTTP/1.1 400 Bad Request\r\nServer: test\r\n\r\n").await;
    let lab = format!(
        "{}{}",
        ssh_device("closing", "arista_eos", closing, &[]),
        ssh_device("web", "arista_eos", web, &[])
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let t = text(&show_version("closing", &ENV, dir.path()).await);
    assert!(
        t.contains("closed the connection before the SSH banner"),
        "{t}"
    );
    let t = text(&show_version("web", &ENV, dir.path()).await);
    assert!(
        t.contains(&format!(
            "{web} does not speak SSH: it sent `HTTP/1.1 400 Bad Request`"
        )),
        "{t}"
    );
}

/// A web server on the SSH port: `HTTP/1.1 400 Bad Request` to each connection, at once or
/// after the client's first bytes (as a real one answers), then closing or staying open.
async fn web_server(after_request: bool, close: bool) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                if after_request {
                    let _ = s.read(&mut [0u8; 256]).await;
                }
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                match close {
                    true => drop(s),
                    false => std::future::pending::<()>().await,
                }
            });
        }
    });
    addr
}

/// `switchlab show` against `addr` with `--timeout`: what it said, and how long it took.
async fn show_at(
    addr: std::net::SocketAddr,
    timeout: &str,
    dir: &std::path::Path,
) -> (String, std::time::Duration) {
    let lab = ssh_device("x", "cisco_ios", addr, &[]);
    std::fs::write(dir.join("lab.toml"), lab).unwrap();
    let started = std::time::Instant::now();
    let args = ["show", "--lab", "lab.toml", "x", "show version"];
    let out = switchlab(&[&args[..], &["--timeout", timeout]].concat(), &ENV, dir).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    (text(&out), started.elapsed())
}

// Regression (#43): a web server on the SSH port was "no answer from … within 2s while
// connecting and exchanging keys", though it had answered `HTTP/1.1 400 Bad Request`.
#[tokio::test(flavor = "multi_thread")]
async fn a_web_server_on_the_ssh_port_is_named_by_its_first_line_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for (after_request, close) in [(true, true), (true, false), (false, true), (false, false)] {
        let addr = web_server(after_request, close).await;
        let (t, took) = show_at(addr, "20s", dir.path()).await;
        let case = format!("after the request {after_request}, closing {close}");
        assert!(
            t.contains(&format!(
                "{addr} does not speak SSH: it sent `HTTP/1.1 400 Bad Request`"
            )),
            "{case}: {t}"
        );
        assert!(took < std::time::Duration::from_secs(8), "{case}: {took:?}");
    }
    // Nothing sent at all is still no answer.
    let addr = not_ssh("silent").await;
    let (t, _) = show_at(addr, "1s", dir.path()).await;
    assert!(
        t.contains(&format!(
            "no answer from {addr} within 1s while connecting and exchanging keys"
        )),
        "{t}"
    );
}

// RFC 4253 lets a server send lines before its `SSH-` line: such a server is not named
// as something else, even when what follows its `SSH-` line is no key exchange.
#[tokio::test(flavor = "multi_thread")]
async fn lines_before_the_ssh_line_do_not_make_a_server_something_else() {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.write_all(b"Welcome to the lab\r\n").await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let _ = s.write_all(b"SSH-2.0-Lab_1.0\r\nnot a key exchange").await;
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = show_at(addr, "3s", dir.path()).await;
    assert!(!t.contains("does not speak SSH"), "{t}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_hosts_path_that_is_a_folder_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, addr) = ssh_sim(options("arista_eos")).await;
    std::fs::create_dir(dir.path().join("hosts")).unwrap();
    let lab = format!(
        "known_hosts = \"hosts\"\n{}",
        ssh_device("a", "arista_eos", addr, &[])
    );
    std::fs::write(dir.path().join("lab.toml"), lab).unwrap();
    let out = show_version("a", &ENV, dir.path()).await;
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("hosts is a folder"), "{t}");
}
