//! Replaying a fuzz target's corpus on stable Rust: every file, then seeded mutations of
//! them (bit flips, interesting bytes and tokens, deletions, truncations, repeats and
//! splices), each through the target's property function. A failing case is printed and
//! saved so it can be added to the corpus and run with `cargo fuzz run <target> <file>`.

use crate::rng::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Longest mutated input (the fuzzers run with inputs of a few KB).
const MAX_LEN: usize = 16 * 1024;

/// Bytes and tokens the readers give meaning to.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b":",
    b",",
    b"\n",
    b"\r\n",
    b"#",
    b"#_",
    b"#{",
    b"##",
    b";",
    b" ",
    b"\t",
    b"nil",
    b"null",
    b"-",
    b"0",
    b"-1",
    b"1e999",
    b"1.5",
    b"9223372036854775807",
    b"9223372036854775808",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\\u0000",
    b"\\uD800",
    b"%",
    b"%2e%2e",
    b"%2F",
    b"%00",
    b"..",
    b"/",
    b"//",
    b"{{",
    b"}}",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
    b"\xff",
    b"\xc3",
    b"---",
    b"- ",
    b"&a",
    b"*a",
    b"!!",
    b"|",
    b">",
    b"~",
    b"'",
    b":nemesis",
    b":invoke",
    b":ok",
    b":info",
    b":fail",
    b"\"type\"",
    b"\"process\"",
    b"jepsen.util - ",
    b"runs",
    b"sweeps",
    b"latest",
];

/// How many files and cases [`replay`] ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    pub files: usize,
    pub cases: usize,
}

/// The corpus of a fuzz target in this repository: `fuzz/corpus/<target>`.
pub fn dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// CI's short run of a target: its corpus and `SCHISM_FUZZ_CASES` (default 3000) mutations
/// seeded by `SCHISM_FUZZ_SEED` (default fixed), through `check`.
pub fn replay_target(target: &str, check: impl Fn(&[u8])) -> Replayed {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cases = env("SCHISM_FUZZ_CASES", 3000) as usize;
    let r = replay(&dir(target), cases, env("SCHISM_FUZZ_SEED", 0x5c15), check);
    assert_eq!(r.cases, r.files + cases);
    r
}

/// Every file of `dir` (sorted by name), then `mutations` seeded mutations of them, through
/// `check`. A case that panics is printed, saved under the temporary directory, and the
/// panic goes on.
pub fn replay(dir: &Path, mutations: usize, seed: u64, check: impl Fn(&[u8])) -> Replayed {
    let files = read_dir(dir);
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    for (path, data) in &files {
        run_case(&check, data, &format!("{}", path.display()));
    }
    let mut rng = Rng::new(seed);
    for i in 0..mutations {
        let data = mutate(&mut rng, &files);
        run_case(
            &check,
            &data,
            &format!("mutation {i} of seed {seed} in {}", dir.display()),
        );
    }
    Replayed {
        files: files.len(),
        cases: files.len() + mutations,
    }
}

/// The files of a corpus directory, sorted by name.
pub fn read_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()));
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, data)
        })
        .collect();
    files.sort();
    files
}

fn run_case(check: &impl Fn(&[u8]), data: &[u8], what: &str) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(data))) {
        let saved =
            std::env::temp_dir().join(format!("schism-fuzz-failure-{}", std::process::id()));
        let _ = std::fs::write(&saved, data);
        let shown: String = String::from_utf8_lossy(data).chars().take(2000).collect();
        eprintln!(
            "fuzz property failed on {what} (input saved to {}):\n{shown:?}",
            saved.display()
        );
        std::panic::resume_unwind(panic);
    }
}

/// One to four stacked mutations of a random corpus file.
pub fn mutate(rng: &mut Rng, files: &[(PathBuf, Vec<u8>)]) -> Vec<u8> {
    let pick = |rng: &mut Rng| &files[rng.below(files.len() as u64) as usize].1;
    let mut d = pick(rng).clone();
    for _ in 0..rng.between(1, 4) {
        let at = |rng: &mut Rng, d: &[u8]| rng.below(d.len() as u64 + 1) as usize;
        match rng.below(8) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len() as u64) as usize;
                d[i] ^= 1 << rng.below(8);
            }
            1 if !d.is_empty() => {
                let i = rng.below(d.len() as u64) as usize;
                let t = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                d[i] = t[0];
            }
            2 | 3 => {
                let i = at(rng, &d);
                let t = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                d.splice(i..i, t.iter().copied());
            }
            4 => {
                let i = at(rng, &d);
                let j = (i + rng.below(16) as usize).min(d.len());
                d.drain(i..j);
            }
            5 => {
                let i = at(rng, &d);
                d.truncate(i);
            }
            6 => {
                let i = at(rng, &d);
                let j = (i + rng.below(32) as usize).min(d.len());
                let chunk = d[i..j].to_vec();
                for _ in 0..rng.between(1, 200) {
                    d.splice(j..j, chunk.iter().copied());
                }
            }
            _ => {
                let other = pick(rng);
                let i = at(rng, &d);
                let j = rng.below(other.len() as u64 + 1) as usize;
                d.truncate(i);
                d.extend_from_slice(&other[j..]);
            }
        }
        d.truncate(MAX_LEN);
    }
    d
}
