//! What a shaper does to the packets it is handed: one of five plans, as netem's.

/// One packet fault. Probabilities are per packet, in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Hold every packet `delay_ms`, plus or minus up to `jitter_ms` (uniform; with jitter,
    /// packets may overtake one another, as with netem).
    Delay { delay_ms: u64, jitter_ms: u64 },
    /// Send a copy of a packet, with this probability, right after it.
    Duplicate { probability: f64 },
    /// Hold a packet back `hold_ms`, with this probability, so that the packets after it
    /// overtake it.
    Reorder { probability: f64, hold_ms: u64 },
    /// Flip one bit of a packet's TCP/UDP payload, with this probability, and fix the
    /// checksum ([`crate::checksum`]).
    Corrupt { probability: f64 },
    /// A token bucket ([`crate::bucket`]): so many bytes per second, bursts of
    /// `burst_bytes`, a backlog of at most `queue_bytes` (beyond it, dropped).
    Rate {
        bytes_per_s: u64,
        burst_bytes: u64,
        queue_bytes: u64,
    },
}

impl Plan {
    /// Whether it makes copies (and so needs a raw socket to send them).
    pub fn copies(&self) -> bool {
        matches!(self, Plan::Duplicate { .. })
    }
}
