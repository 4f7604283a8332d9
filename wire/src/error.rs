//! Maelstrom's error codes. A *definite* error means the operation certainly did not take
//! effect (a client records `fail`); an *indefinite* one means it may have (`info`).

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Timeout = 0,
    NodeNotFound = 1,
    NotSupported = 10,
    TemporarilyUnavailable = 11,
    MalformedRequest = 12,
    Crash = 13,
    Abort = 14,
    KeyDoesNotExist = 20,
    KeyAlreadyExists = 21,
    PreconditionFailed = 22,
    TxnConflict = 30,
}

impl ErrorCode {
    const ALL: [ErrorCode; 11] = [
        ErrorCode::Timeout,
        ErrorCode::NodeNotFound,
        ErrorCode::NotSupported,
        ErrorCode::TemporarilyUnavailable,
        ErrorCode::MalformedRequest,
        ErrorCode::Crash,
        ErrorCode::Abort,
        ErrorCode::KeyDoesNotExist,
        ErrorCode::KeyAlreadyExists,
        ErrorCode::PreconditionFailed,
        ErrorCode::TxnConflict,
    ];

    pub fn from_code(code: i64) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| *c as i64 == code)
    }

    /// Whether the operation certainly did not happen. Unknown codes are indefinite: a
    /// client cannot be sure of what it does not know.
    pub fn is_definite(code: i64) -> bool {
        !matches!(
            Self::from_code(code),
            None | Some(ErrorCode::Timeout) | Some(ErrorCode::Crash)
        )
    }

    /// An error body: `{"type":"error","code":C,"text":...}`.
    pub fn body(self, text: &str) -> Value {
        json!({"type": "error", "code": self as i64, "text": text})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timeout_crash_and_unknown_codes_are_indefinite() {
        let table = [
            (0, false),
            (1, true),
            (10, true),
            (11, true),
            (12, true),
            (13, false),
            (14, true),
            (20, true),
            (21, true),
            (22, true),
            (30, true),
            (999, false),
        ];
        for (code, definite) in table {
            assert_eq!(ErrorCode::is_definite(code), definite, "{code}");
        }
        assert_eq!(ErrorCode::PreconditionFailed.body("x")["code"], 22);
    }
}
