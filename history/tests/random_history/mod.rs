//! Seeded random histories for the round-trip tests: random processes (small and up to
//! 64 bits), functions, keys, values (nested arrays and maps, strings with escapes and
//! unicode, negative and large integers, floats, null), nemesis ops, and every completion
//! kind. [`Flavor::Edn`] keeps within what the Jepsen EDN writer can carry (see
//! `history::fuzzing::roundtrip::edn_unwritable`).

use history::rng::Rng;
use history::{Key, Op, OpType, Process, Value};
use std::collections::BTreeMap;

/// Which writer the history is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Anything an op can hold.
    Jsonl,
    /// Plain keyword functions, times and processes within i64, keys on every client op
    /// or none.
    Edn,
}

/// A well-formed history of about `n` events: each op numbered by its position, each
/// completion with its invocation's key (as readers give them back).
pub fn history(seed: u64, n: usize, flavor: Flavor) -> Vec<Op> {
    let mut g = Gen {
        rng: Rng::new(seed),
        flavor,
    };
    let keyed = g.rng.chance(0.5);
    let processes: Vec<u64> = (0..g.rng.between(1, 6)).map(|_| g.process()).collect();
    let mut open: BTreeMap<u64, Op> = BTreeMap::new();
    let mut ops: Vec<Op> = Vec::new();
    let mut any_client = false;
    let mut time_ns = if g.rng.chance(0.3) {
        0
    } else {
        g.rng.below(1000)
    };
    while ops.len() < n {
        time_ns = g.later(time_ns);
        if g.rng.chance(0.1) {
            ops.push(g.nemesis(time_ns));
            continue;
        }
        let p = processes[g.rng.below(processes.len() as u64) as usize];
        let op = match open.remove(&p) {
            Some(invoke) => g.completion(&invoke, time_ns),
            None => {
                let op = g.invocation(p, keyed, time_ns, !any_client);
                any_client = true;
                open.insert(p, op.clone());
                op
            }
        };
        ops.push(op);
    }
    for (i, op) in ops.iter_mut().enumerate() {
        op.index = i as u64;
    }
    ops
}

struct Gen {
    rng: Rng,
    flavor: Flavor,
}

