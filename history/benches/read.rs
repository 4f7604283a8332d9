//! How fast histories are read, per format: 100,000 ops of a seeded synthetic history
//! written as native JSONL and as Jepsen EDN. Run: `cargo bench -p history --bench read`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use history::synth::{generate, SynthSpec};
use history::{format, Format};
use std::time::Duration;

fn benches(c: &mut Criterion) {
    let h = generate(&SynthSpec {
        ops: 50_000,
        clients: 10,
        keys: 10,
        cas_fraction: 0.2,
        info_fraction: 0.01,
        ..SynthSpec::default()
    })
    .history;
    let mut jsonl = Vec::new();
    history::jsonl::write(&mut jsonl, h.ops()).unwrap();
    let mut edn = Vec::new();
    history::jepsen::write(&mut edn, h.ops()).unwrap();
    let mut group = c.benchmark_group("read-100k-ops");
    for (name, fmt, text) in [
        ("jsonl", Format::Jsonl, jsonl),
        ("jepsen-edn", Format::JepsenEdn, edn),
    ] {
        let text = String::from_utf8(text).unwrap();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let (read, _) = format::parse(&text, Some(fmt), None).unwrap();
                assert_eq!(read.len(), h.len());
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = read;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(read);
