//! Fuzz `schism serve`'s URL paths (routing, links, resolving inside the store): properties in `harness::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fuzzing::serve_path(data));
