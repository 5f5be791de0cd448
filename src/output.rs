//! Writing outputs safely.
//!
//! Every file of a run is written into a temporary folder beside its destination, then
//! renamed into place, so a run that fails leaves the previous outputs untouched and no
//! half-written file is ever visible. Only the files headroom writes are replaced; anything
//! else in the folder is left alone. Folder names taken from scenarios are sanitised so
//! nothing lands outside the output folder.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Longest folder name taken from a scenario.
const MAX_NAME: usize = 100;

/// A scenario name as a safe single folder name: `[A-Za-z0-9._-]`, no leading dot, not empty.
#[must_use]
pub fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.').trim_end_matches('.');
    let mut out: String = trimmed.chars().take(MAX_NAME).collect();
    if out.is_empty() || out.chars().all(|c| c == '-') {
        out = "scenario".to_string();
    }
    out
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `files` (relative names) under `out_dir/<sanitised scenario name>/`.
///
/// Returns the paths written, in the order given.
pub fn write_files(
    out_dir: &Path,
    scenario: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, Error> {
    let target = out_dir.join(sanitize(scenario));
    std::fs::create_dir_all(&target).map_err(|e| write_error(&target, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".headroom-staging-")
        .tempdir_in(&target)
        .map_err(|e| write_error(&target, e))?;
    for (name, bytes) in files {
        let path = staging.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| write_error(&path, e))?;
    }
    let mut written = Vec::with_capacity(files.len());
    for (name, _) in files {
        let from = staging.path().join(name);
        let to = target.join(name);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
        }
        std::fs::rename(&from, &to).map_err(|e| write_error(&to, e))?;
        written.push(to);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_hostile_names() {
        assert_eq!(sanitize("saas-10b"), "saas-10b");
        assert_eq!(sanitize("../../etc/passwd"), "-..-etc-passwd");
        assert_eq!(sanitize("/abs/path"), "-abs-path");
        assert_eq!(sanitize(".."), "scenario");
        assert_eq!(sanitize("a\0b"), "a-b");
        assert_eq!(sanitize(""), "scenario");
        assert_eq!(sanitize(&"x".repeat(500)).len(), MAX_NAME);
        assert_eq!(sanitize("名前"), "scenario");
    }

    #[test]
    fn writes_and_keeps_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("notes.txt"), b"mine").unwrap();
        let files = vec![("plan.json".to_string(), b"{}".to_vec())];
        let written = write_files(dir.path(), "s", &files).unwrap();
        assert_eq!(written, vec![target.join("plan.json")]);
        assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"mine");
        // no staging folder left behind
        let leftovers: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".headroom"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
