//! From a spec's `image` to the files of the node image and the program's command.
//!
//! - An ELF binary goes to `/app/<its name>`, with the shared libraries `ldd` names.
//! - A script (`#!`) goes to `/app/` with every file of its directory (so it can import
//!   its neighbours), and its interpreter comes at its own path with its libraries; for
//!   Python, also its standard library (without its tests and installed packages). The
//!   command runs the interpreter on the script explicitly, so the image needs no `env`.
//! - `existing: IMAGE` builds on that local image; the command is the spec's.

use super::Loaded;
use cluster::ImageFile;
use std::path::{Path, PathBuf};

/// Where programs go in the image.
pub const APP_DIR: &str = "/app";
/// A script's directory larger than this is refused (it would all go into the image).
const MAX_SCRIPT_DIR_BYTES: u64 = 64 << 20;
/// Parts of Python's standard library a node does not need.
const PYTHON_SKIP: [&str; 9] = [
    "test",
    "site-packages",
    "dist-packages",
    "__pycache__",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "lib2to3",
];

/// The program of a spec, packed.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub files: Vec<ImageFile>,
    /// How to run it: `[binary]`, or `[interpreter, its flags.., script]`.
    pub argv: Vec<String>,
    /// `{{binary}}`: the program's path in the image.
    pub binary: String,
}

