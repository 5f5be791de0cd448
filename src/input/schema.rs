//! The JSON Schema (draft 2020-12) of every file a user writes, derived from the serde structs
//! themselves (`schemars`, which reads the same `#[serde(..)]` attributes and doc comments):
//! `headroom schema` prints it, the README's field reference is rendered from it
//! ([`field_reference`]), and [`crate::input::problems`] checks a file against it. A field
//! added to a struct appears in all three, with its doc comment as its meaning.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value as Json;

use crate::input::problems::variants_of;
use crate::input::{Growth, ScenarioFile, Workload};

/// The files a user writes, each with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// `scenarios/*.ron`.
    Scenario,
    /// `models/growth/*.ron`.
    Growth,
    /// `models/workload/*.ron`.
    Workload,
}

impl Document {
    /// Every document, in the order the README lists them.
    pub const ALL: [Document; 3] = [Document::Scenario, Document::Growth, Document::Workload];

    /// The document's name on the command line (`headroom schema growth`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Document::Scenario => "scenario",
            Document::Growth => "growth",
            Document::Workload => "workload",
        }
    }

    /// The document named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Document> {
        Document::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Its JSON Schema.
    #[must_use]
    pub fn schema(self) -> Json {
        match self {
            Document::Scenario => json_schema::<ScenarioFile>(),
            Document::Growth => json_schema::<Growth>(),
            Document::Workload => json_schema::<Workload>(),
        }
    }

    fn title(self) -> &'static str {
        match self {
            Document::Scenario => "Scenario (`scenarios/*.ron`)",
            Document::Growth => {
                "Growth model (`models/growth/*.ron`, or a scenario's `growth: Inline(..)`)"
            }
            Document::Workload => {
                "Workload model (`models/workload/*.ron`, or a scenario's `workload: Inline(..)`)"
            }
        }
    }
}

/// The JSON Schema (draft 2020-12) of `T`, with its definitions under `$defs`.
#[must_use]
pub fn json_schema<T: JsonSchema>() -> Json {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// The README's field reference: one table per document, a row per field (nested fields by
/// their path), with its type, whether it is required or its default, and its doc comment.
#[must_use]
pub fn field_reference() -> String {
    let mut out = String::from(
        "Generated from the code by `headroom schema --markdown` (a test keeps this copy in \
         sync). `[]` is any item of a list, `{}` any entry of a map; a variant's fields are \
         under its name (`policy.Postgres.headroom`). A count (`integer`) may be written \
         `5e7`.\n",
    );
    for doc in Document::ALL {
        let schema = doc.schema();
        let mut rows = Vec::new();
        Reference {
            root: &schema,
            rows: &mut rows,
        }
        .fields(&schema, "", 0);
        out.push_str(&format!(
            "\n#### {}\n\n| field | type | required / default | meaning |\n|---|---|---|---|\n",
            doc.title()
        ));
        for row in rows {
            out.push_str(&row);
            out.push('\n');
        }
    }
    out
}

/// Definitions documented in their own table, not expanded where a scenario names them.
const OWN_TABLE: [&str; 2] = ["Growth", "Workload"];

/// Deepest nesting rendered (the scenario's deepest field is about 5 levels down).
const MAX_DEPTH: usize = 8;

struct Reference<'a> {
    root: &'a Json,
    rows: &'a mut Vec<String>,
}

impl<'a> Reference<'a> {
    /// `schema` with `$ref`s followed, and the name of the definition last followed.
    fn resolve(&self, mut schema: &'a Json) -> (&'a Json, Option<&'a str>) {
        let mut name = None;
        while let Some(target) = schema.get("$ref").and_then(Json::as_str) {
            let Some(found) = target.strip_prefix('#').and_then(|p| self.root.pointer(p)) else {
                break;
            };
            name = target.rsplit('/').next();
            schema = found;
        }
        (schema, name)
    }

    /// Rows for the properties of an object schema (or the variants of an enum) under `path`.
    fn fields(&mut self, schema: &'a Json, path: &str, depth: usize) {
        let (schema, def) = self.resolve(schema);
        let own_table = def.is_some_and(|d| OWN_TABLE.contains(&d));
        if depth > MAX_DEPTH || (own_table && !path.is_empty()) {
            return;
        }
        for (name, content) in data_variants(self, schema) {
            self.fields(content, &join(path, name), depth + 1);
        }
        let Some(properties) = schema.get("properties").and_then(Json::as_object) else {
            return;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        for (name, field) in properties {
            let field_path = join(path, name);
            let (resolved, _) = self.resolve(field);
            let needed = if required.contains(&name.as_str()) {
                "**required**".to_string()
            } else {
                match field.get("default").or_else(|| resolved.get("default")) {
                    Some(Json::Null) | None => "optional".to_string(),
                    Some(value) => format!("`{}`", compact(value)),
                }
            };
            let meaning = field
                .get("description")
                .or_else(|| resolved.get("description"))
                .and_then(Json::as_str)
                .unwrap_or("")
                .replace("\n\n", " ")
                .replace('\n', " ")
                .replace('|', "\\|");
            self.rows.push(format!(
                "| `{field_path}` | {} | {needed} | {meaning} |",
                self.type_name(field, 0)
            ));
            self.descend(field, &field_path, depth + 1);
        }
    }

    /// Rows for what is inside a field: a struct's fields, a list's or map's items.
    fn descend(&mut self, field: &'a Json, path: &str, depth: usize) {
        let (schema, def) = self.resolve(field);
        if let Some(inner) = option_inner(schema) {
            self.descend(inner, path, depth);
            return;
        }
        if def.is_some_and(|d| OWN_TABLE.contains(&d)) {
            return;
        }
        if let Some(alts) = alternatives(schema) {
            for alt in alts {
                let (alt, _) = self.resolve(alt);
                if !is_null(alt) && variants_of(alt).is_none() {
                    self.descend(alt, path, depth);
                }
            }
            if data_variants(self, schema).is_empty() {
                return;
            }
        }
        match first_type(schema) {
            Some("array") => {
                if let Some(items) = schema.get("items") {
                    self.descend(items, &format!("{path}[]"), depth);
                }
            }
            Some("object") if schema.get("properties").is_none() => {
                if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                    self.descend(values, &format!("{path}.{{}}"), depth);
                }
            }
            _ => self.fields(schema, path, depth),
        }
    }

