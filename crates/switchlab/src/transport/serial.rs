//! Serial consoles (USB-serial adapters, or a simulator's pty) with tokio-serial, with the
//! errors a lab engineer meets named plainly: missing, busy, not permitted.

use std::io::ErrorKind;
use std::path::Path;

use tokio_serial::SerialPortBuilderExt;

use super::{ConnectOptions, Connected, Problem, TransportError};
use crate::format::lab::{DataBits, FlowControl, Parity, SerialAccess, StopBits};

/// Open the lab's serial port for `device`, checked first (a stale console link, a path
/// that is missing or not a tty), its failure to open named (missing, busy, denied).
pub fn open(
    device: &str,
    s: &SerialAccess,
    opts: &ConnectOptions,
) -> Result<Connected, TransportError> {
    let path = crate::format::lab::lab_path(&opts.lab_dir, &s.port);
    let port = path.display().to_string();
    check_path(&path, &port).map_err(|p| p.on(device))?;
    match builder(&port, s).open_native_async() {
        Ok(stream) => Ok(Connected {
            stream: Box::new(stream),
            keep_alive: Vec::new(),
            holds_type_ahead: false,
        }),
        Err(e) => Err(open_failed(&path, port, e).on(device)),
    }
}

/// What makes a path no serial port to open.
fn check_path(path: &Path, port: &str) -> Result<(), Problem> {
    let unusable = |why: String| Problem::SerialUnusable {
        port: port.to_string(),
        why,
    };
    // A stale simulator link first: its pty is gone, or is now someone else's terminal.
    if let Some(why) = super::console_link::stale(path) {
        return Err(unusable(why));
    }
    if !path.exists() {
        return Err(Problem::SerialMissing { port: port.into() });
    }
    use std::os::unix::fs::FileTypeExt;
    if std::fs::metadata(path).is_ok_and(|m| !m.file_type().is_char_device()) {
        return Err(unusable(
            "not a serial device (a file or folder, not a tty): give the adapter's /dev/ttyUSB* or a console link"
                .into(),
        ));
    }
    Ok(())
}

/// The port's settings as the lab gives them.
fn builder(port: &str, s: &SerialAccess) -> tokio_serial::SerialPortBuilder {
    tokio_serial::new(port, s.baud)
        .data_bits(match s.data_bits {
            DataBits::Five => tokio_serial::DataBits::Five,
            DataBits::Six => tokio_serial::DataBits::Six,
            DataBits::Seven => tokio_serial::DataBits::Seven,
            DataBits::Eight => tokio_serial::DataBits::Eight,
        })
        .parity(match s.parity {
            Parity::None => tokio_serial::Parity::None,
            Parity::Odd => tokio_serial::Parity::Odd,
            Parity::Even => tokio_serial::Parity::Even,
        })
        .stop_bits(match s.stop_bits {
            StopBits::One => tokio_serial::StopBits::One,
            StopBits::Two => tokio_serial::StopBits::Two,
        })
        .flow_control(match s.flow_control {
            FlowControl::None => tokio_serial::FlowControl::None,
            FlowControl::Software => tokio_serial::FlowControl::Software,
            FlowControl::Hardware => tokio_serial::FlowControl::Hardware,
        })
}

/// Why the port did not open, named plainly where it can be.
fn open_failed(path: &Path, port: String, e: tokio_serial::Error) -> Problem {
    let io = std::io::Error::from(e.clone());
    // An exclusively opened port reports "No such file or directory" although it exists.
    match (io.kind(), io.raw_os_error()) {
        (ErrorKind::PermissionDenied, _) => Problem::SerialDenied { port },
        (_, Some(libc_ebusy)) if libc_ebusy == nix::errno::Errno::EBUSY as i32 => {
            Problem::SerialBusy { port }
        }
        (ErrorKind::NotFound, _) if path.exists() => Problem::SerialBusy { port },
        (ErrorKind::NotFound, _) => Problem::SerialMissing { port },
        _ => Problem::Serial { port, error: e },
    }
}
