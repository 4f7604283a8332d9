//! Turning a failed search into an anomaly a person can follow: the op that cannot be
//! placed, the ops concurrent with it, the states it could have met, and how far a
//! linearization got.

use super::prepare::{KeyJob, LinOp, NEVER};
use super::refute::Refutation;
use super::search::{Failure, Moved, Search, MAX_STATES};
use super::spec::Spec;
use history::{Anomaly, History, OpSpan};
use serde_json::json;
use std::fmt::Write;

const MAX_CONCURRENT: usize = 40;
const BEFORE: usize = 3;

fn span(h: &History, op: &LinOp) -> OpSpan {
    let invoke = &h.ops()[op.call as usize];
    let done = h.partner(op.call as usize).map(|c| &h.ops()[c]);
    OpSpan::new(invoke, done, h.line(op.call as usize))
}

/// When an op happened, in seconds if the history has times, and its lines.
fn when(h: &History, op: &LinOp) -> String {
    let t = |i: u32| {
        if h.timed {
            format!(
                "{:.6} s (line {})",
                h.ops()[i as usize].time_ns as f64 / 1e9,
                h.line(i as usize)
            )
        } else {
            format!("line {}", h.line(i as usize))
        }
    };
    let done = h.partner(op.call as usize);
    match (op.ret, done) {
        (NEVER, Some(c)) => format!(
            "invoked {}, indeterminate ({}) at {}",
            t(op.call),
            h.ops()[c].kind.as_str(),
            t(c as u32)
        ),
        (NEVER, None) => format!("invoked {}, never completed", t(op.call)),
        (ret, _) => format!(
            "invoked {}, {} {}",
            t(op.call),
            h.ops()[ret as usize].kind.as_str(),
            t(ret)
        ),
    }
}

fn line_of<S: Spec>(s: &mut Search<S>, h: &History, op: &LinOp) -> String {
    let process = h.ops()[op.call as usize].process;
    format!(
        "  process {process}: {}, {}",
        s.spec().describe_class(op.class),
        when(h, op)
    )
}

/// Build the anomaly for a key whose search failed.
pub fn anomaly<S: Spec>(search: &mut Search<S>, failure: &Failure, job: &KeyJob<'_>) -> Anomaly {
    let h = job.history;
    let b = search.det_ops()[failure.blocking];
    let mut concurrent: Vec<LinOp> = search
        .det_ops()
        .iter()
        .chain(search.info_ops())
        .filter(|o| **o != b && o.call < b.ret && o.ret > b.call)
        .copied()
        .collect();
    concurrent.sort_by_key(|o| o.call);
    let more = concurrent.len().saturating_sub(MAX_CONCURRENT);
    concurrent.truncate(MAX_CONCURRENT);
    let mut before: Vec<LinOp> = search
        .det_ops()
        .iter()
        .filter(|o| o.ret < b.call)
        .copied()
        .collect();
    before.sort_by_key(|o| o.ret);
    let before: Vec<LinOp> = before.into_iter().rev().take(BEFORE).rev().collect();

    let key = subject(job);
    let what = search.spec().describe_class(b.class);
    let mut states: Vec<String> = failure
        .states
        .iter()
        .map(|&s| search.spec().describe_state(s))
        .collect();
    if failure.states.len() >= MAX_STATES {
        states.push("...".into());
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{key} is not linearizable. No order of its ops can place this one:"
    );
    let _ = writeln!(text, "{}", line_of(search, h, &b));
    let _ = writeln!(
        text,
        "It must take effect between its invocation and its completion. In every order of \
         the ops before it that respects real time, the state when it could take effect is \
         one of {{{}}}, and `{what}` is legal in none of them.",
        states.join(", ")
    );
    if concurrent.is_empty() {
        let _ = writeln!(text, "No other op is concurrent with it.");
    } else {
        let _ = writeln!(
            text,
            "Concurrent with it ({} ops; each may take effect before or after it):",
            concurrent.len() + more
        );
        for o in &concurrent {
            let _ = writeln!(text, "{}", line_of(search, h, o));
        }
        if more > 0 {
            let _ = writeln!(text, "  ... and {more} more");
        }
    }
    if !before.is_empty() {
        let _ = writeln!(
            text,
            "Completed just before it began (so they take effect before it):"
        );
        for o in &before {
            let _ = writeln!(text, "{}", line_of(search, h, o));
        }
    }
    let prefix: Vec<String> = failure
        .prefix
        .iter()
        .map(|m| {
            let op = match *m {
                Moved::Det(i) => search.det_ops()[i as usize],
                Moved::Info(i) => search.info_ops()[i as usize],
            };
            let process = h.ops()[op.call as usize].process;
            format!(
                "{} (process {process})",
                search.spec().describe_class(op.class)
            )
        })
        .collect();
    if !prefix.is_empty() {
        let _ = writeln!(
            text,
            "The longest linearization found ends with: {}",
            prefix.join(", ")
        );
    }

    let mut ops = vec![span(h, &b)];
    ops.extend(concurrent.iter().map(|o| span(h, o)));
    ops.extend(before.iter().map(|o| span(h, o)));
    let n_conc = concurrent.len();
    nonlinearizable(
        job,
        text,
        ops,
        json!({
            "op": what,
            "states": states,
            "concurrent": (1..=n_conc).collect::<Vec<_>>(),
            "concurrent_omitted": more,
            "before": (n_conc + 1..n_conc + 1 + before.len()).collect::<Vec<_>>(),
            "linearized_prefix_end": prefix,
        }),
    )
}

