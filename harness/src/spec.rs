//! The test spec: what to run, in YAML, every field overridable by a flag.
//!
//! ```yaml
//! name: etcd-register
//! system: etcd
//! workload: register
//! nodes: 5
//! concurrency: 10
//! time_limit_s: 60
//! nemesis:
//!   faults: [partition, kill, pause]
//!   interval_s: 5
//!   duration_s: 5
//! ```
//!
//! Unknown fields are errors (a typo must not be silently ignored); a YAML mistake is
//! reported with its line and column.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestSpec {
    /// The test's name: its runs are stored under `<store>/<name>/`. One path segment:
    /// letters, digits and `- _ . = , +`, not starting with `.`, at most 120 characters.
    pub name: Option<String>,
    /// The system under test: `raft` (the default), `paxos`, `om`, `eig` (schism's own
    /// reference systems), `etcd` (systems/etcd.yaml), `maelstrom` (the node program
    /// `bin`), `memory` (an in-process register, for trying schism and measuring the
    /// harness itself), or the path of a system spec (`./my-system.yaml`, docs/systems.md).
    pub system: String,
    /// With `system: maelstrom`: the node program (a binary, or a script with `#!`) that
    /// speaks Maelstrom's protocol on stdin and stdout.
    pub bin: Option<PathBuf>,
    pub workload: String,
    pub nodes: usize,
    /// Concurrent client workers.
    pub concurrency: usize,
    /// Ops per second in all (0: as fast as the system answers).
    pub rate: f64,
    pub time_limit_s: f64,
    /// The seed of every random choice (printed first; absent: one is drawn).
    pub seed: Option<u64>,
    pub store: PathBuf,
    pub client_timeout_ms: u64,
    /// Seconds to wait after the final heal before the final reads.
    pub recovery_s: f64,
    /// Seconds a node may take to become ready.
    pub ready_timeout_s: f64,
    /// Time budget of the checker.
    pub check_time_limit_s: f64,
    /// Deliberate bugs of a reference system (raft: stale-read), to see schism catch them.
    pub bug: Vec<String>,
    /// How many nodes may be faulty in the Byzantine sense: the `byzantine` nemesis makes
    /// this many lie (at least one); with `om` and `eig` without it, this many start as
    /// protocol-aware traitors, and the algorithms are built to tolerate this many (OM(m)
    /// with m = traitors; 0: their default, (n - 1) / 3).
    pub traitors: usize,
    pub nemesis: NemesisSpec,
    pub register: RegisterSpec,
    pub agreement: AgreementSpec,
    pub services: ServicesSpec,
    pub txn: TxnSpec,
    pub bank: BankSpec,
    pub etcd: EtcdSpec,
}

