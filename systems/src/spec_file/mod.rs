//! Systems described in YAML: any image or binary, any command, and a client protocol
//! (`maelstrom`, `etcd`, `http-kv`, `exec`), so a user can test their own system without
//! writing Rust. `systems/etcd.yaml` is the worked example (and the built-in `etcd`);
//! `--system maelstrom --bin PATH` is a spec made from a Maelstrom binary; any other spec is
//! a file, `--system ./my-system.yaml`. The format is documented in docs/systems.md.
//!
//! A spec is checked whole when it is loaded: a YAML mistake, an unknown field, a value that
//! makes no sense, a template naming an unknown variable: each is reported with the file,
//! line and column, and what was expected.

mod builtin;
mod faketime;
mod image;
mod schema;
mod system;
mod template;
mod validate;
mod vars;

pub use builtin::{builtin, maelstrom, BUILTIN};
pub use schema::{ClientSpec, HttpReady, ImageSource, LeaderSpec, Ready, SystemSpec};
pub use system::{client_command, SpecSystem};

use std::path::{Path, PathBuf};

/// A spec with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub spec: SystemSpec,
    /// The file (or `built-in NAME`), for errors.
    pub origin: String,
    /// Relative paths in the spec are from here.
    pub dir: PathBuf,
    /// The YAML text, to locate fields in errors.
    pub text: String,
}

impl Loaded {
    /// An error about `field` (a dotted path), at its line and column when it can be found.
    pub fn error_at(&self, field: &str, message: &str) -> String {
        match crate::locate::locate(&self.text, field) {
            Some((line, col)) => format!("{}:{line}:{col}: {field}: {message}", self.origin),
            None => format!("{}: {field}: {message}", self.origin),
        }
    }
}

/// Whether `--system` names a file rather than a built-in system.
pub fn is_path(system: &str) -> bool {
    system.ends_with(".yaml") || system.ends_with(".yml") || system.contains('/')
}

/// Reads and checks a spec file.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text = crate::yaml::read_file(path, "system spec")?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    parse(&text, &path.display().to_string(), dir)
}

/// Parses and checks a spec; errors start with `origin:line:column: `.
pub fn parse(text: &str, origin: &str, dir: PathBuf) -> Result<Loaded, String> {
    let spec: SystemSpec = crate::yaml::parse(text).map_err(|e| format!("{origin}:{e}"))?;
    let loaded = Loaded {
        spec,
        origin: origin.to_string(),
        dir,
        text: text.to_string(),
    };
    validate::validate(&loaded)?;
    Ok(loaded)
}
