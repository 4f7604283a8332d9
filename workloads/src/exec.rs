//! A client that is a user command speaking JSON lines (being written).
