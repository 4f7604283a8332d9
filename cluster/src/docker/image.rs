//! Images built FROM scratch out of local files, cached by content hash.
//!
//! No registry is reachable, so every image is a build context made here: the files of an
//! [`ImageSpec`] at their image paths, for each executable the libraries `ldd` names (at the
//! same absolute paths, so the loader finds them), the empty directories asked for, and a
//! Dockerfile `FROM scratch` / `COPY . /`. The tar is deterministic (sorted, owner 0, time 0),
//! so its SHA-256 identifies the content: the image is tagged
//! `schism/<name>:<first 16 hex digits>`, and when that tag exists nothing is built. Images
//! carry `schism.image=<name>` and no run label: they are a cache that runs share.
//!
//! [`tools_image`] is the holder's image: the holder program (schism's own node binary),
//! iptables (with its run-time plugins), ip and tc, so faults can also be applied by
//! `docker exec` where `nsenter` cannot be used.

use super::engine::{docker_err, is_not_found, IMAGE_LABEL};
use super::ldd::libraries_of;
use crate::{ClusterError, Holder, ImageFile, ImageSpec};
use bollard::query_parameters::BuildImageOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The Dockerfile of an image FROM scratch: the context is the image's root.
const DOCKERFILE: &str = "FROM scratch\nCOPY . /\n";

/// The Dockerfile of an image built on a local one. The base's image ID is a label, so the
/// content hash (and so the tag) changes when the base does.
fn dockerfile(base: Option<(&str, &str)>) -> String {
    match base {
        None => DOCKERFILE.to_string(),
        Some((name, id)) => format!("FROM {name}\nLABEL schism.base.id=\"{id}\"\nCOPY . /\n"),
    }
}
/// Keeps the Dockerfile and this file out of the image (they are still sent to the builder).
const DOCKERIGNORE: &str = "Dockerfile\n.dockerignore\n";

/// The image a spec resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    /// `schism/<name>:<content hash>`.
    pub tag: String,
    /// Whether this call built it (false: the tag existed already).
    pub built: bool,
}

/// The holder's image: the holder program (at its [`Holder::image_path`]), the host's `iptables` (with
/// `iptables-save` and `iptables-restore` where present), `ip` and `tc` where present, each
/// with its libraries, and iptables' run-time plugins (`.../xtables/*.so`) with theirs.
/// Nothing else from the host: a machine with a Docker engine has iptables (the engine
/// needs it); one without it, or without `ip`, is told to run `scripts/install-deps`.
///
/// On Debian 12 `iptables` is a chain of symlinks to `xtables-nft-multi`, which picks its
/// personality from the name it is called by: the image holds the real binary's content
/// under each name (a copy), so it works whatever the host's alternatives say.
pub fn tools_image(holder: &Holder) -> Result<ImageSpec, ClusterError> {
    let mut files = vec![ImageFile {
        host_path: holder.host_path.clone(),
        image_path: holder.image_path.clone(),
        with_libraries: true,
    }];
    for name in ["iptables", "iptables-save", "iptables-restore", "ip", "tc"] {
        match host_binary(name) {
            Some(path) => files.push(ImageFile {
                host_path: path,
                image_path: format!("/usr/sbin/{name}"),
                with_libraries: true,
            }),
            // Faults need iptables and ip; the rest is optional (tc's netem is not in
            // every kernel, and schism says so when a fault needs it).
            None if name == "iptables" || name == "ip" => {
                return Err(ClusterError::MissingFile {
                    path: name.to_string(),
                    why: format!(
                        "not found in /usr/sbin, /sbin, /usr/bin or /bin; network faults need \
                         the host's {name} (`scripts/install-deps` installs it: Debian's {})",
                        if name == "ip" { "iproute2" } else { "iptables" }
                    ),
                })
            }
            None => {}
        }
    }
    for dir in xtables_dirs() {
        let mut plugins: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "so"))
                    .collect()
            })
            .unwrap_or_default();
        plugins.sort();
        files.extend(plugins.into_iter().map(|p| ImageFile {
            image_path: p.display().to_string(),
            host_path: p,
            with_libraries: true,
        }));
    }
    Ok(ImageSpec {
        name: "tools".to_string(),
        files,
        dirs: vec!["/run".to_string(), "/tmp".to_string()],
        base: None,
        texts: Vec::new(),
    })
}

