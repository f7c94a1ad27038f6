//! SSH with russh: password (from an environment variable), key file and ssh-agent auth;
//! host keys checked against known_hosts files (unknown refused unless accepted, changed
//! always refused with file and line); legacy algorithms on request; a jump host.
//!
//! Layout: this file (the session: open, shell, exec; authentication), `handshake` (TCP,
//! key exchange, host keys), `banner` (what the server says first).

mod auth;
mod banner;
mod handshake;

use auth::authenticate;
use handshake::{Client, session};

use std::time::Duration;

use russh::ChannelMsg;
use russh::client::{self, Handle};

use super::{ConnectOptions, Connected, Problem, TransportError};
use crate::format::lab::SshAccess;

async fn timed<T, E: std::error::Error + Send + Sync + 'static>(
    device: &str,
    addr: &str,
    what: &'static str,
    after: Duration,
    f: impl Future<Output = Result<T, E>>,
) -> Result<T, TransportError> {
    match tokio::time::timeout(after, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Problem::Ssh {
            at: format!("{addr}: {what}"),
            error: Box::new(e),
            hint: "",
        }
        .on(device)),
        Err(_) => Err(Problem::Timeout {
            addr: addr.into(),
            what,
            after,
        }
        .on(device)),
    }
}

/// Open an SSH session (through the jump host if any), authenticate, and start a shell.
pub async fn connect(
    device: &str,
    s: &SshAccess,
    opts: &ConnectOptions,
) -> Result<Connected, TransportError> {
    SshSession::open(device, s, opts).await?.shell().await
}

/// An authenticated SSH session to a device or an endpoint: a shell (a device's CLI, with a
/// pty) or commands run over exec channels (an endpoint's traffic engine, without a pty).
pub struct SshSession {
    name: String,
    addr: String,
    handle: Handle<Client>,
    /// What must stay alive with it (the jump host's session).
    keep: Vec<Box<dyn Send + Sync>>,
    timeout: std::time::Duration,
}

impl SshSession {
    /// Connect (through the jump host if any) and authenticate as the lab says. `name` is
    /// the device or endpoint, for errors.
    pub async fn open(
        name: &str,
        s: &SshAccess,
        opts: &ConnectOptions,
    ) -> Result<SshSession, TransportError> {
        let device = name;
        // The lab's own `connect_timeout` (checked when the lab was read) wins.
        let own = s
            .connect_timeout
            .as_deref()
            .and_then(|t| humantime::parse_duration(t).ok())
            .map(|t| ConnectOptions {
                connect_timeout: t,
                auth_timeout: t,
                ..opts.clone()
            });
        let opts = own.as_ref().unwrap_or(opts);
        let mut keep: Vec<Box<dyn Send + Sync>> = Vec::new();
        let handle = match &s.jump {
            None => session(device, &s.host, s.port, s.legacy_algorithms, opts, None).await?,
            Some(jump) => through(device, jump, s, opts, &mut keep).await?,
        };
        let mut handle = handle;
        authenticate(device, &mut handle, s, opts).await?;
        Ok(SshSession {
            name: device.to_string(),
            addr: format!("{}:{}", s.host, s.port),
            handle,
            keep,
            timeout: opts.connect_timeout,
        })
    }

