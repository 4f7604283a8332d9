//! Sending a copy of a packet (the `duplicate` fault): a raw IPv4 socket with the header
//! included, whose packets carry a firewall mark so that the NFQUEUE rule, which skips that
//! mark, lets them pass instead of handing them to the shaper again.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A raw socket of the namespace it was opened in.
#[derive(Debug)]
pub struct Raw {
    fd: OwnedFd,
}

impl Raw {
    /// Open one whose packets carry `mark`.
    pub fn open(mark: u32) -> io::Result<Raw> {
        // SAFETY: socket() and setsockopt with a live u32; the descriptor is owned at once.
        unsafe {
            let fd = libc::socket(
                libc::AF_INET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::IPPROTO_RAW,
            );
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let fd = OwnedFd::from_raw_fd(fd);
            let size = std::mem::size_of::<u32>() as libc::socklen_t;
            let p = &mark as *const u32 as *const libc::c_void;
            if libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_MARK, p, size) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Raw { fd })
        }
    }

    /// Send an IPv4 datagram as it is (the kernel fills in the header checksum).
    pub fn send(&self, packet: &[u8]) -> io::Result<()> {
        if packet.len() < 20 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an IPv4 packet",
            ));
        }
        // SAFETY: a zeroed sockaddr_in given its family and address; the slice is live.
        unsafe {
            let mut to: libc::sockaddr_in = std::mem::zeroed();
            to.sin_family = libc::AF_INET as libc::sa_family_t;
            to.sin_addr.s_addr =
                u32::from_ne_bytes([packet[16], packet[17], packet[18], packet[19]]);
            let r = libc::sendto(
                self.fd.as_raw_fd(),
                packet.as_ptr() as *const libc::c_void,
                packet.len(),
                0,
                &to as *const libc::sockaddr_in as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            );
            if r < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}
