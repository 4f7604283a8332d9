//! The list-append checker on a 100k-transaction history of a serial database, for
//! measuring its peak memory from outside (no timing or memory assertion here):
//!
//! `cargo test --release -p checkers --test txn_scale -- --ignored --nocapture`, under
//! `/usr/bin/time -v` for the process's peak; the test prints the peak resident set
//! (`VmHWM`) after generating the history and after checking it.

use checkers::txn::gen::{generate, Spec};
use checkers::txn::{Datatype, ListAppend, Model};
use checkers::Checker;
use history::Validity;

/// This process's peak resident set so far, in MiB (Linux only; 0 elsewhere).
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

#[test]
#[ignore = "large: run by hand to measure memory"]
fn checks_a_100k_history() {
    let txns: usize = std::env::var("TXNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let h = generate(&Spec::large(Datatype::ListAppend, txns, 42), None).history;
    let after_gen = peak_mib();
    let c = ListAppend {
        model: Model::StrictSerializable,
        time_limit: None,
    };
    // REPEAT=n checks n times (for profiling the check rather than the generator).
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut v = c.check(&h);
    for _ in 1..repeat {
        v = c.check(&h);
    }
    assert_eq!(v.validity, Validity::Valid, "{:?}", v.reason);
    println!(
        "{txns} txns, {} ops: peak {after_gen} MiB after generating, {} MiB after checking; \
         edges {}",
        h.len(),
        peak_mib(),
        v.stats["edges"]
    );
}
