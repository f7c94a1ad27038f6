//! Before the key exchange, what the server says first: an SSH server opens with its
//! version line (`SSH-2.0-…`). A server that closes at once, or answers like a web server,
//! is said to be that, not reported as a key-exchange error.

use tokio::net::TcpStream;

use crate::transport::TransportError;

/// A TCP connection to `host:port` whose first bytes are SSH's (or not yet complete).
pub(super) async fn tcp(device: &str, host: &str, port: u16) -> Result<TcpStream, TransportError> {
    let addr = format!("{host}:{port}");
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|error| TransportError::Connect {
            device: device.into(),
            addr: addr.clone(),
            through: None,
            error,
        })?;
    // A CLI is a stream of small writes: each keystroke goes at once (no Nagle).
    let _ = tcp.set_nodelay(true);
    let mut buf = [0u8; 512];
    // A peek leaves the bytes for the key exchange to read.
    let n = tcp
        .peek(&mut buf)
        .await
        .map_err(|error| TransportError::Connect {
            device: device.into(),
            addr: addr.clone(),
            through: None,
            error,
        })?;
    match judge(&buf[..n]) {
        Banner::Ssh => Ok(tcp),
        Banner::Closed => Err(TransportError::NotSsh {
            device: device.into(),
            addr,
            said: None,
        }),
        Banner::Other(line) => Err(TransportError::NotSsh {
            device: device.into(),
            addr,
            said: Some(line),
        }),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Banner {
    Ssh,
    Closed,
    /// A whole first line that is not SSH's.
    Other(String),
}

/// What the first bytes say. RFC 4253 lets a server send other lines before its version
/// line, so only a whole first line with no `SSH-` anywhere is called not SSH.
fn judge(first: &[u8]) -> Banner {
    if first.is_empty() {
        return Banner::Closed;
    }
    let text = String::from_utf8_lossy(first);
    if text.contains("SSH-") {
        return Banner::Ssh;
    }
    match text.split_once('\n') {
        Some((line, _)) => Banner::Other(line.trim_end().chars().take(60).collect()),
        None => Banner::Ssh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_tell_ssh_from_a_closed_port_and_a_web_server() {
        assert_eq!(judge(b"SSH-2.0-OpenSSH_9.2\r\n"), Banner::Ssh);
        assert_eq!(judge(b"Welcome\r\nSSH-2.0-Cisco-1.25\r\n"), Banner::Ssh);
        assert_eq!(
            judge(b"SS"),
            Banner::Ssh,
            "not complete yet: the key exchange decides"
        );
        assert_eq!(judge(b""), Banner::Closed);
        assert_eq!(
            judge(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n"),
            Banner::Other("HTTP/1.1 400 Bad Request".into())
        );
    }
}
