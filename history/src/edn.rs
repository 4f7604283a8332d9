//! A fast, dependency-free reader for EDN (Clojure's data notation) as written by Jepsen.
//!
//! Jepsen's `history.edn` is either one op map per line or one top-level vector of op maps.
//! [`parse_all`] reads a whole document; [`Parser`] reads form by form, so callers can step
//! into a top-level `[` and stream its elements. Input is scanned as bytes, nesting is bounded
//! (no recursion), and every error carries a 1-based line and column.

use std::fmt;

/// Deepest allowed nesting of collections, tags and `#_` discards. Below serde_json's 128,
/// so whatever is read from EDN can be written as schism's JSONL and read back (fuzzing
/// found that at 512 it could not).
const MAX_DEPTH: usize = 100;

/// Whitespace (including `,`).
const WS: u8 = 1;
/// Ends a token: whitespace, `,`, `(){}[]"` and `;`.
const DELIM: u8 = 2;
/// May appear inside a symbol, keyword, tag or number token.
const SYM: u8 = 4;
/// May begin a symbol.
const SYM_START: u8 = 8;

const fn build_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b',' | 0x0b | 0x0c | 0x1c..=0x1f
        ) {
            c |= WS | DELIM;
        }
        if matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b';') {
            c |= DELIM;
        }
        let punct = matches!(
            b,
            b'.' | b'*'
                | b'+'
                | b'!'
                | b'-'
                | b'_'
                | b'?'
                | b'$'
                | b'%'
                | b'&'
                | b'='
                | b'<'
                | b'>'
                | b'/'
        );
        if b.is_ascii_alphanumeric() || punct || matches!(b, b'\'' | b':' | b'#') {
            c |= SYM;
        }
        if b.is_ascii_alphabetic() || punct {
            c |= SYM_START;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CLASS: [u8; 256] = build_classes();

#[inline]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

/// One EDN value.
#[derive(Debug, Clone, PartialEq)]
pub enum Edn {
    Nil,
    Bool(bool),
    Int(i64),
    /// Integers that do not fit i64, and `N`-suffixed bigints that do not fit, kept as their
    /// decimal text (sign kept if negative, no `+`, no `N`).
    BigInt(String),
    /// Also `M`-suffixed decimals, ratios like `1/3` (as their f64 quotient), `##Inf`,
    /// `##-Inf` and `##NaN`.
    Float(f64),
    /// With escapes `\" \\ \n \t \r \b \f \uXXXX` (and Clojure's octal `\NNN`) decoded.
    Str(String),
    /// `\a \newline \space \tab \return \formfeed \backspace \uXXXX \oNNN`.
    Char(char),
    /// Without the leading `:`; a namespaced keyword keeps `"ns/name"`.
    Keyword(String),
    Symbol(String),
    Vector(Vec<Edn>),
    List(Vec<Edn>),
    /// Insertion order kept; duplicate keys are kept too (callers decide).
    Map(Vec<(Edn, Edn)>),
    /// Reading order kept; duplicates are kept.
    Set(Vec<Edn>),
    /// `#inst "..."`, `#uuid "..."`, and record literals `#jepsen.history.Op{...}` (tag, then
    /// the map).
    Tagged(String, Box<Edn>),
}

impl Edn {
    /// For maps: the value under keyword key `k` (given without `:`), else `None`.
    ///
    /// With duplicate keys the first one wins. A record literal (`Tagged` wrapping a map) is
    /// looked through, so `#jepsen.history.Op{:type :ok}` answers `get("type")` too.
    pub fn get(&self, k: &str) -> Option<&Edn> {
        match self {
            Edn::Map(pairs) => pairs
                .iter()
                .find(|(key, _)| matches!(key, Edn::Keyword(s) if s == k))
                .map(|(_, v)| v),
            Edn::Tagged(_, inner) if matches!(**inner, Edn::Map(_)) => inner.get(k),
            _ => None,
        }
    }

    /// The keyword's name (without `:`), if this is a keyword.
    pub fn as_keyword(&self) -> Option<&str> {
        match self {
            Edn::Keyword(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an [`Edn::Int`].
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Edn::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// A parse error at a 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdnError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for EdnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for EdnError {}

/// A saved position: byte offset plus the line bookkeeping needed to report it.
#[derive(Debug, Clone, Copy)]
struct Mark {
    pos: usize,
    line: usize,
    line_start: usize,
}

#[derive(Debug)]
enum Kind {
    Vector,
    List,
    Map,
    Set,
    /// `#:ns{...}`: keys without a namespace get `ns`.
    NsMap(String),
    Tagged(String),
    Discard,
}

impl Kind {
    fn closer(&self) -> Option<u8> {
        match self {
            Kind::Vector => Some(b']'),
            Kind::List => Some(b')'),
            Kind::Map | Kind::Set | Kind::NsMap(_) => Some(b'}'),
            Kind::Tagged(_) | Kind::Discard => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Kind::Vector => "vector",
            Kind::List => "list",
            Kind::Map => "map",
            Kind::Set => "set",
            Kind::NsMap(_) => "namespaced map",
            Kind::Tagged(_) => "tagged value",
            Kind::Discard => "#_ discard",
        }
    }
}

/// An open collection, tag or discard on the explicit parse stack.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    /// Where it was opened.
    mark: Mark,
    /// Index into `Parser::vals` where its elements start.
    start: usize,
}

/// A streaming EDN reader over the bytes of a `&str`.
pub struct Parser<'a> {
    text: &'a str,
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    frames: Vec<Frame>,
    vals: Vec<Edn>,
}

impl<'a> Parser<'a> {
    /// A parser positioned at the start of `text` (a leading UTF-8 byte-order mark is skipped).
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Parser {
            text,
            src: text.as_bytes(),
            pos,
            line: 1,
            line_start: pos,
            frames: Vec::new(),
            vals: Vec::new(),
        }
    }

    /// Skip whitespace, commas, `;` comments and `#_` discarded forms.
    pub fn skip_ignorable(&mut self) -> Result<(), EdnError> {
        loop {
            self.skip_ws();
            if self.src.get(self.pos) == Some(&b'#') && self.src.get(self.pos + 1) == Some(&b'_') {
                let mark = self.mark();
                self.pos += 2;
                self.read(Some(mark))?;
            } else {
                return Ok(());
            }
        }
    }

    /// The next byte after [`skip_ignorable`](Self::skip_ignorable) would be this (`None` at
    /// end). Does not consume it.
    pub fn peek(&mut self) -> Result<Option<u8>, EdnError> {
        self.skip_ignorable()?;
        Ok(self.src.get(self.pos).copied())
    }

    /// Consume one byte (used by callers to step into a top-level `[` and over its `]`).
    ///
    /// If the next byte starts a multi-byte character the whole character is consumed, so the
    /// parser never stops inside a character. Does nothing at end of input.
    pub fn bump(&mut self) {
        if let Some(&b) = self.src.get(self.pos) {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + 1;
            }
            self.pos += if b < 0x80 {
                1
            } else {
                self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8)
            };
        }
    }

    /// 1-based line of the next unread byte.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column (in characters) of the next unread byte.
    pub fn column(&self) -> usize {
        self.column_of(self.mark())
    }

    /// Parse exactly one form (after skipping ignorable input). Error at end of input.
    pub fn parse_form(&mut self) -> Result<Edn, EdnError> {
        self.skip_ignorable()?;
        self.read(None)
    }

    /// Whether only ignorable input remains.
    pub fn at_end(&mut self) -> Result<bool, EdnError> {
        self.skip_ignorable()?;
        Ok(self.pos >= self.src.len())
    }

    // ----- positions and errors -----

    #[inline]
    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            line: self.line,
            line_start: self.line_start,
        }
    }

    #[inline]
    fn mark_at(&self, pos: usize) -> Mark {
        Mark {
            pos,
            line: self.line,
            line_start: self.line_start,
        }
    }

    fn column_of(&self, m: Mark) -> usize {
        let end = m.pos.min(self.src.len());
        let start = m.line_start.min(end);
        self.src[start..end]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1
    }

    fn error(&self, m: Mark, message: impl Into<String>) -> EdnError {
        EdnError {
            line: m.line,
            column: self.column_of(m),
            message: message.into(),
        }
    }

    /// The character starting at byte `pos`, for messages.
    fn char_at(&self, pos: usize) -> char {
        self.text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}')
    }

    fn describe_unexpected(&self, pos: usize) -> String {
        let c = self.char_at(pos);
        if c.is_ascii() {
            format!("unexpected {c:?}")
        } else {
            format!(
                "unexpected non-ASCII character {c:?} (U+{:04X}) outside a string",
                c as u32
            )
        }
    }

    fn opened_at(&self, f: &Frame) -> String {
        format!(
            "opened at line {}, column {}",
            f.mark.line,
            self.column_of(f.mark)
        )
    }

    fn eof_error(&self) -> EdnError {
        let here = self.mark();
        let msg = match self.frames.last() {
            None => "unexpected end of input (expected a value)".to_string(),
            Some(f) => match &f.kind {
                Kind::Tagged(tag) => {
                    format!("unexpected end of input after tag #{tag} (expected a value)")
                }
                Kind::Discard => {
                    "unexpected end of input after #_ (expected a form to discard)".to_string()
                }
                kind => format!(
                    "unexpected end of input inside a {} {}",
                    kind.name(),
                    self.opened_at(f)
                ),
            },
        };
        self.error(here, msg)
    }

    // ----- scanning -----

    /// Skip whitespace, commas and `;` comments (not `#_`).
    #[inline]
    fn skip_ws(&mut self) {
        let src = self.src;
        let mut pos = self.pos;
        while let Some(&b) = src.get(pos) {
            if b == b'\n' {
                pos += 1;
                self.line += 1;
                self.line_start = pos;
            } else if class(b) & WS != 0 {
                pos += 1;
            } else if b == b';' {
                while pos < src.len() && src[pos] != b'\n' {
                    pos += 1;
                }
            } else {
                break;
            }
        }
        self.pos = pos;
    }

    /// End of the run of token bytes starting at `pos`.
    #[inline]
    fn scan_token(&self, mut pos: usize) -> usize {
        let src = self.src;
        while pos < src.len() && class(src[pos]) & SYM != 0 {
            pos += 1;
        }
        pos
    }

    /// After a token ending at `end`, the next byte must be a delimiter (or end of input).
    #[inline]
    fn check_token_end(&self, end: usize, what: &str) -> Result<(), EdnError> {
        match self.src.get(end) {
            Some(&b) if class(b) & DELIM == 0 => {
                let c = self.char_at(end);
                let msg = if c.is_ascii() {
                    format!("invalid character {c:?} in {what}")
                } else {
                    format!(
                        "unexpected non-ASCII character {c:?} (U+{:04X}) in {what}",
                        c as u32
                    )
                };
                Err(self.error(self.mark_at(end), msg))
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, kind: Kind, mark: Mark) -> Result<(), EdnError> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(self.error(mark, format!("nesting deeper than {MAX_DEPTH}")));
        }
        self.frames.push(Frame {
            kind,
            mark,
            start: self.vals.len(),
        });
        Ok(())
    }

    /// Read one value. With `discard_root`, the caller has consumed a `#_` at that mark: read
    /// the one form it discards and return `Nil`.
    fn read(&mut self, discard_root: Option<Mark>) -> Result<Edn, EdnError> {
        self.frames.clear();
        self.vals.clear();
        if let Some(mark) = discard_root {
            self.open(Kind::Discard, mark)?;
        }
        loop {
            self.skip_ws();
            let mark = self.mark();
            let Some(&b) = self.src.get(self.pos) else {
                return Err(self.eof_error());
            };
            let value = match b {
                b'{' => {
                    self.pos += 1;
                    self.open(Kind::Map, mark)?;
                    continue;
                }
                b'[' => {
                    self.pos += 1;
                    self.open(Kind::Vector, mark)?;
                    continue;
                }
                b'(' => {
                    self.pos += 1;
                    self.open(Kind::List, mark)?;
                    continue;
                }
                b'}' | b']' | b')' => self.close(b, mark)?,
                b':' => self.read_keyword(mark)?,
                b'"' => self.read_string(mark)?,
                b'0'..=b'9' => self.read_number(mark)?,
                b'-' | b'+' if self.src.get(self.pos + 1).is_some_and(u8::is_ascii_digit) => {
                    self.read_number(mark)?
                }
                b'.' if self.src.get(self.pos + 1).is_some_and(u8::is_ascii_digit) => {
                    let end = self.scan_token(self.pos);
                    return Err(self.error(
                        mark,
                        format!(
                            "invalid number {:?} (a leading '.' needs a digit before it)",
                            &self.text[self.pos..end]
                        ),
                    ));
                }
                b'#' => match self.read_dispatch(mark)? {
                    Some(v) => v,
                    None => continue,
                },
                b'\\' => self.read_char(mark)?,
                _ if class(b) & SYM_START != 0 => self.read_symbol(mark)?,
                _ => {
                    let msg = format!("{} (expected a value)", self.describe_unexpected(self.pos));
                    return Err(self.error(mark, msg));
                }
            };

            // Deliver the finished value to whatever is open.
            let mut v = value;
            loop {
                let Some(top) = self.frames.last_mut() else {
                    return Ok(v);
                };
                match &mut top.kind {
                    Kind::Tagged(tag) => {
                        let tag = std::mem::take(tag);
                        self.frames.pop();
                        v = Edn::Tagged(tag, Box::new(v));
                    }
                    Kind::Discard => {
                        self.frames.pop();
                        drop(v);
                        if discard_root.is_some() && self.frames.is_empty() {
                            return Ok(Edn::Nil);
                        }
                        break;
                    }
                    _ => {
                        self.vals.push(v);
                        break;
                    }
                }
            }
        }
    }

    /// A closing delimiter `b` at `mark`: close the innermost collection.
    fn close(&mut self, b: u8, mark: Mark) -> Result<Edn, EdnError> {
        let what = b as char;
        let Some(top) = self.frames.last() else {
            return Err(self.error(mark, format!("unexpected '{what}' (expected a value)")));
        };
        match top.kind.closer() {
            Some(c) if c == b => {}
            Some(c) => {
                let msg = format!(
                    "unexpected '{what}' (expected '{}' to close the {} {})",
                    c as char,
                    top.kind.name(),
                    self.opened_at(top)
                );
                return Err(self.error(mark, msg));
            }
            None => {
                let msg = match &top.kind {
                    Kind::Tagged(tag) => {
                        format!("unexpected '{what}' (expected a value after tag #{tag})")
                    }
                    _ => format!("unexpected '{what}' (expected a form after #_)"),
                };
                return Err(self.error(mark, msg));
            }
        }
        self.pos += 1;
        let Some(frame) = self.frames.pop() else {
            return Err(self.error(mark, "internal error: no open collection"));
        };
        let n = self.vals.len() - frame.start;
        Ok(match frame.kind {
            Kind::Vector => Edn::Vector(self.vals.drain(frame.start..).collect()),
            Kind::List => Edn::List(self.vals.drain(frame.start..).collect()),
            Kind::Set => Edn::Set(self.vals.drain(frame.start..).collect()),
            Kind::Map | Kind::NsMap(_) => {
                if n & 1 == 1 {
                    let msg = format!(
                        "map has an odd number of forms ({n}; map {})",
                        self.opened_at(&frame)
                    );
                    return Err(self.error(mark, msg));
                }
                let mut pairs = Vec::with_capacity(n / 2);
                let mut it = self.vals.drain(frame.start..);
                while let Some(k) = it.next() {
                    let Some(v) = it.next() else { break };
                    pairs.push((k, v));
                }
                drop(it);
                if let Kind::NsMap(ns) = &frame.kind {
                    for (k, _) in &mut pairs {
                        qualify(k, ns);
                    }
                }
                Edn::Map(pairs)
            }
            Kind::Tagged(_) | Kind::Discard => {
                return Err(self.error(mark, "internal error: closing a non-collection"))
            }
        })
    }

    fn read_keyword(&mut self, mark: Mark) -> Result<Edn, EdnError> {
        let start = self.pos + 1;
        let end = self.scan_token(start);
        if end == start {
            let msg = match self.src.get(start) {
                None => "unexpected end of input after ':' (expected a keyword name)".to_string(),
                Some(_) => format!(
                    "{} after ':' (expected a keyword name)",
                    self.describe_unexpected(start)
                ),
            };
            return Err(self.error(mark, msg));
        }
        if self.src[start] == b':' {
            return Err(self.error(mark, "auto-resolved keywords (::name) are not valid EDN"));
        }
        self.check_token_end(end, "keyword")?;
        self.pos = end;
        Ok(Edn::Keyword(self.text[start..end].to_owned()))
    }

    fn read_symbol(&mut self, mark: Mark) -> Result<Edn, EdnError> {
        let start = self.pos;
        let end = self.scan_token(start);
        self.check_token_end(end, "symbol")?;
        self.pos = end;
        let tok = &self.text[start..end];
        Ok(match tok {
            "nil" => Edn::Nil,
            "true" => Edn::Bool(true),
            "false" => Edn::Bool(false),
            _ => {
                if tok.len() > 1 && (tok.starts_with('/') || tok.ends_with('/')) {
                    return Err(self.error(mark, format!("invalid symbol {tok:?}")));
                }
                Edn::Symbol(tok.to_owned())
            }
        })
    }

    fn read_number(&mut self, mark: Mark) -> Result<Edn, EdnError> {
        let start = self.pos;
        // Fast path: a plain non-negative integer of at most 18 digits (cannot overflow),
        // without a leading zero, ended by a delimiter.
        let src = self.src;
        let mut i = start;
        let mut v: i64 = 0;
        while i < src.len() && i - start < 18 && src[i].is_ascii_digit() {
            v = v * 10 + i64::from(src[i] - b'0');
            i += 1;
        }
        if i > start
            && (src[start] != b'0' || i == start + 1)
            && !matches!(src.get(i), Some(&b) if class(b) & DELIM == 0)
        {
            self.pos = i;
            return Ok(Edn::Int(v));
        }
        let end = self.scan_token(start);
        self.check_token_end(end, "number")?;
        let tok = &self.text[start..end];
        match parse_number(tok) {
            Ok(v) => {
                self.pos = end;
                Ok(v)
            }
            Err(why) => Err(self.error(mark, format!("invalid number {tok:?}{why}"))),
        }
    }

    /// `#` at `mark`. Returns `None` when it opened a frame (set, discard, tag, namespaced map).
    fn read_dispatch(&mut self, mark: Mark) -> Result<Option<Edn>, EdnError> {
        let next = self.pos + 1;
        match self.src.get(next) {
            None => Err(self.error(mark, "unexpected end of input after '#'")),
            Some(b'{') => {
                self.pos += 2;
                self.open(Kind::Set, mark)?;
                Ok(None)
            }
            Some(b'_') => {
                self.pos += 2;
                self.open(Kind::Discard, mark)?;
                Ok(None)
            }
            Some(b'#') => {
                let start = next + 1;
                let end = self.scan_token(start);
                self.check_token_end(end, "symbolic value")?;
                let v = match &self.text[start..end] {
                    "Inf" => f64::INFINITY,
                    "-Inf" => f64::NEG_INFINITY,
                    "NaN" => f64::NAN,
                    other => {
                        return Err(self.error(
                            mark,
                            format!(
                            "unknown symbolic value ##{other} (expected ##Inf, ##-Inf or ##NaN)"
                        ),
                        ))
                    }
                };
                self.pos = end;
                Ok(Some(Edn::Float(v)))
            }
            Some(b':') => {
                let start = next + 1;
                let end = self.scan_token(start);
                if end == start || self.src[start] == b':' {
                    return Err(self.error(
                        mark,
                        "namespaced map needs an explicit namespace (#:ns{...})",
                    ));
                }
                let ns = self.text[start..end].to_owned();
                self.pos = end;
                self.skip_ws();
                if self.src.get(self.pos) != Some(&b'{') {
                    let here = self.mark();
                    let msg = match self.src.get(self.pos) {
                        None => "unexpected end of input (expected '{' after #:ns)".to_string(),
                        Some(_) => format!(
                            "{} (expected '{{' after #:{ns})",
                            self.describe_unexpected(self.pos)
                        ),
                    };
                    return Err(self.error(here, msg));
                }
                self.pos += 1;
                self.open(Kind::NsMap(ns), mark)?;
                Ok(None)
            }
            Some(&b) if b.is_ascii_alphabetic() => {
                let end = self.scan_token(next);
                self.check_token_end(end, "tag")?;
                let tag = self.text[next..end].to_owned();
                self.pos = end;
                self.open(Kind::Tagged(tag), mark)?;
                Ok(None)
            }
            Some(b'"') => Err(self.error(mark, "regex literals (#\"...\") are not valid EDN")),
            Some(_) => {
                let c = self.char_at(next);
                Err(self.error(
                    mark,
                    format!("invalid dispatch '#{c}' (expected #{{, #_, ##, #: or a #tag)"),
                ))
            }
        }
    }

    fn read_string(&mut self, mark: Mark) -> Result<Edn, EdnError> {
        let src = self.src;
        let start = self.pos + 1;
        let mut i = start;
        // Line bookkeeping is committed only when the string is complete.
        let mut line = self.line;
        let mut line_start = self.line_start;
        // Fast path: no escapes.
        loop {
            match src.get(i) {
                None => return Err(self.error(mark, "unterminated string")),
                Some(b'"') => {
                    self.pos = i + 1;
                    self.line = line;
                    self.line_start = line_start;
                    return Ok(Edn::Str(self.text[start..i].to_owned()));
                }
                Some(b'\\') => break,
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    line_start = i;
                }
                Some(_) => i += 1,
            }
        }
        let mut buf = String::with_capacity(i - start + 16);
        buf.push_str(&self.text[start..i]);
        loop {
            // Copy a run of plain bytes.
            let run = i;
            while let Some(&b) = src.get(i) {
                if b == b'"' || b == b'\\' {
                    break;
                }
                i += 1;
                if b == b'\n' {
                    line += 1;
                    line_start = i;
                }
            }
            buf.push_str(&self.text[run..i]);
            match src.get(i) {
                None => return Err(self.error(mark, "unterminated string")),
                Some(b'"') => {
                    self.pos = i + 1;
                    self.line = line;
                    self.line_start = line_start;
                    return Ok(Edn::Str(buf));
                }
                _ => {
                    let esc = Mark {
                        pos: i,
                        line,
                        line_start,
                    };
                    i = self.read_escape(esc, &mut buf, mark)?;
                }
            }
        }
    }

    /// Decode the escape whose `\` is at `esc`; return the byte offset after it.
    fn read_escape(
        &self,
        esc: Mark,
        buf: &mut String,
        string_mark: Mark,
    ) -> Result<usize, EdnError> {
        let src = self.src;
        let i = esc.pos;
        let Some(&e) = src.get(i + 1) else {
            return Err(self.error(string_mark, "unterminated string"));
        };
        let simple = match e {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'n' => Some('\n'),
            b't' => Some('\t'),
            b'r' => Some('\r'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            _ => None,
        };
        if let Some(c) = simple {
            buf.push(c);
            return Ok(i + 2);
        }
        match e {
            b'u' => {
                let (hi, after) = self.hex4(i + 2, esc)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A UTF-16 surrogate pair written as two escapes.
                    if src.get(after) == Some(&b'\\') && src.get(after + 1) == Some(&b'u') {
                        let (lo, after2) = self.hex4(after + 2, Mark { pos: after, ..esc })?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            if let Some(c) = char::from_u32(c) {
                                buf.push(c);
                                return Ok(after2);
                            }
                        }
                    }
                    return Err(
                        self.error(esc, format!("unpaired surrogate \\u{hi:04X} in string"))
                    );
                }
                match char::from_u32(hi) {
                    Some(c) => {
                        buf.push(c);
                        Ok(after)
                    }
                    None => {
                        Err(self.error(esc, format!("unpaired surrogate \\u{hi:04X} in string")))
                    }
                }
            }
            b'0'..=b'7' => {
                let mut j = i + 1;
                let mut v: u32 = 0;
                while j < i + 4 && j < src.len() && (b'0'..=b'7').contains(&src[j]) {
                    v = v * 8 + u32::from(src[j] - b'0');
                    j += 1;
                }
                if v > 0o377 {
                    return Err(self.error(esc, "octal escape out of range (max \\377) in string"));
                }
                buf.push(char::from(v as u8));
                Ok(j)
            }
            _ => {
                let c = self.char_at(i + 1);
                Err(self.error(esc, format!("unknown escape '\\{c}' in string")))
            }
        }
    }

    /// Exactly four hex digits at `pos`.
    fn hex4(&self, pos: usize, esc: Mark) -> Result<(u32, usize), EdnError> {
        let digits = self.src.get(pos..pos + 4);
        let parsed = digits.and_then(|d| {
            d.iter().try_fold(0u32, |acc, &b| {
                (b as char).to_digit(16).map(|x| acc * 16 + x)
            })
        });
        match parsed {
            Some(v) => Ok((v, pos + 4)),
            None => Err(self.error(
                esc,
                "invalid unicode escape (expected \\u and 4 hex digits)",
            )),
        }
    }

    fn read_char(&mut self, mark: Mark) -> Result<Edn, EdnError> {
        let i = self.pos + 1;
        let Some(&b) = self.src.get(i) else {
            return Err(self.error(
                mark,
                "unexpected end of input after '\\' (expected a character)",
            ));
        };
        if b >= 0x80 {
            let c = self.char_at(i);
            let end = i + c.len_utf8();
            self.check_token_end(end, "character literal")?;
            self.pos = end;
            return Ok(Edn::Char(c));
        }
        if class(b) & WS != 0 {
            return Err(self.error(mark, "expected a character after '\\'"));
        }
        let mut end = i + 1;
        if b.is_ascii_alphanumeric() {
            while end < self.src.len() && self.src[end].is_ascii_alphanumeric() {
                end += 1;
            }
        }
        let tok = &self.text[i..end];
        let c = if tok.len() == 1 {
            b as char
        } else {
            match tok {
                "newline" => '\n',
                "space" => ' ',
                "tab" => '\t',
                "return" => '\r',
                "formfeed" => '\u{c}',
                "backspace" => '\u{8}',
                _ => {
                    let decoded = if let Some(hex) = tok.strip_prefix('u').filter(|h| h.len() == 4)
                    {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(oct) =
                        tok.strip_prefix('o').filter(|o| (1..=3).contains(&o.len()))
                    {
                        u32::from_str_radix(oct, 8)
                            .ok()
                            .filter(|&v| v <= 0o377)
                            .and_then(char::from_u32)
                    } else {
                        None
                    };
                    match decoded {
                        Some(c) => c,
                        None => {
                            return Err(
                                self.error(mark, format!("unknown character literal \\{tok}"))
                            )
                        }
                    }
                }
            }
        };
        self.check_token_end(end, "character literal")?;
        self.pos = end;
        Ok(Edn::Char(c))
    }
}

