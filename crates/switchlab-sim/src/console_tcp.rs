//! A console server's port in front of a simulated switch: its console on a TCP port,
//! reverse telnet (with the option negotiation console servers and ser2net do, by the
//! simulators' own telnet server, `telnet_server.rs`) or raw.
//! One console line lives as long as the switch, so a client that connects finds it where
//! the last one left it (config mode, the initial-configuration dialog…); a new client
//! takes the line over from the one before, as on a console server's port. What the
//! console prints while nobody is connected is lost, as on a real line.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::Sim;
use super::session::Session;
use super::telnet_server::TelnetServer;

/// Serve the console on `addr` (port 0: any free one); `telnet` or raw bytes.
pub async fn serve(
    sim: &Sim,
    addr: SocketAddr,
    telnet: bool,
) -> io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let (session, greeting, logs) = super::console::line(sim);
    let task = tokio::spawn(async move {
        let (input_tx, input_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let (attach_tx, attach_rx) = mpsc::unbounded_channel::<mpsc::UnboundedSender<Vec<u8>>>();
        let line = tokio::spawn(serve_line(session, greeting, input_rx, attach_rx, logs));
        while let Ok((sock, _)) = listener.accept().await {
            let (out_tx, out_rx) = mpsc::unbounded_channel();
            if attach_tx.send(out_tx).is_err() {
                break;
            }
            tokio::spawn(client(sock, telnet, input_tx.clone(), out_rx));
        }
        line.abort();
    });
    Ok((bound, task))
}

/// The console line: typed bytes in, the session's answers and log messages out to the
/// client attached last.
async fn serve_line(
    mut session: Session,
    greeting: Vec<u8>,
    mut input: mpsc::UnboundedReceiver<Vec<u8>>,
    mut attach: mpsc::UnboundedReceiver<mpsc::UnboundedSender<Vec<u8>>>,
    mut logs: broadcast::Receiver<String>,
) {
    let mut out: Option<mpsc::UnboundedSender<Vec<u8>>> = None;
    // The boot output (a dialog's question) waits for the first client.
    let mut pending = Some(greeting);
    loop {
        tokio::select! {
            // A client's attachment is queued before anything it types: take it first, or
            // the answer to its first keystroke would go to the client before it.
            biased;
            client = attach.recv() => {
                let Some(client) = client else { return };
                if let Some(g) = pending.take() {
                    let _ = client.send(g);
                }
                out = Some(client);
            }
            typed = input.recv() => {
                let Some(typed) = typed else { return };
                let reply = session.feed(&typed);
                if let (Some(o), false) = (&out, reply.is_empty()) {
                    let _ = o.send(reply);
                }
            }
            msg = logs.recv() => match msg {
                Ok(msg) => {
                    if let Some(o) = &out {
                        let _ = o.send(super::console::log_line(&msg));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// One client of the port: its bytes to the line (telnet commands taken out and answered),
/// the line's bytes to it (escaped), until either side ends; a client taken over by the
/// next one is disconnected, as ser2net's `kickolduser` does. One task owns the telnet
/// state, so what was agreed (BINARY) holds for the escaping too.
async fn client(
    sock: tokio::net::TcpStream,
    telnet: bool,
    input: mpsc::UnboundedSender<Vec<u8>>,
    mut output: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let mut t = telnet.then(TelnetServer::new);
    if let Some(t) = &mut t
        && wr.write_all(&t.hello()).await.is_err()
    {
        return;
    }
    let mut buf = [0u8; 1024];
    loop {
        // Both are cancel-safe: a branch not taken loses nothing.
        let wire = tokio::select! {
            n = rd.read(&mut buf) => {
                let n = match n {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let (typed, answer) = match &mut t {
                    Some(t) => t.receive(&buf[..n]),
                    None => (buf[..n].to_vec(), Vec::new()),
                };
                if !typed.is_empty() && input.send(typed).is_err() {
                    return;
                }
                answer
            }
            out = output.recv() => match (out, &t) {
                (Some(b), Some(t)) => t.escape(&b),
                (Some(b), None) => b,
                (None, _) => return,
            },
        };
        if !wire.is_empty() && wr.write_all(&wire).await.is_err() {
            return;
        }
    }
}
