//! The built-in syslog receiver: UDP, RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST MSG`) and
//! RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) framing. Messages are timed
//! on arrival and kept per sending host for the device watches to take.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::net::UdpSocket;

/// One received message: when, from which host (as the message names it), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub time: SystemTime,
    pub host: String,
    pub text: String,
}

/// Messages received and not yet taken.
#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Message>>>);

impl Inbox {
    /// Take the messages whose host is one of `names` (case-insensitive).
    pub fn take_for(&self, names: &[String]) -> Vec<Message> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest): (Vec<_>, Vec<_>) = all
            .drain(..)
            .partition(|m| names.iter().any(|n| n.eq_ignore_ascii_case(&m.host)));
        *all = rest;
        mine
    }
}

/// Split a syslog datagram into (host, message text).
pub fn parse(datagram: &str) -> Option<(String, String)> {
    let d = datagram.trim_end_matches(['\r', '\n', '\0']);
    let rest = d.strip_prefix('<')?;
    let (pri, rest) = rest.split_once('>')?;
    pri.parse::<u8>().ok()?;
    if let Some(v5424) = rest.strip_prefix("1 ") {
        // TIMESTAMP HOST APP PROCID MSGID SD MSG
        let mut parts = v5424.splitn(6, ' ');
        let (_ts, host, _app, _pid, _msgid, rest) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let msg = match rest.strip_prefix("- ") {
            Some(m) => m,
            None if rest == "-" => "",
            None => rest.split_once("] ").map_or(rest, |(_, m)| m),
        };
        return Some((
            host.to_string(),
            msg.trim_start_matches('\u{feff}').to_string(),
        ));
    }
    // RFC 3164: "Mmm dd hh:mm:ss" is 15 characters.
    let after_ts = rest.get(15..)?.trim_start();
    let (host, msg) = after_ts.split_once(' ')?;
    Some((host.to_string(), msg.to_string()))
}

/// A running receiver; it stops when dropped.
pub struct Receiver {
    pub bound: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The error of a receiver that could not bind, saying what to do about it.
#[derive(Debug, thiserror::Error)]
#[error(
    "syslog receiver on udp {addr}: {error} (listen elsewhere with --syslog-listen or [flaps] syslog_listen, or leave syslog out of the sources)"
)]
pub struct BindError {
    pub addr: SocketAddr,
    pub error: std::io::Error,
}

/// Start a receiver on `addr` when the options use syslog; its inbox goes into them.
pub async fn attach(
    opts: &mut super::WatchOptions,
    addr: SocketAddr,
) -> Result<Option<Receiver>, BindError> {
    if !opts
        .sources
        .contains(&crate::format::manifest::FlapSource::Syslog)
    {
        return Ok(None);
    }
    let (inbox, receiver) = start(addr)
        .await
        .map_err(|error| BindError { addr, error })?;
    opts.syslog = Some(inbox);
    Ok(Some(receiver))
}

/// Bind and receive until the receiver is dropped.
pub async fn start(addr: SocketAddr) -> std::io::Result<(Inbox, Receiver)> {
    let sock = UdpSocket::bind(addr).await?;
    let bound = sock.local_addr()?;
    let inbox = Inbox::default();
    let sink = inbox.clone();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        while let Ok((n, _from)) = sock.recv_from(&mut buf).await {
            let time = SystemTime::now();
            if let Some((host, text)) = parse(&String::from_utf8_lossy(&buf[..n])) {
                sink.0
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Message { time, host, text });
            }
        }
    });
    Ok((inbox, Receiver { bound, task }))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn rfc3164_and_rfc5424_framing() {
        assert_eq!(
            parse("<189>Nov 27 05:31:10 arista-7048 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet49, changed state to down"),
            Some(("arista-7048".into(), "Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet49, changed state to down".into()))
        );
        assert_eq!(
            parse("<189>Nov  7 05:31:10 sw1 System: Interface ethernet 1/1/2, state down"),
            Some((
                "sw1".into(),
                "System: Interface ethernet 1/1/2, state down".into()
            ))
        );
        assert_eq!(
            parse(
                "<189>1 2026-11-27T05:31:10.123Z f10 IFMGR - OSTATE_DN [meta x=\"1\"] %IFMGR-5-OSTATE_DN: Changed interface state to down: Te 0/1"
            ),
            Some((
                "f10".into(),
                "%IFMGR-5-OSTATE_DN: Changed interface state to down: Te 0/1".into()
            ))
        );
        assert_eq!(
            parse("<13>1 2026-11-27T05:31:10Z sw1 app - - - hello"),
            Some(("sw1".into(), "hello".into()))
        );
        assert_eq!(parse("no priority"), None);
    }
}
