//! How a transaction client completes a transaction whose fate it cannot know (a timeout,
//! a lost connection, an indefinite error): `info`, except that a transaction of reads
//! only changed nothing, so it is `fail` whatever happened.

use crate::{Completion, Invocation};
use serde_json::Value;

/// Whether a transaction only reads.
pub fn read_only(txn: &Value) -> bool {
    txn.as_array()
        .is_some_and(|ops| ops.iter().all(|m| m[0] == "r"))
}

/// The completion of a transaction whose fate is unknown (`error`): reads only: `fail`.
pub fn unsure(inv: &Invocation, error: String) -> Completion {
    if read_only(&inv.value) {
        Completion::fail(inv.value.clone(), error)
    } else {
        Completion::info(inv.value.clone(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::OpType;
    use serde_json::json;

    #[test]
    fn a_transaction_of_reads_only_fails_when_unsure() {
        let reads = json!([["r", 1, null]]);
        let writes = json!([["r", 1, null], ["append", 1, 3]]);
        assert!(read_only(&reads));
        assert!(!read_only(&writes));
        let unsure_of = |v: &Value| unsure(&Invocation::new("txn", None, v.clone()), "t".into());
        assert_eq!(unsure_of(&reads).kind, OpType::Fail);
        assert_eq!(unsure_of(&writes).kind, OpType::Info);
    }
}
