//! One mounted powerfs: `<base>/mnt` shows `<base>/data`; entries removed and not yet
//! synced wait in `<base>/grave`.

use crate::core::Core;
use crate::cut::Cut;
use crate::fs::PowerFs;
use crate::{Lost, PowerError};
use fuser::{BackgroundSession, MountOption};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A powerfs mounted by this process; unmounted (and its base removed) when dropped.
pub struct Mount {
    session: Option<BackgroundSession>,
    core: Arc<Mutex<Core>>,
    base: PathBuf,
    point: PathBuf,
}

impl Mount {
    /// Mount a fresh, empty powerfs under `base` (created; it must not hold one already).
    /// Any user may enter it (`allow_other`: the container engine does); the kernel checks
    /// permissions.
    pub fn new(base: &Path) -> Result<Mount, PowerError> {
        crate::host::check_host()?;
        let (point, data, grave) = (base.join("mnt"), base.join("data"), base.join("grave"));
        for d in [&point, &data, &grave] {
            std::fs::create_dir_all(d)?;
        }
        let core = Arc::new(Mutex::new(Core::new(&data, &grave)?));
        let options = [
            MountOption::FSName(crate::host::FS_NAME.into()),
            MountOption::AllowOther,
            MountOption::DefaultPermissions,
            MountOption::RW,
        ];
        let fs = PowerFs { core: core.clone() };
        let session = fuser::spawn_mount2(fs, &point, &options)?;
        Ok(Mount {
            session: Some(session),
            core,
            base: base.to_path_buf(),
            point,
        })
    }

    /// Where it is mounted.
    pub fn mountpoint(&self) -> &Path {
        &self.point
    }

    /// What a power loss would drop now.
    pub fn pending(&self) -> Lost {
        self.core
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pending()
    }

    /// The power loss: undo what was not synced. Whoever wrote must be dead already
    /// (their open files are forgotten).
    pub fn lose(&self, cut: Cut) -> Lost {
        let lost = self
            .core
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .lose(cut);
        tracing::info!(point = %self.point.display(), ?lost, "powerfs: power lost");
        lost
    }

    /// Unmount and remove the base directory (its data with it).
    pub fn unmount(mut self) {
        self.close();
    }

    fn close(&mut self) {
        // Dropping the session unmounts; a busy mount is detached lazily instead.
        drop(self.session.take());
        if crate::host::mounts_under(&self.point).contains(&self.point) {
            if let Err(e) = crate::host::lazy_unmount(&self.point) {
                tracing::warn!(point = %self.point.display(), "powerfs: unmounting: {e}");
            }
        }
        if crate::host::mounts_under(&self.point).contains(&self.point) {
            // Never remove through a live mount.
            return;
        }
        if let Err(e) = std::fs::remove_dir_all(&self.base) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(base = %self.base.display(), "powerfs: removing: {e}");
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        if self.session.is_some() {
            self.close();
        }
    }
}
