//! Every problem of a file at once: the file read as a tree ([`crate::input::ron_tree`]) is
//! checked against the JSON Schema of its type ([`crate::input::schema`]), collecting missing
//! fields, unknown fields and variants, and values of the wrong shape, each with its
//! `line:col` and field path. serde stops at the first problem; a newcomer's first scenario
//! had eleven, one per run.
//!
//! Only what the schema states is checked (shapes, not ranges: those are each type's
//! `validate`, which runs once the file parses). Field paths read like serde_path_to_error's
//! (`growth.Inline.Ladder.phases[1].users`).

use serde_json::Value as Json;

use crate::error::did_you_mean;
use crate::input::ron_text::exact_integer;
use crate::input::ron_tree::{Field, Node, Value};

/// The most problems reported from one file.
pub const MAX_PROBLEMS: usize = 20;

/// One problem: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    /// Field path, empty at the top.
    pub path: String,
    pub message: String,
}

/// The problems of `tree` against `schema` (a root schema with its `$defs`), in file order,
/// at most [`MAX_PROBLEMS`].
#[must_use]
pub fn check(tree: &Node, schema: &Json) -> Vec<Problem> {
    let mut checker = Checker {
        root: schema,
        found: Vec::new(),
    };
    checker.node(tree, schema, "");
    checker.found.sort_by_key(|p| (p.line, p.col));
    checker.found.truncate(MAX_PROBLEMS);
    checker.found
}

