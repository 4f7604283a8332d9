//! What the nemesis of a run does, and how often.

use crate::byzantine::ByzMode;
use crate::clients::Clients;
use crate::grudge::Shape;
use crate::target::Target;
use crate::NemesisError;
use history::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// The nemesis's options: which faults (by registry name), aimed where, on what schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct NemesisOptions {
    /// Fault names of the registry ([`crate::registry`]), taken in turn (or all at once
    /// with `overlap`).
    pub faults: Vec<String>,
    /// Where node faults (kill, pause, loss, clock, and traitors when given) land: one
    /// target is drawn per fault.
    pub targets: Vec<Target>,
    /// Faults overlap: each fault kind keeps its own rhythm, so a kill may land during a
    /// partition; otherwise one fault at a time.
    pub overlap: bool,
    /// Partition shapes to draw from.
    pub shapes: Vec<Shape>,
    /// Healthy time before each fault.
    pub interval: Duration,
    /// How long each fault is held.
    pub duration: Duration,
    /// The target `some` takes 1 to this many nodes.
    pub max_faulty: usize,
    pub loss_probability: f64,
    /// At most this many nodes are ever made Byzantine in a run (chosen once, seeded).
    pub traitors: usize,
    /// The Byzantine modes, taken in turn.
    pub byzantine_modes: Vec<ByzMode>,
    /// The message fields a lying node changes, and the values its lies take.
    pub lie_fields: Vec<String>,
    pub lie_domain: Vec<Value>,
    /// Clock offsets are drawn up to this many milliseconds either way.
    pub max_clock_skew_ms: u64,
    /// What the system says of its nodes (data directory, files worth corrupting, how its
    /// clocks can be moved).
    pub system: crate::SystemFacts,
    /// Where the client workers sit, which partitions record (see [`Clients`]).
    pub clients: Clients,
    /// Options of single faults, by fault name (`nemesis.options.<fault>` in a spec), read
    /// by each fault with [`NemesisOptions::section`].
    pub sections: BTreeMap<String, Value>,
    /// Exactly these faults at these times instead of faults drawn on a rhythm (see
    /// [`crate::fixed`]); `Some(vec![])` is a run without faults.
    pub schedule: Option<Vec<crate::fixed::Planned>>,
    /// In a fixed schedule, faults aimed at the leader of their time are re-aimed at the
    /// leader of the replay ([`crate::fixed::reaimed`]).
    pub reaim_leader: bool,
}

impl Default for NemesisOptions {
    fn default() -> Self {
        NemesisOptions {
            faults: Vec::new(),
            targets: vec![Target::Some],
            overlap: false,
            shapes: Shape::ALL.to_vec(),
            interval: Duration::from_secs(5),
            duration: Duration::from_secs(5),
            max_faulty: 1,
            loss_probability: 0.2,
            traitors: 1,
            byzantine_modes: ByzMode::IN_TURN.to_vec(),
            lie_fields: vec!["value".into()],
            lie_domain: Vec::new(),
            max_clock_skew_ms: 30_000,
            system: crate::SystemFacts::default(),
            clients: Clients::Controller,
            sections: BTreeMap::new(),
            schedule: None,
            reaim_leader: false,
        }
    }
}

impl NemesisOptions {
    /// The options of one fault, its defaults where the section is absent; an error names
    /// the fault and the field.
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        fault: &str,
    ) -> Result<T, NemesisError> {
        match self.sections.get(fault) {
            None => Ok(T::default()),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| NemesisError::Unknown(format!("nemesis.options.{fault}: {e}"))),
        }
    }

    /// Whether any target needs to know who leads.
    pub fn targets_leader(&self) -> bool {
        self.targets.contains(&Target::Leader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Tear {
        at_byte: u64,
    }

    #[test]
    fn a_fault_reads_its_own_section_or_its_defaults() {
        let mut o = NemesisOptions::default();
        assert_eq!(o.section::<Tear>("tear").unwrap(), Tear::default());
        o.sections.insert("tear".into(), json!({"at_byte": 7}));
        assert_eq!(o.section::<Tear>("tear").unwrap(), Tear { at_byte: 7 });
        o.sections.insert("tear".into(), json!({"at": 7}));
        let e = o.section::<Tear>("tear").unwrap_err().to_string();
        assert!(
            e.contains("nemesis.options.tear") && e.contains("at"),
            "{e}"
        );
    }
}
