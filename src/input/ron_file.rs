//! Parsing RON input files into typed structs, with errors that point at the file.
//!
//! Syntax and type errors carry the line and column RON reports, the field path
//! serde_path_to_error tracked, and, for unknown fields and variants, the near misses.

use std::path::Path;

use ron::extensions::Extensions;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::error::{InputError, Location, did_you_mean};
use crate::input::problems::{self, MAX_PROBLEMS};

/// Deepest nesting of brackets a RON file may have (RON recurses per level; a file nested
/// 100,000 deep would overflow the stack). Scenarios nest about 6 deep.
pub const MAX_NESTING: usize = 64;

/// The RON dialect of every headroom file: `Some(..)` may be omitted around optional values,
/// and a component's policy is written `Postgres(field: ..)` rather than `Postgres((field: ..))`.
fn options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
        .with_recursion_limit(MAX_NESTING)
}

/// Reads `path` as text.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses `src` (the contents of `path`) as a `T`. The spellings [`ron_text`] accepts
/// (`users: 5e7`, `Inline((..))`) are rewritten first; positions point into `src`.
///
/// [`ron_text`]: crate::input::ron_text
///
/// When the file does not parse, the error lists every problem the schema of `T` finds
/// ([`problems`]), after the one serde stopped at.
pub fn parse<T: DeserializeOwned + JsonSchema>(path: &Path, src: &str) -> Result<T, InputError> {
    let opts = options();
    let text = crate::input::ron_text::normalize(src);
    let located = |e: &ron::error::SpannedError, field_path: &str| {
        let (line, col) = text.original(e.span.start.line, e.span.start.col);
        spanned_to_input(path, line, col, &e.code, field_path)
    };
    let mut de =
        ron::Deserializer::from_str_with_options(&text.text, &opts).map_err(|e| located(&e, ""))?;
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => value,
        Err(err) => {
            let field_path = err.path().to_string();
            let spanned = de.span_error(err.into_inner());
            return Err(with_other_problems::<T>(
                path,
                src,
                located(&spanned, &field_path),
            ));
        }
    };
    de.end().map_err(|e| located(&de.span_error(e), ""))?;
    // A map key written twice parsed fine, the second entry replacing the first.
    crate::input::duplicates::check(path, src)?;
    Ok(value)
}

/// Every problem [`problems::check`] finds in `src` against `T`'s schema, in file order, after
/// `first` (where serde stopped) unless the schema check states what is wrong on its line;
/// a problem `first` already states is not repeated.
fn with_other_problems<T: JsonSchema>(path: &Path, src: &str, first: InputError) -> InputError {
    let Some(tree) = crate::input::ron_tree::read(src) else {
        return first;
    };
    let first_text = first.to_string();
    let first_line = match &first {
        InputError::Invalid {
            location: Location::LineCol { line, .. },
            ..
        } => Some(*line),
        _ => None,
    };
    let schema = crate::input::schema::json_schema::<T>();
    let found = problems::check(&tree, &schema);
    // The schema's account of `first`'s line is the more precise one (`users: 12.5` is "a
    // whole number expected, found 12.5", where RON says "expected comma" after the `12`).
    let keep_first = !found.iter().any(|p| Some(p.line) == first_line);
    let others = found
        .into_iter()
        .filter(|p| {
            let gist = p.message.split([';', '(']).next().unwrap_or("").trim();
            !(keep_first && first_text.contains(gist))
        })
        .map(|p| {
            let message = if p.path.is_empty() {
                p.message
            } else {
                format!("{} (at `{}`)", p.message, p.path)
            };
            InputError::at(path, p.line, p.col, message)
        });
    let all: Vec<InputError> = keep_first
        .then_some(first)
        .into_iter()
        .chain(others)
        .take(MAX_PROBLEMS)
        .collect();
    if all.len() == 1 {
        all.into_iter().next().expect("one problem")
    } else {
        InputError::Several(all)
    }
}

/// Reads and parses `path`.
pub fn load<T: DeserializeOwned + JsonSchema>(path: &Path) -> Result<T, InputError> {
    let src = read_text(path)?;
    parse(path, &src)
}

fn spanned_to_input(
    path: &Path,
    line: usize,
    col: usize,
    code: &ron::Error,
    field_path: &str,
) -> InputError {
    let message = describe(code);
    // serde_path_to_error writes `?` for segments it could not name; drop them.
    let field_path = field_path.trim_end_matches(".?").trim_end_matches('?');
    let message = if field_path.is_empty() || field_path == "." {
        message
    } else {
        format!("{message} (at `{field_path}`)")
    };
    // RON reports the span of the offending token; its start is where the reader should look.
    InputError::at(path, line, col, message)
}

/// A readable message for a RON error, with suggestions for near misses.
fn describe(code: &ron::Error) -> String {
    match code {
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => format!(
            "unknown field `{found}`{}; expected one of: {}",
            did_you_mean(found, expected.iter().copied()),
            expected.join(", ")
        ),
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => format!(
            "unknown variant `{found}`{}; expected one of: {}",
            did_you_mean(found, expected.iter().copied()),
            expected.join(", ")
        ),
        ron::Error::ExpectedInteger => "expected a whole number (a count such as `12` or `5e7`; \
                                        a fraction is not a count)"
            .to_string(),
        ron::Error::ExceededRecursionLimit => {
            format!("nested deeper than {MAX_NESTING} levels of brackets")
        }
        ron::Error::MissingStructField { field, outer } => match outer {
            Some(outer) => format!("missing field `{field}` in `{outer}`"),
            None => format!("missing field `{field}`"),
        },
        other => {
            let text = other.to_string();
            // RON's messages start with a capital; ours read after "failed to ...".
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().collect::<String>() + chars.as_str(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        ratio: f64,
    }

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    #[test]
    fn parses_valid_input() {
        let v: Outer = parse(Path::new("x.ron"), "(name: \"a\", inner: (ratio: 0.5))").unwrap();
        assert_eq!(v.name, "a");
        assert!((v.inner.ratio - 0.5).abs() < f64::EPSILON);
    }

    #[test]
    fn unknown_field_names_line_col_path_and_suggestion() {
        let src = "(\n  name: \"a\",\n  inner: (ratoi: 0.5),\n)";
        let e = parse::<Outer>(Path::new("x.ron"), src)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.ron:3:"), "{e}");
        assert!(e.contains("unknown field `ratoi`"), "{e}");
        assert!(e.contains("did you mean `ratio`"), "{e}");
        assert!(e.contains("`inner.ratoi`"), "{e}");
    }

    #[test]
    fn type_error_names_position() {
        let src = "(name: \"a\", inner: (ratio: \"high\"))";
        let e = parse::<Outer>(Path::new("x.ron"), src)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.ron:1:"), "{e}");
        assert!(e.contains("inner.ratio"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse::<serde_json::Value>(Path::new("x.ron"), &src).unwrap_err();
        assert!(
            e.to_string().contains("nested deeper than 64 levels"),
            "{e}"
        );
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        let e = parse::<Inner>(Path::new("x.ron"), "(ratio: 1.0) junk").unwrap_err();
        assert!(e.to_string().starts_with("x.ron:1:"), "{e}");
    }
}
