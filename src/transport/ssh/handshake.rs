//! The SSH handshake: TCP (with a look at the banner), the key exchange with the
//! algorithms asked for, and the server's host key checked against known_hosts (unknown
//! refused unless accepted, changed always refused with file and line).

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use russh::Preferred;
use russh::client::{self, Handle};
use russh::keys::known_hosts::{check_known_hosts_path, learn_known_hosts_path};
use russh::keys::{HashAlg, PublicKeyOrCertificate};

use crate::transport::{ConnectOptions, TransportError};

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
            let e = TransportError::KnownHostsNotAFile {
                device: self.device.clone(),
                path: dir.clone(),
            };
            *self.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            return Ok(false);
        }
        for file in &self.opts.known_hosts {
            match check_known_hosts_path(&self.host, self.port, key, file) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(russh::keys::Error::KeyChanged { line }) => {
                    let e = TransportError::HostKeyChanged {
                        device: self.device.clone(),
                        host: self.host.clone(),
                        port: self.port,
                        fingerprint,
                        file: file.clone(),
                        line,
                    };
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
        let e = TransportError::HostKeyUnknown {
            device: self.device.clone(),
            host: self.host.clone(),
            port: self.port,
            fingerprint,
            learn_into: self.opts.learn_into.clone(),
        };
        *self.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
        Ok(false)
    }
}

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
        ..Default::default()
    })
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
    let fut = async {
        match tunnel {
            Some(t) => Ok(client::connect_stream(config(legacy), t, handler).await),
            None => {
                let tcp = super::banner::tcp(device, host, port).await?;
                Ok(client::connect_stream(config(legacy), tcp, handler).await)
            }
        }
    };
    let done = tokio::time::timeout(opts.connect_timeout, fut).await;
    let done = match done {
        Ok(Err(e)) => return Err(e),
        Ok(Ok(r)) => Ok(r),
        Err(e) => Err(e),
    };
    match done {
        Ok(Ok(h)) => Ok(h),
        Ok(Err(e)) => {
            if let Some(r) = refusal.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(r);
            }
            Err(match e {
                russh::Error::IO(io) => TransportError::Connect {
                    device: device.into(),
                    addr,
                    through: None,
                    error: io,
                },
                // Only when the key exchange found nothing in common is it the old-switch case.
                e @ russh::Error::NoCommonAlgo { .. } if !legacy => TransportError::Ssh {
                    device: device.into(),
                    error: format!("{addr}: {e} (for an old switch, set legacy_algorithms = true)"),
                },
                other => TransportError::Ssh {
                    device: device.into(),
                    error: format!("{addr}: {other}"),
                },
            })
        }
        Err(_) => Err(TransportError::Timeout {
            device: device.into(),
            addr,
            what: "connecting and exchanging keys",
            after: opts.connect_timeout,
        }),
    }
}