/// Where the host keeps an administration binary.
fn host_binary(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// iptables' plugin directories on this host (`XTABLES_LIBDIR` as Debian and others build it).
fn xtables_dirs() -> Vec<PathBuf> {
    let arch = std::env::consts::ARCH;
    let candidates = [
        format!("/usr/lib/{arch}-linux-gnu/xtables"),
        "/usr/lib64/xtables".to_string(),
        "/usr/lib/xtables".to_string(),
    ];
    let mut seen = Vec::new();
    for c in candidates {
        let p = PathBuf::from(c);
        if let Ok(real) = p.canonicalize() {
            if real.is_dir() && !seen.iter().any(|(_, r)| *r == real) {
                seen.push((p, real));
            }
        }
    }
    seen.into_iter().map(|(p, _)| p).collect()
}

/// One regular file of a build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TarFile {
    /// Absolute path in the image.
    pub path: String,
    pub mode: u32,
    pub content: Vec<u8>,
}

/// A build context ready to send, and the tag its content hash gives.
#[derive(Debug)]
pub(crate) struct Context {
    pub tag: String,
    pub tar: Vec<u8>,
}

/// `/a//b/` -> `a/b`; None for relative paths, `.`/`..` components and the root itself.
fn relative(image_path: &str) -> Option<String> {
    let rest = image_path.strip_prefix('/')?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || parts.iter().any(|p| *p == "." || *p == "..") {
        return None;
    }
    Some(parts.join("/"))
}

/// The deterministic tar of a build context: every parent directory (0755), the asked-for
/// directories, the files with their modes, the Dockerfile and .dockerignore; entries
/// sorted by path, owner 0, time 0. Pure, so its layout is unit-tested.
pub(crate) fn build_tar(
    files: &[TarFile],
    dirs: &[String],
    dockerfile: &str,
) -> Result<Vec<u8>, ClusterError> {
    enum Entry<'a> {
        Dir,
        File(&'a TarFile),
    }
    let bad = |p: &str| ClusterError::MissingFile {
        path: p.to_string(),
        why: "an image path must be absolute, without `.` or `..`".to_string(),
    };
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let add_parents = |entries: &mut BTreeMap<String, Entry>, rel: &str| {
        let mut prefix = String::new();
        for part in rel.split('/') {
            if !prefix.is_empty() {
                entries.entry(prefix.clone()).or_insert(Entry::Dir);
                prefix.push('/');
            }
            prefix.push_str(part);
        }
    };
    for d in dirs {
        let rel = relative(d).ok_or_else(|| bad(d))?;
        add_parents(&mut entries, &rel);
        entries.entry(rel).or_insert(Entry::Dir);
    }
    for f in files {
        let rel = relative(&f.path).ok_or_else(|| bad(&f.path))?;
        add_parents(&mut entries, &rel);
        // The first file given for a path wins (the spec's own files come before libraries).
        entries.entry(rel).or_insert(Entry::File(f));
    }
    let io =
        |e: std::io::Error| ClusterError::Docker(format!("writing the image's build context: {e}"));
    let mut builder = tar::Builder::new(Vec::new());
    builder.sparse(false);
    let append =
        |builder: &mut tar::Builder<Vec<u8>>, path: &str, dir: bool, mode: u32, content: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(if dir {
                tar::EntryType::Directory
            } else {
                tar::EntryType::Regular
            });
            header.set_mode(mode);
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(0);
            header.set_size(content.len() as u64);
            builder.append_data(&mut header, path, content)
        };
    append(
        &mut builder,
        "Dockerfile",
        false,
        0o644,
        dockerfile.as_bytes(),
    )
    .map_err(io)?;
    append(
        &mut builder,
        ".dockerignore",
        false,
        0o644,
        DOCKERIGNORE.as_bytes(),
    )
    .map_err(io)?;
    for (path, entry) in &entries {
        match entry {
            Entry::Dir => append(&mut builder, path, true, 0o755, &[]),
            Entry::File(f) => append(&mut builder, path, false, f.mode & 0o7777, &f.content),
        }
        .map_err(io)?;
    }
    builder.into_inner().map_err(io)
}