    /// Where it is connected (`host:port`).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    async fn channel(&self) -> Result<russh::Channel<client::Msg>, TransportError> {
        timed(
            &self.name,
            &self.addr,
            "opening a session channel",
            self.timeout,
            self.handle.channel_open_session(),
        )
        .await
    }

    /// A shell with a pty: the device's CLI as one byte stream.
    pub async fn shell(self) -> Result<Connected, TransportError> {
        let (device, addr) = (self.name.clone(), self.addr.clone());
        let mut channel = self.channel().await?;
        timed(
            &device,
            &addr,
            "requesting a terminal",
            self.timeout,
            channel.request_pty(true, "vt100", 511, 24, 0, 0, &[]),
        )
        .await?;
        timed(
            &device,
            &addr,
            "starting a shell",
            self.timeout,
            channel.request_shell(true),
        )
        .await?;
        // Wait for the shell request's answer so a refused shell is an error here, not a
        // silent stream.
        shell_answer(&mut channel, &addr, self.timeout)
            .await
            .map_err(|p| p.on(&device))?;
        let mut keep = self.keep;
        keep.push(Box::new(self.handle));
        Ok(Connected {
            stream: Box::new(channel.into_stream()),
            keep_alive: keep,
            holds_type_ahead: true,
        })
    }

    /// Run `command` over an exec channel (no pty): its stdout, stderr and exit status
    /// arrive on the returned channel.
    pub async fn exec(&self, command: &str) -> Result<russh::Channel<client::Msg>, TransportError> {
        let channel = self.channel().await?;
        timed(
            &self.name,
            &self.addr,
            "starting a command",
            self.timeout,
            channel.exec(true, command.as_bytes().to_vec()),
        )
        .await?;
        Ok(channel)
    }
}

/// The device's answer to a shell request: taken, refused, or none in time.
async fn shell_answer(
    channel: &mut russh::Channel<client::Msg>,
    addr: &str,
    timeout: Duration,
) -> Result<(), Problem> {
    let ok = tokio::time::timeout(timeout, async {
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => return Ok(()),
                Some(ChannelMsg::Failure) => {
                    return Err("the device refused a shell".to_string());
                }
                Some(ChannelMsg::Close) | None => {
                    return Err("the device closed the channel".to_string());
                }
                Some(_) => {}
            }
        }
    })
    .await;
    match ok {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Problem::Ssh {
            at: addr.to_string(),
            error: e.into(),
            hint: "",
        }),
        Err(_) => Err(Problem::Timeout {
            addr: addr.to_string(),
            what: "waiting for the shell",
            after: timeout,
        }),
    }
}

/// A session with `s`'s host through the jump host `jump` (logged in as the jump's user,
/// or the device's), the jump's session kept alive in `keep`.
async fn through(
    device: &str,
    jump: &str,
    s: &SshAccess,
    opts: &ConnectOptions,
    keep: &mut Vec<Box<dyn Send + Sync>>,
) -> Result<Handle<Client>, TransportError> {
    let j =
        crate::format::lab::Jump::parse(jump).map_err(|why| Problem::Jump { why }.on(device))?;
    let (juser, jhost, jport) = (j.user, j.host, j.port);
    let mut bastion = session(device, &jhost, jport, s.legacy_algorithms, opts, None).await?;
    let mut via = s.clone();
    via.user = juser.unwrap_or_else(|| s.user.clone());
    authenticate(device, &mut bastion, &via, opts).await?;
    let addr = format!("{}:{}", s.host, s.port);
    let tunnel = timed(
        device,
        &addr,
        "opening the tunnel through the jump host",
        opts.connect_timeout,
        bastion.channel_open_direct_tcpip(s.host.clone(), s.port as u32, "127.0.0.1", 0),
    )
    .await?;
    keep.push(Box::new(bastion));
    let stream = Some(tunnel.into_stream());
    session(device, &s.host, s.port, s.legacy_algorithms, opts, stream).await
}

/// Whether `s`'s host answers SSH with a key the known_hosts files know: the key exchange
/// only, no login (`doctor`). Through a jump host, that host is checked.
pub async fn check_host_key(
    name: &str,
    s: &SshAccess,
    opts: &ConnectOptions,
) -> Result<(), TransportError> {
    let (host, port) = match &s.jump {
        Some(jump) => {
            let j = crate::format::lab::Jump::parse(jump)
                .map_err(|why| Problem::Jump { why }.on(name))?;
            (j.host, j.port)
        }
        None => (s.host.clone(), s.port),
    };
    let probe = ConnectOptions {
        accept_new_host_keys: false,
        ..opts.clone()
    };
    session(name, &host, port, s.legacy_algorithms, &probe, None)
        .await
        .map(|_| ())
}
