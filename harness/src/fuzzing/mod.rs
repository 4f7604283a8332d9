//! Properties of the harness's parsers of untrusted input, for fuzzing.
//!
//! The `cargo fuzz` targets in `fuzz/` are one-line wrappers around these functions, and
//! `harness/tests/fuzz_corpus.rs` replays each target's corpus (and seeded mutations of it)
//! through the very same functions on stable Rust. Each takes arbitrary bytes and panics
//! when a property does not hold:
//!
//! - [`test_spec`]: a test spec parses or is refused with a message; a spec that parses,
//!   written back as YAML, parses to the same spec and the same validity;
//! - [`system_spec`]: a system spec parses and validates, or is refused with a message
//!   naming the origin; one that passes, written back as YAML, passes again unchanged; its
//!   error locations never fail;
//! - [`serve_path`]: a URL path routes only to segments that cannot leave their directory,
//!   links made from a route lead back to it, and what a route names resolves only to a
//!   file inside the store (a fixture store with symlinks in and out of it).
//!
//! ```
//! harness::fuzzing::serve_path(b"/runs/t/T1/../../x");
//! ```

mod serve_path;
mod specs;

pub use serve_path::{remove_store, serve_path};
pub use specs::{system_spec, test_spec};

/// The text of arbitrary bytes (these parsers take text: invalid UTF-8 is replaced).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
