//! What the peer says first. An SSH server's identification line starts with `SSH-`
//! (RFC 4253 lets other lines come before it). The client sends its own line first and a
//! web server answers it, so nothing is judged before the handshake: the first bytes read
//! are kept as it reads them, and a handshake that fails, or a whole first line with no
//! `SSH-` line within [`BANNER_GRACE`] after it, names what answered instead.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::transport::{Problem, TransportError};

/// After a whole first line that is not SSH's, how long an `SSH-` line may still take.
const BANNER_GRACE: Duration = Duration::from_secs(2);
/// How much of what the peer sends first is kept.
const KEPT: usize = 2048;
/// How many characters of the peer's first line an error quotes.
const QUOTED: usize = 80;

/// A TCP connection to `host:port`.
pub(super) async fn tcp(device: &str, host: &str, port: u16) -> Result<TcpStream, TransportError> {
    let tcp = TcpStream::connect((host, port)).await.map_err(|error| {
        Problem::Connect {
            addr: format!("{host}:{port}"),
            through: None,
            error,
        }
        .on(device)
    })?;
    // A CLI is a stream of small writes: each keystroke goes at once (no Nagle).
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// What the peer has sent so far.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Heard {
    Nothing,
    /// A line starting `SSH-` (whole or not yet): the key exchange decides.
    Ssh,
    /// No `SSH-` line: the first line, quoted, and whether it has ended.
    Other {
        line: String,
        whole: bool,
    },
}

/// What `first` (the peer's first bytes) says.
pub(super) fn heard(first: &[u8]) -> Heard {
    if first.is_empty() {
        return Heard::Nothing;
    }
    let mut lines = first.split(|b| *b == b'\n');
    if lines.clone().any(|l| l.starts_with(b"SSH-")) {
        return Heard::Ssh;
    }
    let line = lines.next().unwrap_or_default();
    Heard::Other {
        line: quote(line),
        whole: line.len() < first.len(),
    }
}

/// Printable characters only, at most [`QUOTED`] of them.
fn quote(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let printable = text.trim_end().chars().filter(|c| !c.is_control());
    let mut out: String = printable.clone().take(QUOTED).collect();
    if printable.count() > QUOTED {
        out.push('…');
    }
    out
}

/// Resolves only when the peer is not an SSH server: with its first line, once a whole
/// one that is not SSH's arrived and no `SSH-` line followed within [`BANNER_GRACE`].
pub(super) async fn not_ssh(mut kept: watch::Receiver<Vec<u8>>) -> String {
    let judged = kept
        .wait_for(|k| matches!(heard(k), Heard::Ssh | Heard::Other { whole: true, .. }))
        .await
        .map(|k| heard(&k));
    let Ok(Heard::Other { line, .. }) = judged else {
        // SSH, or the stream is gone: the handshake decides.
        return std::future::pending().await;
    };
    let ssh = kept.wait_for(|k| heard(k) == Heard::Ssh);
    let late = tokio::time::timeout(BANNER_GRACE, ssh).await.is_err();
    match late {
        true => line,
        false => std::future::pending().await,
    }
}

/// A stream that keeps the first [`KEPT`] bytes read from it.
pub(super) struct Recording<S> {
    inner: S,
    kept: watch::Sender<Vec<u8>>,
}

impl<S> Recording<S> {
    /// `inner`, its first bytes read kept in `kept`.
    pub(super) fn new(inner: S, kept: watch::Sender<Vec<u8>>) -> Recording<S> {
        Recording { inner, kept }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        let new = &buf.filled()[before..];
        let room = KEPT.saturating_sub(this.kept.borrow().len());
        if room > 0 && !new.is_empty() {
            let take = &new[..new.len().min(room)];
            this.kept.send_modify(|k| k.extend_from_slice(take));
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(line: &str, whole: bool) -> Heard {
        Heard::Other {
            line: line.into(),
            whole,
        }
    }

    #[test]
    fn the_first_bytes_tell_ssh_from_a_web_server() {
        assert_eq!(heard(b""), Heard::Nothing);
        assert_eq!(heard(b"SSH-2.0-OpenSSH_9.2\r\n"), Heard::Ssh);
        assert_eq!(heard(b"SSH-2.0-Open"), Heard::Ssh);
        assert_eq!(heard(b"Welcome\r\nSSH-2.0-Cisco-1.25\r\n"), Heard::Ssh);
        assert_eq!(heard(b"Welcome\r\n"), other("Welcome", true));
        assert_eq!(heard(b"SS"), other("SS", false));
        assert_eq!(
            heard(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n"),
            other("HTTP/1.1 400 Bad Request", true)
        );
        // Not SSH at the start of a line.
        assert_eq!(heard(b"echo SSH-2.0\n"), other("echo SSH-2.0", true));
    }

    #[test]
    fn the_line_quoted_is_printable_and_bounded() {
        assert_eq!(
            heard(b"\x1b[1mhi\x07\tthere\r\n"),
            other("[1mhithere", true)
        );
        let Heard::Other { line, .. } = heard(&[b'x'; 500]) else {
            panic!("not SSH")
        };
        assert_eq!(line.chars().count(), QUOTED + 1, "{line}");
        assert!(line.ends_with('…'));
    }
}
