//! The Maelstrom-style service workloads: small services a node implements over
//! Maelstrom's protocol, judged by `checkers::services`.
//!
//! - `echo`: every echo comes back as sent.
//! - `unique-ids`: every generated id is fresh.
//! - `g-set`: a grow-only set; every acknowledged element reaches every node.
//! - `broadcast`: messages gossiped over a tree [`topology`] told to every node first;
//!   every acknowledged message reaches every node.
//! - `g-counter`, `pn-counter`: the final total at every node is what was added.
//! - `lock`: a few named locks, never two holders at once (see [`lock`]; its options
//!   are a section of their own, `lock:`).
//!
//! The main phase's rate is set by the harness. Its first ops, for `broadcast`, are one
//! `topology` per node; no broadcast is issued before all of them completed. After the
//! faults are healed, the final phase reads every node once (`g-set`, `broadcast`,
//! counters); the others have no final phase.
//!
//! How ops are recorded (invocation value → completion value; every completion that is
//! not `ok` carries the invocation's value, or null for reads):
//!
//! | workload | f | key | invoke value | ok value |
//! |---|---|---|---|---|
//! | echo | `echo` | – | `"echo 7"` | what came back |
//! | unique-ids | `generate` | – | null | the id |
//! | g-set | `add` | – | element (unique int) | the element |
//! | broadcast | `topology` | – | `{"node", "topology"}` | same |
//! | broadcast | `broadcast` | – | message (unique int) | the message |
//! | counters | `add` | – | delta (int) | the delta |
//! | g-set, broadcast, counters | `read` | – | null (main phase) or `{"node"}` (final) | `{"node", "value"}` |
//! | lock | `acquire`, `release` | the lock (int) | null | null |
//!
//! A value naming a node sends the op to that node; any other goes to the worker's own.
//! Errors: 22 on `acquire` (held by another) and on `release` (not held) are definite
//! fails, like every definite code; indefinite codes and lost exchanges are `info`
//! (reads: `fail`).

mod generate;
pub mod lock;
pub mod topology;

pub use generate::ServiceGen;
pub use lock::LOCK;

use crate::generator::{Generator, Phases};
use crate::registry::{self, Setup, WorkloadDef, WorkloadOptions};
use crate::Workload;
use checkers::services::{Counter, Echo, SetChecker, UniqueIds};
use std::time::Duration;

/// The service workloads, in the order of [`Kind`].
pub const NAMES: [&str; 7] = [
    "echo",
    "unique-ids",
    "g-set",
    "broadcast",
    "g-counter",
    "pn-counter",
    "lock",
];

/// One service workload's registry entry; its options are the spec's `services:` section
/// (`lock`'s are its own, in [`lock`]).
macro_rules! service {
    ($def:ident, $kind:expr, $about:literal, $ops:expr) => {
        pub static $def: WorkloadDef = WorkloadDef {
            name: NAMES[$kind as usize],
            about: $about,
            section: Some("services"),
            ops: $ops,
            options: registry::filled::<ServiceOptions>,
            build: |s| build($kind, s),
            checkers: |s| Ok(vec![checker($kind, s.check_time_limit)]),
        };
    };
}

service!(ECHO, Kind::Echo, "every echo comes back as sent", &["echo"]);
service!(
    UNIQUE_IDS,
    Kind::UniqueIds,
    "every generated id is fresh",
    &["generate"]
);
service!(
    G_SET,
    Kind::GSet,
    "a grow-only set: every acknowledged element reaches every node",
    &["add", "read"]
);
service!(
    BROADCAST,
    Kind::Broadcast,
    "gossip over a given topology: every acknowledged message reaches every node",
    &["topology", "broadcast", "read"]
);
service!(
    G_COUNTER,
    Kind::GCounter,
    "a grow-only counter: every node's final total is what was added",
    &["add", "read"]
);
service!(
    PN_COUNTER,
    Kind::PnCounter,
    "a counter of adds and subtracts: every node's final total is what was added",
    &["add", "read"]
);

fn build(kind: Kind, s: &Setup) -> Result<Workload, String> {
    let opts = ServiceOptions {
        check_time_limit: s.check_time_limit,
        ..s.options()?
    };
    workload(kind.name(), opts, s.nodes.to_vec(), s.concurrency)
        .ok_or_else(|| format!("{} is not a service", kind.name()))
}

/// The checker of a service.
fn checker(kind: Kind, time_limit: Option<Duration>) -> Box<dyn checkers::Checker> {
    match kind {
        Kind::Echo => Box::new(Echo),
        Kind::UniqueIds => Box::new(UniqueIds),
        Kind::GSet => Box::new(SetChecker::g_set()),
        Kind::Broadcast => Box::new(SetChecker::broadcast()),
        Kind::GCounter => Box::new(Counter::grow_only()),
        Kind::PnCounter => Box::new(Counter::pn()),
        Kind::Lock => Box::new(checkers::services::Lock { time_limit }),
    }
}

