//! Differential test: thousands of small random histories, checked by the real search and
//! by the brute-force oracle (every order of every subset), which must agree.

use checkers::linearizable::{self, oracle, ModelKind, Options};
use history::rng::Rng;
use history::synth::{generate, SynthSpec};
use history::{Dialect, History, Op, OpType, Validity, Value};
use serde_json::json;

/// Small random register histories: valid by construction, then maybe mutated.
fn register_history(seed: u64, cas: bool) -> History {
    let mut rng = Rng::new(seed);
    let spec = SynthSpec {
        seed,
        clients: rng.between(1, 4) as u32,
        ops: rng.between(1, 9) as usize,
        keys: rng.between(1, 2) as u32,
        values: rng.between(1, 3) as u32,
        read_fraction: 0.45,
        cas_fraction: if cas { 0.3 } else { 0.0 },
        info_fraction: [0.0, 0.2, 0.5][rng.below(3) as usize],
        latency_ns: (10, 100),
        think_ns: (0, 30),
        ..SynthSpec::default()
    };
    let h = generate(&spec).history;
    mutate(h, &mut rng, |rng| {
        json!(rng.below(4) as i64 - 1)
            .as_i64()
            .map_or(json!(null), |v| if v < 0 { json!(null) } else { json!(v) })
    })
}

/// Change up to two completions: another result, another outcome.
fn mutate(h: History, rng: &mut Rng, value: impl Fn(&mut Rng) -> Value) -> History {
    let dialect = h.dialect;
    let mut ops = h.into_ops();
    for _ in 0..rng.below(3) {
        let completions: Vec<usize> = (0..ops.len())
            .filter(|&i| ops[i].kind != OpType::Invoke)
            .collect();
        if completions.is_empty() {
            break;
        }
        let i = completions[rng.below(completions.len() as u64) as usize];
        match rng.below(3) {
            0 if ops[i].f == "read" || ops[i].f == "get" => ops[i].value = value(rng),
            1 => ops[i].kind = [OpType::Ok, OpType::Fail, OpType::Info][rng.below(3) as usize],
            _ => {}
        }
    }
    History::from_ops(ops, dialect).expect("mutations keep histories well formed")
}

/// Small random kv histories on one or two keys with get, put and append.
fn kv_history(seed: u64) -> History {
    let mut rng = Rng::new(seed);
    let clients = rng.between(1, 3);
    let n = rng.between(1, 8) as usize;
    // Plan ops with linearization points, apply them, then emit events in time order.
    struct P {
        process: u64,
        key: i64,
        f: &'static str,
        arg: String,
        start: u64,
        end: u64,
        lin: u64,
        result: String,
        info: bool,
        effective: bool,
    }
    let mut free_at = vec![0u64; clients as usize];
    let mut plans = Vec::new();
    for _ in 0..n {
        let c = rng.below(clients) as usize;
        let start = free_at[c] + rng.below(20);
        let end = start + rng.between(2, 60);
        free_at[c] = end + 1;
        let f = ["get", "put", "append"][rng.below(3) as usize];
        let info = rng.chance(0.2);
        plans.push(P {
            process: c as u64,
            key: rng.below(2) as i64,
            f,
            arg: ["a", "b", "ab"][rng.below(3) as usize].to_string(),
            start,
            end,
            lin: start + rng.between(1, end - start - 1),
            result: String::new(),
            info,
            effective: !info || rng.chance(0.5),
        });
    }
    // Processes restart as new ids after info, as in Jepsen.
    let mut next_id = clients;
    let mut current: Vec<u64> = (0..clients).collect();
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by_key(|&i| plans[i].start);
    for &i in &order {
        let c = plans[i].process as usize;
        plans[i].process = current[c];
        if plans[i].info {
            current[c] = next_id;
            next_id += 1;
        }
    }
    let mut by_lin: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].effective).collect();
    by_lin.sort_by_key(|&i| plans[i].lin);
    let mut state = [String::new(), String::new()];
    for i in by_lin {
        let p = &mut plans[i];
        let s = &mut state[p.key as usize];
        match p.f {
            "get" => p.result = s.clone(),
            "put" => *s = p.arg.clone(),
            _ => s.push_str(&p.arg),
        }
    }
    let mut events: Vec<(u64, u8, usize)> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        events.push((p.start, 1, i));
        events.push((p.end, 0, i));
    }
    events.sort();
    let ops: Vec<Op> = events
        .into_iter()
        .map(|(t, invoke, i)| {
            let p = &plans[i];
            let (kind, value) = match (invoke, p.f) {
                (1, "get") => (OpType::Invoke, json!(null)),
                (1, _) => (OpType::Invoke, json!(p.arg)),
                (_, _) if p.info => (OpType::Info, json!(null)),
                (_, "get") => (OpType::Ok, json!(p.result)),
                (_, _) => (OpType::Ok, json!(p.arg)),
            };
            Op::client(p.process, kind, p.f, value)
                .with_key(history::Key::Int(p.key))
                .with_time_ns(t)
        })
        .collect();
    let h = History::from_ops(ops, Dialect::Porcupine).expect("well formed");
    mutate(h, &mut rng, |rng| {
        json!(["", "a", "ab", "b", "aab"][rng.below(5) as usize])
    })
}

fn agree(h: &History, model: ModelKind, dialect: Dialect, what: &str) -> Validity {
    let opts = Options {
        model: Some(model),
        dialect: Some(dialect),
        all_keys: true,
        ..Options::default()
    };
    let got = linearizable::check(h, &opts)
        .expect("translatable")
        .verdict
        .validity;
    let want = if oracle::linearizable(h, model, dialect) {
        Validity::Valid
    } else {
        Validity::Invalid
    };
    if got != want {
        let mut text = Vec::new();
        history::jsonl::write(&mut text, h.ops()).unwrap();
        panic!(
            "{what}: checker says {got:?}, oracle says {want:?} ({model:?}, {dialect:?}):\n{}",
            String::from_utf8_lossy(&text)
        );
    }
    got
}

/// Check thousands of histories both ways in every dialect; enough must be invalid.
fn agree_on_many(model: ModelKind, name: &str, make: impl Fn(u64) -> History) {
    let mut invalid = 0;
    for seed in 0..3000 {
        let h = make(seed);
        for d in [Dialect::Knossos, Dialect::Porcupine, Dialect::Schism] {
            if agree(&h, model, d, &format!("{name} seed {seed}")) == Validity::Invalid {
                invalid += 1;
            }
        }
    }
    assert!(
        invalid > 300,
        "the test must exercise invalid histories too: {invalid}"
    );
}

#[test]
fn register_histories_agree_with_the_oracle() {
    agree_on_many(ModelKind::Register, "register", |seed| {
        register_history(seed, false)
    });
}

#[test]
fn cas_register_histories_agree_with_the_oracle() {
    agree_on_many(ModelKind::CasRegister, "cas", |seed| {
        register_history(seed, true)
    });
}

#[test]
fn kv_histories_agree_with_the_oracle() {
    agree_on_many(ModelKind::Kv, "kv", kv_history);
}
