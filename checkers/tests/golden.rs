//! Small hand-made histories with known verdicts, for each model and both dialects.
//!
//! Each history is written as lines `process type f value`, one event per line, in
//! real-time order (times are the line numbers).

mod common;

use checkers::linearizable::{check, ModelKind, Options};
use history::{Dialect, History, Op, Validity, Value};

fn history(text: &str) -> History {
    common::history(
        text,
        Dialect::Porcupine,
        1_000_000,
        |process, kind, rest| {
            let (func, value) = rest.split_once(' ').unwrap_or((rest, "null"));
            let value: Value = serde_json::from_str(value).unwrap();
            Op::client(process, kind, func, value)
        },
    )
}

/// (name, model, history, verdict in the Porcupine dialect, verdict in Knossos's,
/// the line of the op an invalid verdict must blame).
type Case = (
    &'static str,
    ModelKind,
    &'static str,
    Validity,
    Validity,
    usize,
);

use Validity::{Invalid, Valid};

const CASES: &[Case] = &[
    (
        "write then read it",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke read
        1 ok read 1",
        Valid,
        Valid,
        0,
    ),
    (
        "a read of nil after a completed write",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke read
        1 ok read null",
        Invalid,
        Valid,
        3,
    ),
    (
        "a read of the initial nil",
        ModelKind::Register,
        "
        1 invoke read
        1 ok read null
        0 invoke write 1
        0 ok write 1",
        Valid,
        Valid,
        0,
    ),
    (
        "concurrent writes, either may win",
        ModelKind::Register,
        "
        0 invoke write 1
        1 invoke write 2
        0 ok write 1
        1 ok write 2
        2 invoke read
        2 ok read 1",
        Valid,
        Valid,
        0,
    ),
    (
        "concurrent writes, reads cannot go back",
        ModelKind::Register,
        "
        0 invoke write 1
        1 invoke write 2
        0 ok write 1
        1 ok write 2
        2 invoke read
        2 ok read 2
        2 invoke read
        2 ok read 1",
        Invalid,
        Invalid,
        7,
    ),
    (
        "an info write that took effect",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke write 2
        1 info write 2
        2 invoke read
        2 ok read 2",
        Valid,
        Valid,
        0,
    ),
    (
        "an info write that did not take effect",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke write 2
        1 info write 2
        2 invoke read
        2 ok read 1
        2 invoke read
        2 ok read 1",
        Valid,
        Valid,
        0,
    ),
    (
        "an info write takes effect once",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke write 2
        1 info write 2
        2 invoke read
        2 ok read 2
        2 invoke read
        2 ok read 1
        2 invoke read
        2 ok read 2",
        Invalid,
        Invalid,
        7,
    ),
    (
        "an info write may take effect long after it timed out",
        ModelKind::Register,
        "
        1 invoke write 2
        1 info write 2
        0 invoke write 1
        0 ok write 1
        2 invoke read
        2 ok read 1
        2 invoke read
        2 ok read 2",
        Valid,
        Valid,
        0,
    ),
    (
        "a failed write never happened",
        ModelKind::Register,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke write 2
        1 fail write 2
        2 invoke read
        2 ok read 2",
        Invalid,
        Invalid,
        5,
    ),
    (
        "a failed cas saw another value",
        ModelKind::CasRegister,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke cas [2, 3]
        1 fail cas [2, 3]
        2 invoke read
        2 ok read 1",
        Valid,
        Valid,
        0,
    ),
    (
        "a failed cas where only its from could be seen",
        ModelKind::CasRegister,
        "
        0 invoke write 2
        0 ok write 2
        1 invoke cas [2, 3]
        1 fail cas [2, 3]
        2 invoke read
        2 ok read 2",
        Invalid,
        Valid,
        3,
    ),
    (
        "a cas chain",
        ModelKind::CasRegister,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke cas [1, 2]
        1 ok cas [1, 2]
        2 invoke read
        2 ok read 2",
        Valid,
        Valid,
        0,
    ),
    (
        "a cas from a value the register never held",
        ModelKind::CasRegister,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke cas [3, 2]
        1 ok cas [3, 2]",
        Invalid,
        Invalid,
        3,
    ),
    (
        "an info cas that took effect",
        ModelKind::CasRegister,
        "
        0 invoke write 1
        0 ok write 1
        1 invoke cas [1, 2]
        1 info cas [1, 2]
        2 invoke read
        2 ok read 2",
        Valid,
        Valid,
        0,
    ),
    (
        "put, append, get",
        ModelKind::Kv,
        "
        0 invoke put \"a\"
        0 ok put \"a\"
        0 invoke append \"b\"
        0 ok append \"b\"
        1 invoke get
        1 ok get \"ab\"",
        Valid,
        Valid,
        0,
    ),
    (
        "appends in the wrong order",
        ModelKind::Kv,
        "
        0 invoke put \"a\"
        0 ok put \"a\"
        0 invoke append \"b\"
        0 ok append \"b\"
        1 invoke get
        1 ok get \"ba\"",
        Invalid,
        Invalid,
        5,
    ),
    (
        "concurrent appends in either order",
        ModelKind::Kv,
        "
        0 invoke append \"x\"
        1 invoke append \"y\"
        0 ok append \"x\"
        1 ok append \"y\"
        2 invoke get
        2 ok get \"yx\"",
        Valid,
        Valid,
        0,
    ),
    (
        "a missing key reads empty",
        ModelKind::Kv,
        "
        2 invoke get
        2 ok get \"\"",
        Valid,
        Valid,
        0,
    ),
];

