//! The serial console front end: a pty whose slave side switchlab opens exactly as it opens
//! /dev/ttyUSB0 (a symlink names it). One console session lives as long as the switch, so
//! a client that reconnects finds it where it was left (config mode, mid-pager, …).
//! Log messages arrive asynchronously, between lines of command output as on real consoles.

use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use nix::sys::termios;
use tokio::io::unix::AsyncFd;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::Sim;
use super::session::{Session, SessionStart};

pub(super) struct Pty(AsyncFd<OwnedFd>);

impl Pty {
    pub(super) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.0.readable().await?;
            match guard.try_io(|fd| nix::unistd::read(fd.get_ref(), buf).map_err(io::Error::from)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }

    pub(super) async fn write_all(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let mut guard = self.0.writable().await?;
            match guard.try_io(|fd| nix::unistd::write(fd.get_ref(), data).map_err(io::Error::from))
            {
                Ok(Ok(n)) => data = &data[n..],
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
        Ok(())
    }
}

/// A console line of `sim`: its session (as a console: a login where the switch asks one,
/// the setup dialog of a factory box), what it prints first, and its log messages.
pub(super) fn line(sim: &Sim) -> (Session, Vec<u8>, broadcast::Receiver<String>) {
    let (session, greeting) = Session::new(
        sim.dialect,
        sim.device.clone(),
        SessionStart {
            console: true,
            authenticated: false,
            acknowledge: false,
            echo_secrets: sim.options.echo_secrets,
        },
    );
    let logs = super::session::lock(&sim.device).console_tx.subscribe();
    (session, greeting, logs)
}

/// A log message as a console prints it: on a line of its own.
pub(super) fn log_line(msg: &str) -> Vec<u8> {
    format!("\r\n{msg}\r\n").into_bytes()
}

/// A raw pty whose slave `link` names: the master to serve on, the tty, and the slave
/// (held open so the master stays readable while no client is attached).
pub(super) fn open_pty(link: &Path) -> io::Result<(Arc<Pty>, PathBuf, OwnedFd)> {
    let pty = nix::pty::openpty(None, None).map_err(io::Error::from)?;
    // Raw mode on the slave: otherwise the line discipline would echo our own output back.
    let mut t = termios::tcgetattr(&pty.slave).map_err(io::Error::from)?;
    termios::cfmakeraw(&mut t);
    termios::tcsetattr(&pty.slave, termios::SetArg::TCSANOW, &t).map_err(io::Error::from)?;
    let tty = nix::unistd::ttyname(&pty.slave).map_err(io::Error::from)?;
    switchlab::transport::console_link::claim(link, &tty)?;
    let flags =
        nix::fcntl::fcntl(&pty.master, nix::fcntl::FcntlArg::F_GETFL).map_err(io::Error::from)?;
    let flags = nix::fcntl::OFlag::from_bits_truncate(flags) | nix::fcntl::OFlag::O_NONBLOCK;
    nix::fcntl::fcntl(&pty.master, nix::fcntl::FcntlArg::F_SETFL(flags))
        .map_err(io::Error::from)?;
    // SAFETY: the OwnedFd is moved into the AsyncFd, which owns it until dropped; an OwnedFd
    // always reports the same open descriptor.
    let fd =
        unsafe { AsyncFd::register(pty.master) }.map_err(|e| io::Error::other(e.to_string()))?;
    Ok((Arc::new(Pty(fd)), tty, pty.slave))
}

/// Create the pty, link it, and serve the console session on it.
pub fn serve(sim: &Sim, link: &Path) -> io::Result<(PathBuf, JoinHandle<()>)> {
    let (master, tty, slave) = open_pty(link)?;
    let (session, greeting, console_rx) = line(sim);
    let pace = match (sim.options.pace_baud, sim.options.split_writes) {
        (Some(baud), _) => Pace::Baud(baud),
        (None, true) => Pace::Singly,
        (None, false) => Pace::Full,
    };
    let task = tokio::spawn(async move {
        // Holding the slave open keeps the master readable while no client is attached.
        let _slave = slave;
        let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let _ = out_tx.send(greeting);
        let writer = tokio::spawn(write_loop(master.clone(), out_rx, console_rx, pace));
        read_loop(master, session, out_tx).await;
        writer.abort();
    });
    Ok((tty, task))
}

async fn read_loop(pty: Arc<Pty>, mut session: Session, out: mpsc::UnboundedSender<Vec<u8>>) {
    let mut buf = [0u8; 1024];
    loop {
        match pty.read(&mut buf).await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(50)).await,
            Ok(n) => {
                let reply = session.feed(&buf[..n]);
                if !reply.is_empty() && out.send(reply).is_err() {
                    return;
                }
            }
            // EIO while no slave is open (cannot happen while we hold one): wait and retry.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Writes session output line by line, slipping pending log messages in between lines, at
/// the wire speed of `pace` baud if asked (10 bits per byte).
async fn write_loop(
    pty: Arc<Pty>,
    mut out: mpsc::UnboundedReceiver<Vec<u8>>,
    mut logs: broadcast::Receiver<String>,
    pace: Pace,
) {
    loop {
        tokio::select! {
            chunk = out.recv() => {
                let Some(chunk) = chunk else { return };
                for piece in chunk.split_inclusive(|b| *b == b'\n') {
                    while let Ok(msg) = logs.try_recv() {
                        let _ = send(&pty, &log_line(&msg), pace).await;
                    }
                    if send(&pty, piece, pace).await.is_err() {
                        return;
                    }
                }
            }
            msg = logs.recv() => match msg {
                Ok(msg) => { let _ = send(&pty, &log_line(&msg), pace).await; }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// How console output goes out.
#[derive(Debug, Clone, Copy)]
enum Pace {
    /// As fast as the pty takes it.
    Full,
    /// At a baud rate's wire time (10 bits per byte).
    Baud(u32),
    /// One byte per write, a millisecond apart: every read the client makes gets a piece.
    Singly,
}

async fn send(pty: &Pty, data: &[u8], pace: Pace) -> io::Result<()> {
    match pace {
        Pace::Full => pty.write_all(data).await,
        Pace::Singly => {
            for b in data {
                pty.write_all(std::slice::from_ref(b)).await?;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Ok(())
        }
        Pace::Baud(baud) => {
            for chunk in data.chunks(16) {
                pty.write_all(chunk).await?;
                tokio::time::sleep(Duration::from_secs_f64(
                    chunk.len() as f64 * 10.0 / baud as f64,
                ))
                .await;
            }
            Ok(())
        }
    }
}
