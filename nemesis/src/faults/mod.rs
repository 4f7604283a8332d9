//! The built-in kinds of fault, one file each; [`crate::registry`] lists them.

pub mod byzantine;
pub mod clock;
pub mod kill;
pub mod loss;
pub mod packet;
pub mod packet_kind;
pub mod packet_rule;
pub mod partition;
pub mod pause;
mod tell;
