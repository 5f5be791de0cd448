//! Building the next output folder beside the current one: the run's new files, the files
//! another command wrote (kept, still listed in the manifest), and every file headroom never
//! wrote (hard-linked, or copied where links are not possible), so that one rename can put
//! the whole folder in place.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use super::Contents;
use super::manifest::{self, Manifest, Owner};
use crate::error::Error;

/// Prefix of staging folders; a folder of this name inside an output folder was left there
/// by an older headroom (which staged inside it) and is not carried over.
pub const STAGING_PREFIX: &str = ".headroom-staging-";

fn write_error(path: &Path, source: io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Fills `staging` (an empty folder beside `target`) with the folder that should replace
/// `target`: the files `owner` writes now, plus everything of the current `target` that
/// `owner` did not write the last time.
pub fn stage(
    target: &Path,
    staging: &Path,
    owner: Owner,
    files: &[(String, Contents<'_>)],
) -> Result<(), Error> {
    let old = match std::fs::read_to_string(target.join(manifest::FILE_NAME)) {
        Ok(text) => Manifest::parse(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Manifest::default(),
        Err(e) => return Err(write_error(&target.join(manifest::FILE_NAME), e)),
    };
    let new_names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut next = Manifest::default();
    if target.is_dir() {
        let carry = Carry {
            old: &old,
            owner,
            new_names: &new_names,
        };
        carry
            .dir(target, staging, "", &mut next)
            .map_err(|e| write_error(target, e))?;
        if let Ok(meta) = std::fs::metadata(target) {
            let _ = std::fs::set_permissions(staging, meta.permissions());
        }
    }
    for (name, contents) in files {
        debug_assert!(
            !name
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
                && name != manifest::FILE_NAME,
            "output names are relative and plain: {name}"
        );
        write_new(staging, name, contents).map_err(|e| write_error(&target.join(name), e))?;
        next.files.insert(name.clone(), owner);
    }
    let manifest_path = staging.join(manifest::FILE_NAME);
    std::fs::write(&manifest_path, next.to_text())
        .map_err(|e| write_error(&target.join(manifest::FILE_NAME), e))
}

/// Writes one new file into the staged folder; a folder or file of the user's in the way
/// is an error (it is never removed).
fn write_new(staging: &Path, name: &str, contents: &Contents<'_>) -> io::Result<()> {
    let path = staging.join(name);
    let in_the_way = || {
        io::Error::other(
            "a file or folder headroom did not write is in the way; move it away \
             (the previous output is unchanged)",
        )
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => in_the_way(),
            _ => e,
        })?;
        if !parent.is_dir() {
            return Err(in_the_way());
        }
    }
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_dir() => return Err(in_the_way()),
        // A user's file of the same name (or one written before manifests existed) is
        // replaced, as every headroom run always did; only the staged link goes.
        Ok(_) => std::fs::remove_file(&path)?,
        Err(_) => {}
    }
    let mut file = std::fs::File::create(&path)?;
    contents.write_to(&mut file)
}

/// What to carry from the current folder into the staged one.
struct Carry<'a> {
    old: &'a Manifest,
    owner: Owner,
    new_names: &'a BTreeSet<&'a str>,
}

impl Carry<'_> {
    /// Carries the entries of `from` (at `rel` inside the output folder) into `to`; returns
    /// how many were kept.
    fn dir(&self, from: &Path, to: &Path, rel: &str, next: &mut Manifest) -> io::Result<usize> {
        let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        let mut kept = 0;
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if rel.is_empty() && (name == manifest::FILE_NAME || name.starts_with(STAGING_PREFIX)) {
                continue;
            }
            let rel_path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let src = entry.path();
            let dst = to.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                std::fs::create_dir(&dst)?;
                let inner = self.dir(&src, &dst, &rel_path, next)?;
                let was_empty = std::fs::read_dir(&src)?.next().is_none();
                if inner == 0 && !was_empty {
                    // Everything in it was this command's old output.
                    std::fs::remove_dir(&dst)?;
                    continue;
                }
                if let Ok(meta) = std::fs::metadata(&src) {
                    let _ = std::fs::set_permissions(&dst, meta.permissions());
                }
                kept += 1;
                continue;
            }
            match self.old.owner(&rel_path) {
                // This command's earlier output: the new run decides what exists.
                Some(o) if o == self.owner => continue,
                // Another command's file that this run does not rewrite: kept, still its.
                Some(o) if !self.new_names.contains(rel_path.as_str()) => {
                    next.files.insert(rel_path, o);
                }
                Some(_) => continue,
                None => {}
            }
            link_or_copy(&src, &dst, kind.is_symlink())?;
            kept += 1;
        }
        Ok(kept)
    }
}

/// A hard link to `src` at `dst` (same file, no copy), a copy where links fail (filesystems
/// without them), or for a symbolic link a new link with the same target.
fn link_or_copy(src: &Path, dst: &Path, is_symlink: bool) -> io::Result<()> {
    if is_symlink {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(std::fs::read_link(src)?, dst);
        #[cfg(not(unix))]
        return std::fs::copy(src, dst).map(|_| ());
    }
    if std::fs::hard_link(src, dst).is_ok() {
        return Ok(());
    }
    std::fs::copy(src, dst).map(|_| ())
}
