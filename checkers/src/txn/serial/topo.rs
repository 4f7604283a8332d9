//! Topological orders of the members: a plain one, run on the database as a first witness
//! (for list-append it is one whenever the graph holds no anomaly, since the reads fix
//! every key's order); and each member's urgency, computed over one.

use super::edges::FACT;
use super::Problem;
use crate::txn::budget::{Clock, TimeUp};
use crate::txn::txns::{Datatype, Mop, Seen, Status, TxnId, ValId};

/// A topological order of the members over the required edges (with `soft`, the preferred
/// ones too); members on a cycle are left out.
pub fn order(p: &Problem, soft: bool, clock: &mut Clock) -> Result<Vec<TxnId>, TimeUp> {
    let n = p.txns.len();
    let mut left: Vec<u32> = if soft {
        (0..n)
            .map(|t| p.required_preds(t) + p.soft.preds[t])
            .collect()
    } else {
        (0..n).map(|t| p.required_preds(t)).collect()
    };
    let mut topo: Vec<TxnId> = (0..n as TxnId)
        .filter(|&t| p.member[t as usize] && left[t as usize] == 0)
        .collect();
    let mut i = 0;
    while i < topo.len() {
        clock.tick()?;
        let t = topo[i];
        i += 1;
        let soft_succ = if soft { p.soft.of(t) } else { &[] };
        for s in p.required(t).chain(soft_succ.iter().copied()) {
            left[s as usize] -= 1;
            if left[s as usize] == 0 {
                topo.push(s);
            }
        }
    }
    Ok(topo)
}

