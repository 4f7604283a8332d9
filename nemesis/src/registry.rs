//! Every kind of fault schism can inject, by name: one line each. A new fault is one file
//! in `faults/` (a [`Nemesis`]) and one line here.

use crate::faults::{byzantine, clock, kill, loss, netem, partition, pause, power};
use crate::kind::Nemesis;
use crate::NemesisError;

/// A kind of fault: its name, a line about it, and how to make a fresh one for a run.
pub struct FaultDef {
    pub name: &'static str,
    pub about: &'static str,
    /// Whether it is applied through the node runtime (only for nodes under it).
    pub needs_runtime: bool,
    pub make: fn() -> Box<dyn Nemesis>,
}

#[rustfmt::skip]
pub const ALL: &[FaultDef] = &[
    FaultDef { name: "partition", about: "nodes stop hearing each other, in a shape", needs_runtime: false, make: || Box::new(partition::Partition) },
    FaultDef { name: "kill", about: "SIGKILL nodes; restart them at heal", needs_runtime: false, make: || Box::new(kill::Kill) },
    FaultDef { name: "pause", about: "freeze nodes; resume them at heal", needs_runtime: false, make: || Box::new(pause::Pause) },
    FaultDef { name: "loss", about: "nodes drop incoming packets at random", needs_runtime: false, make: || Box::new(loss::Loss) },
    FaultDef { name: "delay", about: "needs tc netem (refused on this kernel)", needs_runtime: false, make: || Box::new(netem::Netem { name: "delay" }) },
    FaultDef { name: "duplicate", about: "needs tc netem (refused on this kernel)", needs_runtime: false, make: || Box::new(netem::Netem { name: "duplicate" }) },
    FaultDef { name: "reorder", about: "needs tc netem (refused on this kernel)", needs_runtime: false, make: || Box::new(netem::Netem { name: "reorder" }) },
    FaultDef { name: "byzantine", about: "nodes under schism's runtime lie, mode after mode", needs_runtime: true, make: || Box::<byzantine::Byzantine>::default() },
    FaultDef { name: "lose-unfsynced", about: "nodes lose power: killed, their unsynced writes dropped; restarted at heal", needs_runtime: false, make: || Box::new(power::LoseUnfsynced) },
    FaultDef { name: "clock", about: "the clock nodes' protocols see, moved", needs_runtime: true, make: || Box::new(clock::Clock) },
];

/// Every fault's name.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|d| d.name).collect()
}

/// Whether any of these faults needs the nodes' data directories served from the host
/// (powerfs), so the cluster must be made with `power_loss`. Unknown names need nothing.
pub fn needs_power_loss(faults: &[String]) -> bool {
    faults
        .iter()
        .filter_map(|f| find(f).ok())
        .any(|d| (d.make)().needs_power_loss())
}

/// A fault by name; an unknown one lists the known.
pub fn find(name: &str) -> Result<&'static FaultDef, NemesisError> {
    ALL.iter().find(|d| d.name == name).ok_or_else(|| {
        NemesisError::Unknown(format!(
            "unknown nemesis {name:?}; known: {}",
            names().join(", ")
        ))
    })
}
