//! Named locks on etcd through its lock and lease endpoints (being written).
