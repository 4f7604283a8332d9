//! What the service workloads ask for in the main phase, and the final reads.
//!
//! Elements of `g-set`, messages of `broadcast` and echoed strings are numbered by the
//! generator, so no two are alike; counter deltas are drawn from the options' range.

use super::Kind;
use crate::generator::{Ctx, Generator, Next, Once};
use crate::Invocation;
use history::Value;
use serde_json::json;

/// The main phase's ops of every service but `lock` (see `lock`) and the broadcast
/// topology (see `topology`).
pub struct ServiceGen {
    kind: Kind,
    values: u32,
    read_fraction: f64,
    next: u64,
}

impl ServiceGen {
    pub fn new(kind: Kind, values: u32, read_fraction: f64) -> ServiceGen {
        ServiceGen {
            kind,
            values: values.max(1),
            read_fraction,
            next: 0,
        }
    }

    fn fresh(&mut self) -> u64 {
        self.next += 1;
        self.next - 1
    }

    fn delta(&self, ctx: &mut Ctx<'_>) -> i64 {
        let v = self.values as i64;
        if self.kind == Kind::PnCounter {
            ctx.rng.below(2 * v as u64 - 1) as i64 - (v - 1)
        } else {
            ctx.rng.below(v as u64) as i64
        }
    }
}

impl Generator for ServiceGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let read = || Invocation::new("read", None, Value::Null);
        let reads = self.kind.has_reads() && ctx.rng.unit() < self.read_fraction;
        let inv = match self.kind {
            _ if reads => read(),
            Kind::Echo => {
                let n = self.fresh();
                Invocation::new("echo", None, json!(format!("echo {n}")))
            }
            Kind::UniqueIds => Invocation::new("generate", None, Value::Null),
            Kind::GSet => Invocation::new("add", None, json!(self.fresh())),
            Kind::Broadcast => Invocation::new("broadcast", None, json!(self.fresh())),
            Kind::GCounter | Kind::PnCounter => {
                Invocation::new("add", None, json!(self.delta(ctx)))
            }
            Kind::Lock => return Next::Done,
        };
        Next::Op(inv)
    }
}

/// The final phase: a read at every node (naming it) for the services with state to
/// read; nothing for the others.
pub fn final_reads(kind: Kind, nodes: &[String]) -> Once {
    let invs: Vec<Invocation> = if kind.has_reads() {
        nodes
            .iter()
            .map(|n| Invocation::new("read", None, json!({"node": n})))
            .collect()
    } else {
        Vec::new()
    };
    Once::new(invs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;

    fn draw(kind: Kind, n: usize) -> Vec<Invocation> {
        let mut g = ServiceGen::new(kind, 3, 0.25);
        let mut rng = Rng::new(7);
        (0..n)
            .map(|_| {
                match g.next(&mut Ctx {
                    time_ns: 0,
                    process: 0,
                    rng: &mut rng,
                }) {
                    Next::Op(inv) => inv,
                    other => panic!("{other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn set_elements_are_unique_and_reads_are_mixed_in() {
        let ops = draw(Kind::GSet, 200);
        let adds: Vec<u64> = ops
            .iter()
            .filter(|i| i.f == "add")
            .map(|i| i.value.as_u64().unwrap())
            .collect();
        let reads = ops.iter().filter(|i| i.f == "read").count();
        assert!((20..80).contains(&reads), "{reads} reads of 200");
        assert_eq!(adds, (0..adds.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn counter_deltas_stay_in_range_and_only_pn_goes_negative() {
        let g: Vec<i64> = draw(Kind::GCounter, 300)
            .iter()
            .filter(|i| i.f == "add")
            .map(|i| i.value.as_i64().unwrap())
            .collect();
        assert!(g.iter().all(|d| (0..3).contains(d)));
        let pn: Vec<i64> = draw(Kind::PnCounter, 300)
            .iter()
            .filter(|i| i.f == "add")
            .map(|i| i.value.as_i64().unwrap())
            .collect();
        assert!(pn.iter().all(|d| (-2..=2).contains(d)));
        assert!(pn.contains(&-2) && pn.contains(&2));
    }

    #[test]
    fn echo_and_ids_never_read_and_echoes_differ() {
        let e = draw(Kind::Echo, 3);
        let vals: Vec<&Value> = e.iter().map(|i| &i.value).collect();
        assert_eq!(vals, [&json!("echo 0"), &json!("echo 1"), &json!("echo 2")]);
        assert!(draw(Kind::UniqueIds, 50).iter().all(|i| i.f == "generate"));
    }

    #[test]
    fn the_final_phase_reads_every_node_once() {
        let nodes = vec!["n1".to_string(), "n2".to_string()];
        let mut g = final_reads(Kind::Broadcast, &nodes);
        let mut rng = Rng::new(1);
        let mut named = Vec::new();
        while let Next::Op(inv) = g.next(&mut Ctx {
            time_ns: 0,
            process: 0,
            rng: &mut rng,
        }) {
            assert_eq!(inv.f, "read");
            named.push(inv.value["node"].clone());
        }
        assert_eq!(named, [json!("n1"), json!("n2")]);
        let mut none = final_reads(Kind::Lock, &nodes);
        let next = none.next(&mut Ctx {
            time_ns: 0,
            process: 0,
            rng: &mut rng,
        });
        assert_eq!(next, Next::Done);
    }
}
