//! `corrupt-file`: damage a file of the target nodes' data directories while they are
//! stopped, then start them again. Each node is killed, one regular file of its data
//! directory is chosen by seed (among those matching the system's patterns, when it names
//! any), damaged ([`crate::damage`]: bits flipped, a chunk zeroed, or the file truncated),
//! written back, and the node started. The nodes' answers in the history name the file,
//! the offset, how many bytes, and those bytes before and after. Heal makes sure the nodes
//! run; the damage stays, as a disk's would.
//!
//! Options (`nemesis.options.corrupt-file`): `modes` (default all three), `max_bytes` (the
//! largest chunk flipped or zeroed, default 64), `paths` (patterns that replace the
//! system's).

use crate::damage::{self, Mode};
use crate::env::Env;
use crate::glob;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::{NemesisError, NemesisOptions};
use async_trait::async_trait;
use futures_util::future::try_join_all;
use history::rng::Rng;
use history::Value;
use serde_json::json;

pub struct CorruptFile;

const NAME: &str = "corrupt-file";

#[derive(Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    modes: Vec<String>,
    max_bytes: u64,
    paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            modes: Mode::all_names(),
            max_bytes: 64,
            paths: Vec::new(),
        }
    }
}

/// The fault's options, checked: known modes, a data directory to corrupt.
fn settings(o: &NemesisOptions) -> Result<(Options, Vec<Mode>, String), NemesisError> {
    let opts: Options = o.section(NAME)?;
    let modes = Mode::from_names(&opts.modes, NAME, "modes")?;
    let dir = o.system.data_dir.clone().ok_or_else(|| {
        NemesisError::Unsupported(format!(
            "the {NAME} nemesis damages files of a node's data directory, and this system \
             names none (give its spec a data_dir)"
        ))
    })?;
    Ok((opts, modes, dir))
}

/// The files a node's damage is drawn from: regular, non-empty, matching a pattern
/// (relative to the data directory) when any is given.
fn candidates(files: Vec<cluster::FileEntry>, dir: &str, patterns: &[String]) -> Vec<String> {
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    files
        .into_iter()
        .filter(|f| f.size > 0)
        .filter(|f| {
            let rel = f.path.strip_prefix(&prefix).unwrap_or(&f.path);
            patterns.is_empty() || patterns.iter().any(|p| glob::matches(p, rel))
        })
        .map(|f| f.path)
        .collect()
}

/// Kill one node, damage one of its files, start it; what was done.
async fn corrupt_one(
    env: &Env<'_>,
    node: &str,
    (mode, seed): (Mode, u64),
    (opts, dir): (&Options, &str),
) -> Result<Value, NemesisError> {
    let c = env.cluster;
    c.kill(node).await?;
    let damaged = async {
        let patterns = if opts.paths.is_empty() {
            &env.options.system.corrupt_paths
        } else {
            &opts.paths
        };
        let files = candidates(c.list_files(node, dir).await?, dir, patterns);
        if files.is_empty() {
            return Ok::<Value, NemesisError>(json!({
                "error": format!("no non-empty file under {dir} matches {patterns:?}")
            }));
        }
        let mut rng = Rng::new(seed);
        let file = &files[rng.below(files.len() as u64) as usize];
        let mut bytes = c.read_file(node, file).await?;
        let d = damage::apply(mode, &mut bytes, opts.max_bytes, &mut rng);
        c.write_file(node, file, &bytes).await?;
        let mut v = serde_json::to_value(&d).unwrap_or(Value::Null);
        v["file"] = json!(file);
        Ok(v)
    }
    .await;
    // Started again whatever happened to the file.
    c.start(node).await?;
    damaged
}