#[test]
fn golden_histories_get_their_verdicts() {
    for &(name, model, text, porcupine, knossos, blame) in CASES {
        let h = history(text);
        for (dialect, want) in [(Dialect::Porcupine, porcupine), (Dialect::Knossos, knossos)] {
            for search_only in [false, true] {
                let opts = Options {
                    model: Some(model),
                    dialect: Some(dialect),
                    refute: !search_only,
                    ..Options::default()
                };
                let v = check(&h, &opts).unwrap().verdict;
                assert_eq!(
                    v.validity, want,
                    "{name} ({dialect:?}, search only: {search_only})"
                );
                if want == Invalid {
                    let a = &v.anomalies[0];
                    assert_eq!(a.ops[0].line, blame, "{name}: {}", a.explanation);
                    assert!(a.explanation.contains("not linearizable"));
                }
            }
        }
    }
}

#[test]
fn an_invalid_verdict_explains_itself_with_times_and_the_concurrent_ops() {
    let h = history(
        "0 invoke write 1
         0 ok write 1
         1 invoke write 2
         1 info write 2
         2 invoke read
         2 ok read 2
         3 invoke read
         2 invoke read
         3 ok read 2
         2 ok read 1",
    );
    let v = check(&h, &Options::default()).unwrap().verdict;
    assert_eq!(v.validity, Invalid);
    let a = &v.anomalies[0];
    assert_eq!(
        a.ops[0].line, 8,
        "the read of 1 cannot be placed: {}",
        a.explanation
    );
    for needle in [
        "read -> 1",
        "0.008000 s (line 8)",
        "ok 0.010000 s (line 10)",
        "one of {2}",
        "Concurrent with it (2 ops",
        "process 3: read -> 2",
        "process 1: write 2",
    ] {
        assert!(
            a.explanation.contains(needle),
            "{needle} in:\n{}",
            a.explanation
        );
    }
    assert_eq!(
        a.ops.len(),
        5,
        "the op, the two concurrent with it, two before it"
    );
}

#[test]
fn running_out_of_budget_is_unknown_never_valid() {
    let hard = history::synth::generate(&history::synth::SynthSpec {
        clients: 20,
        ops: 500,
        stale_read: true,
        ..Default::default()
    })
    .history;
    for opts in [
        Options {
            refute: false,
            time_limit: Some(std::time::Duration::from_micros(1)),
            ..Options::default()
        },
        Options {
            refute: false,
            memory_limit_bytes: 1,
            ..Options::default()
        },
    ] {
        let v = check(&hard, &opts).unwrap().verdict;
        assert_eq!(v.validity, Validity::Unknown, "{opts:?}");
        assert!(v.reason.unwrap().contains("did not finish"));
    }
}

#[test]
fn a_function_the_model_does_not_know_is_an_error_naming_the_line() {
    let h = history(
        "0 invoke write 1
         0 ok write 1
         0 invoke cas [1, 2]
         0 ok cas [1, 2]",
    );
    let opts = Options {
        model: Some(ModelKind::Register),
        ..Options::default()
    };
    let e = check(&h, &opts).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("cas-register"), "{}", e.message);
}
