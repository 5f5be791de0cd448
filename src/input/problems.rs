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
use crate::input::ron_tree::{Node, Value};

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

/// The variant an alternative of an enum's `oneOf` stands for: a unit variant (`const` or a
/// one-value `enum`) or a variant with data (an object with one required property).
pub(crate) fn variant_of(alt: &Json) -> Option<(&str, Option<&Json>)> {
    if let Some(name) = alt.get("const").and_then(Json::as_str) {
        return Some((name, None));
    }
    if let Some([name]) = alt.get("enum").and_then(Json::as_array).map(Vec::as_slice) {
        return Some((name.as_str()?, None));
    }
    let required = alt.get("required")?.as_array()?;
    let [name] = required.as_slice() else {
        return None;
    };
    let name = name.as_str()?;
    Some((name, alt.get("properties")?.get(name)))
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
            if alts.iter().all(|a| variant_of(a).is_some()) {
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
            Some("string") => {
                if !matches!(node.value, Value::Str(_)) {
                    self.expected(node, path, "a string `\"..\"`", &node.value);
                }
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
            Some("boolean") => {
                if !matches!(&node.value, Value::Ident(b) if b == "true" || b == "false") {
                    self.expected(node, path, "`true` or `false`", &node.value);
                }
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
            _ if alts.iter().all(|a| variant_of(a).is_some()) => self.variant(node, alts, path),
            _ => {}
        }
    }

    fn variant(&mut self, node: &Node, alts: &[&'a Json], path: &str) {
        let names: Vec<&str> = alts
            .iter()
            .filter_map(|a| variant_of(a))
            .map(|v| v.0)
            .collect();
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
        let Some((_, content)) = alts
            .iter()
            .filter_map(|a| variant_of(a))
            .find(|(n, _)| n == written)
        else {
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
        let written: &[(String, Node)] = match &node.value {
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
        for (name, child) in written {
            match properties.get(name) {
                Some(field_schema) => self.node(child, field_schema, &join(path, name)),
                None if closed => {
                    let hint = did_you_mean(name, known.iter().copied());
                    suggested.extend(crate::error::close_matches(name, known.iter().copied()));
                    self.report(
                        child,
                        &join(path, name),
                        format!(
                            "unknown field `{name}`{hint}; expected one of: {}",
                            known.join(", ")
                        ),
                    );
                }
                None => {}
            }
        }
        let required = schema.get("required").and_then(Json::as_array);
        for field in required.into_iter().flatten().filter_map(Json::as_str) {
            // A misspelt field is reported once, as unknown with its suggestion.
            if written.iter().any(|(n, _)| n == field) || suggested.iter().any(|s| s == field) {
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
        // dau_ratoi: misspelt (reported once, not also as a missing `dau_ratio`);
        // peak_to_average: a string; session_basis: no such variant; the rest are missing.
        let src = "(\n mau_ratio: 0.3,\n dau_ratoi: 0.4,\n peak_to_average: \"3\",\n session_basis: Day,\n)";
        let found = check(&read(src).unwrap(), &schema);
        let at = |line: usize| found.iter().filter(move |p| p.line == line);
        assert!(
            at(3).any(|p| p
                .message
                .contains("unknown field `dau_ratoi` (did you mean `dau_ratio`?)")),
            "{found:?}"
        );
        assert!(
            at(4).any(|p| p.path == "peak_to_average"
                && p.message == "expected a number, found the string \"3\""),
            "{found:?}"
        );
        assert!(
            at(5).any(|p| p.message.contains("unknown variant `Day`")),
            "{found:?}"
        );
        let missing: Vec<&str> = found
            .iter()
            .filter(|p| p.message.starts_with("missing field"))
            .map(|p| p.message.as_str())
            .collect();
        assert!(
            missing.contains(&"missing field `peak_concurrency_ratio`"),
            "{missing:?}"
        );
        assert!(
            !missing.contains(&"missing field `dau_ratio`"),
            "{missing:?}"
        );
        // 24 required fields, 3 written right: 21 missing, less `dau_ratio` (suggested) = 20,
        // plus 3 wrong = 23 problems, cut at the limit
        assert_eq!(found.len(), MAX_PROBLEMS);
    }
}
