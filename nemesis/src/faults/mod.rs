//! The built-in kinds of fault, one file each; [`crate::registry`] lists them.

pub mod byzantine;
pub mod clock;
pub mod kill;
pub mod loss;
pub mod netem;
pub mod partition;
pub mod pause;
pub mod power;
mod tell;