/// A name without a slash is looked up in PATH; a relative path is from the spec's dir.
fn resolve(dir: &Path, name: &str) -> PathBuf {
    if !name.contains('/') {
        if let Some(found) = on_path(name) {
            return found;
        }
    }
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The program of `image.binary`, or None for an existing image.
pub fn program(l: &Loaded) -> Result<Option<Program>, String> {
    let Some(binary) = &l.spec.image.binary else {
        return Ok(None);
    };
    let at = |m: String| l.error_at("image.binary", &m);
    let path = resolve(&l.dir, binary);
    let meta = std::fs::metadata(&path).map_err(|e| at(format!("{}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(at(format!("{}: not a regular file", path.display())));
    }
    let head = read_head(&path).map_err(|e| at(format!("{}: {e}", path.display())))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| at(format!("{}: no file name", path.display())))?
        .to_string();
    let in_image = format!("{APP_DIR}/{name}");
    if let Some(line) = head.strip_prefix("#!") {
        return script(&path, &in_image, line).map(Some).map_err(at);
    }
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o111 == 0 {
        return Err(at(format!(
            "{} is not executable (chmod +x it), and not a script starting with #!",
            path.display()
        )));
    }
    Ok(Some(Program {
        files: vec![ImageFile {
            host_path: path,
            image_path: in_image.clone(),
            with_libraries: true,
        }],
        argv: vec![in_image.clone()],
        binary: in_image,
    }))
}

/// The first line of a file (at most 256 bytes).
fn read_head(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = [0u8; 256];
    let n = std::fs::File::open(path)?.read(&mut buf)?;
    let text = String::from_utf8_lossy(&buf[..n]);
    Ok(text.lines().next().unwrap_or("").to_string())
}

fn script(path: &Path, in_image: &str, shebang: &str) -> Result<Program, String> {
    let mut words: Vec<&str> = shebang.split_whitespace().collect();
    if words.is_empty() {
        return Err(format!("{}: `#!` names no interpreter", path.display()));
    }
    if words[0].ends_with("/env") {
        words.remove(0);
        words.retain(|w| *w != "-S");
    }
    let (interpreter, flags) = words
        .split_first()
        .ok_or_else(|| format!("{}: `#!` names no interpreter", path.display()))?;
    let host = if interpreter.contains('/') {
        PathBuf::from(interpreter)
    } else {
        on_path(interpreter).ok_or_else(|| {
            format!(
                "{}: its interpreter {interpreter} is not on this machine's PATH",
                path.display()
            )
        })?
    };
    let python = host
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("python"));
    // A Python found on PATH may be a shim (pyenv's is a shell script): the interpreter
    // itself knows where it really is.
    let host = if python {
        python_executable(&host)?
    } else {
        host
    };
    let host = host.canonicalize().map_err(|e| {
        format!(
            "{}: its interpreter {}: {e}",
            path.display(),
            host.display()
        )
    })?;
    if read_head(&host).is_ok_and(|h| h.starts_with("#!")) {
        return Err(format!(
            "{}: its interpreter {} is itself a script; name the real interpreter in `#!`",
            path.display(),
            host.display()
        ));
    }
    let interp = host.display().to_string();
    let dir = path.parent().unwrap_or(Path::new("."));
    let size = dir_size(dir, 0);
    if size > MAX_SCRIPT_DIR_BYTES {
        return Err(format!(
            "{}: its directory ({} MiB) goes into the image whole; keep the script in a \
             directory of its own (at most {} MiB)",
            path.display(),
            size >> 20,
            MAX_SCRIPT_DIR_BYTES >> 20
        ));
    }
    let mut files = vec![ImageFile {
        host_path: host.clone(),
        image_path: interp.clone(),
        with_libraries: true,
    }];
    files.push(ImageFile {
        host_path: dir.to_path_buf(),
        image_path: APP_DIR.to_string(),
        with_libraries: false,
    });
    if python {
        files.extend(python_library(&host)?);
    }
    let mut argv = vec![interp];
    argv.extend(flags.iter().map(|f| f.to_string()));
    argv.push(in_image.to_string());
    Ok(Program {
        files,
        argv,
        binary: in_image.to_string(),
    })
}

/// What a Python program printed, line by line.
fn ask_python(python: &Path, program: &str) -> Result<Vec<String>, String> {
    let out = std::process::Command::new(python)
        .args(["-c", program])
        .output()
        .map_err(|e| format!("asking {} about itself: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "asking {} about itself: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The real executable behind a Python command.
fn python_executable(python: &Path) -> Result<PathBuf, String> {
    let lines = ask_python(python, "import sys; print(sys.executable)")?;
    lines
        .first()
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| format!("{} does not say where it is", python.display()))
}

/// Python's standard library directories, as the interpreter itself names them.
fn python_library(python: &Path) -> Result<Vec<ImageFile>, String> {
    let mut dirs = ask_python(
        python,
        "import sysconfig; p = sysconfig.get_paths(); print(p['stdlib']); print(p['platstdlib'])",
    )?;
    dirs.dedup();
    let mut files = Vec::new();
    for d in dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .map_err(|e| format!("{d}: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !PYTHON_SKIP.contains(&n))
            })
            .collect();
        entries.sort();
        files.extend(entries.into_iter().map(|p| ImageFile {
            image_path: p.display().to_string(),
            host_path: p,
            with_libraries: true,
        }));
    }
    Ok(files)
}

/// Bytes under a directory (not following deep nesting).
fn dir_size(dir: &Path, depth: usize) -> u64 {
    if depth > 16 {
        return 0;
    }
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path(), depth + 1),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(binary: &str, dir: &Path) -> Loaded {
        let text =
            format!("name: t\nimage:\n  binary: {binary}\nclient: {{protocol: maelstrom}}\n");
        super::super::parse(&text, "t.yaml", dir.to_path_buf()).expect("spec")
    }

    #[test]
    fn a_binary_goes_to_app_with_its_libraries() {
        let p = program(&loaded("/bin/sh", Path::new("/")))
            .unwrap()
            .unwrap();
        assert_eq!(p.argv, vec!["/app/sh"]);
        assert!(p.files[0].with_libraries);
    }

    #[test]
    fn a_script_brings_its_interpreter_directory_and_python_library() {
        let dir = std::env::temp_dir().join(format!("schism-script-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("node.py"), "#!/usr/bin/env python3\nprint(1)\n").unwrap();
        std::fs::write(dir.join("plain"), "no shebang").unwrap();
        let p = program(&loaded("node.py", &dir)).unwrap().unwrap();
        let plain = program(&loaded("plain", &dir)).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(p.argv[0].contains("python"), "{:?}", p.argv);
        assert_eq!(p.argv.last().map(String::as_str), Some("/app/node.py"));
        assert!(p.files.iter().any(|f| f.image_path == "/app"));
        assert!(
            p.files.iter().any(|f| f.image_path.ends_with("/encodings")),
            "the standard library comes: {:?}",
            p.files.iter().map(|f| &f.image_path).collect::<Vec<_>>()
        );
        assert!(
            plain.contains("t.yaml:3:3: image.binary") && plain.contains("not executable"),
            "{plain}"
        );
    }

    #[test]
    fn a_missing_binary_is_named_with_its_line() {
        let e = program(&loaded("./nowhere", Path::new("/tmp"))).unwrap_err();
        assert!(
            e.starts_with("t.yaml:3:3: image.binary: /tmp/./nowhere"),
            "{e}"
        );
    }
}
