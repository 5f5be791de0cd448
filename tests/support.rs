//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real `headroom` binary, run from the repository root.
pub fn headroom() -> Command {
    let mut cmd = Command::cargo_bin("headroom").expect("binary builds");
    cmd.current_dir(root());
    cmd
}

/// Every shipped scenario file, sorted.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

/// Files under `dir`, recursively, as sorted relative paths.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}
/// A copy of a shipped scenario in `dir`, its model and pricing paths made absolute, with
/// `edits` (from, to) applied.
pub fn scenario_copy(dir: &Path, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(root().join("scenarios").join(name))
        .unwrap()
        .replace("../models", &format!("{}/models", root().display()))
        .replace("../pricing", &format!("{}/pricing", root().display()));
    for (from, to) in edits {
        assert!(text.contains(from), "{name} has no `{from}`");
        text = text.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The row of claim `id` in `headroom audit SCENARIO`'s table (the audit must succeed).
pub fn audit_row(scenario: impl AsRef<std::ffi::OsStr>, id: &str) -> String {
    let out = headroom()
        .arg("audit")
        .arg(scenario)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let prefix = format!("{id} ");
    text.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no audit row {id} in:\n{text}"))
        .to_string()
}
