//! # harness: the controller and the `schism` command
//!
//! The harness composes everything else: it reads what the user asked for, runs it, and
//! turns the outcome into an exit code a CI system can gate on (0 valid, 1 invalid,
//! 2 unknown, 254 bad arguments or input, 255 a failure of schism itself). It offers
//! `schism run` (a system in containers, clients and a nemesis, a history, a verdict),
//! `schism check` (check stored or foreign histories), `schism shrink` (a smaller fault
//! schedule that still makes an invalid run fail) and `schism synth` (seeded synthetic
//! histories for benches and for other checkers).
//!
//! ```
//! use harness::exit::ExitCode;
//! use history::Validity;
//! assert_eq!(ExitCode::of(Validity::Unknown) as i32, 2);
//! ```

pub mod bench;
pub mod check_cmd;
pub mod check_file;
pub mod check_input;
pub mod ci_files;
pub mod clean_cmd;
pub mod cli;
pub mod detect;
pub mod error;
pub mod exit;
pub mod faults_cmd;
pub mod fuzzing;
mod grid_runs;
pub use workloads::limits;
// The reader of a user's YAML is shared with the system specs of `systems`.
pub use systems::{locate, yaml};
pub mod report_cmd;
pub mod run;
pub mod run_cmd;
pub mod runlog;
pub mod serve;
pub mod shrink;
pub mod signals;
pub mod spec;
pub mod status;
pub mod store;
pub mod sweep;
pub mod synth_cmd;
pub mod system;
pub mod systems_cmd;
pub mod workers;
