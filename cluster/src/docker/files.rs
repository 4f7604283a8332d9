//! A node's files through the engine's archive API: a download is a tar of the path, an
//! upload a tar extracted into a directory. Both work on a stopped container and reach its
//! volumes (the data directory is one), so no program inside the node is needed.

use super::engine::{docker_err, is_not_found};
use crate::{ClusterError, FileEntry, MAX_TRANSFER_BYTES};
use bollard::query_parameters::{
    DownloadFromContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt;
use std::io::Read;

/// The tar the engine gives of `path` in `container`, whole (at most
/// [`MAX_TRANSFER_BYTES`]); None when there is no such path.
async fn download(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, ClusterError> {
    let options = DownloadFromContainerOptionsBuilder::new()
        .path(path)
        .build();
    let mut stream = docker.download_from_container(container, Some(options));
    let mut tar = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(docker_err(format!("reading {path} of {container}"))(e)),
        };
        if tar.len() + chunk.len() > MAX_TRANSFER_BYTES {
            return Err(ClusterError::Docker(format!(
                "{path} of {container} is larger than {MAX_TRANSFER_BYTES} bytes"
            )));
        }
        tar.extend_from_slice(&chunk);
    }
    Ok(Some(tar))
}

fn missing(container: &str, path: &str) -> ClusterError {
    ClusterError::Docker(format!("{path} of {container}: no such file or directory"))
}

fn tar_err(path: &str) -> impl Fn(std::io::Error) -> ClusterError + '_ {
    move |e| ClusterError::Docker(format!("the archive of {path}: {e}"))
}

/// The regular files under `dir`, by path. The archive names entries from the directory's
/// own name (`data/x` for `/data`), so each is put back under the directory's parent.
pub(crate) async fn list(
    docker: &Docker,
    container: &str,
    dir: &str,
) -> Result<Vec<FileEntry>, ClusterError> {
    let dir = dir.trim_end_matches('/');
    let tar = download(docker, container, dir)
        .await?
        .ok_or_else(|| missing(container, dir))?;
    let parent = match dir.rfind('/') {
        Some(i) => &dir[..i],
        None => "",
    };
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().map_err(tar_err(dir))? {
        let entry = entry.map_err(tar_err(dir))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry.path().map_err(tar_err(dir))?;
        files.push(FileEntry {
            path: format!("{parent}/{}", name.display()),
            size: entry.size(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// One file's contents.
pub(crate) async fn read(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Vec<u8>, ClusterError> {
    read_if_there(docker, container, path)
        .await?
        .ok_or_else(|| missing(container, path))
}

/// One file's contents; None when it does not exist.
pub(crate) async fn read_if_there(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, ClusterError> {
    let Some(tar) = download(docker, container, path).await? else {
        return Ok(None);
    };
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut entries = archive.entries().map_err(tar_err(path))?;
    let mut entry = match entries.next() {
        Some(e) => e.map_err(tar_err(path))?,
        None => {
            return Err(ClusterError::Docker(format!(
                "{path} of {container}: empty archive"
            )))
        }
    };
    if entry.header().entry_type() != tar::EntryType::Regular {
        return Err(ClusterError::Docker(format!(
            "{path} of {container} is not a regular file"
        )));
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).map_err(tar_err(path))?;
    Ok(Some(bytes))
}

/// Replace (or create) one file: a tar of it, extracted into its directory.
pub(crate) async fn write(
    docker: &Docker,
    container: &str,
    path: &str,
    bytes: &[u8],
) -> Result<(), ClusterError> {
    let (dir, name) = match path.rfind('/') {
        Some(i) if i + 1 < path.len() => (if i == 0 { "/" } else { &path[..i] }, &path[i + 1..]),
        _ => {
            return Err(ClusterError::Docker(format!(
                "{path}: a file to write needs an absolute path"
            )))
        }
    };
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    );
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.sparse(false);
    builder
        .append_data(&mut header, name, bytes)
        .map_err(tar_err(path))?;
    let tar = builder.into_inner().map_err(tar_err(path))?;
    let options = UploadToContainerOptionsBuilder::new().path(dir).build();
    docker
        .upload_to_container(container, Some(options), bollard::body_full(tar.into()))
        .await
        .map_err(docker_err(format!("writing {path} of {container}")))
}
