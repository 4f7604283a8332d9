//! Where a key is in a YAML text, for errors found after parsing (a value that parses but
//! makes no sense still gets its line and column). A small scanner of block mappings:
//! each segment of a dotted path is looked for as `key:` indented under the previous
//! one. When a segment is not found (a flow mapping, a default), the deepest one found
//! is given.

/// The 1-based line and column of `path` (`client.http.read`) in `text`.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = None;
    // The block we search in: lines [from, to), keys more indented than `parent`.
    let (mut from, mut to, mut parent) = (0usize, lines.len(), -1i64);
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().take(to).skip(from) {
            let indent = line.len() - line.trim_start().len();
            let body = line.trim_start().trim_start_matches("- ");
            let indent = indent + (line.trim_start().len() - body.len());
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if (indent as i64) <= parent {
                break;
            }
            // The key is what comes before the first `:`, quotes taken off; a quoted key
            // may hold any character (fuzzing found a slice inside a non-ASCII one).
            let Some((raw, _)) = body.split_once(':') else {
                continue;
            };
            let key = raw.trim().trim_matches(['"', '\'']);
            if key == segment {
                hit = Some((i, indent));
                break;
            }
        }
        let Some((i, indent)) = hit else {
            break;
        };
        found = Some((i + 1, indent + 1));
        parent = indent as i64;
        from = i + 1;
        to = lines[from..]
            .iter()
            .position(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#') && (l.len() - t.len()) as i64 <= parent
            })
            .map_or(lines.len(), |p| from + p);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x\nimage:\n  binary: ./a\nclient:\n  protocol: http-kv\n  # a comment\n  http:\n    read: {method: GET}\nready:\n  tcp: 1\n";

    #[test]
    fn nested_keys_are_found_under_their_parents() {
        assert_eq!(locate(TEXT, "name"), Some((1, 1)));
        assert_eq!(locate(TEXT, "image.binary"), Some((3, 3)));
        assert_eq!(locate(TEXT, "client.http.read"), Some((8, 5)));
        assert_eq!(locate(TEXT, "ready.tcp"), Some((10, 3)));
    }

    #[test]
    fn quoted_keys_of_any_characters_are_found() {
        let text = "env:\n  \"\u{e9}t\u{e9}\": \"{{nope}}\"\n  'x y': 1\n";
        assert_eq!(locate(text, "env.\u{e9}t\u{e9}"), Some((2, 3)));
        assert_eq!(locate(text, "env.x y"), Some((3, 3)));
    }

    #[test]
    fn a_missing_key_gives_its_deepest_parent() {
        assert_eq!(locate(TEXT, "client.port"), Some((4, 1)));
        assert_eq!(locate(TEXT, "nothing"), None);
        // `binary` under image, not a `binary` elsewhere.
        assert_eq!(
            locate("a:\n  binary: 1\nimage:\n  x: 2\n", "image.binary"),
            Some((3, 1))
        );
    }
}
