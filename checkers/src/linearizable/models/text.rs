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
    text: Box<str>,
}

impl Text {
    pub fn new(s: &str) -> Text {
        let hash = s
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(BASE).wrapping_add(b as u64 + 1));
        Text {
            hash,
            text: s.into(),
        }
    }

    /// This text followed by `tail`, its hash computed from the two hashes.
    pub fn append(&self, tail: &Text) -> Text {
        let mut text = String::with_capacity(self.text.len() + tail.text.len());
        text.push_str(&self.text);
        text.push_str(&tail.text);
        let shift = BASE.wrapping_pow(tail.text.len() as u32);
        Text {
            hash: self.hash.wrapping_mul(shift).wrapping_add(tail.hash),
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
        assert_eq!(ab.hash, Text::new("ab").hash);
        let long = Text::new("x").append(&Text::new(&"yz".repeat(40)));
        assert_eq!(long.hash, Text::new(&format!("x{}", "yz".repeat(40))).hash);
        assert_eq!(Text::new("").append(&ab), ab);
        assert_ne!(Text::new("ab"), Text::new("ba"));
        assert_eq!(ab.as_str(), "ab");
    }
}
