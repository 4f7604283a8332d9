//! Helpers of the tests that run `schism-node` as real processes: a child process that is
//! killed when dropped (even when a test fails) and a line-per-envelope TCP client.

#![allow(dead_code)]

pub mod client;
pub mod process;

/// A port free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The `schism-node` binary under test.
pub fn schism_node() -> String {
    env!("CARGO_BIN_EXE_schism-node").to_string()
}
