//! The SSH front end (russh): password and public-key auth, PTY + shell, many sessions at
//! once, each its own CLI session; with `legacy_algorithms`, only the old algorithms old
//! switches speak (dh-group14/group1-sha1, aes-cbc, hmac-sha1). It also stands in for an
//! SSH console server: a user `USER:PORT` (Opengear's `admin:7001`, Avocent's
//! `admin:ttyS7`) gets the switch's console (its login prompt) instead of a VTY session.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::{PrivateKey, PublicKey};
use russh::server::{Auth, Msg, Server as _, Session as SshSession};
use russh::{Channel, ChannelId, Preferred};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::dialect::Dialect;
use super::session::{Session, SessionStart};
use super::state::Device;
use super::{Sim, SimOptions};

#[derive(Clone)]
struct Shared {
    dialect: &'static Dialect,
    device: Arc<Mutex<Device>>,
    user: String,
    password: String,
    keys: Vec<PublicKey>,
    acknowledge: bool,
}

struct Server(Shared);

impl russh::server::Server for Server {
    type Handler = Conn;
    fn new_client(&mut self, _: Option<SocketAddr>) -> Conn {
        Conn {
            shared: self.0.clone(),
            sessions: HashMap::new(),
            console_port: None,
        }
    }
}

struct Conn {
    shared: Shared,
    sessions: HashMap<ChannelId, Session>,
    /// Logged in as `USER:PORT`: a console server's port, not the switch's VTY.
    console_port: Option<String>,
}

impl Conn {
    /// Whether `user` is this switch's user, or `USER:PORT` (a console server's port).
    fn known_user(&mut self, user: &str) -> bool {
        let s = &self.shared;
        if user == s.user {
            return true;
        }
        match user.split_once(':') {
            Some((u, port)) if u == s.user && !port.is_empty() => {
                self.console_port = Some(port.to_string());
                true
            }
            _ => false,
        }
    }
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let known = self.known_user(user);
        let s = &self.shared;
        Ok(
            if known && !s.password.is_empty() && password == s.password {
                Auth::Accept
            } else {
                Auth::reject()
            },
        )
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let user_known = self.known_user(user);
        let s = &self.shared;
        let known = s
            .keys
            .iter()
            .any(|k| k.key_data() == key.public_key.key_data());
        Ok(if user_known && known {
            Auth::Accept
        } else {
            Auth::reject()
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

    /// Port forwarding, so a simulator can stand in for the bastion of a jump-host setup.
    #[allow(clippy::too_many_arguments)]
    async fn channel_open_direct_tcpip(
        &mut self,
        channel: Channel<Msg>,
        host: &str,
        port: u32,
        _orig: &str,
        _orig_port: u32,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        let Ok(port) = u16::try_from(port) else {
            return Ok(());
        };
        let Ok(mut tcp) = tokio::net::TcpStream::connect((host, port)).await else {
            return Ok(());
        };
        reply.accept().await;
        tokio::spawn(async move {
            let mut stream = channel.into_stream();
            let _ = tokio::io::copy_bidirectional(&mut stream, &mut tcp).await;
        });
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
        let s = &self.shared;
        let (cli, greeting) = Session::new(
            s.dialect,
            s.device.clone(),
            SessionStart {
                console: self.console_port.is_some(),
                authenticated: self.console_port.is_none(),
                acknowledge: s.acknowledge,
                echo_secrets: false,
            },
        );
        self.sessions.insert(channel, cli);
        session.data(channel, greeting)?;
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut SshSession,
    ) -> Result<(), Self::Error> {
        let Some(cli) = self.sessions.get_mut(&channel) else {
            return Ok(());
        };
        let out = cli.feed(data);
        if !out.is_empty() {
            session.data(channel, out)?;
        }
        if cli.closed {
            self.sessions.remove(&channel);
            session.eof(channel)?;
            session.close(channel)?;
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

/// A host key that stays the same for the same seed and name, so a restarted simulator
/// matches the known_hosts entry recorded the first time.
pub fn host_key(opts: &SimOptions) -> PrivateKey {
    let mut seed = [0u8; 32];
    let mut h: u64 = opts.seed ^ 0x9e37_79b9_7f4a_7c15;
    for (i, b) in opts.name.bytes().chain(opts.vendor.bytes()).enumerate() {
        h = (h ^ b as u64)
            .wrapping_mul(0x100_0000_01b3)
            .rotate_left((i % 17) as u32);
    }
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        h = h
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407 + i as u64);
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(
        &seed,
    ))
}

pub(super) fn config(opts: &SimOptions) -> russh::server::Config {
    let mut preferred = Preferred::default();
    if opts.legacy_algorithms {
        preferred.kex = Cow::Borrowed(&[russh::kex::DH_G14_SHA1, russh::kex::DH_G1_SHA1]);
        preferred.cipher = Cow::Borrowed(&[russh::cipher::AES_128_CBC, russh::cipher::AES_256_CBC]);
        preferred.mac = Cow::Borrowed(&[russh::mac::HMAC_SHA1]);
    }
    russh::server::Config {
        keys: vec![host_key(opts)],
        preferred,
        auth_rejection_time: Duration::from_millis(100),
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: Some(Duration::from_secs(3600)),
        // A CLI answers in small writes: each goes at once, as a switch's does (Nagle
        // held a prompt back until the client's delayed ACK, some 40 ms a command).
        nodelay: true,
        ..Default::default()
    }
}

pub async fn serve(sim: &Sim, addr: SocketAddr) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let shared = Shared {
        dialect: sim.dialect,
        device: sim.device.clone(),
        user: sim.options.user.clone(),
        password: sim.options.password.clone(),
        keys: sim.options.authorized_keys.clone(),
        acknowledge: sim.options.acknowledge,
    };
    let cfg = Arc::new(config(&sim.options));
    let task = tokio::spawn(async move {
        let mut server = Server(shared);
        if let Err(e) = server.run_on_socket(cfg, &listener).await {
            tracing::warn!("ssh listener on {bound} stopped: {e}");
        }
    });
    Ok((bound, task))
}
