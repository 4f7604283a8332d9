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
//!   interval_s: 3
//!   duration_s: 4
//! ```
//!
//! Each workload's options are a section of their own (`register:`, `txn:`, `services:`,
//! ...), read by the workloads that declare it (`workloads::registry`), so the spec knows
//! no workload by name. Unknown fields and sections are errors (a typo must not be
//! silently ignored); a YAML mistake is reported with its line and column.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    /// The workload; empty (not given): the system's default, settled by
    /// [`crate::system::settle`] before anything reads it.
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
    pub etcd: EtcdSpec,
    /// The workloads' option sections, by section name (`txn`, `services`, ...): what the
    /// spec gave, as JSON; each is checked by the workloads that read it.
    #[serde(flatten, skip_deserializing)]
    pub workload_options: BTreeMap<String, serde_json::Value>,
}

impl Default for TestSpec {
    fn default() -> Self {
        TestSpec {
            name: None,
            system: "raft".into(),
            bin: None,
            workload: String::new(),
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
            etcd: EtcdSpec::default(),
            workload_options: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NemesisSpec {
    /// Fault names of the nemesis registry (`schism faults` lists them): partition, kill,
    /// pause, loss, byzantine, clock, corrupt-file, ..., and `default`: the system's own
    /// (partition, kill, pause; om and eig: those, then byzantine). Default:
    /// `[default]`; `[]` (or `--nemesis none`) for none.
    pub faults: Vec<String>,
    /// Partition shapes: majority, halves, isolate-one, bridge, majorities-ring, isolate-leader.
    pub shapes: Vec<String>,
    /// Where node faults land, one drawn per fault: some (1 to max_faulty nodes, the
    /// default), one, minority, majority, minority-third, all, leader, or named nodes
    /// joined by + (n1+n3).
    pub targets: Vec<String>,
    /// Faults overlap (each kind on its own rhythm) instead of one at a time.
    pub overlap: bool,
    /// Options of single faults, by fault name (`options: {loss: {...}}`).
    pub options: BTreeMap<String, serde_json::Value>,
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
    /// Where the client workers sit: `controller` (the default: on the host, reaching
    /// every node whatever the partition) or `beside-nodes` (each worker's connections
    /// leave from its node's network namespace, so a partition cuts it off with its
    /// node, as an application server beside a database node would be).
    pub clients: String,
    /// Exactly these faults, instead of faults drawn on a rhythm: `[{at_s, end_s, fault}]`,
    /// each fault a value as the history records it, applied at `at_s` and healed at
    /// `end_s` (seconds from the start of the history; see docs/shrink.md). The run's
    /// faults are then the schedule's kinds (`faults`, shapes, targets and the rhythm are
    /// not used); `[]` is a run without faults. What `schism shrink` writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<nemesis::fixed::Planned>>,
    /// With a schedule: faults aimed at the leader of their time (`isolate-leader`
    /// partitions, which record `leader`) are re-aimed at the leader of the replay.
    #[serde(skip_serializing_if = "is_false")]
    pub reaim_leader: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl NemesisSpec {
    /// The fault kinds the run applies: its schedule's, else `faults`.
    pub fn kinds(&self) -> Vec<String> {
        match &self.schedule {
            Some(planned) => nemesis::fixed::kinds(planned),
            None => self.faults.clone(),
        }
    }
}

impl Default for NemesisSpec {
    fn default() -> Self {
        NemesisSpec {
            // The system's own ([`crate::system::settle`]).
            faults: vec![crate::system::DEFAULT.into()],
            shapes: nemesis::grudge::Shape::NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            // Every other node fault lands on the leader (when the system names it): a
            // deposed leader that comes back is where stale reads and split decisions live.
            targets: vec!["some".into(), "leader".into()],
            overlap: false,
            options: BTreeMap::new(),
            // Eight faults or so in a 60 s run.
            interval_s: 3.0,
            duration_s: 4.0,
            max_faulty: 1,
            loss_probability: 0.2,
            byzantine: nemesis::ByzMode::IN_TURN
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
            lie_fields: Vec::new(),
            lie_domain: Vec::new(),
            max_clock_skew_ms: 30_000,
            clients: nemesis::Clients::Controller.name().into(),
            schedule: None,
            reaim_leader: false,
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

    /// Parse YAML; errors start with `line:column: `. Keys that are not fields of the spec
    /// must be a workload's options section, which its workloads check.
    pub fn parse(text: &str) -> Result<TestSpec, SpecError> {
        let mut spec: TestSpec = crate::yaml::parse(text).map_err(SpecError)?;
        let serde_json::Value::Object(all) = crate::yaml::parse(text).map_err(SpecError)? else {
            return Ok(spec);
        };
        let at = |key: &str, message: String| {
            let place = crate::locate::locate(text, key)
                .map_or(String::new(), |(l, c)| format!("{l}:{c}: "));
            SpecError(format!("{place}{message}"))
        };
        let fields = Self::fields();
        let sections = workloads::registry::sections();
        for (key, value) in all {
            if fields.contains(&key) {
                continue;
            }
            if !sections.contains(&key.as_str()) {
                return Err(at(
                    &key,
                    format!(
                        "unknown field `{key}`; the fields are {}, and the workloads' \
                         sections {}",
                        fields.join(", "),
                        sections.join(", ")
                    ),
                ));
            }
            spec.workload_options.insert(key, value);
        }
        spec.check_sections()
            .map_err(|(section, e)| at(&section, e))?;
        Ok(spec)
    }

    /// The fields of a spec (its keys that are not a workload's section).
    fn fields() -> Vec<String> {
        match serde_json::to_value(TestSpec::default()) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Each section given, checked by a workload that reads it: (section, why) when bad.
    fn check_sections(&self) -> Result<(), (String, String)> {
        for (section, value) in &self.workload_options {
            let reader = workloads::registry::ALL
                .iter()
                .find(|d| d.section == Some(section.as_str()));
            if let Some(def) = reader {
                (def.options)(value).map_err(|e| (section.clone(), format!("{section}: {e}")))?;
            }
        }
        Ok(())
    }

    /// The options section of the spec's workload, as given (null: every default).
    pub fn options_of(&self, section: Option<&str>) -> serde_json::Value {
        section
            .and_then(|s| self.workload_options.get(s))
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }

    /// Set `section.field` of the workloads' options (from a flag).
    pub fn set_option(&mut self, section: &str, field: &str, value: serde_json::Value) {
        let entry = self
            .workload_options
            .entry(section.to_string())
            .or_insert_with(|| serde_json::json!({}));
        if !entry.is_object() {
            *entry = serde_json::json!({});
        }
        if let Some(m) = entry.as_object_mut() {
            m.insert(field.to_string(), value);
        }
    }

    /// The options section of the spec's own workload, as given (null: every default):
    /// what its clients are built with.
    pub fn workload_section(&self) -> serde_json::Value {
        let def = workloads::registry::find(&self.workload).ok();
        self.options_of(def.and_then(|d| d.section))
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
        if let Some(planned) = &self.nemesis.schedule {
            nemesis::fixed::check(planned).map_err(|e| SpecError(e.to_string()))?;
        }
        if !(0.0..=1.0).contains(&self.nemesis.loss_probability) {
            return bad(format!(
                "nemesis.loss_probability must be between 0 and 1, not {}",
                self.nemesis.loss_probability
            ));
        }
        if !self.workload.is_empty() {
            workloads::registry::find(&self.workload).map_err(SpecError)?;
        }
        self.check_sections().map_err(|(_, e)| SpecError(e))?;
        Ok(())
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
        let mut s =
            TestSpec::parse("system: etcd\nnodes: 3\nnemesis:\n  faults: [partition, kill]\n")
                .unwrap();
        assert_eq!(s.nodes, 3);
        assert_eq!(s.concurrency, 10);
        assert_eq!(s.nemesis.faults, vec!["partition", "kill"]);
        assert_eq!(
            s.workload, "",
            "not given: the system's default, settled later"
        );
        crate::system::settle(&mut s);
        let default = workloads::registry::DEFAULT.name;
        assert_eq!(crate::system::test_name(&s), format!("etcd-{default}"));
        s.validate().unwrap();
    }

    #[test]
    fn a_workload_or_faults_not_given_are_the_systems_defaults() {
        let default = workloads::registry::DEFAULT.name;
        // Each reference system: the registry's default where it serves it, else the
        // first workload it serves (the names come from the systems' own facts).
        for facts in nodes::facts::FACTS {
            let mut s = TestSpec {
                system: facts.protocol.into(),
                ..TestSpec::default()
            };
            crate::system::settle(&mut s);
            let expected = if facts.workloads.contains(&default) {
                default
            } else {
                facts.workloads[0]
            };
            assert_eq!(s.workload, expected, "{}", facts.protocol);
            // And its faults: the protocol's own, in its order.
            assert_eq!(s.nemesis.faults, facts.faults, "{}", facts.protocol);
        }
        // `default` among others is the system's faults in its place, without repeats.
        let mut s = TestSpec {
            system: "om".into(),
            ..TestSpec::default()
        };
        s.nemesis.faults = ["clock", "default", "kill"].map(String::from).to_vec();
        crate::system::settle(&mut s);
        assert_eq!(
            s.nemesis.faults,
            ["clock", "partition", "kill", "pause", "byzantine"]
        );
        // One given is kept, served or not (the run refuses it, naming what is served).
        let single = nodes::facts::FACTS
            .iter()
            .find(|f| !f.workloads.contains(&default))
            .expect("a system without the default workload");
        let mut s = TestSpec {
            system: single.protocol.into(),
            workload: default.into(),
            ..TestSpec::default()
        };
        crate::system::settle(&mut s);
        assert_eq!(s.workload, default);
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
    fn workload_sections_are_checked_by_their_workloads_and_located() {
        let s =
            TestSpec::parse("workload: list-append\ntxn:\n  max_len: 6\n  model: serializable\n")
                .unwrap();
        assert_eq!(s.workload_options["txn"]["max_len"], 6);
        s.validate().unwrap();
        let e = TestSpec::parse("nodes: 3\ntxm:\n  max_len: 6\n").unwrap_err();
        assert!(e.0.starts_with("2:1: unknown field `txm`"), "{e}");
        assert!(e.0.contains("txn") && e.0.contains("nemesis"), "{e}");
        let e = TestSpec::parse("nodes: 3\ntxn:\n  max_lne: 6\n").unwrap_err();
        assert!(e.0.starts_with("2:1: txn: unknown field `max_lne`"), "{e}");
        let e = TestSpec::parse("services:\n  read_fraction: 3\n").unwrap_err();
        assert!(
            e.0.contains("services.read_fraction must be a fraction"),
            "{e}"
        );
        // Written back and read again: the same spec.
        let yaml = serde_yaml::to_string(&s).unwrap();
        assert_eq!(TestSpec::parse(&yaml).unwrap(), s, "{yaml}");
        let mut s = TestSpec::default();
        let ((section, field), value) = crate::run_cmd::parse_option("bank.accounts=4").unwrap();
        s.set_option(&section, &field, value);
        assert_eq!(s.workload_options["bank"]["accounts"], 4);
        s.workload = "bank".into();
        assert_eq!(s.workload_section()["accounts"], 4);
        assert!(crate::run_cmd::parse_option("bank=4").is_err());
        s.workload = "lsit-append".into();
        assert!(s.validate().unwrap_err().0.contains("unknown workload"));
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

    #[test]
    fn a_schedule_replaces_the_faults_and_is_checked() {
        let yaml = "nemesis:\n  faults: [pause]\n  schedule:\n  - {at_s: 1, end_s: 2, fault: \
                    {fault: kill, nodes: [n2]}}\n  - {at_s: 2, end_s: 3, fault: {fault: partition}}\n";
        let s = TestSpec::parse(yaml).unwrap();
        s.validate().unwrap();
        assert_eq!(s.nemesis.kinds(), ["kill", "partition"]);
        let again = TestSpec::parse(&serde_yaml::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
        // Without one, nothing is written and the faults are the kinds.
        let plain = serde_yaml::to_string(&TestSpec::default()).unwrap();
        assert!(
            !plain.contains("schedule") && !plain.contains("reaim"),
            "{plain}"
        );
        assert_eq!(TestSpec::default().nemesis.kinds(), ["default"]);
        let bad = yaml.replace("end_s: 3", "end_s: 0.5");
        let e = TestSpec::parse(&bad).unwrap().validate().unwrap_err().0;
        assert!(
            e.starts_with("nemesis.schedule[1]: end_s 0.5 is before"),
            "{e}"
        );
        let e = TestSpec::parse("nemesis:\n  schedule: [{at_s: 1, end_s: 2, fault: {}, x: 1}]\n")
            .unwrap_err()
            .0;
        assert!(e.contains("unknown field `x`"), "{e}");
    }
}
