//! One check, start to finish: read the transactions, infer the dependencies and the
//! anomalies visible without cycles, add process and real-time order, find and name the
//! cycles, look for a serial order when the model is serializable or strict serializable
//! and nothing rules it out yet (module `witness`), and turn it all into a verdict for the
//! model asked about.
//!
//! Cycles are sought in two passes. First over data edges only (ww, wr, rw): each strongly
//! connected component is named by its most severe class (`G0` ... `G2-item`). Then over
//! all edges: a component that holds no data cycle is named by its most severe
//! `-process` or `-realtime` class (one that does adds nothing: its data cycle already
//! rules out strict serializability). So every component is reported once.
//!
//! The verdict lists the anomalies that rule out the model (invalid if any); the stats
//! count every anomaly found by kind (`anomaly_kinds`) and name every model ruled out
//! (`ruled_out`, and `models` as a sentence), whatever the model checked. It is unknown,
//! never valid, when the time limit ran out, when some transaction could not be read, when
//! some value was written twice (so a read no longer names its write), when a cycle search
//! gave up where a more severe class could have ruled the model out, when the search for a
//! serial order gave up, or when no transaction completed ok.

use super::append::Appends;
use super::budget::{Clock, TimeUp};
use super::explain::{self, Why};
use super::found::{Ctx, Found};
use super::graph::{DepGraph, ALL, DATA};
use super::model::{self, Model};
use super::register::Registers;
use super::search::{name_component, Class, DATA_CLASSES, ORDER_CLASSES};
use super::txns::{Datatype, Status, Txns};
use super::{order, scc, witness};
use crate::report::Report;
use history::{History, Verdict};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Edge visits a cycle search may spend on one class in one component.
const SEARCH_BUDGET: u64 = 5_000_000;

/// What the passes learn besides anomalies.
struct Notes {
    stats: Map<String, Value>,
    /// Why the verdict cannot be valid.
    unsure: Vec<String>,
    /// The weakest model a cycle search that gave up could have ruled out, and the size of
    /// its component.
    gave_up: Option<(Model, usize)>,
    phase: &'static str,
    /// The first transaction that could not be read.
    malformed: Option<history::Malformed>,
}

/// Check `history` as a `dt` history against `model`.
pub fn check(history: &History, dt: Datatype, model: Model, limit: Option<Duration>) -> Verdict {
    let mut clock = Clock::new(limit);
    let mut found = Found::default();
    let mut notes = Notes {
        stats: Map::new(),
        unsure: Vec::new(),
        gave_up: None,
        phase: "reading the transactions",
        malformed: None,
    };
    let mut ok = 0;
    let result = run(
        history, dt, model, &mut clock, &mut found, &mut notes, &mut ok,
    );
    if result.is_err() {
        notes.unsure.push(format!(
            "the time limit ({:.1} s) ran out while {}; what was found until then is reported",
            clock.limit().unwrap_or_default().as_secs_f64(),
            notes.phase
        ));
    }
    let malformed = notes.malformed.take();
    let mut verdict = finish(dt, model, found, notes, ok);
    if let Some(m) = malformed {
        verdict.note_malformed(m);
    }
    verdict
}

fn run(
    history: &History,
    dt: Datatype,
    model: Model,
    clock: &mut Clock,
    found: &mut Found,
    notes: &mut Notes,
    ok: &mut usize,
) -> Result<(), TimeUp> {
    let txns = Txns::extract(history, dt, clock)?;
    let count = |s: Status| txns.list.iter().filter(|t| t.status == s).count();
    *ok = count(Status::Ok);
    for (k, v) in [
        ("txns", json!(txns.len())),
        ("ok", json!(*ok)),
        ("info", json!(count(Status::Info))),
        ("fail", json!(count(Status::Fail))),
        ("keys", json!(txns.keys.len())),
        ("other_ops", json!(txns.other_ops)),
    ] {
        notes.stats.insert(k.into(), v);
    }
    notes.malformed = txns.first_malformed(history);
    let ctx = Ctx {
        history,
        txns: &txns,
        dt,
    };
    let mut g = DepGraph::new(txns.len());
    notes.phase = "inferring dependencies";
    let (inferred, ambiguous): (Box<dyn Why + Sync>, _) = match dt {
        Datatype::ListAppend => {
            let a = Appends::infer(&ctx, &mut g, found, clock)?;
            let amb = a.ambiguous;
            (Box::new(a), amb)
        }
        Datatype::RwRegister => {
            let r = Registers::infer(&ctx, &mut g, found, clock)?;
            let amb = r.ambiguous;
            (Box::new(r), amb)
        }
    };
    if let (n, Some((k, v))) = ambiguous {
        notes.unsure.push(format!(
            "{n} write(s) repeat a value already written to the same key (the first: {} to key \
             {}), so a read of such a value does not tell which write it saw; those reads \
             were not used",
            txns.val_name(v),
            txns.key_name(k)
        ));
    }
    notes.phase = "ordering by process and real time";
    order::add_edges(history, &txns, &mut g, clock)?;
    let edges: Map<String, Value> = g
        .counts()
        .into_iter()
        .map(|(k, n)| (k.to_string(), json!(n)))
        .collect();
    notes.stats.insert("edges".into(), Value::Object(edges));
    notes.phase = "searching for cycles";
    let data_nodes = scc::trim(&g.g, DATA, clock)?;
    let all_nodes = scc::trim(&g.g, ALL, clock)?;
    notes
        .stats
        .insert("cyclic_candidates".into(), json!(all_nodes.len()));
    if all_nodes.is_empty() {
        notes.stats.insert("sccs".into(), json!(0));
    } else {
        name_cycles(
            &ctx,
            &*inferred,
            &g,
            &data_nodes,
            &all_nodes,
            found,
            notes,
            clock,
        )?;
    }
    let searched = matches!(model, Model::Serializable | Model::StrictSerializable)
        && *ok > 0
        && notes.unsure.is_empty()
        && notes.gave_up.is_none_or(|(m, _)| m > model)
        && !found.ruled_out().contains(&model);
    if searched {
        notes.phase = "searching for a serial order";
        witness::judge(
            &ctx,
            &g,
            inferred.writers(),
            model,
            found,
            &mut notes.unsure,
            &mut notes.stats,
            clock,
        )?;
    }
    Ok(())
}

