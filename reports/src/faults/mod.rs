//! The faults of a run, from the nemesis's records (read by [`history::fault::FaultRecord`]):
//! how many of each kind were applied ([`counts`]), and the one reader of fault windows
//! ([`read()`]) that `report.html` shades and `schism bench` splits latencies by: each
//! window a [`Window`] (its kind, the fault, when it began, when its heal began and ended,
//! whether applying or healing failed), named for people by [`label`], and the time under
//! some fault as merged spans ([`covered`]).
//!
//! ```
//! use reports::faults::{self, Covered};
//! use serde_json::json;
//! let kill = json!({"fault": "kill", "nodes": ["n1"]});
//! let (applied, healed) = (json!({"applied": kill}), json!({"healed": kill}));
//! let null = serde_json::Value::Null;
//! let records = [
//!     (10, "start-kill", &kill),
//!     (11, "start-kill", &applied),
//!     (20, "stop-kill", &null),
//!     (22, "stop-kill", &healed),
//! ];
//! let w = faults::read(records, 100);
//! assert_eq!((w[0].label(), w[0].start_ns, w[0].heal_ns, w[0].end_ns), ("kill: n1".into(), 10, Some(20), 22));
//! assert!(Covered::of(&w).contains(21) && !Covered::of(&w).contains(22));
//! ```

pub mod counts;
pub mod covered;
pub mod read;

pub use counts::FaultCounts;
pub use covered::Covered;
pub use history::fault::{of_history, read, Failure, Window};
pub use read::of_results;
