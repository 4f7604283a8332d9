//! Every reader reads back what the writers write: the native JSONL writer (`jsonl::write`,
//! `JsonlWriter`, the recorder's file) and the Jepsen EDN writer (`jepsen::write`, behind
//! `schism synth --format jepsen-edn`), on seeded random histories and on `schism synth`'s.
//! The same ops come back, modulo these normalisations (`JSONL_NORMALISATIONS` and
//! `EDN_NORMALISATIONS` in `history::fuzzing::roundtrip`, applied by `jsonl_normal` and
//! `edn_normal`):
//!
//! - both: `index` is the op's position, and a completion without a key takes its
//!   invocation's (the generator makes ops so already);
//! - JSONL: an `error` of null reads back as no error;
//! - EDN: `node` and `error` are not written.
//!
//! EDN histories also stay within what the format carries (`edn_unwritable`: plain keyword
//! functions, times and processes within i64, keys on all client ops or none). schism has no Porcupine
//! writer.

mod random_history;

use history::fuzzing::roundtrip::{
    assert_edn, assert_jsonl, edn_normal, edn_unwritable, jsonl_normal, write_edn, write_jsonl,
};
use history::jsonl::JsonlWriter;
use history::synth::{generate, SynthSpec};
use history::{Dialect, History, Op};
use random_history::{history, Flavor};

const SEEDS: u64 = 400;

#[test]
fn jsonl_reads_back_what_its_writers_write() {
    for seed in 0..SEEDS {
        let ops = history(seed, 1 + seed as usize % 120, Flavor::Jsonl);
        let text = write_jsonl(&ops);
        let mut one_by_one = JsonlWriter::new(Vec::new());
        for op in &ops {
            one_by_one.append(op).unwrap();
        }
        assert_eq!(one_by_one.into_inner(), text.as_bytes(), "seed {seed}");
        for dialect in [Dialect::Schism, Dialect::Knossos, Dialect::Porcupine] {
            let h = history::jsonl::parse(&text, dialect)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
            let want: Vec<Op> = ops.iter().map(jsonl_normal).collect();
            assert_same(&want, h.ops(), seed, &text);
            assert_jsonl(&h);
        }
    }
}

#[test]
fn the_recorders_file_reads_back() {
    let dir = std::env::temp_dir().join(format!("schism-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for seed in 0..20 {
        let path = dir.join(format!("{seed}.jsonl"));
        let r = history::recorder::Recorder::create(&path).unwrap();
        for op in history(seed, 100, Flavor::Jsonl) {
            r.record(op);
        }
        r.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let h = history::jsonl::parse(&text, Dialect::Schism)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let want: Vec<Op> = r.ops().iter().map(jsonl_normal).collect();
        assert_same(&want, h.ops(), seed, &text);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jepsen_edn_reads_back_what_its_writer_writes() {
    for seed in 0..SEEDS {
        let ops = history(seed, 1 + seed as usize % 120, Flavor::Edn);
        assert_eq!(
            edn_unwritable(&ops),
            None,
            "seed {seed}: the generator strays"
        );
        let text = write_edn(&ops);
        for dialect in [Dialect::Knossos, Dialect::Porcupine, Dialect::Schism] {
            let h = history::jepsen::parse(&text, dialect)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
            let want: Vec<Op> = ops.iter().map(edn_normal).collect();
            assert_same(&want, h.ops(), seed, &text);
            assert!(assert_edn(&h));
        }
        let sniffed = history::format::parse(&text, None, None).unwrap();
        assert_eq!(
            sniffed.0.len(),
            ops.len(),
            "seed {seed}: sniffed as {:?}",
            sniffed.1
        );
    }
}

#[test]
fn synth_histories_read_back_in_both_formats() {
    for (seed, keys, info) in [(0, 1, 0.0), (1, 5, 0.05), (2, 50, 0.2)] {
        let spec = SynthSpec {
            seed,
            ops: 2000,
            keys,
            cas_fraction: 0.25,
            info_fraction: info,
            ..SynthSpec::default()
        };
        let h: History = generate(&spec).history;
        assert_jsonl(&h);
        assert!(assert_edn(&h), "seed {seed}: {:?}", edn_unwritable(h.ops()));
    }
}

fn assert_same(want: &[Op], got: &[Op], seed: u64, text: &str) {
    assert_eq!(got.len(), want.len(), "seed {seed}: op count\n{text}");
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        assert_eq!(g, w, "seed {seed}: op {i} differs; written:\n{text}");
    }
}
