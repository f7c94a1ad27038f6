//! The built-in syslog receiver: UDP, RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST MSG`), RFC 5424
//! (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) and IOS's default, which names no host
//! (`<PRI>SEQ: *Mmm dd hh:mm:ss.mmm: MSG`). Messages are timed on arrival and matched to a
//! device by the host name in them, else by the address they came from. Messages no watch
//! takes age out; a receiver that stops says why.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::net::UdpSocket;

/// One received message: when, from where, the host it names (if any), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) time: SystemTime,
    pub(crate) from: IpAddr,
    pub(crate) host: Option<String>,
    pub(crate) text: String,
}

/// Messages nobody takes (a host that is not watched) are dropped after this long...
const KEEP_UNCLAIMED: Duration = Duration::from_secs(60);
/// ...and beyond this many, the oldest first: a chatty network cannot fill the memory.
const MAX_KEPT: usize = 10_000;

#[derive(Debug, Default)]
struct Held {
    messages: VecDeque<Message>,
    /// How many watched devices claim each sender address.
    claims: HashMap<IpAddr, usize>,
    /// Why the receiver stopped, once it has.
    stopped: Option<String>,
}

/// Messages received and not yet taken.
#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Mutex<Held>>);

impl Inbox {
    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A watched device sends from these addresses: a message naming no host is its own
    /// when it comes from one of them and no other watched device claims that address.
    pub(crate) fn claim(&self, addrs: &[IpAddr]) {
        let mut h = self.held();
        for a in addrs {
            *h.claims.entry(*a).or_default() += 1;
        }
    }

    /// Take the messages naming one of `names` (case-insensitive) as their host, or naming
    /// none and sent from one of `addrs` that only this device claims; drop what has gone
    /// unclaimed too long. Err: the receiver stopped, and why.
    pub(crate) fn take_for(
        &self,
        names: &[String],
        addrs: &[IpAddr],
    ) -> Result<Vec<Message>, String> {
        let mut h = self.held();
        let now = SystemTime::now();
        let claims = h.claims.clone();
        let mine = |m: &Message| match &m.host {
            Some(host) => names.iter().any(|n| n.eq_ignore_ascii_case(host)),
            None => addrs.contains(&m.from) && claims.get(&m.from) == Some(&1),
        };
        let mut taken = Vec::new();
        let mut kept = VecDeque::new();
        for m in h.messages.drain(..) {
            if mine(&m) {
                taken.push(m);
            } else if now.duration_since(m.time).unwrap_or_default() < KEEP_UNCLAIMED {
                kept.push_back(m);
            }
        }
        h.messages = kept;
        match &h.stopped {
            Some(why) => Err(why.clone()),
            None => Ok(taken),
        }
    }

    fn push(&self, m: Message) {
        let mut h = self.held();
        h.messages.push_back(m);
        while h.messages.len() > MAX_KEPT {
            h.messages.pop_front();
        }
    }

    fn stop(&self, why: String) {
        self.held().stopped = Some(why);
    }
}

/// Split a syslog datagram into (the host it names, if any; message text).
pub fn parse(datagram: &str) -> Option<(Option<String>, String)> {
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
            Some(host.to_string()),
            msg.trim_start_matches('\u{feff}').to_string(),
        ));
    }
    // RFC 3164: "Mmm dd hh:mm:ss" is 15 characters, then the host.
    if rest.get(..15).is_some_and(is_3164_stamp) {
        let after_ts = rest.get(15..)?.trim_start();
        let (host, msg) = after_ts.split_once(' ')?;
        return Some((Some(host.to_string()), msg.to_string()));
    }
    // IOS's default: "SEQ: " (or nothing), then the message with its own time stamp.
    let msg = match rest.split_once(": ") {
        Some((seq, m)) if !seq.is_empty() && seq.chars().all(|c| c.is_ascii_digit()) => m,
        _ => rest,
    };
    Some((None, msg.to_string()))
}

