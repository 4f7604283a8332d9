//! Every kind of fault schism can inject, by name: one line each. A new fault is one file
//! in `faults/` (a [`Nemesis`]) and one line here.

use crate::faults::packet::Packet;
use crate::faults::packet_kind::PacketKind;
use crate::faults::{byzantine, clock, corrupt_file, kill, loss, partition, pause, power};
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
    FaultDef { name: "partition", about: "nodes stop hearing each other, in a shape", needs_runtime: false, make: || Box::new(partition::Partition::default()) },
    FaultDef { name: "kill", about: "SIGKILL nodes; restart them at heal", needs_runtime: false, make: || Box::new(kill::Kill) },
    FaultDef { name: "pause", about: "freeze nodes; resume them at heal", needs_runtime: false, make: || Box::new(pause::Pause) },
    FaultDef { name: "loss", about: "nodes drop incoming packets at random", needs_runtime: false, make: || Box::new(loss::Loss) },
    FaultDef { name: "delay", about: "nodes' packets to their peers held a while (netem, else schism's NFQUEUE shaper)", needs_runtime: false, make: || Box::new(Packet::new(PacketKind::Delay)) },
    FaultDef { name: "duplicate", about: "nodes' packets to their peers sent twice at random", needs_runtime: false, make: || Box::new(Packet::new(PacketKind::Duplicate)) },
    FaultDef { name: "reorder", about: "nodes' packets to their peers held back at random, overtaken", needs_runtime: false, make: || Box::new(Packet::new(PacketKind::Reorder)) },
    FaultDef { name: "corrupt", about: "a bit of nodes' packets to their peers flipped, checksum fixed", needs_runtime: false, make: || Box::new(Packet::new(PacketKind::Corrupt)) },
    FaultDef { name: "rate", about: "nodes' packets to their peers metered by a token bucket", needs_runtime: false, make: || Box::new(Packet::new(PacketKind::Rate)) },
    FaultDef { name: "byzantine", about: "nodes under schism's runtime lie, mode after mode", needs_runtime: true, make: || Box::<byzantine::Byzantine>::default() },
    FaultDef { name: "clock", about: "nodes' clocks bumped, strobed or drifting (schism's runtime, or libfaketime for C, C++ and Java programs)", needs_runtime: false, make: || Box::new(clock::Clock) },
    FaultDef { name: "corrupt-file", about: "a file of a stopped node's data directory damaged (bits flipped, zeroed, truncated); restarted", needs_runtime: false, make: || Box::new(corrupt_file::CorruptFile) },
    FaultDef { name: "lose-unfsynced", about: "nodes lose power: killed, their unsynced writes dropped; restarted at heal", needs_runtime: false, make: || Box::new(power::LoseUnfsynced) },
];

/// Refuse, before the run starts, faults the options (and the system's facts in them)
/// say cannot work: [`NemesisError::Unsupported`] naming the fault and why.
pub fn check(options: &crate::NemesisOptions) -> Result<(), NemesisError> {
    for name in &options.faults {
        (find(name)?.make)().check(options)?;
    }
    Ok(())
}

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
