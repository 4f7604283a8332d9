//! A register client over a REST mapping (being written).
