//! What each port's shaper (its tbf qdisc, the kernel path's buffer) dropped, as the kernel
//! counts it: a kernel-path switch's output discards. Read over a netlink socket opened in
//! the fabric's namespace (it stays bound to it), one dump of the qdiscs a read, with no
//! process started per read (a monitor's tick is 20 ms).

use std::io;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::tc::{TcAttribute, TcMessage, TcStats2};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use super::packet::in_netns;

/// The shapers of some ports of one namespace.
pub(super) struct ShaperDrops {
    socket: Socket,
    /// Each port's interface index in the namespace, in the order asked.
    ports: Vec<u32>,
    sequence: u32,
}

impl ShaperDrops {
    /// Open the socket in `netns` and find `ports` there.
    pub(super) fn open(netns: &str, ports: &[String]) -> io::Result<ShaperDrops> {
        let names = ports.to_vec();
        let (socket, ports) = in_netns(netns, move || {
            let mut socket = Socket::new(NETLINK_ROUTE)?;
            socket.bind_auto()?;
            socket.connect(&SocketAddr::new(0, 0))?;
            let ports = names
                .iter()
                .map(|n| nix::net::if_::if_nametoindex(n.as_str()).map_err(io::Error::from))
                .collect::<io::Result<Vec<u32>>>()?;
            Ok((socket, ports))
        })?;
        Ok(ShaperDrops {
            socket,
            ports,
            sequence: 0,
        })
    }

    /// Each port's root qdisc's drops so far (0 for a port without one).
    pub(super) fn drops(&mut self) -> io::Result<Vec<u64>> {
        self.sequence = self.sequence.wrapping_add(1);
        let mut request = NetlinkMessage::new(
            NetlinkHeader::default(),
            NetlinkPayload::from(RouteNetlinkMessage::GetQueueDiscipline(TcMessage::default())),
        );
        request.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
        request.header.sequence_number = self.sequence;
        request.finalize();
        let mut buf = vec![0; request.buffer_len()];
        request.serialize(&mut buf);
        self.socket.send(&buf, 0)?;
        let mut drops = vec![0; self.ports.len()];
        let mut reply = vec![0u8; 64 << 10];
        loop {
            let size = self.socket.recv(&mut &mut reply[..], 0)?;
            let mut at = 0;
            while at < size {
                let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&reply[at..size])
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                let len = msg.header.length as usize;
                match msg.payload {
                    NetlinkPayload::Done(_) => return Ok(drops),
                    NetlinkPayload::Error(e) => return Err(io::Error::other(e.to_string())),
                    NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewQueueDiscipline(q)) => {
                        self.take(&q, &mut drops);
                    }
                    _ => {}
                }
                if len == 0 {
                    break;
                }
                at += len;
            }
        }
    }

    /// A root qdisc's drops, where it is one of the ports'.
    fn take(&self, q: &TcMessage, drops: &mut [u64]) {
        if q.header.parent != netlink_packet_route::tc::TcHandle::ROOT {
            return;
        }
        let Some(k) = self.ports.iter().position(|&i| i as i32 == q.header.index) else {
            return;
        };
        let queue = q.attributes.iter().find_map(|a| match a {
            TcAttribute::Stats2(all) => all.iter().find_map(|s| match s {
                TcStats2::Queue(queue) => Some(u64::from(queue.drops)),
                _ => None,
            }),
            _ => None,
        });
        let compat = q.attributes.iter().find_map(|a| match a {
            TcAttribute::Stats(s) => Some(u64::from(s.drops)),
            _ => None,
        });
        drops[k] = queue.or(compat).unwrap_or(0);
    }
}
