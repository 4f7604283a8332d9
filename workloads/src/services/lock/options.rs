//! The `lock` workload's options, the spec's `lock:` section: how many locks, how long a
//! holder keeps one, and the lease a leased lock is held under.
//!
//! The lease TTL is an option of the workload, not of one system, so that every lock
//! client that holds its locks under a lease (etcd's, a ZooKeeper session's timeout) reads
//! it from the same place: a client honours `lease_ttl_s` when it is given and keeps its
//! own default (etcd: the spec's `client.lease_ttl_s`) when it is not. Clients read it
//! with [`LockOptions::of`] from the workload section their setup carries.
//!
//! ```
//! use workloads::services::lock::LockOptions;
//! let o = LockOptions::of(&serde_json::json!({"hold_ms_max": 5000, "lease_ttl_s": 2})).unwrap();
//! assert_eq!((o.hold_ms_min, o.hold_ms_max, o.lease_ttl_s), (0, 5000, Some(2)));
//! assert_eq!(LockOptions::of(&serde_json::Value::Null).unwrap().lease_ttl_s, None);
//! assert!(LockOptions::of(&serde_json::json!({"hold_ms_min": 9, "hold_ms_max": 3})).is_err());
//! ```

use crate::registry::{self, WorkloadOptions};
use std::time::Duration;

/// The longest lease a lock option may ask for: one day.
pub const MAX_LEASE_TTL_S: u64 = 86_400;

/// How the `lock` workload behaves (the spec's `lock:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockOptions {
    /// How many locks (keys `0..locks`); fewer locks, more contention.
    pub locks: u32,
    /// Shortest time a lock is held once acquired.
    pub hold_ms_min: u64,
    /// Longest time a lock is held (each hold is uniform in `hold_ms_min..=hold_ms_max`).
    /// A failed acquire backs off up to half of it before the next.
    pub hold_ms_max: u64,
    /// The TTL of the lease a held lock rests on, for clients that lease their locks;
    /// None: the client's own default (etcd: `client.lease_ttl_s`, else 10 s). A client
    /// keeps the lease alive while it holds the lock.
    pub lease_ttl_s: Option<u64>,
    /// Time budget of the lock checker's linearizability search (not an option of the
    /// spec's section: the run's `check_time_limit_s`).
    #[serde(skip)]
    pub check_time_limit: Option<Duration>,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            locks: 3,
            hold_ms_min: 0,
            hold_ms_max: 100,
            lease_ttl_s: None,
            check_time_limit: Some(Duration::from_secs(60)),
        }
    }
}

impl LockOptions {
    /// The options in a workload section (null: every default), checked: what a lock
    /// client reads from its setup's `workload_options`.
    pub fn of(section: &serde_json::Value) -> Result<LockOptions, String> {
        registry::options(section)
    }

    /// Each hold's range, in nanoseconds.
    pub fn hold_ns(&self) -> (u64, u64) {
        let ns = |ms: u64| ms.saturating_mul(1_000_000);
        (ns(self.hold_ms_min), ns(self.hold_ms_max))
    }
}

impl WorkloadOptions for LockOptions {
    fn validate(&self) -> Result<(), String> {
        registry::positive("lock.locks", u64::from(self.locks))?;
        crate::limits::millis("lock.hold_ms_min", self.hold_ms_min, true)?;
        crate::limits::millis("lock.hold_ms_max", self.hold_ms_max, true)?;
        if self.hold_ms_min > self.hold_ms_max {
            return Err(format!(
                "lock.hold_ms_min ({}) must not exceed lock.hold_ms_max ({})",
                self.hold_ms_min, self.hold_ms_max
            ));
        }
        match self.lease_ttl_s {
            Some(t) if !(1..=MAX_LEASE_TTL_S).contains(&t) => Err(format!(
                "lock.lease_ttl_s must be from 1 to {MAX_LEASE_TTL_S} seconds, not {t}"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nonsense_is_refused_with_the_field_named() {
        for (bad, field) in [
            (json!({"locks": 0}), "lock.locks"),
            (
                json!({"hold_ms_min": 10, "hold_ms_max": 5}),
                "lock.hold_ms_min",
            ),
            (json!({"lease_ttl_s": 0}), "lock.lease_ttl_s"),
            (
                json!({"lease_ttl_s": MAX_LEASE_TTL_S + 1}),
                "lock.lease_ttl_s",
            ),
            (json!({"hold_ms": 10}), "hold_ms"),
        ] {
            let e = LockOptions::of(&bad).unwrap_err();
            assert!(e.contains(field), "{bad}: {e}");
        }
        let o = LockOptions::of(&json!({"hold_ms_min": 7, "hold_ms_max": 7})).unwrap();
        assert_eq!(o.hold_ns(), (7_000_000, 7_000_000));
    }
}
