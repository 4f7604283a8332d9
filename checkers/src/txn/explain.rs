//! How a dependency cycle is told: the transactions, named `T1`, `T2`, ... in cycle order,
//! then each edge with the reason it holds, so that a person can check every step against
//! the history:
//!
//! ```text
//! G-single: a dependency cycle with exactly one anti-dependency (rw) edge (read skew).
//! Let:
//!   T1 = op 4 (process 1, ok, line 5): [append 1 7] [append 2 8]
//!   T2 = op 6 (process 2, ok, line 7): [r 1 [7]] [r 2 []]
//! Then:
//!   - T1 < T2 (wr: T2 read key 1 = [7], which ends with 7, appended by T1)
//!   - T2 < T1 (rw: T2 read key 2 = [] without 8, which T1 appended first)
//! So T1 must come before itself: no order of these transactions explains what they saw.
//! ```
//!
//! The anomaly's `data` holds the cycle for tools: `txns` (invocation op indices, in
//! cycle order) and `edges` (`edges[i]` leads from `txns[i]` to the next, the last back to
//! the first).

use super::found::Ctx;
use super::graph::{kind_name, EdgeKind, PROCESS, REALTIME};
use super::search::{Class, Step};
use super::txns::TxnId;
use super::writes::Writers;
use serde_json::{json, Value};

/// What a data analysis (`append`, `register`) keeps for later: why one transaction
/// precedes another by a data edge, and who wrote each (key, value).
pub trait Why {
    fn why(&self, a: TxnId, la: &str, b: TxnId, lb: &str, kind: EdgeKind) -> String;
    fn writers(&self) -> &Writers;
}

/// What a cycle of a class means, for the first line of its explanation.
fn meaning(class: &Class) -> String {
    let (base, suffix) = match class.name.split_once("-process") {
        Some((b, _)) => (
            b,
            " It closes only through the order of a process's transactions.",
        ),
        None => match class.name.split_once("-realtime") {
            Some((b, _)) => (b, " It closes only through real-time order."),
            None => (class.name, ""),
        },
    };
    let what = match base {
        "G0" => "a cycle of write-write (ww) dependencies: the transactions' writes interleave",
        "G1c" => {
            "a cycle of write-write and write-read dependencies, at least one write-read (wr): \
             cyclic information flow"
        }
        "G-single" => "a dependency cycle with exactly one anti-dependency (rw) edge (read skew)",
        "G-nonadjacent" => {
            "a dependency cycle with several anti-dependency (rw) edges, no two of them adjacent"
        }
        _ => "a dependency cycle with two or more anti-dependency (rw) edges (write skew or worse)",
    };
    format!("{}: {what}.{suffix}", class.name)
}

/// The explanation and data of a cycle of class `class`.
pub fn cycle(ctx: &Ctx, why: &dyn Why, class: &Class, steps: &[Step]) -> (String, Value) {
    let label = |i: usize| format!("T{}", i + 1);
    let mut s = meaning(class);
    s.push_str("\nLet:");
    for (i, &(t, _)) in steps.iter().enumerate() {
        s.push_str("\n  ");
        s.push_str(&ctx.let_line(&label(i), t));
    }
    s.push_str("\nThen:");
    for (i, &(a, kind)) in steps.iter().enumerate() {
        let j = (i + 1) % steps.len();
        let b = steps[j].0;
        let (la, lb) = (label(i), label(j));
        let reason = match kind {
            PROCESS => format!(
                "process {} ran {la}, then {lb}",
                ctx.txns.list[a as usize].process
            ),
            REALTIME => format!(
                "{la} completed (op {}) before {lb} was invoked (op {})",
                ctx.txns.list[a as usize]
                    .complete
                    .map_or_else(|| "?".to_string(), |c| c.to_string()),
                ctx.txns.list[b as usize].invoke
            ),
            _ => why.why(a, &la, b, &lb, kind),
        };
        s.push_str(&format!(
            "\n  - {la} < {lb} ({}: {reason})",
            kind_name(kind)
        ));
    }
    s.push_str(
        "\nSo T1 must come before itself: no order of these transactions explains what they saw.",
    );
    let data = json!({
        "txns": steps.iter().map(|&(t, _)| ctx.txns.list[t as usize].invoke).collect::<Vec<_>>(),
        "edges": steps.iter().map(|&(_, k)| kind_name(k)).collect::<Vec<_>>(),
    });
    (s, data)
}