/// `schism/<name>:<first 16 hex digits of the SHA-256 of the tar>`.
pub(crate) fn tag_for(name: &str, tar: &[u8]) -> String {
    let digest = Sha256::digest(tar);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("schism/{name}:{hex}")
}

fn check_name(name: &str) -> Result<(), ClusterError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ClusterError::Docker(format!(
            "image name {name:?} cannot be part of a Docker tag: use lower-case letters, digits, '.', '_' or '-'"
        )))
    }
}

/// Resolves a spec into its build context: checks the files, asks `ldd` for libraries,
/// reads everything and makes the tar and its tag.
pub(crate) async fn image_context(
    spec: &ImageSpec,
    base_id: Option<&str>,
) -> Result<Context, ClusterError> {
    check_name(&spec.name)?;
    let mut files = Vec::new();
    for f in &spec.files {
        match std::fs::metadata(&f.host_path) {
            Ok(m) if m.is_file() => files.push(f.clone()),
            Ok(m) if m.is_dir() => expand_dir(f, &mut files, 0)?,
            Ok(_) => return Err(missing(&f.host_path, "not a regular file or a directory")),
            Err(e) => return Err(missing(&f.host_path, &e.to_string())),
        }
    }
    let executables: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.with_libraries)
        .map(|f| f.host_path.clone())
        .collect();
    let libraries = libraries_of(&executables).await?;
    let mut sources: Vec<(String, PathBuf)> = files
        .iter()
        .map(|f| (f.image_path.clone(), f.host_path.clone()))
        .collect();
    sources.extend(libraries.into_iter().map(|l| (l.clone(), PathBuf::from(l))));
    let dirs = spec.dirs.clone();
    let texts = spec.texts.clone();
    let name = spec.name.clone();
    let dockerfile = dockerfile(spec.base.as_deref().zip(base_id));
    tokio::task::spawn_blocking(move || {
        let files = sources
            .into_iter()
            .map(|(path, host)| {
                read_file(&host).map(|(mode, content)| TarFile {
                    path,
                    mode,
                    content,
                })
            })
            .chain(texts.into_iter().map(|(path, text)| {
                Ok(TarFile {
                    path,
                    mode: 0o644,
                    content: text.into_bytes(),
                })
            }))
            .collect::<Result<Vec<_>, _>>()?;
        let tar = build_tar(&files, &dirs, &dockerfile)?;
        Ok(Context {
            tag: tag_for(&name, &tar),
            tar,
        })
    })
    .await
    .map_err(|e| ClusterError::Docker(format!("packing image {}: {e}", spec.name)))?
}

/// Directories nested deeper than this are refused (a symlink loop, most likely).
const MAX_DIR_DEPTH: usize = 32;

/// Every regular file under a directory, at the same place under its image path; `.so`
/// files bring their libraries when the directory does.
fn expand_dir(dir: &ImageFile, out: &mut Vec<ImageFile>, depth: usize) -> Result<(), ClusterError> {
    if depth > MAX_DIR_DEPTH {
        return Err(missing(&dir.host_path, "nested too deep (a symlink loop?)"));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir.host_path)
        .map_err(|e| missing(&dir.host_path, &e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let mut child = ImageFile {
            image_path: format!("{}/{name}", dir.image_path.trim_end_matches('/')),
            with_libraries: dir.with_libraries,
            host_path: path.clone(),
        };
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => expand_dir(&child, out, depth + 1)?,
            Ok(m) if m.is_file() => {
                child.with_libraries &= name.ends_with(".so") || name.contains(".so.");
                out.push(child)
            }
            // Sockets, broken symlinks and the like have no content to pack.
            _ => {}
        }
    }
    Ok(())
}

