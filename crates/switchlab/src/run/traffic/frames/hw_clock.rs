//! A NIC's own clock for RFC 2544's latency stamps. Where the sending and the receiving
//! interface stamp frames in hardware against the same PTP hardware clock (two ports of
//! one NIC, as a loopback cable or a switch between them joins them), the tagged frames
//! are timed by it: no driver or interrupt time in the figure. Elsewhere (a veth, a NIC
//! without stamping, two NICs whose clocks are not one) the kernel's software stamps
//! stand, and the reason is kept. All ioctl code of the frame engine is here.

use std::net::IpAddr;
use std::os::fd::AsRawFd;

use nix::libc;

/// `ETHTOOL_GET_TS_INFO`: an interface's stamping capabilities and its clock.
const ETHTOOL_GET_TS_INFO: u32 = 0x41;
const SIOCETHTOOL: libc::c_ulong = 0x8946;
const SIOCSHWTSTAMP: libc::c_ulong = 0x89b0;
const SOF_TIMESTAMPING_TX_HARDWARE: u32 = 1 << 0;
const SOF_TIMESTAMPING_RX_HARDWARE: u32 = 1 << 2;
const SOF_TIMESTAMPING_RAW_HARDWARE: u32 = 1 << 6;
const HWTSTAMP_TX_ON: libc::c_int = 1;
const HWTSTAMP_FILTER_ALL: libc::c_int = 1;

/// `struct ethtool_ts_info`.
#[repr(C)]
#[derive(Default)]
struct TsInfo {
    cmd: u32,
    so_timestamping: u32,
    phc_index: i32,
    tx_types: u32,
    tx_reserved: [u32; 3],
    rx_filters: u32,
    rx_reserved: [u32; 3],
}

/// `struct hwtstamp_config`.
#[repr(C)]
struct HwConfig {
    flags: libc::c_int,
    tx_type: libc::c_int,
    rx_filter: libc::c_int,
}

/// `struct ifreq` with its union as the data pointer (40 bytes on 64-bit Linux).
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    data: *mut libc::c_void,
    _rest: [u8; 16],
}

/// Why an interface's hardware clock cannot time frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NoHardware {
    #[error("no interface has {address}")]
    NoInterface { address: IpAddr },
    #[error("{interface} does not stamp frames in hardware")]
    NoStamping { interface: String },
    #[error("{interface} has no PTP hardware clock")]
    NoClock { interface: String },
    #[error("{interface}: its stamping could not be read or turned on: {error}")]
    Ioctl {
        interface: String,
        error: nix::Error,
    },
}

/// The interface that holds `address` (in this process's namespace).
pub(super) fn interface_of(address: IpAddr) -> Result<String, NoHardware> {
    let addrs = nix::ifaddrs::getifaddrs().map_err(|_| NoHardware::NoInterface { address })?;
    for a in addrs {
        let ip = a.address.as_ref().and_then(|s| {
            s.as_sockaddr_in()
                .map(|v4| IpAddr::V4(v4.ip()))
                .or_else(|| s.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip())))
        });
        if ip == Some(address) {
            return Ok(a.interface_name);
        }
    }
    Err(NoHardware::NoInterface { address })
}

/// The hardware clock of the interface holding `address`, its stamping turned on for
/// sending and receiving: the clock's index. Needs CAP_NET_ADMIN to turn it on.
pub(super) fn hardware_clock(address: IpAddr) -> Result<i32, NoHardware> {
    let interface = interface_of(address)?;
    let sock = std::net::UdpSocket::bind((address, 0)).map_err(|e| NoHardware::Ioctl {
        interface: interface.clone(),
        error: nix::Error::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
    })?;
    let mut info = TsInfo {
        cmd: ETHTOOL_GET_TS_INFO,
        ..Default::default()
    };
    ioctl(&sock, &interface, SIOCETHTOOL, (&raw mut info).cast())?;
    let wanted =
        SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
    judge(
        &interface,
        info.so_timestamping & wanted == wanted,
        info.phc_index,
    )?;
    let mut config = HwConfig {
        flags: 0,
        tx_type: HWTSTAMP_TX_ON,
        rx_filter: HWTSTAMP_FILTER_ALL,
    };
    ioctl(&sock, &interface, SIOCSHWTSTAMP, (&raw mut config).cast())?;
    Ok(info.phc_index)
}

