//! The sender's side of the frame sink's control connection: one line asked, one line
//! answered (`reset N`, `await N FRAMES MS`), each within the wait it asks for.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::SinkCount;
use super::sender::BlastError;

/// The control connection's answers beyond the wait asked for.
const CONTROL_GRACE: Duration = Duration::from_secs(5);

/// The sink's control connection.
pub(super) struct Control {
    addr: SocketAddr,
    out: TcpStream,
    lines: BufReader<TcpStream>,
}

impl Control {
    pub(super) fn open(addr: SocketAddr) -> Result<Control, BlastError> {
        let io = |error| BlastError::Io {
            what: "the frame sink's control port",
            addr,
            error,
        };
        let out = TcpStream::connect_timeout(&addr, CONTROL_GRACE).map_err(io)?;
        let _ = out.set_nodelay(true);
        let lines = BufReader::new(out.try_clone().map_err(io)?);
        Ok(Control { addr, out, lines })
    }

    pub(super) fn ask(&mut self, line: &str, wait: Duration) -> Result<String, BlastError> {
        let io = |error| BlastError::Io {
            what: "the frame sink's control port",
            addr: self.addr,
            error,
        };
        let _ = self.out.set_read_timeout(Some(wait + CONTROL_GRACE));
        writeln!(self.out, "{line}").map_err(io)?;
        let mut said = String::new();
        self.lines.read_line(&mut said).map_err(io)?;
        Ok(said.trim().to_string())
    }

    pub(super) fn count(
        &mut self,
        trial: u16,
        frames: u64,
        wait: Duration,
    ) -> Result<SinkCount, BlastError> {
        let asked = format!("await {trial} {frames} {}", wait.as_millis());
        let said = self.ask(&asked, wait)?;
        serde_json::from_str(&said).map_err(|_| BlastError::Sink {
            control: self.addr,
            asked,
            said,
        })
    }

    pub(super) fn reset(&mut self, trial: u16) -> Result<(), BlastError> {
        let asked = format!("reset {trial}");
        match self.ask(&asked, Duration::ZERO)? {
            ok if ok == "ok" => Ok(()),
            said => Err(BlastError::Sink {
                control: self.addr,
                asked,
                said,
            }),
        }
    }
}
