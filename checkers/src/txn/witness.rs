//! What a serializable (or strict serializable) verdict rests on: when the dependency graph
//! shows nothing that rules the model out, the search of module `serial` for a serial order
//! that explains every read. Found: the verdict may be valid. None exists: the anomaly
//! `no-serial-order`, told from the furthest point the search reached; under strict
//! serializability, `no-serial-order-realtime` when an order that ignores real time exists
//! (or a tenth of the budget did not settle whether one does), since only real time is then
//! shown to rule the history out. The search gave up: the verdict is unknown, never valid.

use super::budget::{Clock, TimeUp};
use super::found::{Ctx, Found};
use super::graph::DepGraph;
use super::model::Model;
use super::serial::{self, Blocked, Outcome, Problem, Stuck, BUDGET};
use super::txns::{Datatype, TxnId};
use super::writes::Writers;
use serde_json::{json, Map, Value};

/// Search for a serial order of `ctx`'s transactions under `g` (`writers`: who wrote each
/// (key, value)) for `model` (serializable or strict serializable); record what it shows
/// in `found`, or why the verdict cannot be valid in `unsure`, and the search's result in
/// `stats`.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    ctx: &Ctx,
    g: &DepGraph,
    writers: &Writers,
    model: Model,
    found: &mut Found,
    unsure: &mut Vec<String>,
    stats: &mut Map<String, Value>,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    let strict = model == Model::StrictSerializable;
    let outcome = serial::find(ctx.txns, ctx.dt, g, writers, strict, BUDGET, clock)?;
    let (result, steps) = match &outcome {
        Outcome::Found { steps } => ("found", steps),
        Outcome::Impossible { steps, .. } => ("none", steps),
        Outcome::GaveUp { steps, .. } => ("gave up", steps),
    };
    stats.insert("serial_order".into(), json!(result));
    stats.insert("serial_order_steps".into(), json!(steps));
    match outcome {
        Outcome::Found { .. } => {}
        Outcome::GaveUp { steps, .. } => unsure.push(format!(
            "the dependency graph shows nothing that rules out {}, but the search for a \
             serial order that explains every read gave up after {steps} steps, neither \
             finding one nor proving there is none",
            model.as_str()
        )),
        Outcome::Impossible { steps, stuck } => {
            // Under strict serializability: is it real time that leaves no order? If not,
            // tell what leaves none without it. (Not settled within a tenth of the budget:
            // only strict serializability is said to be ruled out.)
            let (realtime, steps, stuck) = match strict {
                true => {
                    match serial::find(ctx.txns, ctx.dt, g, writers, false, BUDGET / 10, clock)? {
                        Outcome::Impossible { steps, stuck } => (None, steps, stuck),
                        Outcome::Found { .. } => (Some(true), steps, stuck),
                        Outcome::GaveUp { .. } => (Some(false), steps, stuck),
                    }
                }
                false => (None, steps, stuck),
            };
            let kind = match realtime {
                Some(_) => "no-serial-order-realtime",
                None => "no-serial-order",
            };
            if !found.wants(kind) {
                found.count(kind);
                return Ok(());
            }
            // Orders derived from the reads (and real time) may leave nothing to place at
            // all; where a search without them gets stuck is plainer to tell.
            let (steps, stuck) = match stuck.ready {
                0 => {
                    let floating = realtime.is_some().then_some(&[][..]);
                    match Problem::new(ctx.txns, ctx.dt, g, writers, floating, clock)?
                        .plain()
                        .solve(BUDGET / 10, clock)?
                    {
                        Outcome::Impossible { steps, stuck } => (steps, stuck),
                        _ => (steps, stuck),
                    }
                }
                _ => (steps, stuck),
            };
            let (text, txns) = explain(ctx, realtime, steps, &stuck);
            let data = json!({
                "steps": steps,
                "placed": stuck.placed,
                "txns": txns.iter().map(|&t| ctx.txns.list[t as usize].invoke).collect::<Vec<_>>(),
            });
            found.add(ctx, kind, None, text, &txns, data);
        }
    }
    Ok(())
}

/// The explanation of a `no-serial-order` anomaly, and the transactions it names (in
/// label order). `realtime`: whether the order must respect real time, and if so, whether
/// one that ignores it was found.
fn explain(ctx: &Ctx, realtime: Option<bool>, steps: u64, stuck: &Stuck) -> (String, Vec<TxnId>) {
    let txns = ctx.txns;
    let mut named: Vec<TxnId> = Vec::new();
    let mut label = |t: TxnId| {
        let i = named.iter().position(|&n| n == t).unwrap_or_else(|| {
            named.push(t);
            named.len() - 1
        });
        format!("T{}", i + 1)
    };
    let mut s = match realtime {
        Some(serializable) => format!(
            "no-serial-order-realtime: no serial order of the committed transactions that \
             respects real time (each after every transaction that completed before it was \
             invoked) explains what they read, though the dependency graph shows no cycle{}.",
            if serializable {
                "; orders that ignore real time do"
            } else {
                ""
            }
        ),
        None => format!(
            "no-serial-order: no serial order of the committed transactions explains what \
             they read, though the dependency graph shows no cycle{}.",
            match ctx.dt {
                Datatype::RwRegister => " (it holds only the version orders the reads force)",
                Datatype::ListAppend => "",
            }
        ),
    };
    s.push_str(&format!(
        "\nEvery order the dependencies allow was tried ({steps} steps), and each contradicts \
         some read. The furthest the search got: {} of the {} committed transactions placed",
        stuck.placed, stuck.members
    ));
    if !stuck.last.is_empty() {
        let hidden = stuck.placed as usize - stuck.last.len();
        let last: Vec<String> = stuck.last.iter().map(|&t| label(t)).collect();
        s.push_str(&format!(
            " ({}{})",
            if hidden > 0 {
                format!("{hidden} others, then ")
            } else {
                String::new()
            },
            last.join(", ")
        ));
    }
    s.push_str(&match stuck.ready {
        0 => "; then every transaction left had to follow another one left: the orders the \
              reads (and real time) force among them form a cycle."
            .to_string(),
        1 => "; then the only transaction that could go next did not fit:".to_string(),
        n => format!("; then none of the {n} that could go next fit:"),
    });
    for b in &stuck.blocked {
        let line = match b {
            Blocked::Misread { t, mop, now } => {
                let lt = label(*t);
                let m = &txns.list[*t as usize].mops[*mop as usize];
                let read = txns.read_name(m);
                format!(
                    "{lt}'s micro-op {} read key {} = {read}, but the key then held {now}",
                    mop + 1,
                    txns.key_name(m.key()),
                )
            }
            Blocked::Overwrites {
                t,
                key,
                now,
                reader,
            } => {
                let lt = label(*t);
                let who = reader.map_or_else(|| "another transaction".to_string(), &mut label);
                format!(
                    "{lt} writes key {}, which held {now}, a version {who} has yet to read",
                    txns.key_name(*key)
                )
            }
        };
        s.push_str("\n  - ");
        s.push_str(&line);
    }
    let more = stuck.ready as usize - stuck.blocked.len();
    if more > 0 {
        s.push_str(&format!("\n  - and {more} more"));
    }
    match stuck.waiting {
        0 => {}
        1 => s.push_str("\n(1 other transaction was still waiting for these.)"),
        n => s.push_str(&format!(
            "\n({n} other transactions were still waiting for these.)"
        )),
    }
    s.push_str("\nLet:");
    for (i, &t) in named.iter().enumerate() {
        s.push_str("\n  ");
        s.push_str(&ctx.let_line(&format!("T{}", i + 1), t));
    }
    (s, named)
}
