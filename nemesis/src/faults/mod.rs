//! The built-in kinds of fault, one file each; [`crate::registry`] lists them.

pub mod byzantine;
pub mod clock;
mod clock_faketime;
mod clock_modes;
mod clock_runtime;
pub mod corrupt_file;
pub mod kill;
pub mod loss;
pub mod packet;
pub mod packet_kind;
pub mod packet_rule;
pub mod partition;
pub mod pause;
pub mod power;
mod tell;

pub use clock_faketime::line as faketime_line;
