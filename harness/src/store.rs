//! The store: `<store>/<test>/<timestamp>/` for each run, and `<store>/latest` pointing at
//! the newest.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// UTC as `YYYYMMDDTHHMMSSZ` (and with milliseconds when `millis`).
pub fn timestamp(t: SystemTime, millis: bool) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let base = format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    );
    if millis {
        format!("{base}.{:03}Z", d.subsec_millis())
    } else {
        format!("{base}Z")
    }
}

/// Create the directory of a new run.
pub fn run_dir(store: &Path, test: &str, started: SystemTime) -> io::Result<PathBuf> {
    let mut dir = store.join(test).join(timestamp(started, false));
    if dir.exists() {
        dir = store.join(test).join(timestamp(started, true));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("creating {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Point `<store>/latest` at a run directory (relative, so the store can move).
pub fn mark_latest(store: &Path, dir: &Path) -> io::Result<()> {
    let link = store.join("latest");
    let target = dir.strip_prefix(store).unwrap_or(dir);
    let _ = std::fs::remove_file(&link);
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, &link)?;
    Ok(())
}

/// The directory of a sweep (`kind` "sweeps") or a bench ("benches"): `out` if given, else
/// `<store>/<kind>/<UTC time>/` with `<store>/<kind>/latest` pointing at it.
pub fn out_dir(out: Option<&Path>, store: &Path, kind: &str) -> std::io::Result<PathBuf> {
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            Ok(dir.to_path_buf())
        }
        None => {
            let dir = run_dir(store, kind, std::time::SystemTime::now())?;
            mark_latest(&store.join(kind), &dir)?;
            Ok(dir)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_calendar_times() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000) + Duration::from_millis(42);
        assert_eq!(timestamp(t, false), "20261118T110640Z");
        assert_eq!(timestamp(t, true), "20261118T110640.042Z");
        assert_eq!(timestamp(UNIX_EPOCH, false), "19700101T000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert!(timestamp(leap, false).starts_with("20000229"));
    }

    #[test]
    fn latest_points_at_the_newest_run() {
        let store = std::env::temp_dir().join(format!("schism-store-{}", std::process::id()));
        let a = run_dir(&store, "t", UNIX_EPOCH + Duration::from_secs(10)).unwrap();
        mark_latest(&store, &a).unwrap();
        let b = run_dir(&store, "t", UNIX_EPOCH + Duration::from_secs(20)).unwrap();
        mark_latest(&store, &b).unwrap();
        assert_eq!(
            std::fs::canonicalize(store.join("latest")).unwrap(),
            std::fs::canonicalize(&b).unwrap()
        );
        std::fs::remove_dir_all(&store).unwrap();
    }
}
