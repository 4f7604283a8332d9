//! Strings that carry a polynomial hash of their text, so that the hash of `s + a` follows
//! from the hashes of `s` and `a` without reading `s` again (a kv state grows by appends to
//! long strings, and each new state is numbered by its hash).

use std::hash::{Hash, Hasher};

const BASE: u64 = 0x100_0000_01b3;

/// A string and its hash.
#[derive(Debug, Clone, Eq)]
pub struct Text {
    /// The polynomial hash of `text`.
    hash: u64,
    /// BASE to the power of the length of `text`.
    pow: u64,
    text: Box<str>,
}

impl Text {
    pub fn new(s: &str) -> Text {
        let (hash, pow) = s.bytes().fold((0u64, 1u64), |(h, p), b| {
            (
                h.wrapping_mul(BASE).wrapping_add(b as u64 + 1),
                p.wrapping_mul(BASE),
            )
        });
        Text {
            hash,
            pow,
            text: s.into(),
        }
    }

    /// This text followed by `tail`, its hash computed from the two hashes.
    pub fn append(&self, tail: &Text) -> Text {
        let mut text = String::with_capacity(self.text.len() + tail.text.len());
        text.push_str(&self.text);
        text.push_str(&tail.text);
        Text {
            hash: self.hash.wrapping_mul(tail.pow).wrapping_add(tail.hash),
            pow: self.pow.wrapping_mul(tail.pow),
            text: text.into(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn an_appended_text_equals_and_hashes_as_the_same_text_made_at_once() {
        let ab = Text::new("a").append(&Text::new("b"));
        assert_eq!(ab, Text::new("ab"));
        assert_eq!(
            (ab.hash, ab.pow),
            (Text::new("ab").hash, Text::new("ab").pow)
        );
        assert_eq!(Text::new("").append(&ab), ab);
        assert_ne!(Text::new("ab"), Text::new("ba"));
        assert_eq!(ab.as_str(), "ab");
    }
}
