//! The SSH handshake: TCP (what the peer sends first kept, to name a peer that is not an
//! SSH server), the key exchange with the
//! algorithms asked for, and the server's host key checked against known_hosts (unknown
//! refused unless accepted, changed always refused with file and line).

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use russh::Preferred;
use russh::client::{self, Handle};
use russh::keys::known_hosts::{check_known_hosts_path, learn_known_hosts_path};
use russh::keys::{HashAlg, PublicKeyOrCertificate};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

use super::banner::{self, Heard, Recording};
use crate::transport::{ConnectOptions, Problem, TransportError};

/// Checks the server's key and remembers why it refused one.
pub(super) struct Client {
    device: String,
    host: String,
    port: u16,
    opts: ConnectOptions,
    refusal: Arc<Mutex<Option<TransportError>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = key else {
            return Ok(false);
        };
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let files = self.opts.known_hosts.iter().chain([&self.opts.learn_into]);
        if let Some(dir) = files.into_iter().find(|f| f.is_dir()) {
            let e = Problem::KnownHostsNotAFile { path: dir.clone() }.on(self.device.clone());
            *self.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            return Ok(false);
        }
        for file in &self.opts.known_hosts {
            match check_known_hosts_path(&self.host, self.port, key, file) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(russh::keys::Error::KeyChanged { line }) => {
                    let e = Problem::HostKeyChanged {
                        host: self.host.clone(),
                        port: self.port,
                        fingerprint,
                        file: file.clone(),
                        line,
                    }
                    .on(self.device.clone());
                    *self.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                    return Ok(false);
                }
                Err(_) => {} // no such file yet
            }
        }
        if self.opts.accept_new_host_keys {
            learn_known_hosts_path(&self.host, self.port, key, &self.opts.learn_into)?;
            tracing::info!(
                "{}: recorded host key {fingerprint} in {}",
                self.device,
                self.opts.learn_into.display()
            );
            return Ok(true);
        }
        let e = Problem::HostKeyUnknown {
            host: self.host.clone(),
            port: self.port,
            fingerprint,
            learn_into: self.opts.learn_into.clone(),
        }
        .on(self.device.clone());
        *self.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
        Ok(false)
    }
}

/// The largest channel packet the device may send (russh's default is 32 KiB). A session
/// reads every packet into one buffer that grows to the largest it has seen and is never
/// shrunk: a log buffer's output, the largest thing a watch reads, filled 32 KiB packets
/// as the devices' buffers grew, and each session's buffer doubled to 64 KiB in the middle
/// of a watch. Kept under 16 KiB with the packet's header and MAC, it stays at 16 KiB.
const MAX_PACKET: u32 = 16 * 1024 - 128;

pub(super) fn config(legacy: bool) -> Arc<client::Config> {
    let mut preferred = Preferred::default();
    if legacy {
        // Old switches speak only these; modern ones first so a newer box still gets them.
        let mut kex = preferred.kex.to_vec();
        kex.extend([russh::kex::DH_G14_SHA1, russh::kex::DH_G1_SHA1]);
        preferred.kex = Cow::Owned(kex);
        let mut cipher = preferred.cipher.to_vec();
        cipher.extend([russh::cipher::AES_128_CBC, russh::cipher::AES_256_CBC]);
        preferred.cipher = Cow::Owned(cipher);
        let mut mac = preferred.mac.to_vec();
        mac.push(russh::mac::HMAC_SHA1);
        preferred.mac = Cow::Owned(mac);
    }
    Arc::new(client::Config {
        preferred,
        inactivity_timeout: None,
        maximum_packet_size: MAX_PACKET,
        ..Default::default()
    })
}

/// How a handshake ended, before it is said as an error.
enum Ended {
    Done(Handle<Client>),
    Failed(russh::Error),
    /// A whole first line that is not SSH's, and no `SSH-` line after it.
    NotSsh(String),
}

async fn handshake<S>(
    legacy: bool,
    stream: Recording<S>,
    handler: Client,
    kept: watch::Receiver<Vec<u8>>,
) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::select! {
        r = client::connect_stream(config(legacy), stream, handler) => match r {
            Ok(h) => Ended::Done(h),
            Err(e) => Ended::Failed(e),
        },
        sent = banner::not_ssh(kept) => Ended::NotSsh(sent),
    }
}

pub(super) async fn session(
    device: &str,
    host: &str,
    port: u16,
    legacy: bool,
    opts: &ConnectOptions,
    tunnel: Option<russh::ChannelStream<client::Msg>>,
) -> Result<Handle<Client>, TransportError> {
    let refusal = Arc::new(Mutex::new(None));
    let handler = Client {
        device: device.into(),
        host: host.into(),
        port,
        opts: opts.clone(),
        refusal: refusal.clone(),
    };
    let addr = format!("{host}:{port}");
    let (record, kept) = watch::channel(Vec::new());
    let watch = kept.clone();
    let fut = async {
        Ok(match tunnel {
            Some(t) => handshake(legacy, Recording::new(t, record), handler, watch).await,
            None => {
                let tcp = banner::tcp(device, host, port).await?;
                handshake(legacy, Recording::new(tcp, record), handler, watch).await
            }
        })
    };
    let ended = match tokio::time::timeout(opts.connect_timeout, fut).await {
        Ok(r) => r?,
        Err(_) => {
            return Err(match banner::heard(&kept.borrow()) {
                Heard::Other { line, .. } => not_ssh(device, addr, line),
                _ => Problem::Timeout {
                    addr,
                    what: "connecting and exchanging keys",
                    after: opts.connect_timeout,
                }
                .on(device),
            });
        }
    };
    match ended {
        Ended::Done(h) => Ok(h),
        Ended::NotSsh(line) => Err(not_ssh(device, addr, line)),
        Ended::Failed(e) => {
            if let Some(r) = refusal.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(r);
            }
            let heard = banner::heard(&kept.borrow());
            Err(failed(device, addr, legacy, e, heard))
        }
    }
}

fn not_ssh(device: &str, addr: String, sent: String) -> TransportError {
    Problem::NotSsh { addr, sent }.on(device)
}

/// A handshake's error, said with what the peer sent first.
fn failed(
    device: &str,
    addr: String,
    legacy: bool,
    e: russh::Error,
    heard: Heard,
) -> TransportError {
    use std::io::ErrorKind::{BrokenPipe, ConnectionReset, UnexpectedEof};
    let device = device.to_string();
    match (heard, e) {
        (Heard::Other { line, .. }, _) => not_ssh(&device, addr, line),
        // Closed having said nothing (a FIN, or a reset as our own line arrived).
        (Heard::Nothing, russh::Error::Disconnect) => {
            Problem::ClosedBeforeBanner { addr }.on(device)
        }
        (Heard::Nothing, russh::Error::IO(io))
            if matches!(io.kind(), BrokenPipe | ConnectionReset | UnexpectedEof) =>
        {
            Problem::ClosedBeforeBanner { addr }.on(device)
        }
        (_, russh::Error::IO(io)) => Problem::Connect {
            addr,
            through: None,
            error: io,
        }
        .on(device),
        // Only when the key exchange found nothing in common is it the old-switch case.
        (_, e @ russh::Error::NoCommonAlgo { .. }) if !legacy => Problem::Ssh {
            at: addr,
            error: Box::new(e),
            hint: " (for an old switch, set legacy_algorithms = true)",
        }
        .on(device),
        (_, other) => Problem::Ssh {
            at: addr,
            error: Box::new(other),
            hint: "",
        }
        .on(device),
    }
}
