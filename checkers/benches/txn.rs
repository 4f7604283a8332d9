//! The transactional checkers' speed: list-append histories of a serial database
//! (`checkers::txn::gen`, the generator the tests use) of 10k, 100k and 1M transactions
//! over 1,000 active keys, 10 processes, up to 4 micro-ops each; and one rw-register row.
//! Check time only: histories are generated before timing, and each must come out valid.
//!
//! Run: `cargo bench -p checkers --bench txn -- --sample-size 10 --warm-up-time 1
//! --measurement-time 5` (the 1M row alone takes a minute or two).

use checkers::txn::gen::{generate, Spec};
use checkers::txn::{Datatype, ListAppend, Model, RwRegister};
use checkers::Checker;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use history::{History, Validity};
use std::time::Duration;

fn history(dt: Datatype, txns: usize) -> History {
    generate(&Spec::large(dt, txns, 42), None).history
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("txn");
    group.sample_size(10);
    let rows: [(Datatype, usize); 4] = [
        (Datatype::ListAppend, 10_000),
        (Datatype::ListAppend, 100_000),
        (Datatype::ListAppend, 1_000_000),
        (Datatype::RwRegister, 100_000),
    ];
    for (dt, n) in rows {
        if n >= 1_000_000 {
            group.measurement_time(Duration::from_secs(30));
        }
        let h = history(dt, n);
        let checker: Box<dyn Checker> = match dt {
            Datatype::ListAppend => Box::new(ListAppend {
                model: Model::StrictSerializable,
                time_limit: None,
            }),
            Datatype::RwRegister => Box::new(RwRegister {
                model: Model::StrictSerializable,
                time_limit: None,
            }),
        };
        let v = checker.check(&h);
        assert_eq!(v.validity, Validity::Valid, "{}: {:?}", dt.name(), v.reason);
        group.bench_with_input(BenchmarkId::new(dt.name(), n), &h, |b, h| {
            b.iter(|| checker.check(h).validity)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
