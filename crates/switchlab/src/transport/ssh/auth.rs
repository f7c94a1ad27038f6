//! Logging in over SSH as the lab says: the key file, then the agent's keys, then the
//! password, until one is taken; the error lists what was tried.

use std::path::PathBuf;
use std::sync::Arc;

use russh::client::Handle;
use russh::keys::PrivateKeyWithHashAlg;

use super::handshake::Client;
use super::timed;
use crate::format::lab::SshAccess;
use crate::transport::{ConnectOptions, Problem, TransportError, secret_from_env};

/// One way of logging in: taken, or what to say was tried.
type Tried = Result<Option<String>, TransportError>;

pub(super) async fn authenticate(
    device: &str,
    h: &mut Handle<Client>,
    s: &SshAccess,
    opts: &ConnectOptions,
) -> Result<(), TransportError> {
    let at = Login {
        device,
        addr: format!("{}:{}", s.host, s.port),
        s,
        opts,
    };
    let mut tried = Vec::new();
    if let Some(key_file) = &s.key_file {
        match at.with_key(h, key_file).await? {
            None => return Ok(()),
            Some(t) => tried.push(t),
        }
    }
    if s.agent {
        match at.with_agent(h).await? {
            None => return Ok(()),
            Some(t) => tried.push(t),
        }
    }
    if let Some(var) = &s.password_env {
        match at.with_password(h, var).await? {
            None => return Ok(()),
            Some(t) => tried.push(t),
        }
    }
    if tried.is_empty() {
        tried.push("nothing: give key_file, agent = true or password_env".into());
    }
    Err(Problem::Auth {
        user: s.user.clone(),
        tried: tried.join(", "),
    }
    .on(device))
}

/// Where a login goes.
struct Login<'a> {
    device: &'a str,
    addr: String,
    s: &'a SshAccess,
    opts: &'a ConnectOptions,
}

impl Login<'_> {
    async fn with_key(&self, h: &mut Handle<Client>, key_file: &str) -> Tried {
        let (device, addr, timeout) = (self.device, &self.addr, self.opts.auth_timeout);
        let path: PathBuf = crate::format::lab::lab_path(&self.opts.lab_dir, key_file);
        let key = russh::keys::load_secret_key(&path, None).map_err(|e| {
            Problem::KeyFile {
                path: path.clone(),
                error: Box::new(e),
            }
            .on(device)
        })?;
        let what = "asking for the RSA hash";
        let hash = timed(device, addr, what, timeout, h.best_supported_rsa_hash())
            .await?
            .flatten();
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        let what = "authenticating with the key file";
        let login = h.authenticate_publickey(self.s.user.clone(), key);
        let r = timed(device, addr, what, timeout, login).await?;
        Ok((!r.success()).then(|| format!("key {}", path.display())))
    }

    async fn with_agent(&self, h: &mut Handle<Client>) -> Tried {
        let Ok(mut agent) = russh::keys::agent::client::AgentClient::connect_env().await else {
            return Ok(Some("ssh-agent (not reachable: SSH_AUTH_SOCK)".into()));
        };
        let ids = agent.request_identities().await.unwrap_or_default();
        for id in ids {
            let russh::keys::agent::AgentIdentity::PublicKey { key, .. } = id else {
                continue;
            };
            let login = h.authenticate_publickey_with(self.s.user.clone(), key, None, &mut agent);
            let what = "authenticating with the agent";
            let r = timed(self.device, &self.addr, what, self.opts.auth_timeout, login).await?;
            if r.success() {
                return Ok(None);
            }
        }
        Ok(Some("ssh-agent keys".into()))
    }

    async fn with_password(&self, h: &mut Handle<Client>, var: &str) -> Tried {
        let password = secret_from_env(self.device, var, "ssh.password_env")?;
        let login = h.authenticate_password(self.s.user.clone(), password);
        let what = "authenticating with the password";
        let r = timed(self.device, &self.addr, what, self.opts.auth_timeout, login).await?;
        Ok((!r.success()).then(|| format!("password from ${var}")))
    }
}
