//! Fuzz Porcupine's etcd log reader and the format sniffer: properties in `history::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| history::fuzzing::porcupine(data));
