//! What the bank checker reads from a history: the opening of the accounts, the
//! transfers, which accounts exist, and what each ok read shows about them.

use crate::report::Report;
use crate::values::int;
use history::{History, OpType, Value};
use serde_json::Map;
use std::collections::{HashMap, HashSet};

/// An account, as its string form: `0` and `"0"` are the same account.
pub(super) fn account(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Accounts in a readable order: numeric ones by value, then the others by name.
pub(super) fn sort_accounts(accounts: &mut [String]) {
    accounts.sort_by_cached_key(|a| match a.parse::<i64>() {
        Ok(n) => (false, n, String::new()),
        Err(_) => (true, 0, a.clone()),
    });
}

/// The `open` op that defines the accounts and their initial balances.
#[derive(Debug, Clone)]
pub(super) struct Open {
    pub invoke: usize,
    /// Its accounts, in readable order.
    pub accounts: Vec<String>,
    /// The sum of its initial balances.
    pub total: i128,
}

/// The `open` op to trust: an acknowledged attempt, else any attempt. One whose value is
/// not a map of integer balances is malformed (told to `report`).
pub(super) fn open(history: &History, report: &mut Report) -> Option<Open> {
    let ops = history.ops();
    let mut chosen: Option<(bool, Open)> = None;
    for (i, c) in history.client_pairs() {
        if ops[i].f != "open" {
            continue;
        }
        let ok = c.is_some_and(|c| ops[c].kind == OpType::Ok);
        let Some(parsed) = parse_open(i, &ops[i].value) else {
            let what = format!(
                "the open op carries {}, not a map from account to integer balance",
                super::show(&ops[i].value)
            );
            report.malformed(history, i, what);
            continue;
        };
        if chosen.as_ref().is_none_or(|(was_ok, _)| ok && !was_ok) {
            chosen = Some((ok, parsed));
        }
    }
    chosen.map(|(_, o)| o)
}

fn parse_open(invoke: usize, v: &Value) -> Option<Open> {
    let m = v.as_object()?;
    let mut total = 0i128;
    let mut accounts = Vec::with_capacity(m.len());
    for (k, b) in m {
        total = total.checked_add(int(b)?)?;
        accounts.push(k.clone());
    }
    sort_accounts(&mut accounts);
    Some(Open {
        invoke,
        accounts,
        total,
    })
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    Fail,
    /// Indeterminate: an `info` completion, or none at all.
    Info,
}

#[derive(Debug, Clone)]
pub(super) struct Transfer {
    pub invoke: usize,
    pub outcome: Outcome,
    pub from: Option<String>,
    pub to: Option<String>,
    pub amount: Option<i128>,
}

/// Every transfer invoked, in order of invocation. One without accounts `from` and `to`
/// and an integer `amount` is malformed (told to `report`).
pub(super) fn transfers(history: &History, report: &mut Report) -> Vec<Transfer> {
    let ops = history.ops();
    history
        .client_pairs()
        .filter(|(i, _)| ops[*i].f == "transfer")
        .map(|(i, c)| {
            let v = &ops[i].value;
            let outcome = match c.map(|c| ops[c].kind) {
                Some(OpType::Ok) => Outcome::Ok,
                Some(OpType::Fail) => Outcome::Fail,
                _ => Outcome::Info,
            };
            let t = Transfer {
                invoke: i,
                outcome,
                from: v.get("from").and_then(account),
                to: v.get("to").and_then(account),
                amount: v.get("amount").and_then(int),
            };
            if t.from.is_none() || t.to.is_none() || t.amount.is_none() {
                let what = format!(
                    "the transfer carries {}, not {{\"from\": account, \"to\": account, \
                     \"amount\": integer}}",
                    super::show(v)
                );
                report.malformed(history, i, what);
            }
            t
        })
        .collect()
}

/// The accounts a read must show, and where that knowledge came from.
pub(super) struct Accounts {
    /// In readable order.
    pub list: Vec<String>,
    pub set: HashSet<String>,
    /// The open op's invocation, when it defined them.
    pub opened_by: Option<usize>,
}

impl Accounts {
    pub fn opened(open: &Open) -> Accounts {
        Accounts {
            set: open.accounts.iter().cloned().collect(),
            list: open.accounts.clone(),
            opened_by: Some(open.invoke),
        }
    }

    /// Without an open op: every key of an ok read, and every account named by a transfer
    /// that did not definitely fail (a failed one may name an account that never existed).
    pub fn seen<'a>(reads: impl Iterator<Item = &'a Value>, transfers: &[Transfer]) -> Accounts {
        let mut set: HashSet<String> = HashSet::new();
        for v in reads {
            if let Value::Object(m) = v {
                set.extend(m.keys().cloned());
            }
        }
        for t in transfers.iter().filter(|t| t.outcome != Outcome::Fail) {
            set.extend(t.from.iter().chain(&t.to).cloned());
        }
        let mut list: Vec<String> = set.iter().cloned().collect();
        sort_accounts(&mut list);
        Accounts {
            list,
            set,
            opened_by: None,
        }
    }
}

/// What one ok read shows.
#[derive(Debug, Clone, Default)]
pub(super) struct Seen {
    /// Its value is not a map.
    pub not_map: bool,
    /// Balances neither an integer nor null: (account, balance).
    pub malformed: Vec<(String, Value)>,
    /// Expected accounts the read lacks.
    pub absent: Vec<String>,
    /// Expected accounts whose balance is null.
    pub null: Vec<String>,
    /// Keys that are not accounts.
    pub unexpected: Vec<String>,
    /// Negative balances: (account, balance).
    pub negative: Vec<(String, i128)>,
    /// The sum of its balances, when it shows every account with an integer balance.
    pub sum: Option<i128>,
}

impl Seen {
    pub fn of(value: &Value, accounts: &Accounts) -> Seen {
        let Value::Object(m) = value else {
            return Seen {
                not_map: true,
                ..Seen::default()
            };
        };
        let mut seen = Seen::default();
        let mut sum = 0i128;
        for (k, b) in m {
            let expected = accounts.set.contains(k);
            if !expected {
                seen.unexpected.push(k.clone());
            }
            match b {
                Value::Null if expected => seen.null.push(k.clone()),
                Value::Null => {}
                _ => match int(b) {
                    Some(n) => {
                        sum = sum.saturating_add(n);
                        if n < 0 {
                            seen.negative.push((k.clone(), n));
                        }
                    }
                    None => seen.malformed.push((k.clone(), b.clone())),
                },
            }
        }
        seen.absent = absent(m, accounts);
        let complete = seen.malformed.is_empty() && seen.absent.is_empty() && seen.null.is_empty();
        seen.sum = complete.then_some(sum);
        for v in [&mut seen.unexpected, &mut seen.null] {
            sort_accounts(v);
        }
        seen
    }
}

fn absent(m: &Map<String, Value>, accounts: &Accounts) -> Vec<String> {
    accounts
        .list
        .iter()
        .filter(|a| !m.contains_key(*a))
        .cloned()
        .collect()
}

/// The most frequent sum among complete reads: (sum, how many reads have it, how many
/// complete reads there are). Ties go to the sum read first.
pub(super) fn most_frequent_sum(seen: &[Seen]) -> Option<(i128, usize, usize)> {
    let mut counts: HashMap<i128, (usize, usize)> = HashMap::new();
    let mut complete = 0;
    for (k, s) in seen.iter().enumerate() {
        if let Some(sum) = s.sum {
            complete += 1;
            counts.entry(sum).or_insert((0, k)).0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first)))
        .map(|(sum, (n, _))| (sum, n, complete))
}
