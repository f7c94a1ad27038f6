//! Where an engine runs: this machine, a network namespace on it (the virtual lab's
//! endpoints: `ip netns exec`, so a failure to enter it fails the command and nothing is
//! ever sent from the host instead), or an endpoint over SSH (an exec channel, no pty).
//! Either way a started process is ended on every exit path: a local one is killed with
//! its process group when dropped; a remote one runs under a watchdog that kills it when
//! its stdin closes, which happens when switchlab closes the channel (done, an error,
//! Ctrl-C, SIGTERM) and when the SSH session is lost.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::TrafficError;
use crate::transport::ConnectOptions;
use crate::transport::ssh::SshSession;

/// A host an engine runs on.
#[derive(Clone)]
pub(crate) enum Place {
    Local,
    /// This machine, inside network namespace `netns`.
    Netns {
        endpoint: String,
        netns: String,
    },
    Ssh {
        endpoint: String,
        session: Arc<SshSession>,
    },
}

/// What a process printed and how it ended.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// None: it was ended, or said nothing about it.
    pub(crate) status: Option<u32>,
}

/// A running engine process.
pub(crate) enum Process {
    Local {
        child: tokio::process::Child,
        lines: tokio::sync::mpsc::UnboundedReceiver<String>,
        out: Arc<std::sync::Mutex<Output>>,
    },
    Remote {
        channel: russh::Channel<russh::client::Msg>,
        out: Output,
        /// Output not yet split into lines.
        pending: String,
    },
}

/// `'a b'` → `'a b'` quoted for a POSIX shell.
fn quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// The remote command: `argv` in the background, killed when our side closes stdin (the
/// channel closed, the session lost); its exit status is the command's.
fn watched(argv: &[String]) -> String {
    // (A background job's stdin is /dev/null unless redirected: the watchdog reads the
    // channel's stdin through fd 3.)
    let script =
        r#"exec 3<&0; "$@" </dev/null & p=$!; (cat <&3 >/dev/null; kill $p 2>/dev/null) & wait $p"#;
    let args: Vec<String> = argv.iter().map(|a| quote(a)).collect();
    format!("sh -c {} sh {}", quote(script), args.join(" "))
}

impl Place {
    /// This machine for an endpoint without `ssh`, else an SSH session to it.
    pub(crate) async fn open(
        endpoint: &crate::format::lab::Endpoint,
        opts: &ConnectOptions,
    ) -> Result<Place, TrafficError> {
        let name = endpoint.name.get_ref().clone();
        if let Some(netns) = &endpoint.netns {
            return Ok(Place::Netns {
                endpoint: name,
                netns: netns.clone(),
            });
        }
        match &endpoint.ssh {
            None => Ok(Place::Local),
            Some(s) => {
                let session =
                    SshSession::open(&name, s, opts)
                        .await
                        .map_err(|error| TrafficError::Ssh {
                            endpoint: name.clone(),
                            error,
                        })?;
                Ok(Place::Ssh {
                    endpoint: name,
                    session: Arc::new(session),
                })
            }
        }
    }

    /// Where, for messages: `this machine` or `endpoint 's2' (10.0.0.52:22)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Place::Local => "this machine".into(),
            Place::Netns { endpoint, netns } => {
                format!("endpoint '{endpoint}' (network namespace {netns})")
            }
            Place::Ssh { endpoint, session } => {
                format!("endpoint '{endpoint}' ({})", session.addr())
            }
        }
    }

    /// Start `argv` here.
    pub(crate) async fn start(&self, argv: &[String]) -> Result<Process, TrafficError> {
        let spawn_err = |error: std::io::Error| TrafficError::Start {
            place: self.describe(),
            command: argv.join(" "),
            said: error.to_string(),
        };
        // Inside a namespace: `ip netns exec` enters it and execs the command, or fails
        // (the command never runs on the host's network).
        let argv: Vec<String> = match self {
            Place::Netns { netns, .. } => ["ip", "netns", "exec", netns.as_str()]
                .into_iter()
                .map(String::from)
                .chain(argv.iter().cloned())
                .collect(),
            _ => argv.to_vec(),
        };
        match self {
            Place::Local | Place::Netns { .. } => {
                let mut child = tokio::process::Command::new(&argv[0])
                    .args(&argv[1..])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .kill_on_drop(true)
                    .process_group(0)
                    .spawn()
                    .map_err(spawn_err)?;
                let out = Arc::new(std::sync::Mutex::new(Output::default()));
                let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
                if let Some(o) = child.stdout.take() {
                    pump(o, tx.clone(), out.clone(), false);
                }
                if let Some(e) = child.stderr.take() {
                    pump(e, tx, out.clone(), true);
                }
                Ok(Process::Local { child, lines, out })
            }
            Place::Ssh { endpoint, session } => {
                let channel =
                    session
                        .exec(&watched(&argv))
                        .await
                        .map_err(|error| TrafficError::Ssh {
                            endpoint: endpoint.clone(),
                            error,
                        })?;
                Ok(Process::Remote {
                    channel,
                    out: Output::default(),
                    pending: String::new(),
                })
            }
        }
    }
}

