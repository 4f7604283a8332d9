//! The exit codes of `schism`.

use history::Validity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitCode {
    Valid = 0,
    Invalid = 1,
    Unknown = 2,
    /// Stopped by SIGINT or SIGTERM before its end, with nothing invalid in what it
    /// recorded (an invalid history still exits 1): 130, the shell's code for SIGINT.
    Interrupted = 130,
    /// Bad arguments, a spec with a mistake, or input that cannot be read.
    BadInput = 254,
    /// schism itself failed.
    HarnessError = 255,
}

impl ExitCode {
    pub fn of(v: Validity) -> ExitCode {
        match v {
            Validity::Valid => ExitCode::Valid,
            Validity::Invalid => ExitCode::Invalid,
            Validity::Unknown => ExitCode::Unknown,
        }
    }
}
