//! What the nemesis knows of the system's nodes beyond the cluster: where their data lives
//! and how their clocks can be moved. The system says it, the harness hands it over in
//! [`crate::NemesisOptions::system`]; faults that need a fact it lacks refuse before the
//! run starts.

/// libfaketime's own fallback, read when its timestamp file is missing, as it is for a
/// moment while the Docker engine replaces the file (the engine removes it, creates it
/// empty, then writes it): the `clock` fault writes the fallback after the timestamp file,
/// with the same line, and a node's image starts with both at `+0.000`.
pub const FAKETIME_FALLBACK: &str = "/etc/faketimerc";

/// How the `clock` fault reaches a node's clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClockReach {
    /// The nodes run under schism's runtime: a control message moves the clock its
    /// protocol sees.
    Runtime,
    /// The nodes' programs run with libfaketime preloaded, reading their clock's offset
    /// from this file in each node (rewritten by the fault).
    Faketime { file: String },
    /// Nothing can move it; why, in a sentence naming the system.
    Refused(String),
    /// Not said (tests, systems that never take the clock fault).
    #[default]
    Unknown,
}

/// The facts of one system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemFacts {
    /// The nodes' data directory (a path in each node).
    pub data_dir: Option<String>,
    /// Which files of the data directory `corrupt-file` chooses from: patterns relative to
    /// it (`*`, `**`, `?`, see [`crate::glob`]); empty: any regular file.
    pub corrupt_paths: Vec<String>,
    pub clock: ClockReach,
}
