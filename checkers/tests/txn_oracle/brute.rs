//! A brute-force serializability oracle for small transactional histories, written apart
//! from the checkers so that it shares none of their reasoning.
//!
//! A history is serializable when, for some subset of its `info` transactions (each may or
//! may not have happened; its reads are unknown), some serial order of its `ok`
//! transactions and that subset, run one after another from empty lists (or nil registers),
//! gives every `ok` read exactly what it returned. `fail` transactions never happened. It is
//! strict serializable when such an order also puts T1 before T2 whenever T1 completed ok
//! before T2 was invoked (an `info` transaction never completed).
//!
//! Every subset and every order is tried (orders are built one transaction at a time and
//! a prefix that already contradicts a read is dropped, which prunes only orders that fail).

use checkers::txn::Datatype;
use history::{History, OpType, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Ok,
    Info,
    Fail,
}

#[derive(Debug, Clone)]
enum Mop {
    Write(i64, i64),
    /// What an ok read returned (null when unknown or empty).
    Read(i64, Value),
}

#[derive(Debug, Clone)]
struct Txn {
    invoke: usize,
    complete: Option<usize>,
    status: Status,
    mops: Vec<Mop>,
}

/// Each key's writes so far, in order.
type State = BTreeMap<i64, Vec<i64>>;

fn txns(h: &History) -> Vec<Txn> {
    let ops = h.ops();
    h.client_pairs()
        .map(|(i, c)| {
            let status = match c.map(|c| ops[c].kind) {
                Some(OpType::Ok) => Status::Ok,
                Some(OpType::Fail) => Status::Fail,
                _ => Status::Info,
            };
            let value = match (status, c) {
                (Status::Ok, Some(c)) => &ops[c].value,
                _ => &ops[i].value,
            };
            let mops = value
                .as_array()
                .expect("micro-ops")
                .iter()
                .map(|m| {
                    let f = m[0].as_str().expect("f");
                    let k = m[1].as_i64().expect("key");
                    if f == "r" {
                        Mop::Read(k, m[2].clone())
                    } else {
                        Mop::Write(k, m[2].as_i64().expect("value"))
                    }
                })
                .collect();
            Txn {
                invoke: i,
                complete: c,
                status,
                mops,
            }
        })
        .collect()
}

/// Run `t` on `s`; false if one of its reads (known for ok transactions) disagrees.
fn run(dt: Datatype, t: &Txn, s: &mut State) -> bool {
    for m in &t.mops {
        match m {
            Mop::Write(k, v) => s.entry(*k).or_default().push(*v),
            Mop::Read(k, seen) if t.status == Status::Ok => {
                let now = s.get(k).map_or(&[][..], |l| &l[..]);
                let ok = match dt {
                    Datatype::ListAppend => match seen {
                        Value::Null => now.is_empty(),
                        Value::Array(a) => {
                            a.len() == now.len()
                                && a.iter().zip(now).all(|(x, y)| x.as_i64() == Some(*y))
                        }
                        _ => false,
                    },
                    Datatype::RwRegister => seen.as_i64() == now.last().copied(),
                };
                if !ok {
                    return false;
                }
            }
            Mop::Read(..) => {}
        }
    }
    true
}

/// Whether some order of the transactions `left` (indices into `ts`), run after state
/// `s`, explains every ok read; with `strict`, only orders that respect real time.
fn order(dt: Datatype, ts: &[Txn], left: &[usize], s: &State, strict: bool) -> bool {
    if left.is_empty() {
        return true;
    }
    for (p, &i) in left.iter().enumerate() {
        let must_wait = strict
            && left.iter().any(|&j| {
                j != i
                    && ts[j].status == Status::Ok
                    && ts[j].complete.is_some_and(|c| c < ts[i].invoke)
            });
        if must_wait {
            continue;
        }
        let mut next = s.clone();
        if !run(dt, &ts[i], &mut next) {
            continue;
        }
        let mut rest = left.to_vec();
        rest.remove(p);
        if order(dt, ts, &rest, &next, strict) {
            return true;
        }
    }
    false
}

/// Whether the history is serializable (`strict`: strict serializable).
pub fn serializable(dt: Datatype, h: &History, strict: bool) -> bool {
    let ts = txns(h);
    let ok: Vec<usize> = (0..ts.len())
        .filter(|&i| ts[i].status == Status::Ok)
        .collect();
    let info: Vec<usize> = (0..ts.len())
        .filter(|&i| ts[i].status == Status::Info)
        .collect();
    (0u32..1 << info.len()).any(|subset| {
        let mut included = ok.clone();
        included.extend(
            info.iter()
                .enumerate()
                .filter(|(b, _)| subset & (1 << b) != 0)
                .map(|(_, &i)| i),
        );
        order(dt, &ts, &included, &State::new(), strict)
    })
}