/// What an interface's capabilities allow: its clock, or why not.
fn judge(interface: &str, stamps: bool, phc_index: i32) -> Result<i32, NoHardware> {
    let interface = interface.to_string();
    match (stamps, phc_index) {
        (false, _) => Err(NoHardware::NoStamping { interface }),
        (true, i) if i < 0 => Err(NoHardware::NoClock { interface }),
        (true, i) => Ok(i),
    }
}

fn ioctl(
    sock: &std::net::UdpSocket,
    interface: &str,
    request: libc::c_ulong,
    data: *mut libc::c_void,
) -> Result<(), NoHardware> {
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        data,
        _rest: [0; 16],
    };
    let name = interface.as_bytes();
    let n = name.len().min(libc::IFNAMSIZ - 1);
    req.name[..n].copy_from_slice(&name[..n]);
    // SAFETY: `req` is a valid ifreq whose data points at a live struct of the kind
    // `request` reads and writes (ethtool_ts_info, hwtstamp_config), both outliving the call.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), request as _, &raw mut req) };
    match r {
        0 => Ok(()),
        _ => Err(NoHardware::Ioctl {
            interface: interface.to_string(),
            error: nix::Error::last(),
        }),
    }
}

/// Have the kernel stamp every frame `udp` receives: in software, and with the NIC's
/// clock too where `hardware` (its stamping was turned on by [`hardware_clock`]).
pub(super) fn stamp_arrivals(udp: &std::net::UdpSocket, hardware: bool) {
    use nix::sys::socket::{TimestampingFlag as F, setsockopt, sockopt};
    // Where the kernel will not stamp, the time of reading stands in.
    let _ = setsockopt(udp, sockopt::ReceiveTimestampns, &true);
    if hardware {
        let flags = F::SOF_TIMESTAMPING_RX_SOFTWARE
            | F::SOF_TIMESTAMPING_SOFTWARE
            | F::SOF_TIMESTAMPING_RX_HARDWARE
            | F::SOF_TIMESTAMPING_RAW_HARDWARE;
        let _ = setsockopt(udp, sockopt::Timestamping, &flags);
    }
}

/// A received message's kernel stamps: software (ns of the clock `now_ns` reads), and the
/// NIC's clock's where it stamped it.
pub(super) fn arrival<S>(m: &nix::sys::socket::RecvMsg<'_, '_, S>) -> (Option<u64>, Option<u64>) {
    use nix::sys::socket::ControlMessageOwned;
    let ns = |t: &nix::sys::time::TimeSpec| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64;
    let mut out = (None, None);
    for c in m.cmsgs().into_iter().flatten() {
        match c {
            ControlMessageOwned::ScmTimestampns(t) => out.0 = Some(ns(&t)),
            ControlMessageOwned::ScmTimestampsns(t) => {
                out.0 = Some(ns(&t.system)).filter(|n| *n > 0).or(out.0);
                out.1 = Some(ns(&t.hw_raw)).filter(|n| *n > 0);
            }
            _ => {}
        }
    }
    out
}

/// Which stamps time a trial's tagged frames: the NIC's where both ends have them from
/// one clock (its index), else the kernel's, with the reason.
pub(super) fn choose(
    sender: Result<i32, String>,
    receiver: Result<i32, String>,
) -> Result<i32, String> {
    match (sender, receiver) {
        (Ok(a), Ok(b)) if a == b => Ok(a),
        (Ok(a), Ok(b)) => Err(format!(
            "the sending and receiving NICs have two clocks (ptp{a}, ptp{b})"
        )),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hardware_stamps_need_stamping_a_clock_and_one_clock_at_both_ends() {
        assert_eq!(judge("eth1", true, 0), Ok(0));
        assert!(matches!(
            judge("veth0", false, -1),
            Err(NoHardware::NoStamping { .. })
        ));
        assert!(matches!(
            judge("eth1", true, -1),
            Err(NoHardware::NoClock { .. })
        ));
        assert_eq!(choose(Ok(2), Ok(2)), Ok(2));
        let two = choose(Ok(0), Ok(1)).unwrap_err();
        assert!(two.contains("two clocks"), "{two}");
        let veth = NoHardware::NoStamping {
            interface: "eth1".into(),
        };
        assert_eq!(
            choose(Err(veth.to_string()), Ok(0)).unwrap_err(),
            "eth1 does not stamp frames in hardware"
        );
    }

    #[test]
    fn loopback_has_no_hardware_clock_and_says_so() {
        let lo = IpAddr::from([127, 0, 0, 1]);
        assert_eq!(interface_of(lo).as_deref(), Ok("lo"));
        let why = hardware_clock(lo).unwrap_err().to_string();
        assert!(why.starts_with("lo "), "{why}");
    }
}