/// How a service workload behaves (the spec's `services:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceOptions {
    /// Counter deltas: `0..values` for `g-counter`, `-(values-1)..=values-1` for
    /// `pn-counter`.
    pub values: u32,
    /// Share of reads among the main phase's ops (`g-set`, `broadcast`, counters).
    pub read_fraction: f64,
    /// Time budget of a checker's search, where it has one (not an option of the spec's
    /// section: the run's `check_time_limit_s`).
    #[serde(skip)]
    pub check_time_limit: Option<Duration>,
}

impl WorkloadOptions for ServiceOptions {
    fn validate(&self) -> Result<(), String> {
        registry::fraction("services.read_fraction", self.read_fraction)?;
        registry::positive("services.values", u64::from(self.values))
    }
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            values: 5,
            read_fraction: 0.2,
            check_time_limit: Some(Duration::from_secs(60)),
        }
    }
}

/// Which service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Echo,
    UniqueIds,
    GSet,
    Broadcast,
    GCounter,
    PnCounter,
    Lock,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Echo,
        Kind::UniqueIds,
        Kind::GSet,
        Kind::Broadcast,
        Kind::GCounter,
        Kind::PnCounter,
        Kind::Lock,
    ];

    pub fn parse(name: &str) -> Option<Kind> {
        NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }

    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Whether it has state to read (and so a final phase).
    pub fn has_reads(self) -> bool {
        matches!(
            self,
            Kind::GSet | Kind::Broadcast | Kind::GCounter | Kind::PnCounter
        )
    }
}

/// The workload `name` over these nodes (their names, in order). None when `name` is not
/// one of [`NAMES`]. `_workers` is not needed by these workloads. `lock` is made with
/// its default options ([`lock::workload`] takes its own) and `opts`' check budget.
pub fn workload(
    name: &str,
    opts: ServiceOptions,
    nodes: Vec<String>,
    _workers: usize,
) -> Option<Workload> {
    let kind = Kind::parse(name)?;
    let generator: Box<dyn Generator> = match kind {
        Kind::Lock => {
            return Some(lock::workload(&lock::LockOptions {
                check_time_limit: opts.check_time_limit,
                ..lock::LockOptions::default()
            }))
        }
        Kind::Broadcast => Box::new(Phases::new(vec![
            Box::new(topology::TopologyFirst::new(&nodes)),
            Box::new(ServiceGen::new(kind, opts.values, opts.read_fraction)),
        ])),
        _ => Box::new(ServiceGen::new(kind, opts.values, opts.read_fraction)),
    };
    let checker = checker(kind, opts.check_time_limit);
    Some(Workload {
        name: kind.name(),
        generator,
        final_generator: Box::new(move || Box::new(generate::final_reads(kind, &nodes))),
        checkers: vec![checker],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::Next;
    use crate::txn::testing::ask_at as ask;
    use history::rng::Rng;
    use history::{Op, OpType};

    fn nodes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn every_name_makes_its_workload_with_its_checker_and_no_other_does() {
        let checker = [
            "echo",
            "unique-ids",
            "set",
            "broadcast",
            "counter",
            "counter",
            "lock",
        ];
        for (name, c) in NAMES.iter().zip(checker) {
            let w = workload(name, ServiceOptions::default(), nodes(3), 4).unwrap();
            assert_eq!(w.name, *name);
            let names: Vec<&str> = w.checkers.iter().map(|c| c.name()).collect();
            assert_eq!(names, [c]);
            assert_eq!(Kind::parse(name).map(Kind::name), Some(*name));
        }
        assert!(workload("register", ServiceOptions::default(), nodes(3), 4).is_none());
    }

    #[test]
    fn broadcast_tells_every_node_its_topology_before_any_broadcast() {
        let mut w = workload("broadcast", ServiceOptions::default(), nodes(3), 5).unwrap();
        let mut rng = Rng::new(2);
        let mut first = Vec::new();
        for p in 0..3 {
            match ask(&mut w.generator, p, 0, &mut rng) {
                Next::Op(inv) => first.push(inv),
                other => panic!("{other:?}"),
            }
        }
        assert!(first.iter().all(|i| i.f == "topology"));
        assert_eq!(
            first[0].value["topology"]["n1"],
            serde_json::json!(["n2", "n3"])
        );
        // Worker 3 must wait while topology ops are in flight.
        assert!(matches!(
            ask(&mut w.generator, 3, 0, &mut rng),
            Next::Wait(_)
        ));
        for (p, inv) in first.iter().enumerate() {
            let mut done = Op::client(p as u64, OpType::Ok, "topology", inv.value.clone());
            done.time_ns = 1;
            w.generator.update(&done);
        }
        let Next::Op(next) = ask(&mut w.generator, 3, 2, &mut rng) else {
            panic!()
        };
        assert!(["broadcast", "read"].contains(&next.f.as_str()), "{next:?}");
    }
}
