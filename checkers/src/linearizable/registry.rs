//! The built-in models by name (`schism check --model NAME`), one line each: the name a
//! history or a user picks, and the [`Model`](super::open::Model) it stands for.

use super::models::{Kv, Register};
use super::open::Model;
use super::{check_model, ModelError, Options, Report};
use history::History;

macro_rules! registry {
    ($($(#[$doc:meta])* $kind:ident => $model:expr,)*) => {
        /// A built-in model.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ModelKind {
            $($(#[$doc])* $kind,)*
        }

        impl ModelKind {
            pub const ALL: &'static [ModelKind] = &[$(ModelKind::$kind,)*];

            /// The model's name (as its [`Model::name`] says).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ModelKind::$kind => $model.name(),)*
                }
            }

            /// Check a history against this model.
            pub fn check(self, history: &History, opts: &Options) -> Result<Report, ModelError> {
                match self {
                    $(ModelKind::$kind => check_model(history, &$model, opts),)*
                }
            }
        }
    };
}

registry! {
    /// A read/write register, initially nil.
    Register => Register::PLAIN,
    /// A register with compare-and-set, as Jepsen's etcd tests use it.
    CasRegister => Register::CAS,
    /// A string key-value store with get, put and append (missing keys read as "").
    Kv => Kv,
}

impl ModelKind {
    pub fn parse(s: &str) -> Option<ModelKind> {
        ModelKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The model a history's functions call for: kv for get/put/append, cas-register when
    /// there is a cas, else register.
    pub fn infer(history: &History) -> ModelKind {
        let mut cas = false;
        for f in history.functions() {
            match f.as_str() {
                "get" | "put" | "append" => return ModelKind::Kv,
                "cas" => cas = true,
                _ => {}
            }
        }
        if cas {
            ModelKind::CasRegister
        } else {
            ModelKind::Register
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::Dialect;

    #[test]
    fn each_name_parses_back_and_names_the_model_its_reports_carry() {
        let empty = History::from_ops(Vec::new(), Dialect::Schism).unwrap();
        for &kind in ModelKind::ALL {
            assert_eq!(ModelKind::parse(kind.as_str()), Some(kind));
            let report = kind.check(&empty, &Options::default()).unwrap();
            assert_eq!(report.model, kind.as_str());
        }
        assert_eq!(ModelKind::parse("lock"), None);
    }
}
