//! The anomalies of a keyed log, as found (before they are told): each names its key, the
//! offsets and values involved, and the ops (by invocation index) that show it. Never a
//! whole log: a few offsets or values at most, with a count of the rest.

use super::ops::{Elem, LogKey};

/// Where an op stands in a consumer's or producer's sequence: the offset, and the op
/// (its invocation index).
pub type At = (i64, usize);

/// Why an acknowledged value counts as lost.
#[derive(Debug, Clone, PartialEq)]
pub enum Lost {
    /// No poll ever returned it, yet this later offset of its key was read (by this op).
    LaterRead(At),
    /// This final read of its key (from offset 0), begun after the value was known to be
    /// in the log, lacks it.
    FinalRead(usize),
}

/// One anomaly.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// Two or more values seen at one offset (each with the first op that showed it).
    InconsistentOffsets {
        key: LogKey,
        offset: i64,
        values: Vec<(Elem, usize)>,
    },
    /// One value seen at two or more offsets (each with the first op that showed it).
    Duplicate {
        key: LogKey,
        value: Elem,
        offsets: Vec<At>,
    },
    /// A process's send to a key got an offset no higher than its previous send's.
    NonmonotonicSend {
        key: LogKey,
        process: u64,
        prev: (At, Elem),
        next: (At, Elem),
    },
    /// A consumer read an offset no higher than the one it read before (within one poll
    /// when both ops are the same).
    NonmonotonicPoll {
        key: LogKey,
        process: u64,
        prev: At,
        next: At,
    },
    /// A consumer read `next` right after `prev`, skipping offsets known to exist.
    PollSkip {
        key: LogKey,
        process: u64,
        prev: At,
        next: At,
        /// The first skipped offsets and a value at each.
        skipped: Vec<(i64, Elem)>,
        count: usize,
    },
    /// A value known to be in the log (an acknowledged send, or an unsure one some poll
    /// returned) that the log lost.
    LostWrite {
        key: LogKey,
        value: Elem,
        /// The offset its send was given, when acknowledged.
        offset: Option<i64>,
        send: usize,
        acknowledged: bool,
        why: Lost,
    },
    /// A value read that no one sent to that key, or whose only send definitely failed.
    Unexpected {
        key: LogKey,
        value: Elem,
        /// The failed send, if there was one.
        failed_send: Option<usize>,
        /// The first poll that returned it, and how many did.
        read: usize,
        reads: usize,
    },
}

/// The anomaly kinds, in the order they are reported.
pub const KINDS: [&str; 7] = [
    "lost-write",
    "unexpected",
    "inconsistent-offsets",
    "duplicate",
    "nonmonotonic-send",
    "nonmonotonic-poll",
    "poll-skip",
];

impl Found {
    pub fn kind(&self) -> &'static str {
        match self {
            Found::LostWrite { .. } => KINDS[0],
            Found::Unexpected { .. } => KINDS[1],
            Found::InconsistentOffsets { .. } => KINDS[2],
            Found::Duplicate { .. } => KINDS[3],
            Found::NonmonotonicSend { .. } => KINDS[4],
            Found::NonmonotonicPoll { .. } => KINDS[5],
            Found::PollSkip { .. } => KINDS[6],
        }
    }

    pub fn key(&self) -> &LogKey {
        match self {
            Found::InconsistentOffsets { key, .. }
            | Found::Duplicate { key, .. }
            | Found::NonmonotonicSend { key, .. }
            | Found::NonmonotonicPoll { key, .. }
            | Found::PollSkip { key, .. }
            | Found::LostWrite { key, .. }
            | Found::Unexpected { key, .. } => key,
        }
    }
}