    /// A short type: `number`, `integer`, `list of Region`, `map of number`,
    /// `File(..) or Inline(Growth)`, `one of Dau, Mau`.
    fn type_name(&self, schema: &'a Json, depth: usize) -> String {
        let (resolved, def) = self.resolve(schema);
        if depth > 3 {
            return "..".into();
        }
        if let Some(inner) = option_inner(resolved) {
            return self.type_name(inner, depth);
        }
        if let Some(values) = resolved.get("enum").and_then(Json::as_array) {
            let names: Vec<String> = values
                .iter()
                .map(|v| format!("`{}`", compact_str(v)))
                .collect();
            return format!("one of {}", names.join(", "));
        }
        if let Some(alts) = alternatives(resolved) {
            let mut parts = Vec::new();
            for alt in alts {
                let (alt_resolved, _) = self.resolve(alt);
                if is_null(alt_resolved) {
                    continue;
                }
                let Some(variants) = variants_of(alt_resolved) else {
                    parts.push(self.type_name(alt, depth + 1));
                    continue;
                };
                for (name, content) in variants {
                    let Some(content) = content else {
                        parts.push(format!("`{name}`"));
                        continue;
                    };
                    let (content_resolved, content_def) = self.resolve(content);
                    let inner = match content_def {
                        Some(d) if OWN_TABLE.contains(&d) => d.to_string(),
                        _ if content_resolved.get("properties").is_some() => "..".to_string(),
                        Some(d) => d.to_string(),
                        None => self.type_name(content, depth + 1),
                    };
                    parts.push(format!("`{name}({inner})`"));
                }
            }
            return parts.join(" or ");
        }
        match first_type(resolved) {
            Some("array") => match resolved.get("items") {
                Some(items) => format!("list of {}", self.type_name(items, depth + 1)),
                None => "list".into(),
            },
            Some("object") if resolved.get("properties").is_none() => {
                match resolved
                    .get("additionalProperties")
                    .filter(|v| v.is_object())
                {
                    Some(values) => format!("map of {}", self.type_name(values, depth + 1)),
                    None => "map".into(),
                }
            }
            Some("object") => def.map_or_else(|| "struct".to_string(), |d| format!("`{d}` (..)")),
            Some("boolean") => "bool".into(),
            Some(other) => other.to_string(),
            None => def.unwrap_or("any").to_string(),
        }
    }
}

/// The data variants of an enum schema: (name, content schema).
fn data_variants<'a>(r: &Reference<'a>, schema: &'a Json) -> Vec<(&'a str, &'a Json)> {
    alternatives(schema)
        .into_iter()
        .flatten()
        .filter_map(|alt| variants_of(r.resolve(alt).0))
        .flatten()
        .filter_map(|(name, content)| content.map(|c| (name, c)))
        .collect()
}

fn alternatives(schema: &Json) -> Option<&Vec<Json>> {
    schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Json::as_array)
}

fn first_type(schema: &Json) -> Option<&str> {
    match schema.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn is_null(schema: &Json) -> bool {
    schema.get("type").and_then(Json::as_str) == Some("null")
}

/// The non-null alternative of an `Option`'s `anyOf` (`[T, null]`), if `schema` is one.
fn option_inner(schema: &Json) -> Option<&Json> {
    let alts = alternatives(schema)?;
    let (nulls, rest): (Vec<&Json>, Vec<&Json>) = alts.iter().partition(|a| is_null(a));
    match (nulls.len(), rest.as_slice()) {
        (1, [only]) => Some(only),
        _ => None,
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn compact(value: &Json) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn compact_str(value: &Json) -> String {
    value
        .as_str()
        .map_or_else(|| compact(value), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_schema_is_draft_2020_12_and_closed() {
        let schema = Document::Scenario.schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], false);
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        for field in [
            "name",
            "growth",
            "workload",
            "pricing",
            "regions",
            "components",
        ] {
            assert!(
                required.contains(&field),
                "{field} not required: {required:?}"
            );
        }
        assert!(!required.contains(&"budget_usd_per_month"));
    }

    #[test]
    fn the_reference_lists_the_fields_the_old_readme_missed() {
        let reference = field_reference();
        for row in [
            "| `budget_usd_per_month` |",
            "| `timeline_months` |",
            "| `components[].lead_time_months` |",
            "| `components[].policy.App.placement` |",
            "| `Exponential.phases` |",
            "| `hours_per_month` | number | `730.0` |",
            "| `name` | string | **required** |",
        ] {
            assert!(reference.contains(row), "no `{row}` in:\n{reference}");
        }
    }
}
