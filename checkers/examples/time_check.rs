//! Time the linearizability check of one history file, repeated, apart from reading it,
//! then show each key's search figures:
//! `cargo run --release -p checkers --example time_check -- FILE [REPEATS]`.

use checkers::linearizable::{check, Options};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: time_check FILE [REPEATS]");
        std::process::exit(254);
    };
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let (h, _) = match history::format::read_path(path.as_ref(), None, None) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(254);
        }
    };
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let r = check(&h, &Options::default()).expect("checkable");
        println!(
            "{:?} {} ops {} keys {:.1} ms",
            r.verdict.validity,
            r.ops,
            r.keys.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        last = Some(r);
    }
    for k in last.map(|r| r.keys).unwrap_or_default() {
        println!(
            "  key {:?}: {:?}, {} ops, {} steps, {} configurations, {:.1} MB, {:.2} ms",
            k.key,
            k.validity,
            k.ops,
            k.stats.steps,
            k.stats.configurations,
            k.stats.peak_memory_bytes as f64 / 1e6,
            k.elapsed.as_secs_f64() * 1e3
        );
    }
}
