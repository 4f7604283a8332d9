//! How each anomaly of a log is told: a few lines for a person, the ops that show it (a
//! poll's result cut down to the pairs of the key near the offsets in question, never the
//! whole log it returned), and small data for tools.

use super::anomaly::{Found, Lost};
use super::ops::{as_key, value_key, Elem, LogKey};
use crate::report::{span, Report};
use crate::services::common::named;
use history::{History, OpSpan, Value};
use serde_json::json;

/// Pairs kept either side of an offset in a cut-down poll result.
const WINDOW: i64 = 2;
/// Pairs kept in all in a cut-down poll result.
const MAX_PAIRS: usize = 12;

/// The span of op `invoke`, its result cut to the pairs of `key` near `near`.
pub fn span_near(h: &History, invoke: usize, key: &LogKey, near: &[i64]) -> OpSpan {
    let mut s = span(h, invoke);
    s.result = trim(&s.result, key, near);
    s
}

fn near_any(o: i64, near: &[i64]) -> bool {
    near.iter().any(|n| (o - n).abs() <= WINDOW)
}

fn trim_pairs(pairs: &Value, near: &[i64]) -> Value {
    let kept = pairs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p.get(0)
                .and_then(Value::as_i64)
                .is_some_and(|o| near_any(o, near))
        })
        .take(MAX_PAIRS)
        .cloned()
        .collect();
    Value::Array(kept)
}

