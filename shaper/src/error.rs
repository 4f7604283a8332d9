//! Why a shaper could not start.

use std::path::PathBuf;

/// A shaper that could not be started, naming the step and what the host lacks.
#[derive(Debug, thiserror::Error)]
pub enum ShaperError {
    #[error("entering the network namespace {path}: {source}")]
    Netns {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("binding NFQUEUE {queue} (needs the kernel's nfnetlink_queue, CONFIG_NETFILTER_NETLINK_QUEUE): {source}")]
    Nfqueue { queue: u16, source: std::io::Error },
    #[error("opening a raw socket for copies: {0}")]
    Raw(std::io::Error),
    #[error("starting the shaper's thread: {0}")]
    Thread(std::io::Error),
    #[error("the shaper's thread ended: {0}")]
    Died(String),
}
