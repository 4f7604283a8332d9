use super::*;
use serde_json::json;

fn nodes() -> Vec<String> {
    ["n1", "n2", "n3", "n4"].map(String::from).to_vec()
}

fn with(rules: Value) -> Interceptor {
    let mut i = Interceptor::new("n1", &nodes(), 42);
    let r = i.control(&Body::from(
        json!({"type": "schism/byzantine", "rules": rules}),
    ));
    assert_eq!(r.kind(), "schism/byzantine_ok", "{r:?}");
    i
}

fn msg(dest: &str, kind: &str, value: Value) -> Envelope {
    Envelope::new(
        "n1",
        dest,
        json!({"type": kind, "msg_id": 1, "value": value}),
    )
}

#[test]
fn without_rules_everything_passes_untouched() {
    let mut i = Interceptor::new("n1", &nodes(), 1);
    let e = msg("n2", "x", json!(1));
    assert_eq!(
        i.outgoing(e.clone()),
        vec![Outgoing {
            env: e,
            delay_ms: 0
        }]
    );
    assert!(i.take_log().is_empty());
    assert_eq!(i.report()["tampered"], 0);
}

#[test]
fn silence_drops_every_message_to_peers_but_not_to_clients() {
    let mut i = with(json!([{"action": "drop"}]));
    assert!(i.outgoing(msg("n2", "vote", json!(1))).is_empty());
    assert!(i.outgoing(msg("n4", "append", json!(1))).is_empty());
    assert_eq!(i.outgoing(msg("c7", "read_ok", json!(1))).len(), 1);
    assert_eq!(i.report()["by_action"]["drop"], 2);
    assert_eq!(i.take_log().len(), 2);
}

#[test]
fn omission_with_a_probability_drops_about_that_share() {
    let mut i = with(json!([{"action": "drop", "p": 0.3}]));
    let kept = (0..10_000)
        .filter(|_| !i.outgoing(msg("n2", "x", json!(1))).is_empty())
        .count();
    assert!((6_600..7_400).contains(&kept), "{kept} of 10000 kept");
}

#[test]
fn rules_match_by_destination_and_type() {
    let mut i = with(json!([{"action": "drop", "to": ["n3"], "types": ["vote"]}]));
    assert_eq!(i.outgoing(msg("n2", "vote", json!(1))).len(), 1);
    assert_eq!(i.outgoing(msg("n3", "append", json!(1))).len(), 1);
    assert!(i.outgoing(msg("n3", "vote", json!(1))).is_empty());
    let mut c = with(json!([{"action": "drop", "to": ["clients"]}]));
    assert!(c.outgoing(msg("c1", "read_ok", json!(1))).is_empty());
    assert_eq!(c.outgoing(msg("n2", "vote", json!(1))).len(), 1);
}

#[test]
fn delay_duplicate_and_replay_shape_what_is_sent() {
    let mut i = with(json!([{"action": "delay", "ms": 100, "jitter_ms": 50}]));
    let o = i.outgoing(msg("n2", "x", json!(1)));
    assert!((100..=150).contains(&o[0].delay_ms), "{o:?}");
    let mut d = with(json!([{"action": "duplicate", "copies": 2}]));
    assert_eq!(d.outgoing(msg("n2", "x", json!(1))).len(), 3);
    let mut r = with(json!([{"action": "replay", "types": ["later"]}]));
    r.outgoing(msg("n2", "early", json!("old")));
    let o = r.outgoing(msg("n2", "later", json!("new")));
    assert_eq!(o.len(), 2);
    assert_eq!(o[1].env.body["value"], json!("old"));
    // Nothing earlier to this destination: nothing replayed, nothing counted.
    assert_eq!(r.outgoing(msg("n3", "later", json!(1))).len(), 1);
    assert_eq!(r.report()["by_action"]["replay"], 1);
}

#[test]
fn mutation_reaches_nested_fields() {
    let mut i =
        with(json!([{"action": "mutate", "fields": ["term", "entries.*.value"], "how": "inc"}]));
    let e = Envelope::new(
        "n1",
        "n2",
        json!({"type": "append", "term": 4, "entries": [{"value": 1}, {"value": 10}]}),
    );
    let b = &i.outgoing(e)[0].env.body;
    assert_eq!(b["term"], 5);
    assert_eq!(b["entries"], json!([{"value": 2}, {"value": 11}]));
    // A message without the fields is not tampered with.
    let mut j = with(json!([{"action": "mutate", "fields": ["term"], "how": "inc"}]));
    j.outgoing(msg("n2", "x", json!(1)));
    assert_eq!(j.report()["tampered"], 0);
}

#[test]
fn equivocation_tells_each_peer_something_different() {
    let mut i = with(json!([{"action": "equivocate", "fields": ["value"]}]));
    let vals: Vec<Value> = ["n2", "n3", "n4"]
        .iter()
        .map(|d| i.outgoing(msg(d, "x", json!(10)))[0].env.body["value"].clone())
        .collect();
    assert_eq!(vals[0], json!(10), "the first peer hears the truth");
    assert!(
        vals[1] != vals[0] && vals[2] != vals[0] && vals[1] != vals[2],
        "{vals:?}"
    );
}

#[test]
fn forging_changes_the_sender() {
    let mut i = with(json!([{"action": "forge", "as": "n3"}]));
    assert_eq!(i.outgoing(msg("n2", "x", json!(1)))[0].env.src, "n3");
    let mut r = with(json!([{"action": "forge"}]));
    let src = r.outgoing(msg("n2", "x", json!(1)))[0].env.src.clone();
    assert!(src == "n3" || src == "n4", "{src}");
}

#[test]
fn the_same_seed_tampers_the_same_way() {
    let run = || {
        let mut i = with(
            json!([{"action": "drop", "p": 0.5}, {"action": "mutate", "fields": ["value"], "how": "set", "domain": [1, 2, 3]}]),
        );
        (0..200)
            .map(|k| i.outgoing(msg("n2", "x", json!(k % 3 + 1))))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_rules_are_refused_and_clearing_restores_honesty() {
    let mut i = Interceptor::new("n1", &nodes(), 1);
    let r = i.control(&Body::from(
        json!({"type": "schism/byzantine", "rules": [{"action": "lie"}]}),
    ));
    assert_eq!(r.kind(), "error");
    assert!(r["text"].as_str().unwrap_or("").contains("lie"), "{r:?}");
    let mut j = with(json!([{"action": "drop"}]));
    assert!(j.is_active());
    j.control(&Body::from(
        json!({"type": "schism/byzantine", "rules": []}),
    ));
    assert!(!j.is_active());
    assert_eq!(j.outgoing(msg("n2", "x", json!(1))).len(), 1);
}
