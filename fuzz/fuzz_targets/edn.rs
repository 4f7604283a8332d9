//! Fuzz the EDN reader, Jepsen's EDN history reader and writer, and the format sniffer: properties in `history::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| history::fuzzing::edn(data));