fn missing(path: &Path, why: &str) -> ClusterError {
    ClusterError::MissingFile {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// The content (through symlinks) and permission bits of a host file.
fn read_file(path: &Path) -> Result<(u32, Vec<u8>), ClusterError> {
    let meta = std::fs::metadata(path).map_err(|e| missing(path, &e.to_string()))?;
    let content = std::fs::read(path).map_err(|e| missing(path, &e.to_string()))?;
    Ok((meta.permissions().mode() & 0o7777, content))
}

/// One lock per tag being ensured in this process.
fn build_lock(tag: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    locks.entry(tag.to_string()).or_default().clone()
}

/// Makes sure the image of `spec` exists, building it only when its content-hash tag is not
/// there yet.
pub async fn ensure_image(docker: &Docker, spec: &ImageSpec) -> Result<BuiltImage, ClusterError> {
    let base_id = match &spec.base {
        Some(base) => Some(base_image_id(docker, base).await?),
        None => None,
    };
    let context = image_context(spec, base_id.as_deref()).await?;
    let tag = context.tag.clone();
    // Two builds of one tag at once would leave the loser's image dangling: within this
    // process, the second waits for the first and then finds the tag.
    let lock = build_lock(&tag);
    let _building = lock.lock().await;
    match docker.inspect_image(&tag).await {
        Ok(_) => {
            tracing::debug!(%tag, "image cached");
            return Ok(BuiltImage { tag, built: false });
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(docker_err(format!("looking up image {tag}"))(e)),
    }
    let started = std::time::Instant::now();
    let labels = HashMap::from([(IMAGE_LABEL, spec.name.as_str())]);
    let options = BuildImageOptionsBuilder::new()
        .dockerfile("Dockerfile")
        .t(&tag)
        .labels(&labels)
        .rm(true)
        .forcerm(true)
        .build();
    let mut stream =
        docker.build_image(options, None, Some(bollard::body_full(context.tar.into())));
    let mut output = String::new();
    while let Some(step) = stream.next().await {
        match step {
            Ok(info) => {
                if let Some(s) = info.stream {
                    output.push_str(&s);
                }
            }
            Err(e) => {
                return Err(ClusterError::Docker(format!(
                    "building image {tag}: {}; builder output:\n{output}",
                    super::engine::brief(&e)
                )))
            }
        }
    }
    docker
        .inspect_image(&tag)
        .await
        .map_err(docker_err(format!(
            "image {tag} is missing after its build; builder output:\n{output}"
        )))?;
    tracing::info!(%tag, elapsed_ms = started.elapsed().as_millis() as u64, "image built");
    Ok(BuiltImage { tag, built: true })
}

/// The ID of a local image to build on; it must be there already (no registry).
async fn base_image_id(docker: &Docker, base: &str) -> Result<String, ClusterError> {
    match docker.inspect_image(base).await {
        Ok(i) => Ok(i.id.unwrap_or_default()),
        Err(e) if is_not_found(&e) => Err(ClusterError::MissingFile {
            path: format!("image {base}"),
            why: "not on this machine's Docker engine (no registry is reachable: build or \
                  load it first, for example with `docker build` or `docker load`)"
                .into(),
        }),
        Err(e) => Err(docker_err(format!("looking up image {base}"))(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(tar: &[u8]) -> Vec<(String, tar::EntryType, u32, Vec<u8>)> {
        let mut archive = tar::Archive::new(tar);
        let mut out = Vec::new();
        for e in archive.entries().expect("entries") {
            let mut e = e.expect("entry");
            let path = e.path().expect("path").display().to_string();
            let kind = e.header().entry_type();
            let mode = e.header().mode().expect("mode");
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut content).expect("read");
            out.push((path, kind, mode, content));
        }
        out
    }

    #[test]
    fn tar_layout() {
        let files = [
            TarFile {
                path: "/bin/busybox".into(),
                mode: 0o100755,
                content: b"bb".to_vec(),
            },
            TarFile {
                path: "/lib/x86_64-linux-gnu/libc.so.6".into(),
                mode: 0o644,
                content: b"libc".to_vec(),
            },
            // A second file for the same path: the first wins.
            TarFile {
                path: "/bin/busybox".into(),
                mode: 0o700,
                content: b"other".to_vec(),
            },
        ];
        let tar =
            build_tar(&files, &["/data".into(), "/var/lib/x".into()], DOCKERFILE).expect("tar");
        let got: Vec<(String, bool, u32)> = entries(&tar)
            .into_iter()
            .map(|(p, k, m, _)| (p, k == tar::EntryType::Directory, m))
            .collect();
        let want: Vec<(String, bool, u32)> = [
            ("Dockerfile", false, 0o644),
            (".dockerignore", false, 0o644),
            ("bin", true, 0o755),
            ("bin/busybox", false, 0o755),
            ("data", true, 0o755),
            ("lib", true, 0o755),
            ("lib/x86_64-linux-gnu", true, 0o755),
            ("lib/x86_64-linux-gnu/libc.so.6", false, 0o644),
            ("var", true, 0o755),
            ("var/lib", true, 0o755),
            ("var/lib/x", true, 0o755),
        ]
        .iter()
        .map(|(p, d, m)| (p.to_string(), *d, *m))
        .collect();
        assert_eq!(got, want);
        let all = entries(&tar);
        let busybox = all.iter().find(|e| e.0 == "bin/busybox").expect("busybox");
        assert_eq!(busybox.3, b"bb");
        let dockerfile = all
            .iter()
            .find(|e| e.0 == "Dockerfile")
            .expect("Dockerfile");
        assert_eq!(dockerfile.3, DOCKERFILE.as_bytes());
    }

    #[test]
    fn tar_is_deterministic_and_tag_follows_content() {
        let f = |c: &[u8]| {
            [TarFile {
                path: "/a".into(),
                mode: 0o755,
                content: c.to_vec(),
            }]
        };
        let one = build_tar(&f(b"x"), &[], DOCKERFILE).expect("tar");
        let again = build_tar(&f(b"x"), &[], DOCKERFILE).expect("tar");
        let other = build_tar(&f(b"y"), &[], DOCKERFILE).expect("tar");
        assert_eq!(one, again);
        assert_eq!(tag_for("n", &one), tag_for("n", &again));
        assert_ne!(tag_for("n", &one), tag_for("n", &other));
        let tag = tag_for("node", &one);
        assert!(tag.starts_with("schism/node:"));
        assert_eq!(tag.len(), "schism/node:".len() + 16);
    }

    #[test]
    fn image_paths() {
        for (p, want) in [
            ("/bin/x", Some("bin/x")),
            ("//usr//lib/", Some("usr/lib")),
            ("bin/x", None),
            ("/", None),
            ("/a/../b", None),
        ] {
            assert_eq!(relative(p).as_deref(), want, "{p}");
        }
        let bad = [TarFile {
            path: "rel".into(),
            mode: 0o644,
            content: vec![],
        }];
        assert!(matches!(
            build_tar(&bad, &[], DOCKERFILE),
            Err(ClusterError::MissingFile { .. })
        ));
    }

    #[test]
    fn long_paths_survive() {
        let long = format!("/{}/f", "d".repeat(150));
        let tar = build_tar(
            &[TarFile {
                path: long.clone(),
                mode: 0o644,
                content: vec![1],
            }],
            &[],
            DOCKERFILE,
        )
        .expect("tar");
        assert!(entries(&tar).iter().any(|e| format!("/{}", e.0) == long));
    }

    #[test]
    fn a_directory_is_packed_whole_and_its_shared_objects_bring_libraries() {
        let dir = std::env::temp_dir().join(format!("schism-dir-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.py"), "x").unwrap();
        std::fs::write(dir.join("sub/m.cpython.so"), "y").unwrap();
        let mut out = Vec::new();
        let top = ImageFile {
            host_path: dir.clone(),
            image_path: "/app/".into(),
            with_libraries: true,
        };
        expand_dir(&top, &mut out, 0).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let got: Vec<(&str, bool)> = out
            .iter()
            .map(|f| (f.image_path.as_str(), f.with_libraries))
            .collect();
        assert_eq!(
            got,
            vec![("/app/a.py", false), ("/app/sub/m.cpython.so", true)]
        );
    }

    #[test]
    fn an_image_on_a_base_names_it_and_its_id() {
        assert_eq!(dockerfile(None), DOCKERFILE);
        let d = dockerfile(Some(("my/img:1", "sha256:ab")));
        assert!(d.starts_with("FROM my/img:1\n"), "{d}");
        assert!(d.contains("sha256:ab"), "{d}");
    }

    fn file(host: &str, image: &str) -> ImageFile {
        ImageFile {
            host_path: PathBuf::from(host),
            image_path: image.to_string(),
            with_libraries: true,
        }
    }

    #[tokio::test]
    async fn a_missing_file_is_named() {
        let spec = ImageSpec {
            name: "t".into(),
            files: vec![file("/nonexistent/schism-binary", "/x")],
            dirs: vec![],
            base: None,
            texts: Vec::new(),
        };
        match image_context(&spec, None).await {
            Err(ClusterError::MissingFile { path, .. }) => {
                assert_eq!(path, "/nonexistent/schism-binary")
            }
            other => panic!("expected MissingFile, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn texts_are_files_of_the_image_and_change_its_tag() {
        let spec = |text: &str| ImageSpec {
            name: "t".into(),
            files: vec![],
            dirs: vec!["/schism".into()],
            base: None,
            texts: vec![
                ("/schism/faketime".into(), text.into()),
                ("/etc/faketimerc".into(), text.into()),
            ],
        };
        let a = image_context(&spec("+0.000\n"), None).await.unwrap();
        let got: Vec<(String, u32, Vec<u8>)> = entries(&a.tar)
            .into_iter()
            .filter(|e| e.1 == tar::EntryType::Regular)
            .filter(|e| !["Dockerfile", ".dockerignore"].contains(&e.0.as_str()))
            .map(|e| (e.0, e.2, e.3))
            .collect();
        assert_eq!(
            got,
            vec![
                ("etc/faketimerc".into(), 0o644, b"+0.000\n".to_vec()),
                ("schism/faketime".into(), 0o644, b"+0.000\n".to_vec()),
            ]
        );
        let b = image_context(&spec("+1.000\n"), None).await.unwrap();
        assert_ne!(a.tag, b.tag, "the tag follows the texts");
    }

    #[tokio::test]
    async fn tools_image_holds_the_real_iptables_and_its_libraries() {
        let spec = tools_image(&Holder::busybox()).expect("iptables and ip on this host");
        let context = image_context(&spec, None)
            .await
            .expect("tools image context");
        let paths: Vec<String> = entries(&context.tar)
            .into_iter()
            .map(|e| format!("/{}", e.0))
            .collect();
        for want in [
            "/bin/busybox",
            "/usr/sbin/iptables",
            "/usr/sbin/ip",
            "/usr/sbin/tc",
        ] {
            assert!(
                paths.iter().any(|p| p == want),
                "{want} missing from {paths:?}"
            );
        }
        assert!(
            paths.iter().any(|p| p.contains("ld-linux")),
            "no loader in {paths:?}"
        );
        assert!(
            paths.iter().any(|p| p.contains("libxtables")),
            "no libxtables"
        );
        assert!(
            paths.iter().any(|p| p.ends_with("libxt_statistic.so")),
            "no statistic plugin"
        );
        // iptables is a copy of the real binary, not a dangling symlink.
        let tar = entries(&context.tar);
        let ipt = tar
            .iter()
            .find(|e| e.0 == "usr/sbin/iptables")
            .expect("iptables");
        assert_eq!(ipt.1, tar::EntryType::Regular);
        let real = std::fs::read(std::fs::canonicalize("/usr/sbin/iptables").expect("iptables"))
            .expect("read");
        assert_eq!(ipt.3, real);
    }
}
