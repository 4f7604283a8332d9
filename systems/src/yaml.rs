//! Reading the YAML a user wrote (test specs, system specs), with errors a person can act
//! on and bounds a hostile file cannot get around:
//!
//! - a file is read only if it is a regular file of at most the spec limit
//!   ([`history::input::DEFAULT_MAX_SPEC_BYTES`], raised by `--max-spec-kb`);
//! - flow nesting (`[[[[...`) deeper than [`MAX_FLOW_DEPTH`] is refused by a scan before
//!   the YAML parser sees it (the parser takes time quadratic in that depth: 30,000 levels
//!   took 4 s), naming the line and column;
//! - every error starts with `line:column: ` when a place is known: a syntax error (an
//!   unclosed `[`) is told as such, not as the type error it leads to; an alias bomb is
//!   told at its first alias.

use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Deepest flow nesting (`[` and `{`) accepted; the YAML parser itself stops at 128.
pub const MAX_FLOW_DEPTH: usize = 64;

static MAX_SPEC_BYTES: AtomicU64 = AtomicU64::new(history::input::DEFAULT_MAX_SPEC_BYTES);

/// Raise (or lower) the largest spec file read by this process (`--max-spec-kb`).
pub fn set_max_spec_bytes(bytes: u64) {
    MAX_SPEC_BYTES.store(bytes, Ordering::Relaxed);
}

/// The text of a spec file: a regular file, within the spec limit, UTF-8. `what` names
/// it in errors ("test spec", "system spec"); errors start with the path.
pub fn read_file(path: &Path, what: &str) -> Result<String, String> {
    let max = MAX_SPEC_BYTES.load(Ordering::Relaxed);
    history::input::read_text(path, max, what, "--max-spec-kb").map_err(|e| e.to_string())
}

/// Parse YAML into `T`; an error starts with `line:column: ` when its place is known.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    check_depth(text)?;
    serde_yaml::from_str(text).map_err(|e| explain(text, e))
}

fn explain(text: &str, e: serde_yaml::Error) -> String {
    let message = without_location(&e.to_string());
    if message.contains("repetition limit exceeded") {
        let at = first_alias(text).map_or(String::new(), |(l, c)| format!("{l}:{c}: "));
        return format!(
            "{at}the aliases of this YAML expand to too many values (an alias bomb?): {message}"
        );
    }
    // A type error can be the shadow of a syntax error further on (an unclosed `[` reads
    // as a sequence where a scalar was expected): the syntax error is the one to tell.
    if message.contains("invalid type") {
        if let Err(syntax) = serde_yaml::from_str::<serde::de::IgnoredAny>(text) {
            let m = without_location(&syntax.to_string());
            if !m.contains("invalid type") {
                return located(syntax.location(), &m);
            }
        }
    }
    located(e.location(), &message)
}

fn located(at: Option<serde_yaml::Location>, message: &str) -> String {
    match at {
        Some(l) => format!("{}:{}: {message}", l.line(), l.column()),
        None => message.to_string(),
    }
}

/// A YAML error's message without its ` at line L column C` (given first instead).
pub fn without_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i)
            if message[i..]
                .split(',')
                .next()
                .is_some_and(|t| t.contains(" column ")) =>
        {
            let rest = message[i + 9..]
                .find(',')
                .map_or("", |j| &message[i + 9 + j..]);
            format!("{}{rest}", &message[..i])
        }
        _ => message.to_string(),
    }
}

/// Walk the text outside quotes and comments, calling `on` with each byte and its
/// 1-based line and column; stop when `on` says so.
fn scan(text: &str, mut on: impl FnMut(u8, usize, usize) -> bool) {
    let (mut line, mut col) = (1, 0);
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut prev = b'\n';
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == b'\n' {
            (line, col) = (line + 1, 0);
            comment = false;
            prev = b;
            continue;
        }
        // Columns count characters: UTF-8 continuation bytes do not start one.
        if b & 0xc0 != 0x80 {
            col += 1;
        }
        match quote {
            Some(b'"') if b == b'\\' => {
                i += 1;
                col += 1;
            }
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if comment => {}
            None if b == b'#' && (prev == b' ' || prev == b'\t' || prev == b'\n') => comment = true,
            None if (b == b'"' || b == b'\'') && !prev.is_ascii_alphanumeric() => quote = Some(b),
            None => {
                if !on(b, line, col) {
                    return;
                }
            }
        }
        prev = b;
    }
}

/// Refuse flow nesting deeper than [`MAX_FLOW_DEPTH`], at the bracket that goes too deep.
/// Only brackets of flow collections count: outside one, a `[` or `{` opens a collection
/// only where a value starts (a line's start, after `key: `, `- `, an anchor or a tag);
/// inside a plain scalar (`name: a[[`) or a block scalar (`|`, `>`) it is text (fuzzing
/// found specs refused, once written back, for brackets in their strings).
fn check_depth(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut too_deep = None;
    let mut flow = FlowScan::default();
    scan(text, |b, line, col| {
        if !flow.significant(b, line, col) {
            return true;
        }
        match b {
            b'[' | b'{' if depth > 0 || flow.at_value_start => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    too_deep = Some((line, col));
                    return false;
                }
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            _ if depth == 0 && (b == b'|' || b == b'>') && flow.at_value_start => {
                flow.block_indent = flow.line_indent;
            }
            _ => {}
        }
        flow.after(b, depth);
        true
    });
    match too_deep {
        Some((l, c)) => Err(format!(
            "{l}:{c}: collections are nested more than {MAX_FLOW_DEPTH} deep here; a spec \
             needs a few levels at most"
        )),
        None => Ok(()),
    }
}

