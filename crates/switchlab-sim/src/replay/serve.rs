//! A replay's front ends: SSH (russh; any user, any password unless one was given, any
//! key) and a pty console, each session a [`ReplaySession`] whose answers a writer task
//! sends in order, each after its delay.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::server::{Auth, Handle, Msg, Server as _, Session as SshSession};
use russh::{Channel, ChannelId};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Replay;
use super::session::{ReplaySession, Reply};

/// A replay's listeners; they stop when it is dropped.
pub struct ReplayServer {
    tasks: Vec<JoinHandle<()>>,
    links: Vec<(PathBuf, PathBuf)>,
}

impl ReplayServer {
    pub fn new() -> ReplayServer {
        ReplayServer {
            tasks: Vec::new(),
            links: Vec::new(),
        }
    }
}

impl Default for ReplayServer {
    fn default() -> Self {
        ReplayServer::new()
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for (link, tty) in &self.links {
            switchlab::transport::console_link::release(link, tty);
        }
    }
}

struct Server(Arc<Replay>);

impl russh::server::Server for Server {
    type Handler = Conn;
    fn new_client(&mut self, _: Option<SocketAddr>) -> Conn {
        Conn {
            replay: self.0.clone(),
            sessions: HashMap::new(),
        }
    }
}

struct Conn {
    replay: Arc<Replay>,
    sessions: HashMap<ChannelId, (ReplaySession, mpsc::UnboundedSender<Reply>)>,
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_password(&mut self, _user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(match self.replay.accepts_password(password) {
            true => Auth::Accept,
            false => Auth::reject(),
        })
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        _key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.replay.password {
            None => Auth::Accept,
            Some(_) => Auth::reject(),
        })
    }

    async fn channel_open_session(
        &mut self,
        _channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _w: u32,
        _h: u32,
        _pw: u32,
        _ph: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        let (cli, greeting) = ReplaySession::new(self.replay.clone());
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(ssh_writer(session.handle(), channel, rx));
        let _ = tx.send(Reply {
            delay: std::time::Duration::ZERO,
            bytes: greeting,
        });
        self.sessions.insert(channel, (cli, tx));
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        if let Some((cli, tx)) = self.sessions.get_mut(&channel) {
            for reply in cli.feed(data) {
                let _ = tx.send(reply);
            }
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        self.sessions.remove(&channel);
        Ok(())
    }
}

/// Sends a session's replies in order, each after its delay (a recorded device's pace).
async fn ssh_writer(handle: Handle, channel: ChannelId, mut rx: mpsc::UnboundedReceiver<Reply>) {
    while let Some(r) = rx.recv().await {
        if !r.delay.is_zero() {
            tokio::time::sleep(r.delay).await;
        }
        if !r.bytes.is_empty() && handle.data(channel, r.bytes).await.is_err() {
            return;
        }
    }
}

/// Serve `replay` over SSH on `addr` (port 0: any free port); the host key is the one a
/// simulator of the same vendor and device would have.
pub async fn serve_ssh(
    replay: Arc<Replay>,
    addr: SocketAddr,
    server: &mut ReplayServer,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let opts = crate::SimOptions::new(&replay.profile.vendor);
    let cfg = Arc::new(crate::ssh::config(&opts));
    server.tasks.push(tokio::spawn(async move {
        let mut s = Server(replay);
        if let Err(e) = s.run_on_socket(cfg, &listener).await {
            tracing::warn!("replay's ssh listener on {bound} stopped: {e}");
        }
    }));
    Ok(bound)
}

/// Serve `replay` on a new pty console that `link` names; one session for the console's
/// life, as a switch's console is.
pub fn serve_console(
    replay: Arc<Replay>,
    link: &Path,
    server: &mut ReplayServer,
) -> std::io::Result<PathBuf> {
    let (pty, tty, slave) = crate::console::open_pty(link)?;
    server.links.push((link.to_path_buf(), tty.clone()));
    let (mut cli, greeting) = ReplaySession::new(replay);
    let (tx, mut rx) = mpsc::unbounded_channel::<Reply>();
    let writer_pty = pty.clone();
    server.tasks.push(tokio::spawn(async move {
        if writer_pty.write_all(&greeting).await.is_err() {
            return;
        }
        while let Some(r) = rx.recv().await {
            if !r.delay.is_zero() {
                tokio::time::sleep(r.delay).await;
            }
            if writer_pty.write_all(&r.bytes).await.is_err() {
                return;
            }
        }
    }));
    server.tasks.push(tokio::spawn(async move {
        let _slave = slave;
        let mut buf = [0u8; 1024];
        loop {
            match pty.read(&mut buf).await {
                Ok(n) if n > 0 => {
                    for reply in cli.feed(&buf[..n]) {
                        let _ = tx.send(reply);
                    }
                }
                // Nothing or EIO while no client holds the line: wait for one.
                _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }));
    Ok(tty)
}
