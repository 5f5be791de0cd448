//! The scenarios `headroom init` writes: annotated templates shipped in the binary
//! (`templates/init/*.ron`). Each plans as written (a test runs `init` then `plan`), shows
//! every field with its unit and meaning, and marks the required ones `REQUIRED`; growth and
//! workload are written in place, so the file needs nothing beside it but price tables.

/// Every template as (name, text); the first is the default.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("minimal", include_str!("../../templates/init/minimal.ron")),
    ("saas", include_str!("../../templates/init/saas.ron")),
];

/// The template named `template` for a scenario named `name`, whose price tables are at
/// `tables` (relative to the file) and which is written to `file`; `None` for an unknown
/// template.
#[must_use]
pub fn render(template: &str, name: &str, tables: &str, file: &str) -> Option<String> {
    let (_, text) = TEMPLATES.iter().find(|(n, _)| *n == template)?;
    Some(
        text.replace("@NAME@", name)
            .replace("@TABLES@", tables)
            .replace("@FILE@", file),
    )
}

/// The names of the templates, for messages.
#[must_use]
pub fn names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::ScenarioFile;
    use crate::input::schema::Document;

    #[test]
    fn every_template_parses_and_marks_every_required_field() {
        let schema = Document::Scenario.schema();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        for name in names() {
            let text = render(name, "x", "pricing/aws", "x.ron").unwrap();
            let spec: ScenarioFile = crate::input::ron_file::parse(Path::new("x.ron"), &text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            spec.validate(Path::new("x.ron"))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let lines: Vec<&str> = text.lines().collect();
            for field in &required {
                // The comment block right above `field:` says REQUIRED.
                let at = lines
                    .iter()
                    .position(|l| l.starts_with(&format!("    {field}:")))
                    .unwrap_or_else(|| panic!("{name}: no `{field}`"));
                let comments = lines[..at]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with("//"));
                assert!(
                    comments.clone().any(|l| l.contains("REQUIRED")),
                    "{name}: `{field}` is not marked REQUIRED"
                );
            }
        }
    }
}
