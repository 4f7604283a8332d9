//! Checkers of the Maelstrom-style service workloads (being written).