#[async_trait]
impl Nemesis for CorruptFile {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, options: &NemesisOptions) -> Result<(), NemesisError> {
        settings(options).map(|_| ())
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let (_, modes, _) = settings(env.options)?;
        let nodes = targeted(env, &env.free_nodes(), rng);
        if nodes.is_empty() {
            return Ok(None);
        }
        let mode = modes[rng.below(modes.len() as u64) as usize];
        Ok(Some(tagged(
            NAME,
            json!({ "nodes": nodes, "mode": mode.name(), "seed": rng.next_u64() }),
        )))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let (opts, _, dir) = settings(env.options)?;
        let mode = fault["mode"]
            .as_str()
            .and_then(Mode::from_name)
            .ok_or_else(|| NemesisError::Unknown(format!("{NAME}: no mode in {fault}")))?;
        let seed = fault["seed"].as_u64().unwrap_or(0);
        let nodes = nodes_of(fault);
        let done = try_join_all(nodes.iter().enumerate().map(|(i, n)| {
            let node_seed = seed.wrapping_add(i as u64);
            corrupt_one(env, n, (mode, node_seed), (&opts, &dir))
        }))
        .await?;
        Ok(Value::Object(nodes.into_iter().zip(done).collect()))
    }

    /// The damage stays; the nodes run (started again if invoke stopped half way).
    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.start(n))).await?;
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemFacts;
    use cluster::fake::FakeCluster;
    use cluster::Cluster;

    fn options(paths: &[&str], section: Value) -> NemesisOptions {
        let mut o = NemesisOptions {
            faults: vec![NAME.into()],
            system: SystemFacts {
                data_dir: Some("/data".into()),
                corrupt_paths: paths.iter().map(|p| p.to_string()).collect(),
                ..SystemFacts::default()
            },
            ..NemesisOptions::default()
        };
        o.sections.insert(NAME.into(), section);
        o
    }

    fn fleet() -> FakeCluster {
        let c = FakeCluster::new(3);
        for n in ["n1", "n2", "n3"] {
            c.put_file(n, "/data/wal/0001.wal", &[1u8; 100]);
            c.put_file(n, "/data/snap/db", &[2u8; 300]);
            c.put_file(n, "/data/empty", &[]);
            c.put_file(n, "/etc/other", &[3u8; 10]);
        }
        c
    }

    #[tokio::test]
    async fn a_stopped_node_gets_a_seeded_file_damaged_then_runs_again() {
        let c = fleet();
        let o = options(&[], json!({"modes": ["zero"], "max_bytes": 8}));
        let e = Env::plain(&c, &o);
        let fault = CorruptFile.choose(&e, &mut Rng::new(5)).unwrap().unwrap();
        assert_eq!(fault["mode"], "zero");
        let answers = CorruptFile.invoke(&e, &fault).await.unwrap();
        for n in nodes_of(&fault) {
            let a = &answers[&n];
            let file = a["file"].as_str().unwrap();
            assert!(
                ["/data/wal/0001.wal", "/data/snap/db"].contains(&file),
                "{a}"
            );
            let s = c.state(&n);
            assert!(s.running && s.kills == 1 && s.starts == 1, "{s:?}");
            assert_eq!(s.writes_running, [false], "written while stopped");
            let (o, len) = (a["offset"].as_u64().unwrap(), a["bytes"].as_u64().unwrap());
            assert!((1..=8).contains(&len));
            let data = c.read_file(&n, file).await.unwrap();
            assert!(data[o as usize..(o + len) as usize].iter().all(|b| *b == 0));
            assert_eq!(a["after_hex"], "00".repeat(len as usize));
        }
        // The same seed, the same choice.
        let again = CorruptFile.choose(&e, &mut Rng::new(5)).unwrap().unwrap();
        assert_eq!(again, fault);
        CorruptFile.heal(&e, &fault).await.unwrap();
    }

    #[tokio::test]
    async fn the_systems_patterns_narrow_the_choice_and_options_replace_them() {
        let c = fleet();
        for (paths, section, want) in [
            (vec!["wal/*.wal"], json!({}), "/data/wal/0001.wal"),
            (vec!["**/db"], json!({}), "/data/snap/db"),
            (
                vec!["**/db"],
                json!({"paths": ["wal/*"]}),
                "/data/wal/0001.wal",
            ),
        ] {
            let mut o = options(&paths, section);
            o.targets = vec![crate::Target::All];
            let e = Env::plain(&c, &o);
            let fault = CorruptFile.choose(&e, &mut Rng::new(1)).unwrap().unwrap();
            let answers = CorruptFile.invoke(&e, &fault).await.unwrap();
            for n in ["n1", "n2", "n3"] {
                assert_eq!(answers[n]["file"], want, "{paths:?}");
            }
        }
    }

    #[tokio::test]
    async fn nothing_to_damage_is_said_and_the_node_still_runs() {
        let c = FakeCluster::new(1);
        c.put_file("n1", "/data/empty", &[]);
        let o = options(&[], json!({}));
        let e = Env::plain(&c, &o);
        let fault = CorruptFile.choose(&e, &mut Rng::new(1)).unwrap().unwrap();
        let answers = CorruptFile.invoke(&e, &fault).await.unwrap();
        assert!(answers["n1"]["error"]
            .as_str()
            .unwrap()
            .contains("no non-empty file"));
        assert!(c.state("n1").running);
    }

    #[test]
    fn bad_options_and_a_system_without_data_dir_are_refused_before_the_run() {
        let o = options(&[], json!({"modes": ["melt"]}));
        let e = CorruptFile.check(&o).unwrap_err().to_string();
        assert!(e.contains("melt") && e.contains("flip"), "{e}");
        let mut o = options(&[], json!({}));
        o.system.data_dir = None;
        let e = CorruptFile.check(&o).unwrap_err();
        assert!(matches!(e, NemesisError::Unsupported(_)));
        assert!(e.to_string().contains("corrupt-file") && e.to_string().contains("data_dir"));
    }
}
