//! Several checkers judging one history together: each checker's verdict, and what they
//! say as one (the worst safety verdict, liveness apart, the safety reasons), by the one
//! rule of [`history::Composed`] that stored results are read with too.
//!
//! ```
//! use checkers::{compose, Checker};
//! use history::{History, Validity, Verdict};
//! struct Says(Validity, bool);
//! impl Checker for Says {
//!     fn name(&self) -> &str { "says" }
//!     fn check(&self, _: &History) -> Verdict {
//!         let mut v = Verdict::new("says", self.0);
//!         v.liveness = self.1;
//!         v
//!     }
//! }
//! let h = History::from_ops(Vec::new(), history::Dialect::Schism).unwrap();
//! let all: Vec<Box<dyn Checker>> =
//!     vec![Box::new(Says(Validity::Valid, false)), Box::new(Says(Validity::Invalid, true))];
//! let j = compose::judge(&all, &h);
//! assert_eq!(j.verdicts.len(), 2);
//! // A run that did not terminate is not a safety bug.
//! assert_eq!((j.composed.safety, j.composed.liveness), (Validity::Valid, Some(Validity::Invalid)));
//! ```

use crate::Checker;
use history::{Composed, History, Verdict};

/// The verdicts of several checkers on one history, and the verdict they make together.
#[derive(Debug, Clone)]
pub struct Judged {
    pub verdicts: Vec<Verdict>,
    pub composed: Composed,
}

/// Run every checker on the history, in order, and compose their verdicts.
pub fn judge(checkers: &[Box<dyn Checker>], history: &History) -> Judged {
    let verdicts: Vec<Verdict> = checkers.iter().map(|c| c.check(history)).collect();
    let composed = Composed::of(&verdicts);
    Judged { verdicts, composed }
}