/// Build the anomaly for an op refuted before the search.
pub fn refuted<S: Spec>(search: &mut Search<S>, r: &Refutation, job: &KeyJob<'_>) -> Anomaly {
    let h = job.history;
    let key = subject(job);
    let what = search.spec().describe_class(r.op.class);
    let needs = search.spec().describe_state(r.needs);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{key} is not linearizable. This op can never take effect:"
    );
    let _ = writeln!(text, "{}", line_of(search, h, &r.op));
    let mut ops = vec![span(h, &r.op)];
    match (r.overwritten_by, r.last_setter) {
        (None, _) => {
            let _ = writeln!(
                text,
                "`{what}` needs the state {needs}, and no op sets {needs} before it completes."
            );
        }
        (Some(w), last) => {
            let _ = writeln!(
                text,
                "`{what}` needs the state {needs}. This op completed before it began, so it \
                 takes effect first, and it leaves another state:"
            );
            let _ = writeln!(text, "{}", line_of(search, h, &w));
            match last {
                Some(l) => {
                    let _ = writeln!(
                        text,
                        "Every op that could set {needs} in time completed before that one \
                         began; the last of them:"
                    );
                    let _ = writeln!(text, "{}", line_of(search, h, &l));
                }
                None => {
                    let _ = writeln!(
                        text,
                        "Only the initial state held {needs}, and no op sets it again in time."
                    );
                }
            }
            let _ = writeln!(
                text,
                "So whatever the order, {needs} is overwritten before this op and never set \
                 again before it: it is a stale or impossible result."
            );
            ops.push(span(h, &w));
            ops.extend(last.iter().map(|l| span(h, l)));
        }
    }
    nonlinearizable(
        job,
        text,
        ops,
        json!({
            "op": what,
            "needs": needs,
            "proof": "real-time",
            "overwritten_by": r.overwritten_by.is_some().then_some(1),
            "last_setter": r.last_setter.is_some().then_some(2),
        }),
    )
}

/// What the explanation is about: a key, or the whole (unkeyed) history.
fn subject(job: &KeyJob<'_>) -> String {
    match &job.key {
        Some(k) => format!("Key {k}"),
        None => "The history".to_string(),
    }
}

fn nonlinearizable(
    job: &KeyJob<'_>,
    text: String,
    ops: Vec<OpSpan>,
    data: serde_json::Value,
) -> Anomaly {
    Anomaly {
        kind: "nonlinearizable".into(),
        key: job.key.clone(),
        explanation: text,
        ops,
        data,
    }
}
