//! A small NFQUEUE client over netlink (the kernel's `nfnetlink_queue`): bind a queue
//! number, receive the packets an iptables `NFQUEUE` rule hands over, and give each a
//! verdict, in any order, by its packet id, with a changed payload where it was damaged.
//!
//! Written against the kernel's `linux/netfilter/nfnetlink_queue.h` instead of taken from a
//! crate because the shaper must wait for a packet *or* for the next held packet's time,
//! which needs the socket's descriptor for `ppoll`. The socket belongs to the network
//! namespace of the thread that opened it ([`crate::netns`]).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

const NFNL_SUBSYS_QUEUE: u16 = 3;
const MSG_PACKET: u16 = 0;
const MSG_VERDICT: u16 = 1;
const MSG_CONFIG: u16 = 2;
const CFG_CMD: u16 = 1;
const CFG_PARAMS: u16 = 2;
const CFG_QUEUE_MAXLEN: u16 = 3;
const CFG_MASK: u16 = 4;
const CFG_FLAGS: u16 = 5;
const CFG_F_FAIL_OPEN: u32 = 1;
const CMD_BIND: u8 = 1;
const COPY_PACKET: u8 = 2;
const A_PACKET_HDR: u16 = 1;
const A_VERDICT_HDR: u16 = 2;
const A_PAYLOAD: u16 = 10;
const NLMSG_ERROR: u16 = 2;
const NLMSG_HDRLEN: usize = 16;
const NFGEN_LEN: usize = 4;
/// How many packets the kernel keeps for the shaper at most; beyond, they pass unshaped
/// (fail-open), never dropped by the queue.
const MAX_QUEUED: u32 = 16_384;

/// A verdict on a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Drop = 0,
    Accept = 1,
}

/// One packet handed over by the kernel.
#[derive(Debug, Clone)]
pub struct Packet {
    pub id: u32,
    /// The IP datagram (IPv4 here).
    pub payload: Vec<u8>,
}

