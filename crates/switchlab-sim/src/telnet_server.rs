//! The server end of telnet (RFC 854) as a console server's reverse-telnet port speaks it,
//! written apart from switchlab's client (`transport::telnet`) so that the tests of one
//! against the other do not check a piece of code against itself.
//!
//! The port offers to echo and to suppress go-aheads (WILL ECHO, WILL SGA); it does ECHO,
//! SGA and BINARY when asked and refuses every other option (WONT); it lets the client do
//! SGA, BINARY and NAWS and refuses the rest (DONT). Subnegotiations are read and dropped.

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
const SE: u8 = 240;
const BINARY: u8 = 0;
const ECHO: u8 = 1;
const SGA: u8 = 3;
const NAWS: u8 = 31;

/// Where the reader is in the client's byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Data,
    /// After IAC.
    Command,
    /// After IAC and WILL/WONT/DO/DONT: the option byte.
    Option(u8),
    /// Inside IAC SB … IAC SE; `true` after an IAC.
    Sub(bool),
}

/// One client's telnet state at the port.
#[derive(Debug, Clone)]
pub(super) struct TelnetServer {
    read: Read,
    /// Options the port does (`WILL` said and not taken back).
    doing: [bool; 256],
    /// Options the client does, as the port agreed.
    client_does: [bool; 256],
    /// The last data byte was a CR: a NUL after it is NVT's padding.
    after_cr: bool,
}

impl TelnetServer {
    pub(super) fn new() -> TelnetServer {
        TelnetServer {
            read: Read::Data,
            doing: [false; 256],
            client_does: [false; 256],
            after_cr: false,
        }
    }

    /// What the port says as a client connects: it will echo and send no go-aheads.
    pub(super) fn hello(&mut self) -> Vec<u8> {
        self.doing[ECHO as usize] = true;
        self.doing[SGA as usize] = true;
        vec![IAC, WILL, ECHO, IAC, WILL, SGA]
    }

    /// The client's bytes: what it typed, and the port's answers to its negotiation.
    pub(super) fn receive(&mut self, wire: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (mut typed, mut answer) = (Vec::new(), Vec::new());
        for &b in wire {
            self.read = match (self.read, b) {
                (Read::Data, IAC) => Read::Command,
                (Read::Data, _) => {
                    if !(self.after_cr && b == 0) {
                        typed.push(b);
                    }
                    self.after_cr = b == b'\r';
                    Read::Data
                }
                (Read::Command, IAC) => {
                    typed.push(IAC);
                    self.after_cr = false;
                    Read::Data
                }
                (Read::Command, WILL | WONT | DO | DONT) => Read::Option(b),
                (Read::Command, SB) => Read::Sub(false),
                // NOP, BRK, AYT, GA…: nothing a switch's CLI reads.
                (Read::Command, _) => Read::Data,
                (Read::Option(verb), option) => {
                    answer.extend(self.answer(verb, option));
                    Read::Data
                }
                (Read::Sub(false), IAC) => Read::Sub(true),
                (Read::Sub(true), SE) => Read::Data,
                (Read::Sub(_), _) => Read::Sub(false),
            };
        }
        (typed, answer)
    }

    /// The answer to `IAC verb option`: only a change of state is answered, so an
    /// agreement or a refusal ends the exchange rather than loop.
    fn answer(&mut self, verb: u8, option: u8) -> Vec<u8> {
        let i = option as usize;
        let (table, on, yes, no) = match verb {
            DO => (
                &mut self.doing,
                matches!(option, ECHO | SGA | BINARY),
                WILL,
                WONT,
            ),
            DONT => (&mut self.doing, false, WILL, WONT),
            WILL => (
                &mut self.client_does,
                matches!(option, SGA | BINARY | NAWS),
                DO,
                DONT,
            ),
            _ => (&mut self.client_does, false, DO, DONT),
        };
        let asked = matches!(verb, DO | WILL);
        if on == table[i] && (on || !asked) {
            return Vec::new();
        }
        table[i] = on;
        vec![IAC, if on { yes } else { no }, option]
    }

    /// The console's bytes for the wire: IAC doubled, and a CR not followed by LF sent as
    /// CR NUL unless the port agreed to BINARY.
    pub(super) fn escape(&self, data: &[u8]) -> Vec<u8> {
        let binary = self.doing[BINARY as usize];
        let mut wire = Vec::with_capacity(data.len() + 8);
        for (i, &b) in data.iter().enumerate() {
            wire.push(b);
            if b == IAC {
                wire.push(IAC);
            } else if b == b'\r' && !binary && data.get(i + 1) != Some(&b'\n') {
                wire.push(0);
            }
        }
        wire
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_offers_echo_and_sga_and_agreement_ends_there() {
        let mut t = TelnetServer::new();
        assert_eq!(t.hello(), [IAC, WILL, ECHO, IAC, WILL, SGA]);
        // A client's agreement to what was offered needs no answer; its own SGA does.
        let (typed, answer) = t.receive(&[IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, SGA]);
        assert!(typed.is_empty());
        assert_eq!(answer, [IAC, DO, SGA]);
        // Said again: no answer, no loop.
        let (_, again) = t.receive(&[IAC, DO, ECHO, IAC, WILL, SGA]);
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn other_options_are_refused_once() {
        let mut t = TelnetServer::new();
        let _ = t.hello();
        // TERMINAL-TYPE (24) from the port, LINEMODE (34) from the client: refused.
        let (_, answer) = t.receive(&[IAC, DO, 24, IAC, WILL, 34]);
        assert_eq!(answer, [IAC, WONT, 24, IAC, DONT, 34]);
        // Their refusals of what is already off need no answer.
        let (_, quiet) = t.receive(&[IAC, WONT, 34, IAC, DONT, 24]);
        assert!(quiet.is_empty(), "{quiet:?}");
        // Binary and the window size are taken; a DONT ECHO takes echo back.
        let (_, yes) = t.receive(&[IAC, DO, BINARY, IAC, WILL, NAWS, IAC, DONT, ECHO]);
        assert_eq!(yes, [IAC, WILL, BINARY, IAC, DO, NAWS, IAC, WONT, ECHO]);
    }

    #[test]
    fn typed_bytes_come_out_of_the_stream_whatever_the_split() {
        // Doubled IAC, CR NUL, a NOP, a window size with a doubled IAC inside.
        let wire = [
            &b"sh"[..],
            &[IAC, IAC, b'\r', 0, b'x', IAC, 241],
            &[IAC, SB, NAWS, 0, IAC, IAC, 0, 50, IAC, SE],
            b"y\r\n",
        ]
        .concat();
        for size in [1, 2, 3, wire.len()] {
            let mut t = TelnetServer::new();
            let mut typed = Vec::new();
            for piece in wire.chunks(size) {
                typed.extend(t.receive(piece).0);
            }
            assert_eq!(typed, b"sh\xff\rxy\r\n", "pieces of {size}");
        }
    }

    #[test]
    fn the_console_output_is_escaped() {
        let mut t = TelnetServer::new();
        assert_eq!(t.escape(b"a\xffb\r"), b"a\xff\xffb\r\0");
        assert_eq!(t.escape(b"Switch>\r\n"), b"Switch>\r\n");
        let _ = t.receive(&[IAC, DO, BINARY]);
        assert_eq!(
            t.escape(b"\r\xff"),
            b"\r\xff\xff",
            "binary: a bare CR stays"
        );
    }
}