struct Checker<'a> {
    root: &'a Json,
    found: Vec<Problem>,
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The schema's `type`s (`"number"`, or `["integer", "null"]`).
fn types(schema: &Json) -> Vec<&str> {
    match schema.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_null_schema(schema: &Json) -> bool {
    types(schema) == ["null"]
}

/// The variants an alternative of an enum's `oneOf` stands for: unit variants (a `const`, or
/// an `enum` of names: schemars groups the undocumented ones) or one variant with data (an
/// object whose only property, required, is the variant's name). `None` for anything else
/// (a struct behind an `Option`'s `anyOf`).
pub(crate) fn variants_of(alt: &Json) -> Option<Vec<(&str, Option<&Json>)>> {
    if let Some(name) = alt.get("const").and_then(Json::as_str) {
        return Some(vec![(name, None)]);
    }
    if let Some(values) = alt.get("enum").and_then(Json::as_array) {
        return values
            .iter()
            .map(|v| v.as_str().map(|n| (n, None)))
            .collect();
    }
    let properties = alt.get("properties")?.as_object()?;
    let required = alt.get("required")?.as_array()?;
    let ([name], 1) = (required.as_slice(), properties.len()) else {
        return None;
    };
    let name = name.as_str()?;
    Some(vec![(name, Some(properties.get(name)?))])
}

/// Whether every alternative is a variant: the `oneOf` is an enum's.
pub(crate) fn all_variants(alts: &[&Json]) -> bool {
    !alts.is_empty() && alts.iter().all(|a| variants_of(a).is_some())
}

impl<'a> Checker<'a> {
    fn report(&mut self, node: &Node, path: &str, message: String) {
        self.found.push(Problem {
            line: node.line,
            col: node.col,
            path: path.to_string(),
            message,
        });
    }

    /// Follows `$ref`s into `$defs`.
    fn resolve(&self, mut schema: &'a Json) -> &'a Json {
        for _ in 0..32 {
            let Some(target) = schema.get("$ref").and_then(Json::as_str) else {
                break;
            };
            let Some(found) = target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
            else {
                break;
            };
            schema = found;
        }
        schema
    }

    fn node(&mut self, node: &Node, schema: &'a Json, path: &str) {
        let schema = self.resolve(schema);
        let alternatives = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Json::as_array);
        if let Some(alts) = alternatives {
            let (nulls, alts): (Vec<&Json>, Vec<&Json>) = alts
                .iter()
                .map(|a| self.resolve(a))
                .partition(|a| is_null_schema(a));
            if !nulls.is_empty() && self.optional(node, path, &alts) {
                return;
            }
            if all_variants(&alts) {
                self.variant(node, &alts, path);
            } else if let [only] = alts.as_slice() {
                self.node(node, only, path);
            }
            return;
        }
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            let names: Vec<&str> = values.iter().filter_map(Json::as_str).collect();
            match &node.value {
                Value::Ident(n) if names.contains(&n.as_str()) => {}
                Value::Ident(n) => self.unknown_variant(node, path, n, &names),
                other => self.report(
                    node,
                    path,
                    format!(
                        "expected one of: {}; found {}",
                        names.join(", "),
                        other.looks_like()
                    ),
                ),
            }
            return;
        }
        if types(schema).contains(&"null") && self.optional(node, path, &[schema]) {
            return;
        }
        self.typed(node, schema, path);
    }

    /// A value against the schema's `type` (a `null` among the types aside).
    fn typed(&mut self, node: &Node, schema: &'a Json, path: &str) {
        match types(schema).into_iter().find(|t| *t != "null") {
            Some("object") if schema.get("properties").is_some() => self.fields(node, schema, path),
            Some("object") => self.map(node, schema, path),
            Some("array") => match &node.value {
                Value::List(items) => {
                    if let Some(item) = schema.get("items") {
                        for (i, child) in items.iter().enumerate() {
                            self.node(child, item, &format!("{path}[{i}]"));
                        }
                    }
                }
                other => self.expected(node, path, "a list `[..]`", other),
            },
            Some("string") if !matches!(node.value, Value::Str(_)) => {
                self.expected(node, path, "a string `\"..\"`", &node.value);
            }
            Some("number") => match &node.value {
                Value::Number(_) => {}
                Value::Ident(n) if matches!(n.as_str(), "inf" | "NaN") => {}
                other => self.expected(node, path, "a number", other),
            },
            Some("integer") => match &node.value {
                Value::Number(n)
                    if n.replace('_', "")
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'-')
                        || exact_integer(n).is_some() => {}
                other => self.expected(node, path, "a whole number (a count)", other),
            },
            Some("boolean") if !matches!(&node.value, Value::Ident(b) if b == "true" || b == "false") =>
            {
                self.expected(node, path, "`true` or `false`", &node.value);
            }
            _ => {}
        }
    }

    /// An optional value: `None`, `Some(x)`, or (implicit `Some`) `x` itself. True when handled.
    fn optional(&mut self, node: &Node, path: &str, alts: &[&'a Json]) -> bool {
        match &node.value {
            Value::Ident(n) if n == "None" => true,
            Value::Tuple {
                name: Some(n),
                items,
            } if n == "Some" && items.len() == 1 => {
                self.present(&items[0], path, alts);
                true
            }
            _ => {
                self.present(node, path, alts);
                true
            }
        }
    }

    /// The value of an optional, checked against the non-null part of its schema.
    fn present(&mut self, node: &Node, path: &str, alts: &[&'a Json]) {
        match alts {
            // `{"type": ["integer", "null"]}`: its type other than null.
            [only] if types(only).contains(&"null") => self.typed(node, only, path),
            [only] => self.node(node, only, path),
            _ if all_variants(alts) => self.variant(node, alts, path),
            _ => {}
        }
    }

    fn variant(&mut self, node: &Node, alts: &[&'a Json], path: &str) {
        let variants: Vec<(&str, Option<&'a Json>)> = alts
            .iter()
            .filter_map(|a| variants_of(a))
            .flatten()
            .collect();
        let names: Vec<&str> = variants.iter().map(|v| v.0).collect();
        let written = match &node.value {
            Value::Ident(n) => Some(n),
            Value::Fields { name: Some(n), .. } | Value::Tuple { name: Some(n), .. } => Some(n),
            _ => None,
        };
        let Some(written) = written else {
            self.report(
                node,
                path,
                format!(
                    "expected a variant ({}), found {}",
                    names.join(", "),
                    node.value.looks_like()
                ),
            );
            return;
        };
        let Some(&(_, content)) = variants.iter().find(|(n, _)| n == written) else {
            self.unknown_variant(node, path, written, &names);
            return;
        };
        let Some(content) = content else { return };
        let path = join(path, written);
        match &node.value {
            Value::Fields { fields, .. } => {
                let unnamed = Node {
                    line: node.line,
                    col: node.col,
                    value: Value::Fields {
                        name: None,
                        fields: fields.clone(),
                    },
                };
                self.node(&unnamed, content, &path);
            }
            Value::Tuple { items, .. } if items.len() == 1 => self.node(&items[0], content, &path),
            Value::Tuple { items, .. } if items.is_empty() => {
                let empty = Node {
                    line: node.line,
                    col: node.col,
                    value: Value::Fields {
                        name: None,
                        fields: Vec::new(),
                    },
                };
                self.node(&empty, content, &path);
            }
            _ => {}
        }
    }

    fn unknown_variant(&mut self, node: &Node, path: &str, found: &str, names: &[&str]) {
        self.report(
            node,
            path,
            format!(
                "unknown variant `{found}`{}; expected one of: {}",
                did_you_mean(found, names.iter().copied()),
                names.join(", ")
            ),
        );
    }

    fn expected(&mut self, node: &Node, path: &str, what: &str, found: &Value) {
        self.report(
            node,
            path,
            format!("expected {what}, found {}", found.looks_like()),
        );
    }

    fn fields(&mut self, node: &Node, schema: &'a Json, path: &str) {
        let written: &[Field] = match &node.value {
            Value::Fields { fields, .. } => fields,
            Value::Tuple { items, .. } if items.is_empty() => &[],
            other => {
                self.expected(node, path, "a struct `(field: value, ..)`", other);
                return;
            }
        };
        let Some(properties) = schema.get("properties").and_then(Json::as_object) else {
            return;
        };
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut suggested: Vec<String> = Vec::new();
        for field in written {
            let (name, child) = (&field.name, &field.value);
            match properties.get(name) {
                Some(field_schema) => self.node(child, field_schema, &join(path, name)),
                None if closed => {
                    let hint = did_you_mean(name, known.iter().copied());
                    suggested.extend(crate::error::close_matches(name, known.iter().copied()));
                    self.found.push(Problem {
                        line: field.line,
                        col: field.col,
                        path: join(path, name),
                        message: format!(
                            "unknown field `{name}`{hint}; expected one of: {}",
                            known.join(", ")
                        ),
                    });
                }
                None => {}
            }
        }
        let required = schema.get("required").and_then(Json::as_array);
        for field in required.into_iter().flatten().filter_map(Json::as_str) {
            // A misspelt field is reported once, as unknown with its suggestion.
            if written.iter().any(|f| f.name == field) || suggested.iter().any(|s| s == field) {
                continue;
            }
            self.report(node, path, format!("missing field `{field}`"));
        }
    }

    fn map(&mut self, node: &Node, schema: &'a Json, path: &str) {
        let Value::Map(entries) = &node.value else {
            self.expected(node, path, "a map `{\"key\": value, ..}`", &node.value);
            return;
        };
        let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) else {
            return;
        };
        for (key, value) in entries {
            let key = match &key.value {
                Value::Str(k) => k.clone(),
                other => {
                    self.expected(key, path, "a string key `\"..\"`", other);
                    continue;
                }
            };
            self.node(value, values, &join(path, &key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ron_tree::read;

    #[test]
    fn lists_every_missing_unknown_and_mistyped_field() {
        let schema = crate::input::schema::json_schema::<crate::input::Workload>();
        // The shipped workload with four mistakes: `dau_ratoi` misspelt (reported once, not
        // also as a missing `dau_ratio`), `peak_concurrency_ratio` gone, `peak_to_average` a
        // string, `session_basis` no such variant.
        let src = include_str!("../../models/workload/saas.ron")
            .replace("dau_ratio: 0.4", "dau_ratoi: 0.4")
            .replace("peak_concurrency_ratio: 0.1,", "")
            .replace("peak_to_average: 3.0", "peak_to_average: \"3\"")
            .replace("session_basis: Dau", "session_basis: Day");
        let found = check(&read(&src).unwrap(), &schema);
        let messages: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        // in file order: the struct's `(` (line 4) holds the missing field
        assert_eq!((found[0].line, found[0].col), (4, 1));
        assert_eq!(messages[0], "missing field `peak_concurrency_ratio`");
        assert!(messages[1].starts_with("unknown field `dau_ratoi` (did you mean `dau_ratio`?)"));
        assert_eq!(found[2].path, "peak_to_average");
        assert_eq!(messages[2], "expected a number, found the string \"3\"");
        assert_eq!(found[3].path, "session_basis");
        assert!(messages[3].starts_with("unknown variant `Day` (did you mean `Dau`?)"));
    }

    #[test]
    fn stops_at_the_limit() {
        let schema = crate::input::schema::json_schema::<crate::input::Workload>();
        // 24 required fields, none written: 24 problems, cut at 20
        let found = check(&read("()").unwrap(), &schema);
        assert_eq!(found.len(), MAX_PROBLEMS);
    }

    #[test]
    fn every_shipped_file_has_no_problem() {
        // A problem found in a valid file would be listed beside every real one: the checker
        // must read every shipped scenario and model (options of structs, grouped unit
        // variants, `Inline(..)`, claims, uncertainty) as serde does.
        use crate::input::schema::Document;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (folder, doc) in [
            ("scenarios", Document::Scenario),
            ("models/growth", Document::Growth),
            ("models/workload", Document::Workload),
        ] {
            let schema = doc.schema();
            let mut files = 0;
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let file = entry.unwrap().path();
                if file.extension().is_none_or(|x| x != "ron") {
                    continue;
                }
                let src = std::fs::read_to_string(&file).unwrap();
                let tree = read(&src).unwrap_or_else(|| panic!("{}: not read", file.display()));
                assert_eq!(check(&tree, &schema), [], "{}", file.display());
                files += 1;
            }
            assert!(files >= 5, "{folder}: {files} files");
        }
    }
}