/// Where values start, outside flow collections, for [`check_depth`].
#[derive(Default)]
struct FlowScan {
    line: usize,
    /// The indentation of this line, once a byte other than a space was seen on it.
    line_indent: Option<usize>,
    /// The indentation of the line that opened a block scalar: deeper lines are its text.
    block_indent: Option<usize>,
    in_block_text: bool,
    at_value_start: bool,
    /// The first and last bytes of the current run of bytes other than spaces.
    token: Option<(u8, u8)>,
}

impl FlowScan {
    /// Track lines and indentation; false for bytes of a block scalar's text.
    fn significant(&mut self, b: u8, line: usize, col: usize) -> bool {
        if line != self.line {
            self.line = line;
            self.line_indent = None;
            self.in_block_text = false;
            self.at_value_start = true;
            self.token = None;
        }
        if self.line_indent.is_none() && b != b' ' && b != b'\t' {
            let indent = col - 1;
            self.line_indent = Some(indent);
            match self.block_indent {
                Some(block) if indent > block => self.in_block_text = true,
                _ => self.block_indent = None,
            }
        }
        !self.in_block_text
    }

    /// After a byte outside flow collections: a space ends a token, and the token decides
    /// whether a value starts next.
    fn after(&mut self, b: u8, depth: usize) {
        if depth > 0 {
            return;
        }
        if b == b' ' || b == b'\t' {
            if let Some((first, last)) = self.token.take() {
                self.at_value_start = last == b':'
                    || (first == last && (first == b'-' || first == b'?'))
                    || first == b'&'
                    || first == b'!';
            }
            return;
        }
        self.token = Some(match self.token {
            Some((first, _)) => (first, b),
            None => (b, b),
        });
        self.at_value_start = false;
    }
}

/// Where the first alias (`*name`) is.
fn first_alias(text: &str) -> Option<(usize, usize)> {
    let mut found = None;
    let mut prev = b' ';
    scan(text, |b, line, col| {
        if b == b'*' && matches!(prev, b' ' | b'[' | b',' | b'\t' | b':' | b'-') {
            found = Some((line, col));
            return false;
        }
        prev = b;
        true
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct S {
        name: Option<String>,
        nodes: Option<usize>,
        list: Option<Vec<serde_json::Value>>,
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("list: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        let e = parse::<S>(&deep).unwrap_err();
        assert!(
            e.starts_with("1:71: collections are nested more than 64 deep"),
            "{e}"
        );
        // Well under a second (the parser alone takes minutes); not a timing assertion
        // on a busy machine, only a guard against going back to the parser.
        assert!(started.elapsed().as_secs() < 10);
        let ok = format!("list: {}{}", "[".repeat(60), "]".repeat(60));
        assert!(parse::<S>(&ok).is_ok());
        // Brackets in quotes and comments do not count.
        let quoted = format!("name: \"{}\" # {}\n", "[".repeat(100), "{".repeat(100));
        assert!(parse::<S>(&quoted).is_ok());
        // Nor those of plain and block scalars; those of a flow collection after a tag or
        // an anchor, or in a list item, do.
        let plain = format!("name: a{}\n", "[".repeat(100));
        assert!(parse::<S>(&plain).is_ok());
        let block = format!("name: |\n  {}\n  x\nnodes: 1\n", "[".repeat(100));
        assert!(parse::<S>(&block).is_ok());
        for text in [
            format!("list: !!seq {}", "[".repeat(100)),
            format!("list: &a {}", "[".repeat(100)),
            format!("list:\n  - {}", "{".repeat(100)),
        ] {
            let e = parse::<S>(&text).unwrap_err();
            assert!(e.contains("nested more than 64"), "{text}: {e}");
        }
    }

    #[test]
    fn an_unclosed_bracket_is_a_syntax_error_with_its_place() {
        let e = parse::<S>("nodes: 3\nlist: [1, 2\n").unwrap_err();
        assert!(
            e.starts_with("3:1: did not find expected ',' or ']'"),
            "{e}"
        );
        let e = parse::<S>("nodes: [3\n").unwrap_err();
        assert!(
            e.starts_with("2:1: did not find expected ',' or ']'"),
            "{e}"
        );
        let e = parse::<S>("nodes: [3]\n").unwrap_err();
        assert!(e.starts_with("1:8: nodes: invalid type: sequence"), "{e}");
    }

    #[test]
    fn an_alias_bomb_is_told_at_its_first_alias() {
        let names = "abcdefghij".as_bytes();
        let mut items = vec!["&a [x, x, x, x, x, x, x, x, x]".to_string()];
        for i in 1..9 {
            let prev = format!("*{}", names[i - 1] as char);
            items.push(format!(
                "&{} [{}]",
                names[i] as char,
                vec![prev; 9].join(", ")
            ));
        }
        let text = format!("nodes: 1\nlist: [{}]\n", items.join(", "));
        let e = parse::<S>(&text).unwrap_err();
        assert!(
            e.starts_with("2:44: the aliases of this YAML expand to too many values"),
            "{e}"
        );
    }
}