fn trim(v: &Value, key: &LogKey, near: &[i64]) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            if let Some(pairs) = m.get(key.as_str()) {
                out.insert(key.to_string(), trim_pairs(pairs, near));
            }
            Value::Object(out)
        }
        Value::Array(items) if items.iter().all(|m| m.get(0).is_some_and(Value::is_string)) => {
            Value::Array(
                items
                    .iter()
                    .filter_map(|m| match m.as_array().map(Vec::as_slice) {
                        Some([f, p]) if f == "poll" => Some(json!(["poll", trim(p, key, near)])),
                        Some([f, k, _]) if f == "send" && value_key(k).as_ref() == Some(key) => {
                            Some(m.clone())
                        }
                        _ => None,
                    })
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// Tell one anomaly into the report.
pub fn tell(h: &History, f: &Found, report: &mut Report) {
    let key = f.key();
    let (text, ops, data) = match f {
        Found::InconsistentOffsets { offset, values, .. } => {
            let shown: Vec<String> = values
                .iter()
                .map(|(v, op)| format!("{v} (first shown by {})", named(h, *op)))
                .collect();
            (
                format!(
                    "key {key}: offset {offset} holds {} different values: {}. A log holds one \
                     message at each offset, and every send and poll must agree on it.",
                    values.len(),
                    shown.join("; ")
                ),
                values
                    .iter()
                    .map(|(_, op)| span_near(h, *op, key, &[*offset]))
                    .collect(),
                json!({"offset": offset, "values": elems(values.iter().map(|(v, _)| v))}),
            )
        }
        Found::Duplicate { value, offsets, .. } => {
            let shown: Vec<String> = offsets
                .iter()
                .map(|(o, op)| format!("offset {o} (first shown by {})", named(h, *op)))
                .collect();
            (
                format!(
                    "key {key}: value {value} is at {} offsets: {}. It was sent once, so it \
                     belongs at one offset.",
                    offsets.len(),
                    shown.join("; ")
                ),
                offsets
                    .iter()
                    .map(|(o, op)| span_near(h, *op, key, &[*o]))
                    .collect(),
                json!({"value": value.to_value(),
                       "offsets": offsets.iter().map(|(o, _)| *o).collect::<Vec<_>>()}),
            )
        }
        Found::NonmonotonicSend {
            process,
            prev,
            next,
            ..
        } => (
            format!(
                "process {process} sent {} to key {key} and it got offset {} ({}), then sent {} \
                 and it got offset {} ({}): one producer's successive sends to a key must get \
                 increasing offsets.",
                prev.1,
                prev.0 .0,
                named(h, prev.0 .1),
                next.1,
                next.0 .0,
                named(h, next.0 .1)
            ),
            vec![span(h, prev.0 .1), span(h, next.0 .1)],
            json!({"offsets": [prev.0 .0, next.0 .0],
                   "values": [prev.1.to_value(), next.1.to_value()], "process": process}),
        ),
        Found::NonmonotonicPoll {
            process,
            prev,
            next,
            ..
        } => {
            let text = if prev.1 == next.1 {
                format!(
                    "one poll of process {process} ({}) returned offset {} of key {key} and \
                     after it offset {}: a poll returns a key's messages in offset order, each \
                     once.",
                    named(h, next.1),
                    prev.0,
                    next.0
                )
            } else {
                format!(
                    "process {process} read key {key} up to offset {} ({}), then its next poll \
                     ({}) returned offset {}: a consumer's position only moves forward.",
                    prev.0,
                    named(h, prev.1),
                    named(h, next.1),
                    next.0
                )
            };
            (
                text,
                polls(h, key, *prev, *next),
                json!({"offsets": [prev.0, next.0], "process": process,
                       "within_one_poll": prev.1 == next.1}),
            )
        }
        Found::PollSkip {
            process,
            prev,
            next,
            skipped,
            count,
            ..
        } => {
            let listed: Vec<String> = skipped
                .iter()
                .map(|(o, v)| format!("{o} (holding {v})"))
                .collect();
            let more = if *count > skipped.len() {
                format!(", ... ({count} in all)")
            } else {
                String::new()
            };
            let how = if prev.1 == next.1 {
                format!(
                    "one poll of process {process} ({}) returned offset {} of key {key} and \
                     next offset {}",
                    named(h, next.1),
                    prev.0,
                    next.0
                )
            } else {
                format!(
                    "process {process} read key {key} up to offset {} ({}), then its next poll \
                     ({}) began at offset {}",
                    prev.0,
                    named(h, prev.1),
                    named(h, next.1),
                    next.0
                )
            };
            (
                format!(
                    "{how}, skipping offset(s) known to exist: {}{more}. A consumer reads a \
                     log in order, without gaps.",
                    listed.join(", ")
                ),
                polls(h, key, *prev, *next),
                json!({"offsets": [prev.0, next.0], "process": process,
                       "skipped": skipped.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
                       "skipped_count": count, "within_one_poll": prev.1 == next.1}),
            )
        }
        Found::LostWrite {
            value,
            offset,
            send,
            acknowledged,
            why,
            ..
        } => {
            let sent = match (acknowledged, offset) {
                (true, Some(o)) => format!("acknowledged at offset {o}"),
                (true, None) => "acknowledged".to_string(),
                (false, _) => "unsure, but some poll returned it".to_string(),
            };
            let near: Vec<i64> = offset.iter().copied().collect();
            let mut ops = vec![span(h, *send)];
            let because = match why {
                Lost::LaterRead((o, op)) => {
                    ops.push(span_near(h, *op, key, &[*o]));
                    format!(
                        "no poll ever returned it, yet offset {o} of key {key}, after it, was \
                         read by {}",
                        named(h, *op)
                    )
                }
                Lost::FinalRead(op) => {
                    ops.push(span_near(h, *op, key, &near));
                    format!(
                        "the final read of key {key} from offset 0 ({}), begun after it was \
                         known to be in the log, lacks it",
                        named(h, *op)
                    )
                }
            };
            (
                format!(
                    "key {key}: value {value} is lost. Its send ({}) was {sent}; {because}. \
                     What a log acknowledged it keeps.",
                    named(h, *send)
                ),
                ops,
                json!({"value": value.to_value(), "offset": offset, "acknowledged": acknowledged,
                       "by": match why { Lost::LaterRead(_) => "later-read",
                                         Lost::FinalRead(_) => "final-read" }}),
            )
        }
        Found::Unexpected {
            value,
            failed_send,
            read,
            reads,
            ..
        } => {
            let why = match failed_send {
                Some(s) => format!("its only send definitely failed ({})", named(h, *s)),
                None => format!("no one ever sent it to key {key}"),
            };
            let mut ops: Vec<OpSpan> = failed_send.iter().map(|s| span(h, *s)).collect();
            ops.push(span_near(h, *read, key, &offsets_of(h, *read, key, value)));
            (
                format!(
                    "key {key}: value {value} was read by {} ({reads} poll(s) in all), but \
                     {why}.",
                    named(h, *read)
                ),
                ops,
                json!({"value": value.to_value(), "reads": reads}),
            )
        }
    };
    report.violation_at(f.kind(), Some(as_key(key)), text, ops, data);
}

/// The two polls of a consumer's step (one when it is within one poll).
fn polls(h: &History, key: &LogKey, prev: (i64, usize), next: (i64, usize)) -> Vec<OpSpan> {
    if prev.1 == next.1 {
        vec![span_near(h, next.1, key, &[prev.0, next.0])]
    } else {
        vec![
            span_near(h, prev.1, key, &[prev.0]),
            span_near(h, next.1, key, &[next.0]),
        ]
    }
}

fn elems<'a>(vs: impl Iterator<Item = &'a Elem>) -> Vec<Value> {
    vs.map(Elem::to_value).collect()
}

/// The offsets at which a poll returned a value of a key (to cut its result around them).
fn offsets_of(h: &History, invoke: usize, key: &LogKey, value: &Elem) -> Vec<i64> {
    let s = span(h, invoke);
    let mut out = Vec::new();
    collect_offsets(&s.result, key, value, &mut out);
    out.truncate(3);
    out
}

fn collect_offsets(v: &Value, key: &LogKey, value: &Elem, out: &mut Vec<i64>) {
    match v {
        Value::Object(m) => {
            for p in m
                .get(key.as_str())
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if p.get(1).map(Elem::of).as_ref() == Some(value) {
                    out.extend(p.get(0).and_then(Value::as_i64));
                }
            }
        }
        Value::Array(items) => {
            for m in items {
                if m.get(0) == Some(&json!("poll")) {
                    if let Some(p) = m.get(1) {
                        collect_offsets(p, key, value, out);
                    }
                }
            }
        }
        _ => {}
    }
}
