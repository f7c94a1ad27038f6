//! switchlab on a real pty, as a lab engineer's terminal runs it: everything it wrote to
//! the terminal, until it exits.

use std::io::Read;
use std::os::fd::AsFd;
use std::path::Path;

/// Run switchlab with `args` in `cwd` on a pty of `size` (rows, columns; the kernel's
/// default without), with `env` set (and `COLUMNS` only if `env` sets it: the pty's width
/// is the terminal's); its exit status and every byte it wrote to the terminal.
pub(crate) async fn on_pty(
    args: &[&str],
    cwd: &Path,
    size: Option<(u16, u16)>,
    env: &[(&str, &str)],
) -> (std::process::ExitStatus, Vec<u8>) {
    let size = size.map(|(rows, cols)| nix::pty::Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    });
    let pty = nix::pty::openpty(size.as_ref(), None).unwrap();
    let slave = || std::process::Stdio::from(pty.slave.as_fd().try_clone_to_owned().unwrap());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("switchlab"))
        .args(args)
        .current_dir(cwd)
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(slave())
        .stderr(slave())
        .spawn()
        .unwrap();
    drop(pty.slave);
    let mut master = std::fs::File::from(pty.master);
    let bytes = tokio::task::spawn_blocking(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        // Until every slave end is closed (EIO): the program has exited.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    })
    .await
    .unwrap();
    (child.wait().unwrap(), bytes)
}
