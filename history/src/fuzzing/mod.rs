//! Properties of the history readers and writers, for fuzzing.
//!
//! The `cargo fuzz` targets in `fuzz/` are one-line wrappers around [`jsonl`], [`edn`] and
//! [`porcupine`]; `history/tests/fuzz_corpus.rs` replays each target's corpus (and seeded
//! mutations of it, see [`corpus`]) through the very same functions on stable Rust, so CI
//! checks the properties without nightly or cargo-fuzz. Each function takes arbitrary bytes
//! and panics when a property does not hold:
//!
//! - a reader never panics; it returns a well-formed history ([`invariants`]) or an error
//!   naming a line (and column) that exists in the text;
//! - what a reader returns, written as native JSONL, reads back as the same ops, and, when
//!   the history fits the Jepsen EDN writer, written as EDN too ([`roundtrip`]);
//! - the format sniffer ([`crate::format::parse`]) obeys the same rules, with the dialect of
//!   the format it found;
//! - bytes that are not UTF-8, read from a file, give an error that names the file (or, if a
//!   reader learns to accept them, a well-formed history).
//!
//! ```
//! history::fuzzing::jsonl(br#"{"process":0,"type":"invoke","f":"read"}"#);
//! ```

pub mod corpus;
pub mod invariants;
mod readers;
pub mod roundtrip;

pub use readers::{edn, jsonl, porcupine};
