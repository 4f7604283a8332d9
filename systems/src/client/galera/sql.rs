//! Each micro-op of a transaction as SQL, inside the transaction the client opened. Where
//! a workload's values live ([`Store`]):
//!
//! - `list-append`: a list is one row of `lists`, its elements comma-separated text; an
//!   append is `INSERT .. ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', ..)`, a read `SELECT`
//!   (a plain one: at repeatable read, InnoDB answers it from the transaction's snapshot);
//! - `set`: one row of `elements` per element added (an append is an `INSERT`), a read
//!   selects the key's elements; a set's order means nothing, and one growing text would
//!   make every add replicate the whole set;
//! - `rw-register` and `bank`: one row of `registers` per key; a write is an upsert, a
//!   `cas` an `UPDATE .. WHERE v = from` (or, from null, an `INSERT IGNORE`) that must
//!   match one row, else the transaction is aborted, nothing written.
//!
//! Keys are text (a key's JSON, or the string itself); values are integers.

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use serde_json::{json, Value};

/// Where a workload's values live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Lists,
    Elements,
    Registers,
}

impl Store {
    pub fn for_workload(name: &str) -> Store {
        match name {
            "list-append" => Store::Lists,
            workloads::txn::set::NAME => Store::Elements,
            _ => Store::Registers,
        }
    }
}

/// Why a micro-op did not run.
#[derive(Debug)]
pub enum OpError {
    /// The server's answer or the connection's failure.
    Sql(mysql_async::Error),
    /// The micro-op itself refused: a `cas` that found another value, a value that is
    /// not an integer. Nothing of the transaction may commit.
    Refused(String),
}

impl From<mysql_async::Error> for OpError {
    fn from(e: mysql_async::Error) -> Self {
        OpError::Sql(e)
    }
}

/// A key as the tables hold it.
pub fn key_text(key: &Value) -> String {
    key.as_str().map_or_else(|| key.to_string(), str::to_string)
}

fn int(v: &Value) -> Result<i64, OpError> {
    v.as_i64()
        .ok_or_else(|| OpError::Refused(format!("{v} is not an integer")))
}

/// A list's text as its elements.
pub fn parse_list(text: &str) -> Result<Vec<i64>, String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| format!("a list holds {s:?}, not an integer"))
        })
        .collect()
}

/// Runs micro-op `m` in the open transaction: the micro-op as answered.
pub async fn run(conn: &mut Conn, store: Store, m: &Value) -> Result<Value, OpError> {
    let k = key_text(&m[1]);
    match (store, m[0].as_str().unwrap_or("")) {
        (Store::Lists, "append") => {
            let q = "INSERT INTO lists (k, v) VALUES (?, ?) \
                     ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', VALUES(v))";
            conn.exec_drop(q, (k, int(&m[2])?.to_string())).await?;
            Ok(m.clone())
        }
        (Store::Lists, "r") => {
            let text: Option<String> = conn
                .exec_first("SELECT v FROM lists WHERE k = ?", (k,))
                .await?;
            let list = match text {
                None => Value::Null,
                Some(t) => json!(parse_list(&t).map_err(OpError::Refused)?),
            };
            Ok(json!(["r", m[1], list]))
        }
        (Store::Elements, "append") => {
            let q = "INSERT INTO elements (k, v) VALUES (?, ?)";
            conn.exec_drop(q, (k, int(&m[2])?)).await?;
            Ok(m.clone())
        }
        (Store::Elements, "r") => {
            let q = "SELECT v FROM elements WHERE k = ? ORDER BY id";
            let all: Vec<i64> = conn.exec(q, (k,)).await?;
            Ok(json!(["r", m[1], all]))
        }
        (Store::Registers, "w") => {
            let q = "INSERT INTO registers (k, v) VALUES (?, ?) \
                     ON DUPLICATE KEY UPDATE v = VALUES(v)";
            conn.exec_drop(q, (k, int(&m[2])?)).await?;
            Ok(m.clone())
        }
        (Store::Registers, "r") => {
            let v: Option<Option<i64>> = conn
                .exec_first("SELECT v FROM registers WHERE k = ?", (k,))
                .await?;
            Ok(json!(["r", m[1], v.flatten()]))
        }
        (Store::Registers, "cas") => {
            let to = int(&m[2][1])?;
            if m[2][0].is_null() {
                let q = "INSERT IGNORE INTO registers (k, v) VALUES (?, ?)";
                conn.exec_drop(q, (&k, to)).await?;
            } else {
                let q = "UPDATE registers SET v = ? WHERE k = ? AND v = ?";
                conn.exec_drop(q, (to, &k, int(&m[2][0])?)).await?;
            }
            if conn.affected_rows() == 1 {
                Ok(m.clone())
            } else {
                Err(OpError::Refused(format!(
                    "conflict: key {k} does not hold {}",
                    m[2][0]
                )))
            }
        }
        (s, _) => Err(OpError::Refused(format!("no micro-op {m} on {s:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_keys_read_back_as_written() {
        assert_eq!(parse_list("1,22,3").unwrap(), vec![1, 22, 3]);
        assert_eq!(parse_list("").unwrap(), Vec::<i64>::new());
        assert!(parse_list("1,x").is_err());
        assert_eq!(key_text(&json!(7)), "7");
        assert_eq!(key_text(&json!("bank-3")), "bank-3");
        assert_eq!(Store::for_workload("set"), Store::Elements);
        assert_eq!(Store::for_workload("bank"), Store::Registers);
        assert_eq!(Store::for_workload("list-append"), Store::Lists);
    }
}
