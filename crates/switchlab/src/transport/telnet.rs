//! Telnet (RFC 854) as console servers and ser2net speak it on their reverse-telnet ports:
//! the data stream with IAC commands taken out, option negotiation answered, and data sent
//! escaped: a pure core ([`Telnet`]) and the client's stream over it ([`TelnetStream`]).
//! The client end only: the simulators' console ports have a server of their own, so
//! neither end is tested against itself.
//!
//! The client agrees to the server echoing (ECHO), to no go-aheads (SGA) both ways, to
//! BINARY both ways, and to tell its window size (NAWS: 200 × 50, so nothing wraps); it
//! refuses every other option. A bare CR it sends is `CR NUL` unless BINARY is on, as NVT
//! asks.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub const IAC: u8 = 255;
pub const DONT: u8 = 254;
pub const DO: u8 = 253;
pub const WONT: u8 = 252;
pub const WILL: u8 = 251;
pub const SB: u8 = 250;
pub const SE: u8 = 240;
pub const BINARY: u8 = 0;
pub const ECHO: u8 = 1;
pub const SGA: u8 = 3;
pub const NAWS: u8 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    /// After WILL/WONT/DO/DONT: the option byte.
    Option(u8),
    Sub,
    SubIac,
}

/// The client's telnet state.
#[derive(Debug, Clone)]
pub struct Telnet {
    state: State,
    /// Options this end does (it said WILL and heard DO) and the peer does.
    ours: [bool; 256],
    theirs: [bool; 256],
    sub: Vec<u8>,
    last_cr: bool,
}

impl Telnet {
    pub fn new() -> Telnet {
        Telnet {
            state: State::Data,
            ours: [false; 256],
            theirs: [false; 256],
            sub: Vec::new(),
            last_cr: false,
        }
    }

    /// Options the client takes on when the server asks (`DO x`).
    fn will(&self, opt: u8) -> bool {
        matches!(opt, SGA | BINARY | NAWS)
    }

    /// Options the client lets the server take on (`WILL x`).
    fn lets(&self, opt: u8) -> bool {
        matches!(opt, ECHO | SGA | BINARY)
    }

    /// Bytes from the wire: the data in them, and the replies to send back.
    pub fn receive(&mut self, wire: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (mut data, mut reply) = (Vec::new(), Vec::new());
        for &b in wire {
            self.state = match (self.state, b) {
                (State::Data, IAC) => State::Iac,
                (State::Data, _) => {
                    // NVT's CR NUL is a bare CR.
                    if !(self.last_cr && b == 0) {
                        data.push(b);
                    }
                    self.last_cr = b == b'\r';
                    State::Data
                }
                (State::Iac, IAC) => {
                    data.push(IAC);
                    State::Data
                }
                (State::Iac, WILL | WONT | DO | DONT) => State::Option(b),
                (State::Iac, SB) => {
                    self.sub.clear();
                    State::Sub
                }
                // NOP, GA, AYT, … carry nothing for a CLI.
                (State::Iac, _) => State::Data,
                (State::Option(cmd), opt) => {
                    self.negotiate(cmd, opt, &mut reply);
                    State::Data
                }
                (State::Sub, IAC) => State::SubIac,
                (State::Sub, _) => {
                    self.sub.push(b);
                    State::Sub
                }
                (State::SubIac, SE) => {
                    self.subnegotiation();
                    State::Data
                }
                (State::SubIac, _) => {
                    self.sub.push(b);
                    State::Sub
                }
            };
        }
        (data, reply)
    }

    fn negotiate(&mut self, cmd: u8, opt: u8, reply: &mut Vec<u8>) {
        let i = opt as usize;
        match cmd {
            DO if self.will(opt) => {
                if !self.ours[i] {
                    self.ours[i] = true;
                    reply.extend([IAC, WILL, opt]);
                }
                if opt == NAWS {
                    // 200 columns, 50 rows: wide enough that no output wraps.
                    reply.extend([IAC, SB, NAWS, 0, 200, 0, 50, IAC, SE]);
                }
            }
            DO | DONT => {
                let was = std::mem::replace(&mut self.ours[i], false);
                if was || cmd == DO {
                    reply.extend([IAC, WONT, opt]);
                }
            }
            WILL if self.lets(opt) => {
                if !self.theirs[i] {
                    self.theirs[i] = true;
                    reply.extend([IAC, DO, opt]);
                }
            }
            _ => {
                let was = std::mem::replace(&mut self.theirs[i], false);
                if was || cmd == WILL {
                    reply.extend([IAC, DONT, opt]);
                }
            }
        }
    }

    /// A server's subnegotiation (RFC 2217's COM-PORT from ser2net…): nothing the client
    /// takes up, as it refused the option.
    fn subnegotiation(&mut self) {
        self.sub.clear();
    }

