//! Fuzz the test spec (parse, validate, YAML round trip): properties in `harness::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fuzzing::test_spec(data));
