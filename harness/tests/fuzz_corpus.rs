//! The fuzz targets' short run for CI, on stable Rust: every file of the corpora of the
//! harness's targets (`fuzz/corpus/{test_spec,system_spec,serve_path}`) and a few thousand
//! seeded mutations of them, through the same property functions the `cargo fuzz` targets
//! call. `SCHISM_FUZZ_CASES` (mutations per target) and `SCHISM_FUZZ_SEED` run more or others.

use harness::fuzzing;
use history::fuzzing::corpus::replay_target;

#[test]
fn test_spec_corpus_and_mutations_keep_the_properties() {
    replay_target("test_spec", fuzzing::test_spec);
}

#[test]
fn system_spec_corpus_and_mutations_keep_the_properties() {
    replay_target("system_spec", fuzzing::system_spec);
}

#[test]
fn serve_path_corpus_and_mutations_keep_the_properties() {
    replay_target("serve_path", fuzzing::serve_path);
    fuzzing::remove_store();
}
