//! The Maelstrom-style service workloads (being written).
