//! The workload registry: every workload schism can run or check, by name.
//!
//! A workload is declared where it is written, as a [`WorkloadDef`]: its name, the spec
//! section its options are read from (a serde struct with defaults, one section shared by
//! related workloads, such as `txn:` by `list-append` and `rw-register`), the ops its
//! client must serve, how to build it for a run, and the checkers that judge a recorded
//! history. [`ALL`] lists them, one line each; the harness and `schism check --workload`
//! know workloads only through it.
//!
//! ```
//! let def = workloads::registry::find("g-set").unwrap();
//! assert_eq!(def.section, Some("services"));
//! let options = (def.options)(&serde_json::json!({"read_fraction": 0.5})).unwrap();
//! assert_eq!(options["read_fraction"], 0.5);
//! assert!((def.options)(&serde_json::json!({"read_fractoin": 0.5})).is_err());
//! ```

use crate::Workload;
use checkers::Checker;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// What a workload is built from.
pub struct Setup<'a> {
    /// The workload's section of the spec (null: every default).
    pub options: &'a Value,
    /// The nodes' names, in order.
    pub nodes: &'a [String],
    /// Concurrent client workers.
    pub concurrency: usize,
    /// The checkers' time budget.
    pub check_time_limit: Option<Duration>,
}

impl Setup<'_> {
    /// The section as the workload's options type, checked.
    pub fn options<T: WorkloadOptions>(&self) -> Result<T, String> {
        options(self.options)
    }
}

/// One workload.
pub struct WorkloadDef {
    pub name: &'static str,
    /// One line on what it does and how it is judged.
    pub about: &'static str,
    /// The spec section of its options; None: it has none.
    pub section: Option<&'static str>,
    /// The ops (`f`) its clients must serve.
    pub ops: &'static [&'static str],
    /// The section with every default filled in; an error names a bad or unknown field.
    pub options: fn(&Value) -> Result<Value, String>,
    /// The workload for a run.
    pub build: fn(&Setup) -> Result<Workload, String>,
    /// The checkers of a recorded history (`schism check --workload NAME`).
    pub checkers: fn(&Setup) -> Result<Checkers, String>,
}

impl std::fmt::Debug for WorkloadDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadDef")
            .field("name", &self.name)
            .field("section", &self.section)
            .field("ops", &self.ops)
            .finish_non_exhaustive()
    }
}

/// The checkers that judge one workload's history, one verdict each.
pub type Checkers = Vec<Box<dyn Checker>>;

/// Every workload, one line each.
pub static ALL: &[&WorkloadDef] = &[
    &crate::register::REGISTER,
    &crate::agreement::CONSENSUS,
    &crate::agreement::GENERALS,
    &crate::agreement::INTERACTIVE_CONSISTENCY,
    &crate::agreement::LEDGER,
    &crate::services::ECHO,
    &crate::services::UNIQUE_IDS,
    &crate::services::G_SET,
    &crate::services::BROADCAST,
    &crate::services::G_COUNTER,
    &crate::services::PN_COUNTER,
    &crate::services::LOCK,
    &crate::txn::LIST_APPEND,
    &crate::txn::RW_REGISTER,
    &crate::txn::bank::BANK,
    &crate::txn::set::SET,
    &crate::log::LOG,
];

/// The workload a run drives and `schism check` judges when none is named.
pub static DEFAULT: &WorkloadDef = &crate::register::REGISTER;

/// A flag of `schism run` or `schism check` that stands for one field of a workload's
/// options section: `--values 5` is `--option register.values=5`.
#[derive(Debug)]
pub struct Shorthand {
    pub flag: &'static str,
    /// A workload that reads the section.
    pub of: &'static WorkloadDef,
    pub field: &'static str,
}

impl Shorthand {
    /// The section the field belongs to.
    pub fn section(&self) -> &'static str {
        self.of.section.unwrap_or_default()
    }
}

/// Every flag shorthand, one line each; the harness names flags, never sections.
#[rustfmt::skip]
pub static SHORTHANDS: &[Shorthand] = &[
    Shorthand { flag: "--ops-per-key", of: &crate::register::REGISTER, field: "ops_per_key" },
    Shorthand { flag: "--workers-per-key", of: &crate::register::REGISTER, field: "workers_per_key" },
    Shorthand { flag: "--values", of: &crate::register::REGISTER, field: "values" },
    Shorthand { flag: "--read-fraction", of: &crate::register::REGISTER, field: "read_fraction" },
    Shorthand { flag: "--cas-fraction", of: &crate::register::REGISTER, field: "cas_fraction" },
    Shorthand { flag: "--instances-per-s", of: &crate::agreement::CONSENSUS, field: "instances_per_s" },
    Shorthand { flag: "--proposal-values", of: &crate::agreement::CONSENSUS, field: "values" },
    Shorthand { flag: "--traitor-strategy", of: &crate::agreement::CONSENSUS, field: "traitor_strategy" },
    Shorthand { flag: "--txn-model", of: &crate::txn::LIST_APPEND, field: "model" },
    Shorthand { flag: "--bank-total", of: &crate::txn::bank::BANK, field: "expected_total" },
];

