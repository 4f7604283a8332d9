//! The clock of nodes under schism's runtime: a `schism/clock` control message sets the
//! offset of the clock their protocol sees.

use super::tell::tell;
use crate::env::Env;
use crate::NemesisError;
use history::Value;
use serde_json::json;

/// Set each node's offset; the runtimes' answers by node.
pub async fn set(env: &Env<'_>, offsets: &[(String, i64)]) -> Result<Value, NemesisError> {
    let bodies = offsets
        .iter()
        .map(|(n, o)| (n.clone(), json!({"type": "schism/clock", "offset_ms": o})));
    tell(env, super::clock_modes::NAME, bodies.collect()).await
}