/// Find and name the cycles among `data_nodes` (data edges) and `all_nodes` (all edges).
#[allow(clippy::too_many_arguments)]
fn name_cycles(
    ctx: &Ctx,
    why: &(dyn Why + Sync),
    graph: &DepGraph,
    data_nodes: &[u32],
    all_nodes: &[u32],
    found: &mut Found,
    notes: &mut Notes,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    let txns = ctx.txns;
    scc::with_stack(all_nodes.len(), || {
        let mut sccs = 0;
        let data_sccs = scc::components(&graph.g, DATA, data_nodes, clock)?;
        let mut in_data_cycle = vec![false; txns.len()];
        for c in &data_sccs {
            sccs += 1;
            for &t in c {
                in_data_cycle[t as usize] = true;
            }
            name(ctx, why, graph, c, DATA, &DATA_CLASSES, found, notes, clock)?;
        }
        for c in scc::components(&graph.g, ALL, all_nodes, clock)? {
            if c.iter().any(|&t| in_data_cycle[t as usize]) {
                continue;
            }
            sccs += 1;
            name(
                ctx,
                why,
                graph,
                &c,
                ALL,
                &ORDER_CLASSES,
                found,
                notes,
                clock,
            )?;
        }
        notes.stats.insert("sccs".into(), json!(sccs));
        Ok(())
    })
}

/// Name one component and record its cycle.
#[allow(clippy::too_many_arguments)]
fn name(
    ctx: &Ctx,
    why: &dyn Why,
    g: &DepGraph,
    scc: &[u32],
    scope: u8,
    classes: &[Class],
    found: &mut Found,
    notes: &mut Notes,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    let named = name_component(&g.g, scc, scope, classes, SEARCH_BUDGET, clock)?;
    if let Some(i) = named.gave_up {
        if let Some(m) = model::weakest_ruled_out(classes[i].name) {
            if !matches!(notes.gave_up, Some((w, _)) if w <= m) {
                notes.gave_up = Some((m, scc.len()));
            }
        }
    }
    if let Some((i, steps)) = named.cycle {
        let class = &classes[i];
        if !found.wants(class.name) {
            found.count(class.name);
            return Ok(());
        }
        let (text, data) = explain::cycle(ctx, why, class, &steps);
        let txns: Vec<u32> = steps.iter().map(|s| s.0).collect();
        found.add(ctx, class.name, None, text, &txns, data);
    }
    Ok(())
}

fn finish(dt: Datatype, model: Model, found: Found, mut notes: Notes, ok: usize) -> Verdict {
    let ruled_out = found.ruled_out();
    let kinds: Map<String, Value> = found
        .counts()
        .iter()
        .map(|(k, n)| (k.to_string(), json!(n)))
        .collect();
    let sentence = if ruled_out.is_empty() {
        "no model ruled out".to_string()
    } else {
        ruled_out
            .iter()
            .map(|m| format!("not {}", m.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !ruled_out.contains(&model) {
        if let Some((m, size)) = notes.gave_up.filter(|(m, _)| *m <= model) {
            notes.unsure.push(format!(
                "the cycle search gave up in a component of {size} transactions before it \
                 could tell whether it holds a cycle that rules out {}",
                m.as_str()
            ));
        }
        if ok == 0 {
            notes.unsure.push(
                "no transaction completed ok: nothing was observed, so nothing can be judged"
                    .into(),
            );
        }
    }
    let mut report = Report::new(dt.name());
    report.stat("model", json!(model.as_str()));
    for (k, v) in std::mem::take(&mut notes.stats) {
        report.stat(&k, v);
    }
    report.stat(
        "ruled_out",
        json!(ruled_out.iter().map(|m| m.as_str()).collect::<Vec<_>>()),
    );
    report.stat("models", json!(sentence));
    report.stat("anomaly_kinds", Value::Object(kinds));
    report.stat("anomalies_found", json!(found.total()));
    let (kept, against) = found.against(model);
    for a in kept {
        report.push(a);
    }
    if !notes.unsure.is_empty() {
        report.cannot_judge(notes.unsure.join("; "));
    }
    let mut v = report.finish();
    v.stats.insert("anomalies".into(), json!(against));
    v
}