/// The shorthand called `flag` (`--values`).
pub fn shorthand(flag: &str) -> Option<&'static Shorthand> {
    SHORTHANDS.iter().find(|s| s.flag == flag)
}

/// The workload called `name`; an error lists the known ones.
pub fn find(name: &str) -> Result<&'static WorkloadDef, String> {
    ALL.iter()
        .copied()
        .find(|d| d.name == name)
        .ok_or_else(|| format!("unknown workload {name:?}; known: {}", names().join(", ")))
}

/// Every workload's name, in registry order.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|d| d.name).collect()
}

/// Every options section, once each, in registry order.
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in ALL.iter().filter_map(|d| d.section) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The workloads that read a section.
pub fn readers_of(section: &str) -> Vec<&'static str> {
    ALL.iter()
        .filter(|d| d.section == Some(section))
        .map(|d| d.name)
        .collect()
}

/// A workload's options: a serde struct with defaults (`#[serde(default,
/// deny_unknown_fields)]`) and its own checks of the values.
pub trait WorkloadOptions: DeserializeOwned + Serialize + Default {
    /// Values that parse but make no sense; the message names the field.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// No options at all.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoOptions {}

impl WorkloadOptions for NoOptions {}

/// A section as `T` (null: the defaults), checked.
pub fn options<T: WorkloadOptions>(section: &Value) -> Result<T, String> {
    let t: T = match section {
        Value::Null => T::default(),
        v => serde_json::from_value(v.clone()).map_err(|e| e.to_string())?,
    };
    t.validate()?;
    Ok(t)
}

/// A section with every default filled in (for [`WorkloadDef::options`]).
pub fn filled<T: WorkloadOptions>(section: &Value) -> Result<Value, String> {
    serde_json::to_value(options::<T>(section)?).map_err(|e| e.to_string())
}

/// `name` must be a fraction (for validations).
pub fn fraction(name: &str, v: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{name} must be a fraction from 0 to 1, not {v}"))
    }
}

/// `name` must be more than 0 (for validations).
pub fn positive(name: &str, v: u64) -> Result<(), String> {
    if v > 0 {
        Ok(())
    } else {
        Err(format!("{name} must be more than 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_shorthand_names_a_field_of_its_workloads_section() {
        for s in SHORTHANDS {
            let defaults = (s.of.options)(&Value::Null).unwrap();
            assert!(s.of.section.is_some(), "{}", s.flag);
            assert!(defaults.get(s.field).is_some(), "{}: {defaults}", s.flag);
            assert!(
                std::ptr::eq(shorthand(s.flag).unwrap(), s),
                "{} twice",
                s.flag
            );
        }
    }

    #[test]
    fn names_are_unique_and_every_workload_builds_and_checks_with_defaults() {
        let mut names = names();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a name registered twice");
        let nodes: Vec<String> = (1..=4).map(|i| format!("n{i}")).collect();
        for def in ALL {
            let setup = Setup {
                options: &Value::Null,
                nodes: &nodes,
                concurrency: 4,
                check_time_limit: Some(Duration::from_secs(1)),
            };
            let w = (def.build)(&setup).unwrap_or_else(|e| panic!("{}: {e}", def.name));
            assert_eq!(w.name, def.name);
            assert!(!w.checkers.is_empty(), "{}", def.name);
            let c = (def.checkers)(&setup).unwrap();
            assert_eq!(
                c.iter().map(|c| c.name()).collect::<Vec<_>>(),
                w.checkers.iter().map(|c| c.name()).collect::<Vec<_>>(),
                "{}: a run and a check judge alike",
                def.name
            );
            let filled = (def.options)(&Value::Null).unwrap();
            assert!(filled.is_object(), "{}", def.name);
            // What was filled in reads back as the same options.
            assert_eq!((def.options)(&filled).unwrap(), filled, "{}", def.name);
            assert!(!def.ops.is_empty() && !def.about.is_empty(), "{}", def.name);
        }
    }

    #[test]
    fn unknown_fields_and_nonsense_values_are_refused_with_their_names() {
        let e = (find("register").unwrap().options)(&json!({"valeus": 3})).unwrap_err();
        assert!(e.contains("valeus"), "{e}");
        let e = (find("g-set").unwrap().options)(&json!({"read_fraction": 2.0})).unwrap_err();
        assert!(e.contains("read_fraction"), "{e}");
        let e = (find("list-append").unwrap().options)(&json!({"model": "acid"})).unwrap_err();
        assert!(e.contains("acid") && e.contains("serializable"), "{e}");
        let e = find("nope").unwrap_err();
        assert!(e.contains("list-append") && e.contains("g-set"), "{e}");
    }

    #[test]
    fn sections_are_shared_by_related_workloads() {
        assert_eq!(readers_of("txn"), vec!["list-append", "rw-register"]);
        assert_eq!(
            sections(),
            vec![
                "register",
                "agreement",
                "services",
                "lock",
                "txn",
                "bank",
                "log"
            ]
        );
    }
}
