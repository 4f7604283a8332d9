//! The fuzz targets' short run for CI, on stable Rust: every file of the corpora of the
//! history readers' targets (`fuzz/corpus/{jsonl,edn,porcupine}`) and a few thousand seeded
//! mutations of them, through the same property functions the `cargo fuzz` targets call.
//! `SCHISM_FUZZ_CASES` (mutations per target) and `SCHISM_FUZZ_SEED` run more or others.

use history::fuzzing::{self, corpus::replay_target};

#[test]
fn jsonl_corpus_and_mutations_keep_the_properties() {
    replay_target("jsonl", fuzzing::jsonl);
}

#[test]
fn edn_corpus_and_mutations_keep_the_properties() {
    replay_target("edn", fuzzing::edn);
}

#[test]
fn porcupine_corpus_and_mutations_keep_the_properties() {
    replay_target("porcupine", fuzzing::porcupine);
}
