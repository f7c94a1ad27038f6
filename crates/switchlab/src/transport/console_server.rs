//! A device's console through a console server or ser2net: a reverse-telnet port
//! ([`super::telnet`]), a raw TCP port, or SSH to the server with the port named by the
//! user. Whichever, the stream is a console: the driver's console logic (wake it, log in,
//! leave a config mode or a dialog someone left) applies unchanged.

use super::{ConnectOptions, Connected, Problem, TransportError};
use crate::format::lab::{ConsoleAccess, ConsoleProtocol};

/// Open the console `c` of `device`.
pub async fn connect(
    device: &str,
    c: &ConsoleAccess,
    opts: &ConnectOptions,
) -> Result<Connected, TransportError> {
    if c.protocol == ConsoleProtocol::Ssh {
        return super::ssh::connect(device, &c.ssh(), opts).await;
    }
    let port = c.tcp_port().unwrap_or(23);
    let addr = format!("{}:{port}", c.host);
    let tcp = match tokio::time::timeout(
        opts.connect_timeout,
        tokio::net::TcpStream::connect((c.host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return Err(Problem::Connect {
                addr,
                through: Some(" (the console server's port)"),
                error: e,
            }
            .on(device));
        }
        Err(_) => {
            return Err(Problem::Timeout {
                addr,
                what: "connecting to the console server's port",
                after: opts.connect_timeout,
            }
            .on(device));
        }
    };
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn super::ByteStream> = match c.protocol {
        ConsoleProtocol::Telnet => Box::new(super::telnet::TelnetStream::new(tcp)),
        _ => Box::new(tcp),
    };
    Ok(Connected {
        stream,
        keep_alive: Vec::new(),
        // A console server's TCP ends at a serial port.
        holds_type_ahead: false,
    })
}