/// `Nov 27 05:31:10` / `Nov  7 05:31:10`.
fn is_3164_stamp(s: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = s.as_bytes();
    MONTHS.iter().any(|m| s.starts_with(m))
        && b.len() == 15
        && b[3] == b' '
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && [7, 8, 10, 11, 13, 14]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// A running receiver; it stops when dropped.
pub(crate) struct Receiver {
    pub(crate) bound: SocketAddr,
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
    pub(crate) addr: SocketAddr,
    pub(crate) error: std::io::Error,
}

/// Start a receiver on `addr` when the options use syslog; its inbox goes into them.
pub(crate) async fn attach(
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
pub(crate) async fn start(addr: SocketAddr) -> std::io::Result<(Inbox, Receiver)> {
    let sock = UdpSocket::bind(addr).await?;
    let bound = sock.local_addr()?;
    let inbox = Inbox::default();
    let sink = inbox.clone();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        loop {
            match sock.recv_from(&mut buf).await {
                Ok((n, from)) => {
                    let time = SystemTime::now();
                    if let Some((host, text)) = parse(&String::from_utf8_lossy(&buf[..n])) {
                        sink.push(Message {
                            time,
                            from: from.ip(),
                            host,
                            text,
                        });
                    }
                }
                Err(e) => {
                    sink.stop(format!("the syslog receiver on udp {bound} stopped: {e}"));
                    return;
                }
            }
        }
    });
    Ok((inbox, Receiver { bound, task }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3164_and_rfc5424_framing() {
        assert_eq!(
            parse("<189>Nov 27 05:31:10 arista-7048 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet49, changed state to down"),
            Some((Some("arista-7048".into()), "Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet49, changed state to down".into()))
        );
        assert_eq!(
            parse("<189>Nov  7 05:31:10 sw1 System: Interface ethernet 1/1/2, state down"),
            Some((
                Some("sw1".into()),
                "System: Interface ethernet 1/1/2, state down".into()
            ))
        );
        assert_eq!(
            parse(
                "<189>1 2026-11-27T05:31:10.123Z f10 IFMGR - OSTATE_DN [meta x=\"1\"] %IFMGR-5-OSTATE_DN: Changed interface state to down: Te 0/1"
            ),
            Some((
                Some("f10".into()),
                "%IFMGR-5-OSTATE_DN: Changed interface state to down: Te 0/1".into()
            ))
        );
        assert_eq!(
            parse("<13>1 2026-11-27T05:31:10Z sw1 app - - - hello"),
            Some((Some("sw1".into()), "hello".into()))
        );
        assert_eq!(parse("no priority"), None);
        // IOS's default names no host: it is matched by the address it came from.
        assert_eq!(
            parse("<189>12: *Nov 27 05:00:01.000: %LINK-3-UPDOWN: Interface GigabitEthernet0/3, changed state to down"),
            Some((None, "*Nov 27 05:00:01.000: %LINK-3-UPDOWN: Interface GigabitEthernet0/3, changed state to down".into()))
        );
    }

    fn message(from: [u8; 4], host: Option<&str>, age: Duration) -> Message {
        Message {
            time: SystemTime::now() - age,
            from: IpAddr::from(from),
            host: host.map(str::to_string),
            text: "x".into(),
        }
    }

    // Regression: messages of unwatched hosts were kept forever; hostless IOS messages
    // matched no device.
    #[test]
    fn messages_match_by_host_else_by_an_address_one_device_claims_and_strays_age_out() {
        let inbox = Inbox::default();
        inbox.claim(&[IpAddr::from([127, 0, 0, 42])]);
        inbox.claim(&[IpAddr::from([127, 0, 0, 1])]);
        inbox.claim(&[IpAddr::from([127, 0, 0, 1])]);
        inbox.push(message([127, 0, 0, 42], None, Duration::ZERO));
        inbox.push(message([127, 0, 0, 1], None, Duration::ZERO));
        inbox.push(message([127, 0, 0, 1], Some("sw2"), Duration::ZERO));
        inbox.push(message(
            [10, 0, 0, 9],
            Some("stranger"),
            Duration::from_secs(61),
        ));
        let cisco = inbox.take_for(&["cisco".into()], &[IpAddr::from([127, 0, 0, 42])]);
        assert_eq!(cisco.unwrap().len(), 1, "its address, claimed by it alone");
        let shared = inbox.take_for(&["sw1".into()], &[IpAddr::from([127, 0, 0, 1])]);
        assert!(
            shared.unwrap().is_empty(),
            "an address two devices share says nothing"
        );
        assert_eq!(
            inbox.held().messages.len(),
            2,
            "the stale stranger aged out"
        );
        assert_eq!(inbox.take_for(&["SW2".into()], &[]).unwrap().len(), 1);
        for _ in 0..MAX_KEPT + 5 {
            inbox.push(message([10, 0, 0, 9], Some("noisy"), Duration::ZERO));
        }
        assert_eq!(inbox.held().messages.len(), MAX_KEPT);
        inbox.stop("gone".into());
        assert_eq!(inbox.take_for(&[], &[]), Err("gone".into()));
    }
}
