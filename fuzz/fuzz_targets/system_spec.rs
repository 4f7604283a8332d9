//! Fuzz the system spec (parse, validate, YAML round trip, error locations): properties in `harness::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fuzzing::system_spec(data));
