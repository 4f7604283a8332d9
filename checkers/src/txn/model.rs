//! The consistency models a transactional history is judged against, and which anomaly
//! rules out which model.
//!
//! The four models form a chain for our purposes: everything read committed forbids,
//! snapshot isolation forbids too, and so on up to strict serializability. So each anomaly
//! kind has a *weakest* model it rules out, and it rules out every stronger one as well.
//!
//! | kind | weakest model ruled out |
//! |---|---|
//! | `G0`, `G1a`, `G1b`, `G1c`, `incompatible-order`, `duplicate`, `garbage-read` | read-committed |
//! | `internal`, `lost-update`, `G-single`, `G-nonadjacent` | snapshot-isolation |
//! | `G2-item`, `no-serial-order` | serializable |
//! | `lost`, and every kind ending in `-process` or `-realtime` | strict-serializable |
//!
//! Following Elle: `internal` (a transaction that does not see its own writes, or reads a
//! key twice and sees two states) is allowed by read committed, which permits
//! non-repeatable reads; `incompatible-order` means two reads cannot come from one timeline
//! of the key, a dirty read at least; snapshot isolation forbids every cycle whose
//! anti-dependency edges are never adjacent (`G-single` is the case of one such edge).
//! Serializability says nothing about real time or sessions, so cycles that need a process
//! or real-time edge, and acknowledged appends no later read ever shows (`lost`), rule out
//! strict serializability only.

/// A transactional consistency model, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Model {
    ReadCommitted,
    SnapshotIsolation,
    #[default]
    Serializable,
    StrictSerializable,
}

impl Model {
    /// Every model, weakest first.
    pub const ALL: [Model; 4] = [
        Model::ReadCommitted,
        Model::SnapshotIsolation,
        Model::Serializable,
        Model::StrictSerializable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Model::ReadCommitted => "read-committed",
            Model::SnapshotIsolation => "snapshot-isolation",
            Model::Serializable => "serializable",
            Model::StrictSerializable => "strict-serializable",
        }
    }

    /// A model by name (also `si`, `strong-serializable`, and `_` for `-`).
    pub fn parse(s: &str) -> Option<Model> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "read-committed" | "rc" => Some(Model::ReadCommitted),
            "snapshot-isolation" | "si" => Some(Model::SnapshotIsolation),
            "serializable" | "serializability" => Some(Model::Serializable),
            "strict-serializable" | "strict-serializability" | "strong-serializable" => {
                Some(Model::StrictSerializable)
            }
            _ => None,
        }
    }

    /// The names of the models, for error messages.
    pub fn names() -> String {
        Model::ALL.map(Model::as_str).join(", ")
    }
}

/// The weakest model an anomaly of this kind rules out (None: not a kind of this module).
pub fn weakest_ruled_out(kind: &str) -> Option<Model> {
    if kind.ends_with("-process") || kind.ends_with("-realtime") {
        return weakest_ruled_out(kind.rsplit_once('-')?.0).map(|_| Model::StrictSerializable);
    }
    Some(match kind {
        "G0" | "G1a" | "G1b" | "G1c" | "incompatible-order" | "duplicate" | "garbage-read" => {
            Model::ReadCommitted
        }
        "internal" | "lost-update" | "G-single" | "G-nonadjacent" => Model::SnapshotIsolation,
        "G2-item" | "no-serial-order" => Model::Serializable,
        "lost" => Model::StrictSerializable,
        _ => return None,
    })
}

/// The models an anomaly of this kind rules out, weakest first (empty: unknown kind).
pub fn ruled_out(kind: &str) -> &'static [Model] {
    match weakest_ruled_out(kind) {
        Some(m) => &Model::ALL[m as usize..],
        None => &[],
    }
}

/// `read-committed, snapshot-isolation, ...`: models as a list for a person.
pub fn list(models: &[Model]) -> String {
    models
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for m in Model::ALL {
            assert_eq!(Model::parse(m.as_str()), Some(m));
        }
        assert_eq!(Model::parse("SI"), Some(Model::SnapshotIsolation));
        assert_eq!(
            Model::parse("strict_serializable"),
            Some(Model::StrictSerializable)
        );
        assert_eq!(Model::parse("linearizable"), None);
        assert_eq!(Model::default(), Model::Serializable);
    }

    #[test]
    fn each_kind_rules_out_a_suffix_of_the_chain() {
        use Model::*;
        let table = [
            ("G0", ReadCommitted),
            ("G1a", ReadCommitted),
            ("garbage-read", ReadCommitted),
            ("internal", SnapshotIsolation),
            ("G-single", SnapshotIsolation),
            ("G-nonadjacent", SnapshotIsolation),
            ("G2-item", Serializable),
            ("lost", StrictSerializable),
            ("G0-realtime", StrictSerializable),
            ("G-single-process", StrictSerializable),
            ("G2-item-realtime", StrictSerializable),
            ("no-serial-order", Serializable),
            ("no-serial-order-realtime", StrictSerializable),
        ];
        for (kind, weakest) in table {
            assert_eq!(weakest_ruled_out(kind), Some(weakest), "{kind}");
            assert_eq!(ruled_out(kind)[0], weakest);
            assert_eq!(ruled_out(kind).last(), Some(&StrictSerializable));
        }
        assert_eq!(weakest_ruled_out("nonlinearizable"), None);
        assert_eq!(weakest_ruled_out("bogus-realtime"), None);
        assert!(ruled_out("x").is_empty());
        assert_eq!(
            list(ruled_out("G2-item")),
            "serializable, strict-serializable"
        );
    }
}
