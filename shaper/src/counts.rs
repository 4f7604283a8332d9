//! What a shaper did, counted: the fault's record at heal.

/// Counts of one shaper's packets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Packets handed to the shaper.
    pub packets: u64,
    /// Held for a while (delayed, held back, or waiting for tokens).
    pub delayed: u64,
    /// Copies sent.
    pub duplicated: u64,
    /// Released after a packet that arrived later.
    pub reordered: u64,
    /// Damaged, with a valid checksum.
    pub corrupted: u64,
    /// Dropped (a full `rate` backlog).
    pub dropped: u64,
    /// Copies that could not be sent, and verdicts the kernel refused.
    pub errors: u64,
    /// CPU time the shaper's thread used, in microseconds (its own cost).
    pub cpu_us: u64,
}
