//! The output folder of a scenario, `DIR/<scenario>/`, owned by the runs that write it.
//!
//! A run replaces the folder as a whole: it stages the complete next folder beside it (its
//! new files; the files another command wrote there, e.g. `timeline/` for a `plan` run; and
//! hard links to every file headroom never wrote), then swaps it in with one rename
//! ([`swap`]). What this command wrote last time and does not write now is gone; what
//! headroom never wrote is never touched. The manifest ([`manifest`]) records which command
//! wrote which file. A failure before the swap leaves the old folder as it was; a kill at any
//! moment leaves the old folder or the new one, and the next run cleans up. Folder names
//! taken from scenarios are sanitised so nothing lands outside the output folder.

pub mod manifest;
pub mod staging;
pub mod swap;

pub use manifest::Owner;

use std::io::Write;
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

/// Writes a file's contents into it.
pub type WriteContents<'a> = dyn Fn(&mut dyn Write) -> std::io::Result<()> + Sync + 'a;

/// What goes into one output file.
pub enum Contents<'a> {
    /// Rendered in memory already.
    Bytes(Vec<u8>),
    /// Written straight into the staged file. `plan.json` runs to megabytes: held in memory
    /// whole, its growing buffer costs more (fresh pages, copies) than serializing it. A
    /// failure part way leaves no output all the same, as the staged folder is discarded.
    Stream(Box<WriteContents<'a>>),
}

impl Contents<'_> {
    /// Writes the contents into `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Contents::Bytes(bytes) => out.write_all(bytes),
            Contents::Stream(write) => write(out),
        }
    }

    /// The contents as bytes (streamed ones rendered into memory).
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Contents::Bytes(bytes) => Ok(bytes),
            Contents::Stream(write) => {
                let mut bytes = Vec::new();
                write(&mut bytes)?;
                Ok(bytes)
            }
        }
    }
}

impl From<Vec<u8>> for Contents<'_> {
    fn from(bytes: Vec<u8>) -> Self {
        Contents::Bytes(bytes)
    }
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces `owner`'s files under `out_dir/<sanitised scenario name>/` with `files`
/// (relative names, `/`-separated), as a whole or not at all.
///
/// Returns the paths written, in the order given.
pub fn write_owned(
    out_dir: &Path,
    scenario: &str,
    owner: Owner,
    files: &[(String, Contents<'_>)],
) -> Result<Vec<PathBuf>, Error> {
    let name = sanitize(scenario);
    std::fs::create_dir_all(out_dir).map_err(|e| write_error(out_dir, e))?;
    let _lock = swap::lock(out_dir).map_err(|e| write_error(out_dir, e))?;
    swap::recover(out_dir).map_err(|e| write_error(out_dir, e))?;
    let target = out_dir.join(&name);
    if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) && !target.is_dir() {
        // A file of the user's named like the scenario folder: never swapped away.
        return Err(write_error(
            &target,
            std::io::Error::other("exists and is not a folder; move it away"),
        ));
    }
    let staging = out_dir.join(swap::staging_name(&name));
    std::fs::create_dir(&staging).map_err(|e| write_error(&staging, e))?;
    let result = staging::stage(&target, &staging, owner, files)
        .and_then(|()| swap::replace(&target, &staging).map_err(|e| write_error(&target, e)));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    Ok(files.iter().map(|(n, _)| target.join(n)).collect())
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
        let files = vec![("plan.json".to_string(), Contents::from(b"{}".to_vec()))];
        let written = write_owned(dir.path(), "s", Owner::Plan, &files).unwrap();
        assert_eq!(written, vec![target.join("plan.json")]);
        assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"mine");
        // no staging folder left behind
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".headroom"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