/// Whether a topological order of the required edges explains every ok read (run on a
/// plain copy of the database: nothing here is undone).
pub fn witness(p: &Problem, clock: &mut Clock) -> Result<bool, TimeUp> {
    let topo = order(p, false, clock)?;
    if topo.len() != p.members as usize {
        return Ok(false);
    }
    let nkeys = p.txns.keys.len();
    let mut lists: Vec<Vec<ValId>> = vec![Vec::new(); nkeys];
    let mut regs: Vec<Option<ValId>> = vec![None; nkeys];
    for t in topo {
        clock.tick()?;
        let txn = &p.txns.list[t as usize];
        let known = txn.status == Status::Ok;
        for m in txn.mops.iter() {
            let ok = match m {
                Mop::Write { key, value } => {
                    match p.dt {
                        Datatype::ListAppend => lists[*key as usize].push(*value),
                        Datatype::RwRegister => regs[*key as usize] = Some(*value),
                    }
                    true
                }
                Mop::Read { .. } if !known => true,
                Mop::Read {
                    key,
                    seen: Seen::List(l),
                } => lists[*key as usize][..] == l[..],
                Mop::Read {
                    key,
                    seen: Seen::Reg(v),
                } => regs[*key as usize] == *v,
                Mop::Read { .. } => true,
            };
            if !ok {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// The members on a cycle of the required edges, or on a path between two: those left
/// when members with no predecessor left, and those with no successor left, are peeled
/// off again and again.
pub fn on_cycles(p: &Problem, clock: &mut Clock) -> Result<Vec<bool>, TimeUp> {
    let n = p.txns.len();
    let mut left = p.member.clone();
    for t in order(p, false, clock)? {
        left[t as usize] = false;
    }
    // Peel from the other end: predecessors, as adjacency lists.
    let mut start = vec![0u32; n + 1];
    let mut succs = vec![0u32; n];
    for t in (0..n as TxnId).filter(|&t| left[t as usize]) {
        for s in p.required(t).filter(|&s| left[s as usize]) {
            start[s as usize + 1] += 1;
            succs[t as usize] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut preds = vec![0 as TxnId; start[n] as usize];
    for t in (0..n as TxnId).filter(|&t| left[t as usize]) {
        for s in p.required(t).filter(|&s| left[s as usize]) {
            preds[fill[s as usize] as usize] = t;
            fill[s as usize] += 1;
        }
    }
    let mut sinks: Vec<TxnId> = (0..n as TxnId)
        .filter(|&t| left[t as usize] && succs[t as usize] == 0)
        .collect();
    while let Some(t) = sinks.pop() {
        clock.tick()?;
        left[t as usize] = false;
        for &u in &preds[start[t as usize] as usize..start[t as usize + 1] as usize] {
            succs[u as usize] -= 1;
            if succs[u as usize] == 0 {
                sinks.push(u);
            }
        }
    }
    Ok(left)
}

/// Transactions whose floating (module `frontier`) breaks the cycles of the required
/// edges: for each cycle a depth-first search over the members on or between cycles finds,
/// the latest invoked transaction one of its edges rests on (a stale read's reader, say).
/// A search skips the edges that rest on a transaction already chosen, and searches are
/// repeated while they find more (a few times). Of a long cycle, only the last [`WALK`]
/// edges are looked at (any of its edges breaks it).
pub fn culprits(p: &Problem, clock: &mut Clock) -> Result<Vec<TxnId>, TimeUp> {
    const PASSES: usize = 16;
    let on = on_cycles(p, clock)?;
    let mut chosen = vec![false; p.txns.len()];
    let mut out = Vec::new();
    for _ in 0..PASSES {
        let before = out.len();
        cycles_pass(p, &on, &mut chosen, &mut out, clock)?;
        if out.len() == before {
            break;
        }
    }
    Ok(out)
}

/// Edges of a cycle looked at for its culprit, at most.
const WALK: usize = 256;

/// One depth-first search of [`culprits`]; the culprits it chooses are marked in `chosen`
/// and pushed on `out`.
fn cycles_pass(
    p: &Problem,
    on: &[bool],
    chosen: &mut [bool],
    out: &mut Vec<TxnId>,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    let n = p.txns.len();
    // 0: not seen; 1: on the path; 2: done.
    let mut color = vec![0u8; n];
    let mut at = vec![0u32; n];
    let later = |a: TxnId, b: TxnId| {
        let invoke = |t: TxnId| p.txns.list[t as usize].invoke;
        if a == FACT || (b != FACT && invoke(b) > invoke(a)) {
            b
        } else {
            a
        }
    };
    for root in (0..n as TxnId).filter(|&t| on[t as usize]) {
        if color[root as usize] != 0 {
            continue;
        }
        // The path: (transaction, what the edge into it rests on, next successor).
        let mut path: Vec<(TxnId, TxnId, usize)> = vec![(root, FACT, 0)];
        color[root as usize] = 1;
        while let Some(&(u, _, i)) = path.last() {
            clock.tick()?;
            let Some((v, r)) = p.required_resting(u).nth(i) else {
                color[u as usize] = 2;
                path.pop();
                continue;
            };
            path.last_mut().expect("not empty").2 += 1;
            if !on[v as usize] || (r != FACT && chosen[r as usize]) {
                continue;
            }
            match color[v as usize] {
                0 => {
                    color[v as usize] = 1;
                    at[v as usize] = path.len() as u32;
                    path.push((v, r, 0));
                }
                1 => {
                    // The cycle's edges, or its last few if it is long.
                    let from = (at[v as usize] as usize + 1).max(path.len().saturating_sub(WALK));
                    let cycle = &path[from..];
                    let mut culprit = r;
                    let mut broken = false;
                    for f in cycle {
                        clock.tick()?;
                        broken |= f.1 != FACT && chosen[f.1 as usize];
                        culprit = later(culprit, f.1);
                    }
                    if !broken && culprit != FACT {
                        chosen[culprit as usize] = true;
                        out.push(culprit);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Each member's urgency and deadline, lowered to those of any member that must or should
/// follow it (members on a cycle of such edges, possible when real time is only preferred,
/// keep their own):
///
/// - its *deadline* starts at its completion, before which it surely took effect (never,
///   for info and floating ones, which real time does not bind): it precedes every
///   transaction real time binds that was invoked after its deadline;
/// - its *urgency*, the order the search tries writers in, starts at its completion too,
///   or its invocation when it has none (an info transaction most likely took effect soon
///   after it was invoked).
///
/// Also whether the required edges are acyclic, when they are all there is.
pub fn urgency(p: &Problem, clock: &mut Clock) -> Result<(Vec<u32>, Vec<u32>, bool), TimeUp> {
    let own = |t: &crate::txn::txns::Txn, floats: bool| match (t.status, t.complete) {
        (Status::Ok, Some(c)) => (c, if floats { u32::MAX } else { c }),
        _ => (t.invoke, u32::MAX),
    };
    let (mut u, mut d): (Vec<u32>, Vec<u32>) = p
        .txns
        .list
        .iter()
        .zip(&p.floating)
        .map(|(t, &floats)| own(t, floats))
        .unzip();
    let topo = order(p, true, clock)?;
    for &t in topo.iter().rev() {
        for s in p.required(t).chain(p.soft.of(t).iter().copied()) {
            u[t as usize] = u[t as usize].min(u[s as usize]);
            d[t as usize] = d[t as usize].min(d[s as usize]);
        }
    }
    Ok((u, d, topo.len() == p.members as usize))
}
