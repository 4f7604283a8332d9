//! Fieldless enums known by name in specs and records (a fault's modes, the clients'
//! placement): [`named!`] writes the names, the variants in the same order, and the
//! lookups both ways, so an enum is its variants and their names and nothing else.

/// `named! { pub enum Mode { Bump = "bump", Drift = "drift" } }` gives `Mode::NAMES`,
/// `Mode::ALL`, `name()`, `from_name()` and `from_names()` (a fault's list of modes,
/// checked: known and not empty).
macro_rules! named {
    ($(#[$m:meta])* $vis:vis enum $T:ident {
        $($(#[$vm:meta])* $V:ident = $name:literal),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $T { $($(#[$vm])* $V),+ }

        impl $T {
            pub const NAMES: [&'static str; [$($name),+].len()] = [$($name),+];
            pub const ALL: [$T; [$($name),+].len()] = [$($T::$V),+];

            pub fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            pub fn from_name(s: &str) -> Option<$T> {
                Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
            }

            /// Every name, as a spec's default list.
            #[allow(dead_code)]
            pub fn all_names() -> Vec<String> {
                Self::NAMES.iter().map(|n| n.to_string()).collect()
            }

            /// The `what` list of a fault's options (`nemesis.options.FAULT.WHAT`):
            /// each known, at least one.
            #[allow(dead_code)]
            pub fn from_names(
                names: &[String],
                fault: &str,
                what: &str,
            ) -> Result<Vec<$T>, $crate::NemesisError> {
                let bad = |why: String| {
                    $crate::NemesisError::Unknown(format!("nemesis.options.{fault}.{what}: {why}"))
                };
                let all = names
                    .iter()
                    .map(|n| {
                        Self::from_name(n).ok_or_else(|| {
                            bad(format!(
                                "unknown {} {n:?}; known: {}",
                                what.trim_end_matches('s'),
                                Self::NAMES.join(", ")
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if all.is_empty() {
                    return Err(bad("is empty".into()));
                }
                Ok(all)
            }
        }
    };
}
pub(crate) use named;

#[cfg(test)]
mod tests {

    named! {
        enum Tone {
            Low = "low",
            High = "high",
        }
    }

    #[test]
    fn names_go_both_ways_and_a_list_is_checked() {
        for t in Tone::ALL {
            assert_eq!(Tone::from_name(t.name()), Some(t));
        }
        assert_eq!(Tone::from_name("mid"), None);
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Tone::from_names(&names(&["high", "low"]), "f", "tones").unwrap(),
            [Tone::High, Tone::Low]
        );
        let e = Tone::from_names(&names(&["mid"]), "f", "tones").unwrap_err();
        assert!(
            e.to_string()
                .contains("nemesis.options.f.tones: unknown tone \"mid\"; known: low, high"),
            "{e}"
        );
        let e = Tone::from_names(&[], "f", "tones").unwrap_err();
        assert!(e.to_string().contains("is empty"), "{e}");
        assert_eq!(Tone::all_names(), names(&["low", "high"]));
    }
}
