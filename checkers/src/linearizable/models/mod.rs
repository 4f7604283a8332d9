//! The built-in models, each a [`Model`](super::open::Model) like one of your own: a
//! register with or without compare-and-set, and a string key-value store.

pub mod kv;
pub mod register;
pub mod text;

pub use kv::Kv;
pub use register::Register;

/// An op as a model reads it, for the models' tests.
#[cfg(test)]
pub(crate) fn view<'a>(
    f: &'a str,
    value: &'a history::Value,
    result: &'a history::Value,
    outcome: super::open::Outcome,
    dialect: history::Dialect,
) -> super::open::OpView<'a> {
    super::open::OpView {
        f,
        key: None,
        value,
        result,
        outcome,
        process: 0,
        index: 0,
        dialect,
    }
}
