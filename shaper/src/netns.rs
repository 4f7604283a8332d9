//! Moving the calling thread into a node's network namespace. `setns(CLONE_NEWNET)` changes
//! only the calling thread, and a socket stays in the namespace it was opened in, so the
//! shaper's thread enters once, then opens its sockets (and so does each client worker
//! placed beside its node, harness/src/workers.rs).

use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Enter the network namespace at `path` (`/proc/<pid>/ns/net`), for this thread only.
pub fn enter(path: &Path) -> io::Result<()> {
    let file = std::fs::File::open(path)?;
    // SAFETY: setns on a descriptor of a namespace file held open for the call.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