const FUNCTIONS: &[&str] = &["read", "write", "cas", "append", "get", "put", "txn", "add"];
const ODD_FUNCTIONS: &[&str] = &["a b", "é", "\"q\"", "", "x\ny", "{", "1"];
const ERRORS: &[&str] = &["compare-failed", "timed-out", "not-found", "net-timeout"];

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.below(xs.len() as u64) as usize]
    }

    fn process(&mut self) -> u64 {
        let max = match self.flavor {
            Flavor::Jsonl => u64::MAX,
            Flavor::Edn => i64::MAX as u64,
        };
        match self.rng.below(3) {
            0 => self.rng.below(10),
            1 => self.rng.below(100_000),
            _ => max - self.rng.below(1000),
        }
    }

    fn later(&mut self, t: u64) -> u64 {
        let max = match self.flavor {
            Flavor::Jsonl => u64::MAX,
            Flavor::Edn => i64::MAX as u64,
        };
        match self.rng.below(10) {
            0 => t,
            1 => t.saturating_add(self.rng.below(1 << 40)).min(max),
            _ => t.saturating_add(self.rng.below(1_000_000)).min(max),
        }
    }

    fn function(&mut self) -> &'static str {
        if self.flavor == Flavor::Jsonl && self.rng.chance(0.05) {
            self.pick(ODD_FUNCTIONS)
        } else {
            self.pick(FUNCTIONS)
        }
    }

    fn invocation(&mut self, p: u64, keyed: bool, time_ns: u64, first: bool) -> Op {
        let f = self.function();
        let value = if first {
            // An unkeyed EDN history must not look like jepsen.independent tuples.
            Value::Null
        } else if f == "cas" {
            Value::Array(vec![self.value(1), self.value(1)])
        } else {
            self.value(0)
        };
        let mut op = Op::client(p, OpType::Invoke, f, value).with_time_ns(time_ns);
        if keyed {
            op.key = Some(self.key());
        }
        if self.rng.chance(0.3) {
            op.node = Some(format!("n{}", self.rng.between(1, 9)).into());
        }
        op
    }

    fn completion(&mut self, invoke: &Op, time_ns: u64) -> Op {
        let kind = match self.rng.below(6) {
            0 => OpType::Fail,
            1 => OpType::Info,
            _ => OpType::Ok,
        };
        let mut op = invoke.clone().with_time_ns(time_ns);
        op.kind = kind;
        if invoke.f != "cas" && self.rng.chance(0.5) {
            op.value = self.value(0);
        }
        if kind != OpType::Ok && self.rng.chance(0.7) {
            op.error = Some(match self.rng.below(4) {
                0 => Value::Null,
                1 => Value::Array(vec![self.value(2), self.value(2)]),
                _ => Value::from(self.pick(ERRORS)),
            });
        }
        op
    }

    fn nemesis(&mut self, time_ns: u64) -> Op {
        let f = self.pick(&["partition", "kill", "pause", "start", "stop"]);
        let mut value = serde_json::Map::new();
        for i in 0..self.rng.below(3) {
            let peers = (0..self.rng.below(4))
                .map(|j| Value::from(format!("n{j}")))
                .collect();
            value.insert(format!("n{i}"), Value::Array(peers));
        }
        let mut op = Op::client(0, OpType::Info, f, Value::Object(value)).with_time_ns(time_ns);
        op.process = Process::Nemesis;
        op
    }

    fn key(&mut self) -> Key {
        match self.rng.below(4) {
            0 => Key::Int(self.int()),
            1 => Key::Int(self.rng.below(10) as i64),
            _ => Key::Str(self.string().into()),
        }
    }

    fn int(&mut self) -> i64 {
        match self.rng.below(5) {
            0 => i64::MIN + self.rng.below(3) as i64,
            1 => i64::MAX - self.rng.below(3) as i64,
            2 => -(self.rng.below(1000) as i64),
            _ => self.rng.next_u64() as i64,
        }
    }

    fn value(&mut self, depth: u32) -> Value {
        let leaf = depth >= 4;
        match self.rng.below(if leaf { 7 } else { 9 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.chance(0.5)),
            2 => Value::from(self.rng.below(10)),
            3 => Value::from(self.int()),
            4 => Value::from(u64::MAX - self.rng.below(1000)),
            5 => self.float(),
            6 if self.rng.chance(0.1) => {
                Value::from(self.pick(&["18446744073709551616N", "##NaN", "-0"]))
            }
            6 => Value::from(self.string()),
            7 => Value::Array(
                (0..self.rng.below(4))
                    .map(|_| self.value(depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..self.rng.below(4))
                    .map(|_| (self.string(), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }

    fn float(&mut self) -> Value {
        let f = match self.rng.below(3) {
            0 => f64::from_bits(self.rng.next_u64()),
            1 => (self.rng.unit() - 0.5) * 1000.0,
            _ => self.rng.below(100) as f64 / 8.0,
        };
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }

    fn string(&mut self) -> String {
        const ODD: &[char] = &[
            '"', '\\', '\n', '\t', '\r', '\u{0}', '\u{1f}', '\u{7f}', '/', 'é', '世', '😀',
            '\u{2028}', '\u{feff}', ':', '{', '[', '#', ';', ',', ' ',
        ];
        (0..self.rng.below(8))
            .map(|_| {
                if self.rng.chance(0.3) {
                    ODD[self.rng.below(ODD.len() as u64) as usize]
                } else {
                    char::from(b'a' + self.rng.below(26) as u8)
                }
            })
            .collect()
    }
}