impl Default for TestSpec {
    fn default() -> Self {
        TestSpec {
            name: None,
            system: "raft".into(),
            bin: None,
            workload: "register".into(),
            nodes: 5,
            concurrency: 10,
            rate: 0.0,
            time_limit_s: 60.0,
            seed: None,
            store: PathBuf::from("store"),
            client_timeout_ms: 2000,
            recovery_s: 5.0,
            ready_timeout_s: 30.0,
            check_time_limit_s: 60.0,
            bug: Vec::new(),
            traitors: 0,
            nemesis: NemesisSpec::default(),
            register: RegisterSpec::default(),
            agreement: AgreementSpec::default(),
            services: ServicesSpec::default(),
            txn: TxnSpec::default(),
            bank: BankSpec::default(),
            etcd: EtcdSpec::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NemesisSpec {
    /// partition, kill, pause, loss, byzantine, clock (delay, duplicate, reorder need tc
    /// netem). Default: partition, kill, pause; `[]` (or `--nemesis none`) for none.
    pub faults: Vec<String>,
    /// Partition shapes: majority, halves, isolate-one, bridge, majorities-ring, isolate-leader.
    pub shapes: Vec<String>,
    pub interval_s: f64,
    pub duration_s: f64,
    pub max_faulty: usize,
    pub loss_probability: f64,
    /// Byzantine modes, taken in turn: silent, omit, equivocate, corrupt, replay, forge.
    pub byzantine: Vec<String>,
    /// The message fields a lying node changes (empty: the system's own choice) and the
    /// values its lies take (empty: derived from the true value).
    pub lie_fields: Vec<String>,
    pub lie_domain: Vec<serde_json::Value>,
    /// The `clock` nemesis moves clocks by up to this many milliseconds either way.
    pub max_clock_skew_ms: u64,
}

impl Default for NemesisSpec {
    fn default() -> Self {
        NemesisSpec {
            faults: ["partition", "kill", "pause"].map(String::from).to_vec(),
            shapes: nemesis::grudge::Shape::NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            interval_s: 5.0,
            duration_s: 5.0,
            max_faulty: 1,
            loss_probability: 0.2,
            byzantine: nemesis::ByzMode::NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            lie_fields: Vec::new(),
            lie_domain: Vec::new(),
            max_clock_skew_ms: 30_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegisterSpec {
    pub ops_per_key: usize,
    pub workers_per_key: usize,
    pub values: u32,
    pub read_fraction: f64,
    pub cas_fraction: f64,
}

impl Default for RegisterSpec {
    fn default() -> Self {
        let d = workloads::register::RegisterOptions::default();
        RegisterSpec {
            ops_per_key: d.ops_per_key,
            workers_per_key: d.workers_per_key,
            values: d.values,
            read_fraction: d.read_fraction,
            cas_fraction: d.cas_fraction,
        }
    }
}

/// The agreement workloads: consensus, generals, interactive-consistency, ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgreementSpec {
    /// New instances (ledger: submissions) per second.
    pub instances_per_s: f64,
    /// Proposals and private values are drawn from `0..values`.
    pub values: u32,
    /// How protocol-aware traitors of `om` and `eig` behave when `traitors` > 0 and the
    /// `byzantine` nemesis is not used: `lamport` (a traitor commander splits its orders,
    /// a traitor lieutenant relays the opposite; eig: equivocate), `silent`, or `none`.
    pub traitor_strategy: String,
}

impl Default for AgreementSpec {
    fn default() -> Self {
        let d = workloads::agreement::AgreementOptions::default();
        AgreementSpec {
            instances_per_s: d.rate_hz,
            values: d.values,
            traitor_strategy: "lamport".into(),
        }
    }
}

/// The Maelstrom-style service workloads: echo, unique-ids, g-set, broadcast, g-counter,
/// pn-counter, lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServicesSpec {
    /// Counter deltas: `0..values` (g-counter), `-(values-1)..=values-1` (pn-counter).
    pub values: u32,
    /// How many named locks the lock workload uses.
    pub locks: u32,
    /// The share of reads during the main phase (g-set, broadcast, counters).
    pub read_fraction: f64,
    /// The longest a lock is held (each hold is uniform up to it); keep it below an
    /// etcd lock's lease.
    pub lock_hold_ms: u64,
}

impl Default for ServicesSpec {
    fn default() -> Self {
        let d = workloads::services::ServiceOptions::default();
        ServicesSpec {
            values: d.values,
            locks: d.locks,
            read_fraction: d.read_fraction,
            lock_hold_ms: d.lock_hold_ms,
        }
    }
}

/// The transactional workloads: list-append, rw-register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TxnSpec {
    /// Keys in use at once.
    pub active_keys: u32,
    /// Micro-ops per transaction, at most.
    pub max_len: usize,
    /// Writes a key takes before a fresh key replaces it.
    pub writes_per_key: u32,
    /// The share of reads among micro-ops.
    pub read_fraction: f64,
    /// The consistency model the history is judged against: read-committed,
    /// snapshot-isolation, serializable or strict-serializable. Every model the history
    /// rules out is reported either way.
    pub model: String,
}

impl Default for TxnSpec {
    fn default() -> Self {
        let d = workloads::txn::TxnShape::default();
        TxnSpec {
            active_keys: d.active_keys,
            max_len: d.max_len,
            writes_per_key: d.writes_per_key,
            read_fraction: d.read_fraction,
            model: "strict-serializable".into(),
        }
    }
}

/// The bank workload: accounts, their opening balance, transfers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BankSpec {
    pub accounts: u32,
    /// Each account's opening balance (the total is accounts x balance).
    pub balance: i64,
    /// Transfers move 1 to this much.
    pub max_transfer: i64,
    /// The share of reads (of every balance) among ops.
    pub read_fraction: f64,
}

impl Default for BankSpec {
    fn default() -> Self {
        let d = workloads::txn::bank::BankShape::default();
        BankSpec {
            accounts: d.accounts,
            balance: d.balance,
            max_transfer: d.max_transfer,
            read_fraction: d.read_fraction,
        }
    }
}

impl BankSpec {
    /// The workload's shape (at least two accounts, transfers of at least 1).
    pub fn shape(&self) -> workloads::txn::bank::BankShape {
        workloads::txn::bank::BankShape {
            accounts: self.accounts.max(2),
            balance: self.balance,
            max_transfer: self.max_transfer.max(1),
            read_fraction: self.read_fraction.clamp(0.0, 1.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EtcdSpec {
    /// linearizable (through a quorum) or serializable (local, may be stale).
    pub read_mode: String,
    /// The etcd binary to pack into the node image.
    pub binary: PathBuf,
}

impl Default for EtcdSpec {
    fn default() -> Self {
        EtcdSpec {
            read_mode: "linearizable".into(),
            binary: PathBuf::from("/usr/bin/etcd"),
        }
    }
}

/// A spec that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SpecError(pub String);

impl TestSpec {
    /// Read a spec file (a regular file within the spec limit); errors name the file, line
    /// and column.
    pub fn read(path: &Path) -> Result<TestSpec, SpecError> {
        let text = crate::yaml::read_file(path, "test spec").map_err(SpecError)?;
        Self::parse(&text).map_err(|SpecError(e)| SpecError(format!("{}:{e}", path.display())))
    }

    /// Parse YAML; errors start with `line:column: `.
    pub fn parse(text: &str) -> Result<TestSpec, SpecError> {
        crate::yaml::parse(text).map_err(SpecError)
    }

    /// Check values that parse but make no sense.
    pub fn validate(&self) -> Result<(), SpecError> {
        let bad = |m: String| Err(SpecError(m));
        if self.nodes == 0 || self.nodes > 200 {
            return bad(format!(
                "nodes must be between 1 and 200, not {}",
                self.nodes
            ));
        }
        if self.concurrency == 0 || self.concurrency > 10_000 {
            return bad(format!(
                "concurrency must be between 1 and 10000, not {}",
                self.concurrency
            ));
        }
        if let Some(name) = &self.name {
            check_test_name(name).map_err(SpecError)?;
        }
        use crate::limits::{millis, rate, seconds};
        let checked = [
            seconds("time_limit_s", self.time_limit_s, false),
            seconds("recovery_s", self.recovery_s, true),
            seconds("ready_timeout_s", self.ready_timeout_s, false),
            seconds("check_time_limit_s", self.check_time_limit_s, false),
            seconds("nemesis.interval_s", self.nemesis.interval_s, true),
            seconds("nemesis.duration_s", self.nemesis.duration_s, true),
            millis("client_timeout_ms", self.client_timeout_ms, false),
            millis("services.lock_hold_ms", self.services.lock_hold_ms, true),
            millis(
                "nemesis.max_clock_skew_ms",
                self.nemesis.max_clock_skew_ms,
                true,
            ),
        ];
        for c in checked {
            c.map_err(SpecError)?;
        }
        rate("rate", self.rate, true).map_err(SpecError)?;
        rate(
            "agreement.instances_per_s",
            self.agreement.instances_per_s,
            false,
        )
        .map_err(SpecError)?;
        if !crate::traitors::STRATEGIES.contains(&self.agreement.traitor_strategy.as_str()) {
            return bad(format!(
                "agreement.traitor_strategy {:?} is not one of {}",
                self.agreement.traitor_strategy,
                crate::traitors::STRATEGIES.join(", ")
            ));
        }
        if !(0.0..=1.0).contains(&self.nemesis.loss_probability) {
            return bad(format!(
                "nemesis.loss_probability must be between 0 and 1, not {}",
                self.nemesis.loss_probability
            ));
        }
        let r = &self.register;
        if !(0.0..=1.0).contains(&r.read_fraction)
            || !(0.0..=1.0).contains(&r.cas_fraction)
            || r.read_fraction + r.cas_fraction > 1.0
        {
            return bad(format!(
                "register.read_fraction and register.cas_fraction must be fractions adding up \
                 to at most 1, not {} and {}",
                r.read_fraction, r.cas_fraction
            ));
        }
        let sv = &self.services;
        if !(0.0..=1.0).contains(&sv.read_fraction) || sv.values == 0 || sv.locks == 0 {
            return bad(format!(
                "services.read_fraction must be a fraction and services.values and \
                 services.locks more than 0, not {}, {} and {}",
                sv.read_fraction, sv.values, sv.locks
            ));
        }
        Ok(())
    }

    /// The name the run is stored under (checked by [`check_test_name`] when it is given).
    pub fn test_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", self.system_name(), self.workload))
    }

    /// The system's name: `system`, or for a system spec file the name inside it (else
    /// the file's name without its extension).
    pub fn system_name(&self) -> String {
        use crate::system::spec_file;
        if !spec_file::is_path(&self.system) {
            return self.system.clone();
        }
        let path = Path::new(&self.system);
        match spec_file::load(path) {
            Ok(l) => l.spec.name,
            Err(_) => path
                .file_stem()
                .map_or("system".into(), |s| s.to_string_lossy().into_owned()),
        }
    }
}

/// A test name must be one safe path segment: runs are stored under `<store>/<name>/`, so
/// `..`, `/`, an absolute path, a newline or markup must never get there.
pub fn check_test_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 120
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.=,+".contains(c));
    if ok {
        return Ok(());
    }
    Err(format!(
        "name {name:?} is not a test name: expected letters, digits and - _ . = , + (at most \
         120, not starting with '.'), since runs are stored under <store>/<name>/"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_default_and_parse() {
        let s = TestSpec::parse("system: etcd\nnodes: 3\nnemesis:\n  faults: [partition, kill]\n")
            .unwrap();
        assert_eq!(s.nodes, 3);
        assert_eq!(s.concurrency, 10);
        assert_eq!(s.nemesis.faults, vec!["partition", "kill"]);
        assert_eq!(s.test_name(), "etcd-register");
        s.validate().unwrap();
    }

    #[test]
    fn yaml_mistakes_name_line_and_column() {
        let e = TestSpec::parse("nodes: 3\nnemesis:\n  faults: [partition\n").unwrap_err();
        assert!(e.0.starts_with("4:1: ") || e.0.starts_with("3:"), "{e}");
        let e = TestSpec::parse("nodes: 3\nnodez: 4\n").unwrap_err();
        assert!(
            e.0.starts_with("2:1: ") && e.0.contains("unknown field `nodez`"),
            "{e}"
        );
        let e = TestSpec::parse("nodes: three\n").unwrap_err();
        assert!(
            e.0.starts_with("1:8: ") && e.0.contains("invalid type"),
            "{e}"
        );
    }

    #[test]
    fn test_names_are_one_safe_path_segment() {
        for good in [
            "etcd-register",
            "memory-register-nemesis=none-nodes=3",
            "a.b_c+1,2",
        ] {
            assert!(check_test_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../../../elsewhere",
            "/tmp/x",
            "a/b",
            ".hidden",
            "..",
            "a\nb",
            "<b>x</b>",
            "é",
        ] {
            let e = check_test_name(bad).unwrap_err();
            assert!(e.contains("is not a test name"), "{e}");
            let s = TestSpec {
                name: Some(bad.into()),
                ..TestSpec::default()
            };
            assert!(s.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn nonsense_values_are_refused() {
        for yaml in [
            "nodes: 0",
            "time_limit_s: -1",
            "time_limit_s: 1e300",
            "time_limit_s: 18446744074",
            "recovery_s: 1e300",
            "check_time_limit_s: 1e300",
            "ready_timeout_s: .inf",
            "rate: 1e300",
            "client_timeout_ms: 18446744073709551615",
            "nemesis:\n  loss_probability: 2",
            "concurrency: 0",
        ] {
            let s = TestSpec::parse(yaml).unwrap();
            assert!(s.validate().is_err(), "{yaml}");
        }
    }
}
