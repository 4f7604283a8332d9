//! Fuzz schism's native JSONL reader and the format sniffer: properties in `history::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| history::fuzzing::jsonl(data));
