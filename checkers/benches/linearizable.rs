//! Every row of the linearizability speed table: the bundled Porcupine corpus and the
//! seeded synthetic register histories (check time only: histories are read or generated
//! before timing). Run: `cargo bench -p checkers --bench linearizable`.

use checkers::linearizable::{check, Options};
use criterion::{criterion_group, criterion_main, Criterion};
use history::synth::{generate, SynthSpec};
use history::{format, History, Validity};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn corpus(dir: &str) -> Vec<History> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/porcupine");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| format::read_path(p, None, None).expect("corpus file").0)
        .collect()
}

/// The synthetic rows: (name, clients, ops, keys, info fraction).
pub const ROWS: [(&str, u32, usize, u32, f64); 6] = [
    ("1key-5c-10k", 5, 10_000, 1, 0.0),
    ("1key-10c-10k", 10, 10_000, 1, 0.0),
    ("1key-5c-100k", 5, 100_000, 1, 0.0),
    ("100keys-10c-1m", 10, 1_000_000, 100, 0.0),
    ("1key-20c-500", 20, 500, 1, 0.0),
    ("1key-5c-10k-1pct-info", 5, 10_000, 1, 0.01),
];

fn synthetic(clients: u32, ops: usize, keys: u32, info: f64, stale: bool) -> History {
    let s = generate(&SynthSpec {
        clients,
        ops,
        keys,
        info_fraction: info,
        stale_read: stale,
        ..SynthSpec::default()
    });
    assert!(!stale || s.stale.is_some(), "a stale read was made");
    s.history
}

fn bench_all(c: &mut Criterion, name: &str, histories: &[History], opts: &Options) {
    let expect: Vec<Validity> = histories
        .iter()
        .map(|h| check(h, opts).expect("checkable").verdict.validity)
        .collect();
    assert!(
        expect.iter().all(|v| *v != Validity::Unknown),
        "{name}: unknown"
    );
    c.bench_function(name, |b| {
        b.iter(|| {
            for (h, want) in histories.iter().zip(&expect) {
                assert_eq!(check(h, opts).expect("checkable").verdict.validity, *want);
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    let opts = Options::default();
    bench_all(c, "corpus/jepsen-etcd-102", &corpus("jepsen"), &opts);
    bench_all(c, "corpus/kv-6", &corpus("kv"), &opts);
    let search_only = Options {
        refute: false,
        ..Options::default()
    };
    for (name, clients, ops, keys, info) in ROWS {
        let valid = synthetic(clients, ops, keys, info, false);
        let stale = synthetic(clients, ops, keys, info, true);
        bench_all(
            c,
            &format!("{name}/valid"),
            std::slice::from_ref(&valid),
            &opts,
        );
        bench_all(
            c,
            &format!("{name}/stale"),
            std::slice::from_ref(&stale),
            &opts,
        );
        if info == 0.0 {
            bench_all(
                c,
                &format!("{name}/stale-search-only"),
                std::slice::from_ref(&stale),
                &search_only,
            );
        }
    }
}

criterion_group! {
    name = linearizable;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(linearizable);
