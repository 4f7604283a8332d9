//! Named fields of a message body: dotted paths, `*` for every element of an array or
//! object (`entries.*.value`), and the changes the interceptor makes to them.

use super::rule::Mutation;
use history::rng::Rng;
use serde_json::{Map, Value};

/// Call `f` on every value at `path` in `root`; returns how many there were.
pub fn for_each(root: &mut Map<String, Value>, path: &str, f: &mut dyn FnMut(&mut Value)) -> usize {
    let segs: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    let Some((first, rest)) = segs.split_first() else {
        return 0;
    };
    let mut n = 0;
    for (k, v) in root.iter_mut() {
        if *first == "*" || first == k {
            n += walk(v, rest, f);
        }
    }
    n
}

fn walk(v: &mut Value, path: &[&str], f: &mut dyn FnMut(&mut Value)) -> usize {
    let Some((first, rest)) = path.split_first() else {
        f(v);
        return 1;
    };
    match v {
        Value::Object(m) => m
            .iter_mut()
            .filter(|(k, _)| *first == "*" || first == k)
            .map(|(_, v)| walk(v, rest, f))
            .sum(),
        Value::Array(a) => match *first {
            "*" => a.iter_mut().map(|v| walk(v, rest, f)).sum(),
            i => match i.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => walk(v, rest, f),
                None => 0,
            },
        },
        _ => 0,
    }
}

/// Change one value as `how` says; false when it does not apply to this value.
pub fn mutate(v: &mut Value, how: Mutation, domain: &[Value], rng: &mut Rng) -> bool {
    let new = match (how, &*v) {
        (Mutation::Inc, Value::Number(n)) => add(n, 1),
        (Mutation::Dec, Value::Number(n)) => add(n, -1),
        (Mutation::Null, Value::Null) => return false,
        (Mutation::Null, _) => Value::Null,
        (Mutation::Set, cur) => {
            let others: Vec<&Value> = domain.iter().filter(|d| *d != cur).collect();
            if others.is_empty() {
                return false;
            }
            others[rng.below(others.len() as u64) as usize].clone()
        }
        (Mutation::Flip, Value::Bool(b)) => Value::Bool(!b),
        (Mutation::Flip, Value::Number(n)) => match n.as_i64() {
            Some(0) | None => add(n, 1),
            Some(i) => Value::from(-i),
        },
        (Mutation::Flip, Value::String(s)) if s.chars().count() > 1 => {
            Value::String(s.chars().rev().collect())
        }
        (Mutation::Flip, Value::String(s)) => Value::String(format!("{s}~")),
        _ => return false,
    };
    *v = new;
    true
}

/// The lie told to the `k`-th peer (k > 0; the first peer hears the truth).
pub fn lie(v: &Value, k: usize, domain: &[Value]) -> Value {
    if !domain.is_empty() {
        // Each destination a different domain value, starting from one that is not the truth.
        let others: Vec<&Value> = domain.iter().filter(|d| *d != v).collect();
        if !others.is_empty() {
            return others[(k - 1) % others.len()].clone();
        }
    }
    match v {
        Value::Number(n) => add(n, k as i64),
        Value::Bool(b) => Value::Bool(if k % 2 == 1 { !b } else { *b }),
        Value::String(s) => Value::String(format!("{s}~{k}")),
        Value::Null => Value::from(k as i64),
        other => other.clone(),
    }
}

fn add(n: &serde_json::Number, d: i64) -> Value {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Value::from(i.saturating_add(d)),
        (None, Some(f)) => Value::from(f + d as f64),
        _ => Value::Number(n.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn paths_reach_nested_values_and_every_element() {
        let mut m =
            map(json!({"term": 3, "entries": [{"value": 1}, {"value": 2}], "x": {"value": 9}}));
        let n = for_each(&mut m, "entries.*.value", &mut |v| *v = json!(0));
        assert_eq!(n, 2);
        assert_eq!(m["entries"], json!([{"value": 0}, {"value": 0}]));
        assert_eq!(m["x"], json!({"value": 9}));
        assert_eq!(for_each(&mut m, "missing.value", &mut |_| {}), 0);
        assert_eq!(
            for_each(&mut m, "entries.1.value", &mut |v| *v = json!(7)),
            1
        );
        assert_eq!(m["entries"][1]["value"], json!(7));
    }

    #[test]
    fn mutations_change_what_they_can_and_say_when_they_cannot() {
        let mut rng = Rng::new(1);
        let mut v = json!(5);
        assert!(mutate(&mut v, Mutation::Inc, &[], &mut rng));
        assert_eq!(v, json!(6));
        assert!(mutate(&mut v, Mutation::Dec, &[], &mut rng));
        assert!(mutate(&mut v, Mutation::Flip, &[], &mut rng));
        assert_eq!(v, json!(-5));
        let mut s = json!("attack");
        assert!(!mutate(&mut s, Mutation::Inc, &[], &mut rng));
        assert!(mutate(
            &mut s,
            Mutation::Set,
            &[json!("attack"), json!("retreat")],
            &mut rng
        ));
        assert_eq!(s, json!("retreat"));
        assert!(mutate(&mut s, Mutation::Null, &[], &mut rng));
        assert!(!mutate(&mut s, Mutation::Null, &[], &mut rng));
    }

    #[test]
    fn each_liar_tells_a_different_lie() {
        let d = [json!("attack"), json!("retreat"), json!("wait")];
        assert_eq!(lie(&json!("attack"), 1, &d), json!("retreat"));
        assert_eq!(lie(&json!("attack"), 2, &d), json!("wait"));
        assert_ne!(lie(&json!(4), 1, &[]), lie(&json!(4), 2, &[]));
        assert_ne!(lie(&json!("v"), 1, &[]), json!("v"));
    }
}
