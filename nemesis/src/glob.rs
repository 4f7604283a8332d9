//! Path patterns, as a system spec names the files worth corrupting: `*` is any run of
//! characters but `/`, `**` any run at all (directories too), `?` one character but `/`;
//! everything else stands for itself.
//!
//! ```
//! use nemesis::glob::matches;
//! assert!(matches("member/wal/*.wal", "member/wal/0000-0001.wal"));
//! assert!(!matches("*.wal", "member/wal/0000-0001.wal"));
//! assert!(matches("**/*.wal", "member/wal/0000-0001.wal"));
//! ```

/// Whether `path` matches `pattern` whole.
pub fn matches(pattern: &str, path: &str) -> bool {
    match_bytes(pattern.as_bytes(), path.as_bytes())
}

fn match_bytes(p: &[u8], s: &[u8]) -> bool {
    match p {
        [] => s.is_empty(),
        // `**/`: no directory at all, or any run of them.
        [b'*', b'*', b'/', rest @ ..] => (0..=s.len())
            .filter(|&i| i == 0 || s[i - 1] == b'/')
            .any(|i| match_bytes(rest, &s[i..])),
        [b'*', b'*', rest @ ..] => (0..=s.len()).any(|i| match_bytes(rest, &s[i..])),
        [b'*', rest @ ..] => (0..=s.len())
            .take_while(|&i| i == 0 || s[i - 1] != b'/')
            .any(|i| match_bytes(rest, &s[i..])),
        [b'?', rest @ ..] => matches!(s, [c, tail @ ..] if *c != b'/' && match_bytes(rest, tail)),
        [c, rest @ ..] => matches!(s, [d, tail @ ..] if c == d && match_bytes(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_match_as_documented() {
        let cases = [
            ("*", "a", true),
            ("*", "a/b", false),
            ("**", "a/b", true),
            ("**/db", "db", true),
            ("**/db", "member/snap/db", true),
            ("**/db", "member/snapdb", false),
            ("member/*/db", "member/snap/db", true),
            ("member/*/db", "member/snap/x/db", false),
            ("*.wal", "0001.wal", true),
            ("*.wal", "0001.wal.tmp", false),
            ("?.log", "a.log", true),
            ("?.log", "ab.log", false),
            ("raft.log", "raft.log", true),
            ("raft.log", "raft.logs", false),
            ("zk/version-2/log.*", "zk/version-2/log.100000001", true),
        ];
        for (p, s, want) in cases {
            assert_eq!(matches(p, s), want, "{p} vs {s}");
        }
    }
}
