//! Small random lock histories, for the tests of the lock's model.

use history::rng::Rng;
use history::{Dialect, History, Key, Op, OpType};
use serde_json::json;

/// A small random lock history on one or two locks: a few processes acquire and release
/// (now and then one it does not hold, or acquire one it holds), ops overlap, some end
/// `info` (half of those that could took effect) or `fail`; a buggy lock also lets an
/// acquire or release succeed when it should not.
pub fn lock_history(seed: u64) -> History {
    let mut rng = Rng::new(seed);
    let procs = rng.between(2, 4) as usize;
    let locks = rng.between(1, 2) as usize;
    let n = rng.between(2, 14) as usize;
    let buggy = rng.chance(0.3);
    let mut holder: Vec<Option<usize>> = vec![None; locks];
    // What each process believes it holds, and its op in flight: (acquire?, lock).
    let mut holds = vec![vec![false; locks]; procs];
    let mut pending: Vec<Option<(bool, usize)>> = vec![None; procs];
    let (mut ops, mut invoked) = (Vec::new(), 0);
    let key = |l: usize| Key::Int(l as i64);
    loop {
        let idle: Vec<usize> = (0..procs).filter(|&p| pending[p].is_none()).collect();
        let busy: Vec<usize> = (0..procs).filter(|&p| pending[p].is_some()).collect();
        if invoked < n && !idle.is_empty() && (busy.is_empty() || rng.chance(0.5)) {
            let p = idle[rng.below(idle.len() as u64) as usize];
            let l = rng.below(locks as u64) as usize;
            let acquire = holds[p][l] == rng.chance(0.15);
            let f = if acquire { "acquire" } else { "release" };
            ops.push(Op::client(p as u64, OpType::Invoke, f, json!(null)).with_key(key(l)));
            pending[p] = Some((acquire, l));
            invoked += 1;
            continue;
        }
        let Some(&p) = busy.get(rng.below(busy.len().max(1) as u64) as usize) else {
            break;
        };
        let (acquire, l) = pending[p].take().expect("busy");
        let legal = if acquire {
            holder[l].is_none()
        } else {
            holder[l] == Some(p)
        };
        let roll = rng.below(10);
        let (kind, effect) = match roll {
            0 | 1 => (OpType::Info, legal && rng.chance(0.5)),
            9 if buggy => (OpType::Ok, true),
            _ if legal => (OpType::Ok, true),
            _ => (OpType::Fail, false),
        };
        if effect {
            holder[l] = acquire.then_some(p);
            holds[p][l] = acquire;
        }
        let f = if acquire { "acquire" } else { "release" };
        let mut done = Op::client(p as u64, kind, f, json!(null)).with_key(key(l));
        if kind == OpType::Fail {
            done.error = Some(json!("not allowed"));
        }
        ops.push(done);
    }
    History::from_ops(ops, Dialect::Schism).expect("well formed")
}