/// Give a keyword or symbol key without a namespace the namespace `ns` (`#:ns{...}`);
/// `:_/name` loses its namespace.
fn qualify(k: &mut Edn, ns: &str) {
    if let Edn::Keyword(name) | Edn::Symbol(name) = k {
        if let Some(bare) = name.strip_prefix("_/") {
            *name = bare.to_owned();
        } else if !name.contains('/') {
            *name = format!("{ns}/{name}");
        }
    }
}

/// Parse a number token. The error is a suffix for the "invalid number" message.
fn parse_number(tok: &str) -> Result<Edn, &'static str> {
    let t = tok.as_bytes();
    let n = t.len();
    let (neg, ds) = match t.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut i = ds;
    let mut mag: u64 = 0;
    let mut overflow = false;
    while i < n && t[i].is_ascii_digit() {
        if !overflow {
            match mag
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(t[i] - b'0')))
            {
                Some(m) => mag = m,
                None => overflow = true,
            }
        }
        i += 1;
    }
    if i == ds {
        return Err("");
    }
    if i == n || (t[i] == b'N' && i + 1 == n) {
        if i - ds > 1 && t[ds] == b'0' {
            return Err(" (leading zeros are not allowed)");
        }
        let fits = if overflow {
            None
        } else if neg {
            0i64.checked_sub_unsigned(mag)
        } else {
            i64::try_from(mag).ok()
        };
        return Ok(match fits {
            Some(v) => Edn::Int(v),
            None => {
                let digits = &tok[ds..i];
                Edn::BigInt(if neg {
                    format!("-{digits}")
                } else {
                    digits.to_owned()
                })
            }
        });
    }
    match t[i] {
        b'/' => {
            let den = &t[i + 1..];
            if den.is_empty() || !den.iter().all(u8::is_ascii_digit) {
                return Err(" (expected digits after '/')");
            }
            let num: f64 = tok[..i].parse().map_err(|_| "")?;
            let den: f64 = tok[i + 1..].parse().map_err(|_| "")?;
            if den == 0.0 {
                return Err(" (ratio with a zero denominator)");
            }
            Ok(Edn::Float(num / den))
        }
        b'.' | b'e' | b'E' | b'M' => {
            if t[i] == b'.' {
                i += 1;
                while i < n && t[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < n && (t[i] == b'e' || t[i] == b'E') {
                i += 1;
                if i < n && (t[i] == b'+' || t[i] == b'-') {
                    i += 1;
                }
                let exp = i;
                while i < n && t[i].is_ascii_digit() {
                    i += 1;
                }
                if i == exp {
                    return Err(" (expected digits in the exponent)");
                }
            }
            let body = i;
            if i < n && t[i] == b'M' {
                i += 1;
            }
            if i != n {
                return Err("");
            }
            tok[..body].parse().map(Edn::Float).map_err(|_| "")
        }
        _ => Err(""),
    }
}

/// Parse every top-level form, each with the 1-based line where it starts.
pub fn parse_all(text: &str) -> Result<Vec<(usize, Edn)>, EdnError> {
    let mut p = Parser::new(text);
    let mut out = Vec::new();
    loop {
        p.skip_ignorable()?;
        if p.pos >= p.src.len() {
            return Ok(out);
        }
        let line = p.line;
        out.push((line, p.read(None)?));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(s: &str) -> Edn {
        Edn::Keyword(s.to_string())
    }
    fn sym(s: &str) -> Edn {
        Edn::Symbol(s.to_string())
    }
    fn st(s: &str) -> Edn {
        Edn::Str(s.to_string())
    }

    fn one(text: &str) -> Edn {
        let mut p = Parser::new(text);
        let v = p
            .parse_form()
            .unwrap_or_else(|e| panic!("{text:?} failed: {e}"));
        assert!(p.at_end().unwrap(), "{text:?} left input");
        v
    }

    #[test]
    fn edn_every_value_kind() {
        use Edn::*;
        #[rustfmt::skip]
        let cases: Vec<(&str, Edn)> = vec![
            ("nil", Nil), ("true", Bool(true)), ("false", Bool(false)),
            ("42", Int(42)), ("0", Int(0)), ("-0", Int(0)), ("-5", Int(-5)), ("+5", Int(5)),
            ("12N", Int(12)),
            ("9223372036854775807", Int(i64::MAX)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("9223372036854775808", BigInt("9223372036854775808".into())),
            ("-9223372036854775809", BigInt("-9223372036854775809".into())),
            ("+123456789012345678901234567890N", BigInt("123456789012345678901234567890".into())),
            ("1.5", Float(1.5)), ("-2.0", Float(-2.0)), ("1e3", Float(1000.0)), ("1E3", Float(1000.0)),
            ("-1.5e-3", Float(-1.5e-3)), ("+1.5e+2", Float(150.0)), ("1.", Float(1.0)),
            ("2.5M", Float(2.5)), ("7M", Float(7.0)), ("1/2", Float(0.5)), ("-3/4", Float(-0.75)),
            ("##Inf", Float(f64::INFINITY)), ("##-Inf", Float(f64::NEG_INFINITY)),
            (r#""""#, st("")),
            (r#""plain""#, st("plain")),
            (r#""a\"b\\c\nd\te\rf\bg\fh\u00e9""#, st("a\"b\\c\nd\te\rf\u{8}g\u{c}h\u{e9}")),
            (r#""h\u00E9llo \uD83D\uDE00""#, st("h\u{e9}llo \u{1F600}")),
            (r#""octal \101\0""#, st("octal A\0")),
            ("\"héllo, 世界\"", st("héllo, 世界")),
            ("\"multi\nline\"", st("multi\nline")),
            (r"\a", Char('a')), (r"\Z", Char('Z')), (r"\newline", Char('\n')),
            (r"\space", Char(' ')), (r"\tab", Char('\t')), (r"\return", Char('\r')),
            (r"\formfeed", Char('\u{c}')), (r"\backspace", Char('\u{8}')),
            (r"\u0041", Char('A')), (r"\o101", Char('A')), (r"\(", Char('(')),
            (r"\\", Char('\\')), ("\\é", Char('é')),
            (":a", kw("a")), (":type", kw("type")), (":a/b", kw("a/b")),
            (":a.b/c-d?", kw("a.b/c-d?")), (":a:b", kw("a:b")), (":1", kw("1")),
            ("foo", sym("foo")), ("-", sym("-")), ("+", sym("+")), ("-foo", sym("-foo")),
            ("+a", sym("+a")), (".foo", sym(".foo")), ("/", sym("/")), ("a/b", sym("a/b")),
            ("<=>!?$%&*_'", sym("<=>!?$%&*_'")), ("a#", sym("a#")), ("nil?", sym("nil?")),
            ("[]", Vector(vec![])),
            ("[1 2, 3]", Vector(vec![Int(1), Int(2), Int(3)])),
            ("(1 :a)", List(vec![Int(1), kw("a")])),
            ("()", List(vec![])),
            ("{}", Map(vec![])),
            ("{:a 1, :b nil}", Map(vec![(kw("a"), Int(1)), (kw("b"), Nil)])),
            ("{:a 1 :a 2}", Map(vec![(kw("a"), Int(1)), (kw("a"), Int(2))])),
            ("{[1] {2 3}}", Map(vec![(Vector(vec![Int(1)]), Map(vec![(Int(2), Int(3))]))])),
            ("#{}", Set(vec![])),
            ("#{1 :b}", Set(vec![Int(1), kw("b")])),
            ("#:a{:b 1 :_/c 2 :d/e 3 x 4}", Map(vec![
                (kw("a/b"), Int(1)), (kw("c"), Int(2)), (kw("d/e"), Int(3)), (sym("a/x"), Int(4)),
            ])),
            ("#inst \"2024-01-01T00:00:00.000-00:00\"",
             Tagged("inst".into(), Box::new(st("2024-01-01T00:00:00.000-00:00")))),
            ("#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"",
             Tagged("uuid".into(), Box::new(st("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")))),
            ("#jepsen.history.Op{:type :ok}",
             Tagged("jepsen.history.Op".into(), Box::new(Map(vec![(kw("type"), kw("ok"))])))),
            ("#a #b 1", Tagged("a".into(), Box::new(Tagged("b".into(), Box::new(Int(1)))))),
            ("#a #_ 1 2", Tagged("a".into(), Box::new(Int(2)))),
            ("[1 #_ 2 3]", Vector(vec![Int(1), Int(3)])),
            ("[1 #_ [2 [3]] 4]", Vector(vec![Int(1), Int(4)])),
            ("#_ #_ a b c", sym("c")),
            ("[#_ #_ a b]", Vector(vec![])),
            ("; comment\n  ,, 7 ; trailing", Int(7)),
            ("[a;c\nb]", Vector(vec![sym("a"), sym("b")])),
            ("[:a\"s\"[1]]", Vector(vec![kw("a"), st("s"), Vector(vec![Int(1)])])),
            ("\u{feff}5", Int(5)),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), want, "input {text:?}");
        }
        match one("##NaN") {
            Float(f) => assert!(f.is_nan()),
            other => panic!("##NaN gave {other:?}"),
        }
    }

    #[test]
    fn edn_jepsen_op_line_with_independent_tuple() {
        let line = "{:type :ok, :f :txn, :process 3, :time 123456789, :index 17, \
                    :value [3 [1 2]], :error nil}";
        let op = one(line);
        assert_eq!(op.get("type").and_then(Edn::as_keyword), Some("ok"));
        assert_eq!(op.get("f").and_then(Edn::as_keyword), Some("txn"));
        assert_eq!(op.get("process").and_then(Edn::as_i64), Some(3));
        assert_eq!(op.get("time").and_then(Edn::as_i64), Some(123_456_789));
        assert_eq!(op.get("index").and_then(Edn::as_i64), Some(17));
        assert_eq!(op.get("error"), Some(&Edn::Nil));
        assert_eq!(op.get("missing"), None);
        assert_eq!(
            op.get("value"),
            Some(&Edn::Vector(vec![
                Edn::Int(3),
                Edn::Vector(vec![Edn::Int(1), Edn::Int(2)])
            ]))
        );
        // Record literal form of the same op, looked through by `get`.
        let rec = one("#jepsen.history.Op{:type :info, :process :nemesis}");
        assert_eq!(rec.get("type").and_then(Edn::as_keyword), Some("info"));
        assert_eq!(
            rec.get("process").and_then(Edn::as_keyword),
            Some("nemesis")
        );
        assert_eq!(Edn::Int(1).get("type"), None);
        assert_eq!(Edn::Int(1).as_keyword(), None);
        assert_eq!(kw("a").as_i64(), None);
    }

    #[test]
    fn edn_parse_all_lines_and_vector() {
        let per_line = "{:type :invoke, :f :read, :process 0, :time 1, :index 0, :value nil}\n\
                        {:type :ok, :f :read, :process 0, :time 2, :index 1, :value 5}\n\
                        \n\
                        ; a comment line\n\
                        {:type :fail, :f :cas, :process 1, :time 3, :index 2, :value [1 2]}\n";
        let forms = parse_all(per_line).unwrap();
        let lines: Vec<usize> = forms.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 2, 5]);
        let types: Vec<&str> = forms
            .iter()
            .filter_map(|(_, v)| v.get("type").and_then(Edn::as_keyword))
            .collect();
        assert_eq!(types, vec!["invoke", "ok", "fail"]);

        let whole = "[{:type :invoke, :f :read, :process 0, :index 0}\n \
                     {:type :ok, :f :read, :process 0, :index 1, :value 3}\n \
                     {:type :info,\n  :f :kill, :process :nemesis, :index 2}]\n";
        let forms = parse_all(whole).unwrap();
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].0, 1);
        let Edn::Vector(ops) = &forms[0].1 else {
            panic!("not a vector: {:?}", forms[0].1)
        };
        assert_eq!(ops.len(), 3);
        assert_eq!(
            ops[2].get("process").and_then(Edn::as_keyword),
            Some("nemesis")
        );
        assert_eq!(ops[1].get("value").and_then(Edn::as_i64), Some(3));

        assert_eq!(parse_all("").unwrap(), vec![]);
        assert_eq!(parse_all("  ; only a comment\n#_ 1").unwrap(), vec![]);
        assert_eq!(
            parse_all("1 2\n3").unwrap(),
            vec![(1, Edn::Int(1)), (1, Edn::Int(2)), (2, Edn::Int(3))]
        );
    }

    #[test]
    fn edn_parser_steps_into_top_level_vector() {
        let text = "; history\n[\n  {:index 0, :type :invoke}\n  #_ {:index 99}\n  {:index 1,\n   :type :ok}\n\n  {:index 2, :type :info}\n]\n";
        let mut p = Parser::new(text);
        assert_eq!(p.peek().unwrap(), Some(b'['));
        assert_eq!((p.line(), p.column()), (2, 1));
        p.bump();
        let mut seen = Vec::new();
        loop {
            match p.peek().unwrap() {
                Some(b']') => {
                    p.bump();
                    break;
                }
                None => panic!("unexpected end"),
                Some(_) => {
                    let (line, col) = (p.line(), p.column());
                    let op = p.parse_form().unwrap();
                    seen.push((line, col, op.get("index").and_then(Edn::as_i64).unwrap()));
                }
            }
        }
        assert_eq!(seen, vec![(3, 3, 0), (5, 3, 1), (8, 3, 2)]);
        assert!(p.at_end().unwrap());
        assert_eq!(p.peek().unwrap(), None);
        assert_eq!(p.line(), 10);
        p.bump(); // no-op at end
        assert!(p.parse_form().is_err());
    }

    #[test]
    fn edn_error_positions() {
        let deep = "[".repeat(600);
        let deep_tags = "#a ".repeat(600) + "1";
        let deep_discards = "#_ ".repeat(600) + "1 2";
        // (input, line, column, message fragment)
        #[rustfmt::skip]
        let cases: Vec<(&str, usize, usize, &str)> = vec![
            ("{:a \"abc", 1, 5, "unterminated string"),
            ("[1\n  {:x \"ab\ncd", 2, 7, "unterminated string"),
            (")", 1, 1, "unexpected ')' (expected a value)"),
            ("[1 2)", 1, 5, "unexpected ')' (expected ']' to close the vector opened at line 1, column 1)"),
            ("{:a 1 :b}", 1, 9, "map has an odd number of forms"),
            ("\n[1\n 2", 3, 3, "unexpected end of input inside a vector opened at line 2, column 1"),
            ("(1 {:a [2", 1, 10, "inside a vector opened at line 1, column 8"),
            ("[:a é]", 1, 5, "non-ASCII character 'é'"),
            ("  ü", 1, 3, "non-ASCII"),
            ("[:aé]", 1, 4, "non-ASCII character 'é' (U+00E9) in keyword"),
            ("0x1F", 1, 1, "invalid number \"0x1F\""),
            ("[1 012]", 1, 4, "leading zeros"),
            ("1.5e", 1, 1, "exponent"),
            ("1/0", 1, 1, "zero denominator"),
            (".5", 1, 1, "invalid number"),
            ("[1 2 :a@b]", 1, 8, "invalid character '@' in keyword"),
            ("\"abc\n  de\\qf\"", 2, 5, "unknown escape '\\q'"),
            ("\"\\u12\"", 1, 2, "invalid unicode escape"),
            ("\"\\uD800x\"", 1, 2, "unpaired surrogate"),
            ("\\bogus", 1, 1, "unknown character literal"),
            ("\\", 1, 1, "expected a character"),
            ("#_", 1, 3, "after #_ (expected a form to discard)"),
            ("[1 #_]", 1, 6, "expected a form after #_"),
            ("#inst", 1, 6, "after tag #inst"),
            ("#\"re\"", 1, 1, "regex"),
            ("#(inc %)", 1, 1, "invalid dispatch '#('"),
            ("##Foo", 1, 1, "unknown symbolic value"),
            ("::a", 1, 1, "auto-resolved"),
            (": a", 1, 1, "expected a keyword name"),
            ("'a", 1, 1, "unexpected '\\''"),
            ("@a", 1, 1, "unexpected '@'"),
            ("a/", 1, 1, "invalid symbol"),
            (&deep, 1, 101, "nesting deeper than 100"),
            (&deep_tags, 1, 301, "nesting deeper than 100"),
            (&deep_discards, 1, 301, "nesting deeper than 100"),
        ];
        for (text, line, column, frag) in cases {
            let err = match parse_all(text) {
                Ok(v) => panic!("{text:?} parsed as {v:?}"),
                Err(e) => e,
            };
            assert!(
                err.message.contains(frag),
                "{text:?}: message {:?} lacks {frag:?}",
                err.message
            );
            assert_eq!((err.line, err.column), (line, column), "{text:?}: {err}");
        }
        let err = Parser::new("").parse_form().unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert_eq!(err.message, "unexpected end of input (expected a value)");
        let err = Parser::new("\n  ; c\n").parse_form().unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
    }

    #[test]
    fn edn_error_display() {
        let err = parse_all("1\n2\n{:a 1, :bb \"oops").unwrap_err();
        assert_eq!(err.to_string(), "line 3, column 12: unterminated string");
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().starts_with("line 3"));
    }

    #[test]
    fn edn_nesting_at_the_limit_is_fine() {
        let text = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_all(&text).is_ok());
        let text = "[".repeat(101) + &"]".repeat(101);
        assert!(parse_all(&text).is_err());
    }

    const DOC: &str = "; a Jepsen history\n\
        [{:type :invoke, :f :read, :process 0, :time 12, :index 0, :value nil}\n \
        {:type :ok, :f :read, :process 0, :time 15, :index 1, :value [3 [1 2]]}\n \
        {:type :info, :f :start, :process :nemesis, :value #{\"n1\" \"n2\"}, :x 1.5e3 :y -7N}\n \
        #jepsen.history.Op{:type :fail, :error (\"héllo\\n\\u00e9 世界\" \\a \\newline 1/3 2.5M)}\n \
        #_ {:discarded true} #inst \"2024-01-01T00:00:00Z\" ##Inf #:ns{:k :v} 99999999999999999999\n]\n";

    #[test]
    fn edn_every_prefix_and_mutation_without_panic() {
        assert!(parse_all(DOC).is_ok());
        let mut bounds: Vec<usize> = DOC.char_indices().map(|(i, _)| i).collect();
        bounds.push(DOC.len());
        for &end in &bounds {
            let _ = parse_all(&DOC[..end]);
            let _ = parse_all(&DOC[end..]);
            let mut p = Parser::new(&DOC[..end]);
            while let Ok(Some(_)) = p.peek() {
                p.bump();
                let _ = p.parse_form();
                let _ = p.column();
            }
        }
        let inserts = [
            "[", "]", "{", "}", "(", ")", "\"", "\\", "#", "#_", ":", ";", "\n", "é", "#{", "##",
            "\\u",
        ];
        for &at in &bounds {
            for ins in inserts {
                let mutated = format!("{}{}{}", &DOC[..at], ins, &DOC[at..]);
                if let Err(e) = parse_all(&mutated) {
                    assert!(e.line >= 1 && e.column >= 1);
                }
            }
        }
    }
}
