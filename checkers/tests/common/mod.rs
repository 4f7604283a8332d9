//! What the test files share: histories written as text, one event a line.
#![allow(dead_code)]

pub mod lock;

use history::{Dialect, History, Op, OpType};

/// The history written in `text` as lines `process type rest`, one event per line in
/// real-time order (blank lines skipped): `op(process, type, rest)` makes each line's op,
/// which happens at `ns_per_line` times its line number (from 1).
pub fn history(
    text: &str,
    dialect: Dialect,
    ns_per_line: u64,
    op: impl Fn(u64, OpType, &str) -> Op,
) -> History {
    let ops = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            let mut f = l.splitn(3, ' ');
            let process: u64 = f.next().unwrap().parse().unwrap();
            let kind = match f.next().unwrap() {
                "invoke" => OpType::Invoke,
                "ok" => OpType::Ok,
                "fail" => OpType::Fail,
                "info" => OpType::Info,
                k => panic!("{k}"),
            };
            op(process, kind, f.next().unwrap_or("")).with_time_ns(ns_per_line * (i as u64 + 1))
        })
        .collect();
    History::from_ops(ops, dialect).unwrap()
}
