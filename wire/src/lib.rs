//! # wire: the node protocol
//!
//! Nodes and clients speak Maelstrom's protocol: JSON envelopes, one per line, with a
//! source, a destination and a body whose `type` says what it is. Because it is the only
//! contract, a node can be written in any language. This crate holds the envelope, the
//! error codes (each marked definite or indefinite, which decides whether a client records
//! `fail` or `info`), the line framing over any async stream, and the contract of a
//! sans-IO protocol node ([`Protocol`]) with its durable [`storage`].
//!
//! ```
//! use wire::Envelope;
//! let e: Envelope = serde_json::from_str(
//!     r#"{"src":"c1","dest":"n1","body":{"type":"read","msg_id":1,"key":3}}"#,
//! ).unwrap();
//! assert_eq!(e.body.kind(), "read");
//! assert_eq!(e.body.msg_id(), Some(1));
//! let reply = e.reply(serde_json::json!({"type": "read_ok", "value": 7}));
//! assert_eq!((reply.src.as_str(), reply.dest.as_str()), ("n1", "c1"));
//! assert_eq!(reply.body.in_reply_to(), Some(1));
//! ```

pub mod control;
mod envelope;
mod error;
pub mod framing;
pub mod interceptor;
pub mod kv_client;
mod protocol;
pub mod runtime;
pub mod storage;

pub use envelope::{Body, Envelope};
pub use error::ErrorCode;
pub use protocol::{Ctx, Effect, Protocol};
