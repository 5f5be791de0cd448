//! Putting a staged output folder in place of the current one with one rename, and cleaning
//! up after runs that were killed.
//!
//! On Linux the two folders are exchanged atomically (`renameat2(RENAME_EXCHANGE)`): at every
//! instant `DIR/<scenario>` is the complete old folder or the complete new one, and the
//! staging folder then holds the old one, which is deleted. Where the exchange is not
//! available (other systems; filesystems that refuse it) the fallback is two renames: the old
//! folder to `DIR/.headroom-old-<pid>-<scenario>`, then the new one in. A run killed between
//! the two leaves no `DIR/<scenario>`; the next run writing into `DIR` renames the old folder
//! back before it starts.
//!
//! Runs writing into the same `DIR` take turns (an exclusive lock on `DIR` itself, released by
//! the system when a run dies), so every `.headroom-staging-*` or `.headroom-old-*` folder a
//! run finds there was left by a killed run and is cleaned up.

use std::io;
use std::path::Path;

use super::staging::STAGING_PREFIX;

/// Prefix of the old folder moved aside by the two-rename fallback.
pub const OLD_PREFIX: &str = ".headroom-old-";

/// Holds the exclusive lock of an output folder until dropped (unix: `flock` on the folder).
pub struct DirLock {
    #[cfg(unix)]
    _file: std::fs::File,
}

/// Waits for the exclusive lock on `out_dir`.
pub fn lock(out_dir: &Path) -> io::Result<DirLock> {
    #[cfg(unix)]
    {
        let file = std::fs::File::open(out_dir)?;
        file.lock()?;
        Ok(DirLock { _file: file })
    }
    #[cfg(not(unix))]
    {
        let _ = out_dir;
        Ok(DirLock {})
    }
}

/// The name of the staging folder of this process for `name`.
#[must_use]
pub fn staging_name(name: &str) -> String {
    format!("{STAGING_PREFIX}{}-{name}", std::process::id())
}

/// Cleans up after killed runs (call with the lock held): staging folders are deleted; an
/// old folder moved aside by the fallback is renamed back when its scenario folder is
/// missing (the run died between the two renames), else deleted.
pub fn recover(out_dir: &Path) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(out_dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        if name.starts_with(STAGING_PREFIX) {
            remove_any(&entry.path())?;
        } else if let Some(rest) = name.strip_prefix(OLD_PREFIX) {
            let scenario = rest.split_once('-').map(|(_, s)| s).unwrap_or_default();
            let home = out_dir.join(scenario);
            if !scenario.is_empty() && std::fs::symlink_metadata(&home).is_err() {
                std::fs::rename(entry.path(), &home)?;
            } else {
                remove_any(&entry.path())?;
            }
        }
    }
    Ok(())
}

fn remove_any(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    }
}

/// Puts `staging` in place of `target` (both in the same folder) and deletes the old folder.
pub fn replace(target: &Path, staging: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(staging, target);
    }
    match exchange(staging, target) {
        Ok(()) => {
            // `staging` now holds the old folder; a failure here leaves it for the next run.
            let _ = std::fs::remove_dir_all(staging);
            Ok(())
        }
        Err(e) if exchange_unsupported(&e) => two_renames(target, staging),
        Err(e) => Err(e),
    }
}

/// The fallback: old folder aside, new folder in, old folder deleted.
pub fn two_renames(target: &Path, staging: &Path) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = parent.join(format!("{OLD_PREFIX}{}-{name}", std::process::id()));
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(staging, target) {
        // Put the old folder back; if even that fails, the next run does it.
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Errors meaning "this system or filesystem cannot exchange", as opposed to a real failure.
fn exchange_unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::io::Errno;
        if let Some(code) = e.raw_os_error() {
            let errno = Errno::from_raw_os_error(code);
            return errno == Errno::INVAL || errno == Errno::NOSYS || errno == Errno::OPNOTSUPP;
        }
    }
    e.kind() == io::ErrorKind::Unsupported
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join(file), text).unwrap();
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn exchange_puts_the_new_folder_in_and_deletes_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = (dir.path().join("s"), dir.path().join(staging_name("s")));
        folder(&target, "plan.json", "old");
        folder(&staging, "plan.json", "new");
        replace(&target, &staging).unwrap();
        assert_eq!(read(&target.join("plan.json")), "new");
        assert!(!staging.exists());
    }

    #[test]
    fn fallback_puts_the_new_folder_in_and_deletes_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = (dir.path().join("s"), dir.path().join(staging_name("s")));
        folder(&target, "plan.json", "old");
        folder(&staging, "plan.json", "new");
        two_renames(&target, &staging).unwrap();
        assert_eq!(read(&target.join("plan.json")), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the scenario folder remains");
    }

    /// A run killed at any point leaves one of these states; after the next run's recovery
    /// the scenario folder is the old output or the new one, whole, and nothing else is left.
    #[test]
    fn a_killed_run_leaves_the_old_output_or_the_new() {
        // killed while staging (or before the swap): old output, a stale staging folder.
        let dir = tempfile::tempdir().unwrap();
        folder(&dir.path().join("s"), "plan.json", "old");
        folder(
            &dir.path().join(".headroom-staging-77-s"),
            "plan.json",
            "ne",
        );
        recover(dir.path()).unwrap();
        assert_eq!(read(&dir.path().join("s/plan.json")), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // killed after the exchange, before deleting: new output, old one in staging.
        let dir = tempfile::tempdir().unwrap();
        folder(&dir.path().join("s"), "plan.json", "new");
        folder(
            &dir.path().join(".headroom-staging-77-s"),
            "plan.json",
            "old",
        );
        recover(dir.path()).unwrap();
        assert_eq!(read(&dir.path().join("s/plan.json")), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // fallback killed between its two renames: no folder, the old one aside.
        let dir = tempfile::tempdir().unwrap();
        folder(
            &dir.path().join(".headroom-old-77-s-gcp"),
            "plan.json",
            "old",
        );
        folder(
            &dir.path().join(".headroom-staging-77-s-gcp"),
            "plan.json",
            "new",
        );
        recover(dir.path()).unwrap();
        assert_eq!(read(&dir.path().join("s-gcp/plan.json")), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // fallback killed after both renames: new output, the old one aside.
        let dir = tempfile::tempdir().unwrap();
        folder(&dir.path().join("s"), "plan.json", "new");
        folder(&dir.path().join(".headroom-old-77-s"), "plan.json", "old");
        recover(dir.path()).unwrap();
        assert_eq!(read(&dir.path().join("s/plan.json")), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