/// Copy a local pipe into `out` and, line by line, into `tx`.
fn pump(
    pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
    out: Arc<std::sync::Mutex<Output>>,
    stderr: bool,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(l)) = lines.next_line().await {
            {
                let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
                let s = if stderr { &mut o.stderr } else { &mut o.stdout };
                s.push_str(&l);
                s.push('\n');
            }
            let _ = tx.send(l);
        }
    });
}

impl Process {
    /// The next line it printed (stdout or stderr); None once it ended.
    pub(crate) async fn next_line(&mut self) -> Option<String> {
        match self {
            Process::Local { lines, .. } => lines.recv().await,
            Process::Remote {
                channel,
                out,
                pending,
            } => loop {
                if let Some(i) = pending.find('\n') {
                    let line: String = pending.drain(..=i).collect();
                    return Some(line.trim_end().to_string());
                }
                match channel.wait().await? {
                    russh::ChannelMsg::Data { data } => {
                        let text = String::from_utf8_lossy(&data);
                        out.stdout.push_str(&text);
                        pending.push_str(&text);
                    }
                    russh::ChannelMsg::ExtendedData { data, .. } => {
                        let text = String::from_utf8_lossy(&data);
                        out.stderr.push_str(&text);
                        pending.push_str(&text);
                    }
                    russh::ChannelMsg::ExitStatus { exit_status } => out.status = Some(exit_status),
                    russh::ChannelMsg::Close => return None,
                    _ => {}
                }
            },
        }
    }

    /// After its output ended: whether it went without an exit status, as a remote process
    /// does when its SSH session is lost (a local one always has one).
    pub(crate) fn lost(&self) -> bool {
        matches!(self, Process::Remote { out, .. } if out.status.is_none())
    }

    /// Wait for it to end (at most `limit`, then it is ended): all it printed and its status.
    pub(crate) async fn finish(mut self, limit: Duration) -> Result<Output, Duration> {
        let ended = tokio::time::timeout(limit, async {
            while self.next_line().await.is_some() {}
            if let Process::Local { child, .. } = &mut self {
                return child
                    .wait()
                    .await
                    .ok()
                    .and_then(|s| s.code())
                    .map(|c| c as u32);
            }
            None
        })
        .await;
        let local_status = match ended {
            Ok(s) => s,
            Err(_) => {
                self.stop().await;
                return Err(limit);
            }
        };
        Ok(match self {
            Process::Local { out, .. } => {
                let mut o = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
                o.status = local_status;
                o
            }
            Process::Remote { out, .. } => out,
        })
    }

    /// End it now (a remote one through its watchdog: stdin closes).
    pub(crate) async fn stop(&mut self) {
        match self {
            Process::Local { child, .. } => {
                let _ = child.start_kill();
            }
            Process::Remote { channel, .. } => {
                let _ = channel.eof().await;
                let _ = channel.close().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_arguments_are_quoted_for_the_shell() {
        let cmd = watched(&["iperf3".into(), "-c".into(), "it's".into()]);
        assert!(cmd.ends_with(r"sh 'iperf3' '-c' 'it'\''s'"), "{cmd}");
    }
}
