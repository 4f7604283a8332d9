//! How a client speaks to a system under test, one module per protocol: [`maelstrom`]
//! (schism's own nodes and any node program under its runtime), [`etcd`] (its v3 JSON
//! gateway), [`http_kv`] (any REST API, by a mapping) and [`exec`] (a user's command
//! that speaks JSON lines). Each turns the invocations of a workload into requests, and
//! the answers into completions in the encoding that workload's checkers read.

pub mod etcd;
pub mod exec;
pub mod http_kv;
pub mod maelstrom;

/// The client protocols a system spec may name.
pub const PROTOCOLS: [&str; 4] = ["maelstrom", "etcd", "http-kv", "exec"];

/// The workloads a client protocol can drive.
pub fn workloads(protocol: &str) -> Vec<&'static str> {
    let services = workloads::services::NAMES.iter().copied();
    let txns = workloads::txn::NAMES.iter().copied();
    match protocol {
        "maelstrom" | "exec" => ["register", workloads::log::NAME]
            .into_iter()
            .chain(services)
            .chain(txns)
            .collect(),
        "etcd" => ["register", "lock"].into_iter().chain(txns).collect(),
        "http-kv" => vec!["register"],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_workload_a_protocol_or_a_node_serves_is_registered() {
        let protocols = super::PROTOCOLS.iter().flat_map(|p| super::workloads(p));
        let nodes = nodes::facts::FACTS
            .iter()
            .flat_map(|f| f.workloads.iter().copied());
        for w in protocols.chain(nodes) {
            assert!(workloads::registry::find(w).is_ok(), "{w}");
        }
    }
}
