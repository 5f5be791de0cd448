//! The error types of every stage, and the exit code each maps to.
//!
//! Messages are lowercase fragments that point at the user's file: `file:line:col` for syntax
//! and type errors, `file: field.path` for values that parse but make no sense.

use std::path::{Path, PathBuf};

/// Exit code for a run that worked.
pub const EXIT_OK: i32 = 0;
/// Exit code for a check that failed (or a failure that is not the input's fault).
pub const EXIT_FAILED: i32 = 1;
/// Exit code for bad input: a file that does not parse, a value out of range, a missing price.
pub const EXIT_BAD_INPUT: i32 = 2;

/// Where in an input file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line and column.
    LineCol { line: usize, col: usize },
    /// A field path such as `components[2].policy.max_write_qps_per_shard`.
    Field(String),
    /// The file as a whole.
    File,
}

/// Something wrong with the inputs. Always exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}{}: {message}", file.display(), location_suffix(location))]
    Invalid {
        file: PathBuf,
        location: Location,
        message: String,
    },
    /// Several problems of one file, found in one read (the first is what serde stopped at).
    /// Shown one per line, each line read as its own `error:` after the first's.
    #[error("{}", join_problems(.0))]
    Several(Vec<InputError>),
}

fn join_problems(problems: &[InputError]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "{}\nerror: {} problems in all; fix them and run again",
        lines.join("\nerror: "),
        problems.len()
    )
}

fn location_suffix(location: &Location) -> String {
    match location {
        Location::LineCol { line, col } => format!(":{line}:{col}"),
        Location::Field(path) if path.is_empty() => String::new(),
        Location::Field(path) => format!(": {path}"),
        Location::File => String::new(),
    }
}

impl InputError {
    /// A value that parsed but is not acceptable, located by its field path.
    pub fn field(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError::Invalid {
            file: file.to_path_buf(),
            location: Location::Field(path.into()),
            message: message.into(),
        }
    }

    /// A problem at a line and column of a file.
    pub fn at(file: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        InputError::Invalid {
            file: file.to_path_buf(),
            location: Location::LineCol { line, col },
            message: message.into(),
        }
    }

    /// A problem with a file as a whole.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        InputError::Invalid {
            file: file.to_path_buf(),
            location: Location::File,
            message: message.into(),
        }
    }
}

/// Any failure of a headroom command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Render(String),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The process exit code for this failure.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Write { .. } | Error::Render(_) => EXIT_FAILED,
        }
    }
}

/// The closest candidates to `found` among `candidates`, best first (for "did you mean").
#[must_use]
pub fn close_matches<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let found_lower = found.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            let c_lower = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&found_lower, &c_lower);
            if c_lower.contains(&found_lower) || found_lower.contains(&c_lower) {
                score = score.max(0.9);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Offer the best match, and others only when they are as close (a real tie).
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .filter(|(score, _)| *score >= best - 0.01)
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Formats a "did you mean" suffix, or nothing when no candidate is close.
#[must_use]
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let matches = close_matches(found, candidates);
    if matches.is_empty() {
        String::new()
    } else {
        format!(
            " (did you mean {}?)",
            matches
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let fields = ["dau_ratio", "mau_ratio", "peak_to_average"];
        assert_eq!(close_matches("dau_ratoi", fields)[0], "dau_ratio");
        assert!(close_matches("zzz", fields).is_empty());
        assert_eq!(
            did_you_mean("peak_to_avg", fields),
            " (did you mean `peak_to_average`?)"
        );
    }

    #[test]
    fn messages_name_file_and_location() {
        let e = InputError::at(Path::new("s.ron"), 3, 7, "expected a number");
        assert_eq!(e.to_string(), "s.ron:3:7: expected a number");
        let e = InputError::field(
            Path::new("s.ron"),
            "workload.dau_ratio",
            "must be in [0, 1]",
        );
        assert_eq!(
            e.to_string(),
            "s.ron: workload.dau_ratio: must be in [0, 1]"
        );
    }
}