/// A bound queue.
#[derive(Debug)]
pub struct Queue {
    fd: OwnedFd,
    num: u16,
    seq: u32,
    buf: Vec<u8>,
    /// Packets received but not yet handed out.
    pending: std::collections::VecDeque<Packet>,
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Append a netlink attribute (padded to 4 bytes).
fn attr(msg: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = 4 + value.len();
    msg.extend_from_slice(&(len as u16).to_ne_bytes());
    msg.extend_from_slice(&kind.to_ne_bytes());
    msg.extend_from_slice(value);
    msg.resize(msg.len() + (4 - len % 4) % 4, 0);
}

impl Queue {
    /// Open a netlink socket in this thread's network namespace and bind queue `num`,
    /// copying whole packets, failing open when full.
    pub fn bind(num: u16) -> io::Result<Queue> {
        // SAFETY: plain syscalls on a descriptor this function owns.
        let fd = unsafe {
            check(libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                libc::NETLINK_NETFILTER,
            ))?
        };
        // SAFETY: fd was just returned by socket() and is owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let big: libc::c_int = 8 << 20;
        let one: libc::c_int = 1;
        // SAFETY: setsockopt with a pointer to a live c_int of the stated size. Failing to
        // enlarge the buffer or to ignore ENOBUFS only makes overflow likelier: ignored.
        unsafe {
            let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            let p = &big as *const libc::c_int as *const libc::c_void;
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                p,
                size,
            );
            let p = &one as *const libc::c_int as *const libc::c_void;
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_NETLINK,
                libc::NETLINK_NO_ENOBUFS,
                p,
                size,
            );
        }
        let mut q = Queue {
            fd,
            num,
            seq: 0,
            buf: vec![0; 65_536 + 8192],
            pending: Default::default(),
        };
        let pf = (libc::AF_INET as u16).to_be_bytes();
        q.config(&[(CFG_CMD, vec![CMD_BIND, 0, pf[0], pf[1]])])?;
        let mut params = 65_535u32.to_be_bytes().to_vec();
        params.push(COPY_PACKET);
        q.config(&[
            (CFG_PARAMS, params),
            (CFG_QUEUE_MAXLEN, MAX_QUEUED.to_be_bytes().to_vec()),
            (CFG_FLAGS, CFG_F_FAIL_OPEN.to_be_bytes().to_vec()),
            (CFG_MASK, CFG_F_FAIL_OPEN.to_be_bytes().to_vec()),
        ])?;
        Ok(q)
    }

    /// A message of the queue subsystem: netlink header, nfgenmsg, then attributes.
    fn message(&mut self, kind: u16, ack: bool, attrs: &[(u16, &[u8])]) -> Vec<u8> {
        self.seq = self.seq.wrapping_add(1);
        let mut m = Vec::with_capacity(64);
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&((NFNL_SUBSYS_QUEUE << 8) | kind).to_ne_bytes());
        let flags = libc::NLM_F_REQUEST as u16 | if ack { libc::NLM_F_ACK as u16 } else { 0 };
        m.extend_from_slice(&flags.to_ne_bytes());
        m.extend_from_slice(&self.seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&[libc::AF_UNSPEC as u8, 0]);
        m.extend_from_slice(&self.num.to_be_bytes());
        for (k, v) in attrs {
            attr(&mut m, *k, v);
        }
        let len = m.len() as u32;
        m[..4].copy_from_slice(&len.to_ne_bytes());
        m
    }

    fn send(&self, m: &[u8]) -> io::Result<()> {
        // SAFETY: sends the bytes of a live slice to the kernel (a zeroed sockaddr_nl).
        unsafe {
            let mut addr: libc::sockaddr_nl = std::mem::zeroed();
            addr.nl_family = libc::AF_NETLINK as u16;
            check(libc::sendto(
                self.fd.as_raw_fd(),
                m.as_ptr() as *const libc::c_void,
                m.len(),
                0,
                &addr as *const libc::sockaddr_nl as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            ) as libc::c_int)?;
        }
        Ok(())
    }

    /// Send a configuration message and wait for the kernel's acknowledgement.
    fn config(&mut self, attrs: &[(u16, Vec<u8>)]) -> io::Result<()> {
        let refs: Vec<(u16, &[u8])> = attrs.iter().map(|(k, v)| (*k, v.as_slice())).collect();
        let m = self.message(MSG_CONFIG, true, &refs);
        self.send(&m)?;
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no answer from nfnetlink_queue",
                ));
            }
            self.wait(left)?;
            if let Some(errno) = self.read()? {
                return match errno {
                    0 => Ok(()),
                    e => Err(io::Error::from_raw_os_error(e)),
                };
            }
        }
    }

    /// Wait at most `timeout` for something to read.
    pub fn wait(&self, timeout: Duration) -> io::Result<()> {
        let ts = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one live pollfd and a live timespec.
        let r = unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
        match check(r) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Read one datagram without blocking: its packets go to `pending`; an error or
    /// acknowledgement message gives its errno (0 for an acknowledgement). Nothing to read
    /// is `Ok(None)`.
    fn read(&mut self) -> io::Result<Option<i32>> {
        // SAFETY: receives into the live buffer, at most its length.
        let n = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                self.buf.as_mut_ptr() as *mut libc::c_void,
                self.buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
                _ if e.raw_os_error() == Some(libc::ENOBUFS) => Ok(None),
                _ => Err(e),
            };
        }
        let mut at = 0usize;
        let n = n as usize;
        let mut answer = None;
        while at + NLMSG_HDRLEN <= n {
            let word =
                |o: usize| u32::from_ne_bytes(self.buf[o..o + 4].try_into().unwrap_or([0; 4]));
            let len = word(at) as usize;
            if len < NLMSG_HDRLEN || at + len > n {
                break;
            }
            let kind = u16::from_ne_bytes([self.buf[at + 4], self.buf[at + 5]]);
            if kind == NLMSG_ERROR {
                answer = Some(-(word(at + NLMSG_HDRLEN) as i32));
            } else if kind == (NFNL_SUBSYS_QUEUE << 8) | MSG_PACKET {
                if let Some(p) = parse_packet(&self.buf[at + NLMSG_HDRLEN + NFGEN_LEN..at + len]) {
                    self.pending.push_back(p);
                }
            }
            at += (len + 3) & !3;
        }
        Ok(answer)
    }

    /// The next packet handed over, without blocking.
    pub fn try_recv(&mut self) -> io::Result<Option<Packet>> {
        while self.pending.is_empty() {
            // An error message here answers a verdict: the packet was gone already.
            match self.read()? {
                None if self.pending.is_empty() => return Ok(None),
                _ => {}
            }
        }
        Ok(self.pending.pop_front())
    }

    /// Give packet `id` its verdict, with `payload` in place of its own when given.
    pub fn verdict(&mut self, id: u32, verdict: Verdict, payload: Option<&[u8]>) -> io::Result<()> {
        let mut hdr = (verdict as u32).to_be_bytes().to_vec();
        hdr.extend_from_slice(&id.to_be_bytes());
        let mut attrs: Vec<(u16, &[u8])> = vec![(A_VERDICT_HDR, &hdr)];
        if let Some(p) = payload {
            attrs.push((A_PAYLOAD, p));
        }
        let m = self.message(MSG_VERDICT, false, &attrs);
        self.send(&m)
    }
}

/// The packet of a packet message's attributes: its id and payload.
fn parse_packet(mut attrs: &[u8]) -> Option<Packet> {
    let (mut id, mut payload) = (None, None);
    while attrs.len() >= 4 {
        let len = usize::from(u16::from_ne_bytes([attrs[0], attrs[1]]));
        let kind = u16::from_ne_bytes([attrs[2], attrs[3]]) & 0x3fff;
        if len < 4 || len > attrs.len() {
            break;
        }
        let value = &attrs[4..len];
        match kind {
            A_PACKET_HDR if value.len() >= 4 => {
                id = Some(u32::from_be_bytes([value[0], value[1], value[2], value[3]]))
            }
            A_PAYLOAD => payload = Some(value.to_vec()),
            _ => {}
        }
        attrs = &attrs[((len + 3) & !3).min(attrs.len())..];
    }
    Some(Packet {
        id: id?,
        payload: payload.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_padded_and_a_packet_message_is_read_back() {
        let mut m = Vec::new();
        let mut hdr = 77u32.to_be_bytes().to_vec();
        hdr.extend_from_slice(&[0x08, 0x00, 3]);
        attr(&mut m, A_PACKET_HDR, &hdr);
        assert_eq!(m.len(), 12);
        attr(&mut m, 9, &[1, 2, 3, 4, 5]);
        attr(&mut m, A_PAYLOAD, b"\x45abc");
        assert_eq!(m.len() % 4, 0);
        let p = parse_packet(&m).unwrap();
        assert_eq!((p.id, p.payload.as_slice()), (77, &b"\x45abc"[..]));
        assert!(parse_packet(&m[12..]).is_none(), "no header, no packet");
    }
}