    /// Data to send, escaped: IAC doubled; a bare CR as CR NUL unless BINARY is on.
    pub fn escape(&self, data: &[u8]) -> Vec<u8> {
        let binary = self.ours[BINARY as usize];
        let mut out = Vec::with_capacity(data.len() + 4);
        for (i, &b) in data.iter().enumerate() {
            out.push(b);
            if b == IAC {
                out.push(IAC);
            } else if b == b'\r' && !binary && data.get(i + 1) != Some(&b'\n') {
                out.push(0);
            }
        }
        out
    }

    /// Whether the peer agreed to option `opt` (`theirs`) / this end does it (`ours`).
    pub fn agreed(&self, opt: u8) -> (bool, bool) {
        (self.ours[opt as usize], self.theirs[opt as usize])
    }
}

/// A client byte stream over a telnet connection: reads give the data only; negotiation
/// is answered as it arrives; writes are escaped.
pub struct TelnetStream<S> {
    inner: S,
    telnet: Telnet,
    /// Data received and not yet read.
    data: Vec<u8>,
    /// Bytes to send (replies, escaped data) not yet written.
    out: Vec<u8>,
}

impl<S> TelnetStream<S> {
    pub fn new(inner: S) -> TelnetStream<S> {
        TelnetStream {
            inner,
            telnet: Telnet::new(),
            data: Vec::new(),
            out: Vec::new(),
        }
    }
}

impl<S: AsyncWrite + Unpin> TelnetStream<S> {
    /// Write what is pending; Ready(Ok) once all of it is out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.out.is_empty() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.out) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => {
                    self.out.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TelnetStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        loop {
            // Answers go out as soon as they can; a full socket does not stop reading.
            if let Poll::Ready(Err(e)) = me.drain(cx) {
                return Poll::Ready(Err(e));
            }
            if !me.data.is_empty() {
                let n = me.data.len().min(buf.remaining());
                buf.put_slice(&me.data[..n]);
                me.data.drain(..n);
                return Poll::Ready(Ok(()));
            }
            let mut raw = [0u8; 4096];
            let mut rb = ReadBuf::new(&mut raw);
            match Pin::new(&mut me.inner).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) if rb.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    let (data, reply) = me.telnet.receive(rb.filled());
                    me.data.extend(data);
                    me.out.extend(reply);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TelnetStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        // What was queued before goes first; new data is taken once it is out.
        match me.drain(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
        let escaped = me.telnet.escape(data);
        me.out.extend(escaped);
        let _ = me.drain(cx);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        match me.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut me.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        match me.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut me.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

impl Default for Telnet {
    fn default() -> Telnet {
        Telnet::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a console server says as a client connects (ser2net adds RFC 2217's COM-PORT).
    const HELLO: [u8; 9] = [IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS];

    #[test]
    fn a_client_agrees_to_echo_sga_binary_and_naws_and_refuses_the_rest() {
        let mut client = Telnet::new();
        let (data, reply) = client.receive(&[b"login: ".as_slice(), &HELLO].concat());
        assert_eq!(data, b"login: ");
        // DO ECHO, DO SGA; WILL NAWS with the window.
        assert_eq!(
            reply,
            [
                IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 200, 0, 50, IAC, SE
            ]
        );
        assert_eq!(client.agreed(ECHO), (false, true));
        // The server's agreement to what the client said needs no answer.
        let (_, back) = client.receive(&[IAC, DO, SGA]);
        assert_eq!(back, [IAC, WILL, SGA]);
        let (_, none) = client.receive(&[IAC, DO, SGA, IAC, WILL, ECHO]);
        assert!(none.is_empty(), "agreement ends the exchange: {none:?}");
        // An option nobody wants (COM-PORT, 44, as ser2net asks): refused once, never looped.
        let (_, r) = client.receive(&[IAC, DO, 44, IAC, WILL, 5]);
        assert_eq!(r, [IAC, WONT, 44, IAC, DONT, 5]);
        let (data, r) = client.receive(&[IAC, SB, 44, 1, IAC, SE, b'x']);
        assert_eq!((data, r), (b"x".to_vec(), Vec::new()));
    }

    #[test]
    fn data_is_escaped_and_unescaped_whatever_the_split() {
        let mut client = Telnet::new();
        assert_eq!(client.escape(b"a\xffb\r"), b"a\xff\xffb\r\0");
        assert_eq!(client.escape(b"show\r\n"), b"show\r\n");
        let _ = client.receive(&[IAC, DO, BINARY]);
        assert_eq!(client.escape(b"x\r"), b"x\r", "binary: a bare CR stays");
        let wire = [b'a', IAC, IAC, b'\r', 0, b'b', IAC, 241, b'c'];
        let mut t = Telnet::new();
        let mut got = Vec::new();
        for piece in wire.chunks(1) {
            got.extend(t.receive(piece).0);
        }
        assert_eq!(got, b"a\xff\rbc");
    }
}
