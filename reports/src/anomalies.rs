//! How many anomalies a verdict found. A checker may list only the first of many (the
//! consensus family lists 100 and counts the rest in `stats.anomalies`), so the count is
//! the larger of the list's length and that figure.
//!
//! ```
//! use history::{Validity, Verdict};
//! let mut v = Verdict::new("agreement", Validity::Invalid);
//! v.stats.insert("anomalies".into(), serde_json::json!(250));
//! assert_eq!(reports::anomalies::count(&v), 250);
//! ```

use history::Verdict;

pub fn count(v: &Verdict) -> usize {
    let stated = v
        .stats
        .get("anomalies")
        .and_then(|n| n.as_u64())
        .unwrap_or(0);
    v.anomalies.len().max(stated as usize)
}
