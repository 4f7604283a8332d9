//! Does `--rate` give the rate asked? The memory system (it answers at once, so only the
//! generator's schedule limits the rate) is run at each rate for 10 s with 10 workers, and
//! the ops invoked during the main phase are counted. Each achieved rate must be within
//! 5 % of the one asked; the bench exits 1 otherwise.
//!
//! `cargo bench -p harness --bench rate` (or `-- 200,2000,20000 10` for rates and seconds).

use harness::spec::TestSpec;
use history::{OpType, Process};

const TOLERANCE: f64 = 0.05;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rates: Vec<f64> = args
        .first()
        .map(|r| r.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![200.0, 2_000.0, 20_000.0]);
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let store = std::env::temp_dir().join(format!("schism-rate-bench-{}", std::process::id()));
    println!("| asked (ops/s) | achieved (ops/s) | off by |");
    println!("|---:|---:|---:|");
    let mut all_ok = true;
    for rate in rates {
        let spec = TestSpec {
            system: "memory".into(),
            rate,
            time_limit_s: secs,
            recovery_s: 0.0,
            concurrency: 10,
            seed: Some(1),
            store: store.clone(),
            nemesis: harness::spec::NemesisSpec {
                faults: Vec::new(),
                ..Default::default()
            },
            ..TestSpec::default()
        };
        let outcome = rt
            .block_on(harness::run::run(spec, |_| {}))
            .expect("the run");
        let (h, _) = history::format::read_path(&outcome.dir.join("history.jsonl"), None, None)
            .expect("its history");
        let limit_ns = (secs * 1e9) as u64;
        let start = h.ops().first().map_or(0, |o| o.time_ns);
        let invoked = h
            .ops()
            .iter()
            .filter(|o| matches!(o.process, Process::Client(_)) && o.kind == OpType::Invoke)
            .filter(|o| o.time_ns < start + limit_ns)
            .count();
        let achieved = invoked as f64 / secs;
        let off = achieved / rate - 1.0;
        all_ok &= off.abs() <= TOLERANCE;
        println!("| {rate:.0} | {achieved:.0} | {:+.1} % |", off * 100.0);
    }
    let _ = std::fs::remove_dir_all(&store);
    if !all_ok {
        eprintln!(
            "an achieved rate is more than {:.0} % off",
            TOLERANCE * 100.0
        );
        std::process::exit(1);
    }
}
