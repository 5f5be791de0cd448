//! The variable files `headroom plan` writes (`tfvars/<phase>.tfvars` and `.tfvars.json`),
//! read back as a fleet: `component_counts` gives every line's count, `instance_types` each
//! component's instance type, `headroom_phase` the phase they were planned for.
//!
//! The HCL file is parsed with `hcl-rs` (a full HCL parser: a hand-edited file with comments,
//! quoted keys or another layout reads the same); the JSON file with `serde_json`. Other
//! variables are not read.

use std::path::Path;

use serde_json::Value;

use crate::error::InputError;
use crate::input::Scenario;

use super::FleetEntry;

/// The file's values as JSON, whichever syntax it is written in.
fn values(path: &Path, text: &str) -> Result<Value, InputError> {
    let is_json = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().to_lowercase().ends_with(".json"));
    if is_json {
        return serde_json::from_str(text).map_err(|e| {
            InputError::at(path, e.line(), e.column(), format!("not valid JSON: {e}"))
        });
    }
    hcl::from_str::<Value>(text).map_err(|e| match &e {
        hcl::Error::Parse(p) => InputError::at(
            path,
            p.location().line(),
            p.location().column(),
            format!("not valid HCL: {}", p.message()),
        ),
        other => InputError::file(path, format!("not a tfvars file: {other}")),
    })
}

/// The phase and the entries of a tfvars file.
pub fn read(
    path: &Path,
    text: &str,
    scenario: &Scenario,
) -> Result<(Option<String>, Vec<FleetEntry>), InputError> {
    let values = values(path, text)?;
    let Some(counts) = values.get("component_counts").and_then(Value::as_object) else {
        return Err(InputError::field(
            path,
            "component_counts",
            "expected a map of components to maps of line counts (the variable `headroom plan` \
             writes in tfvars files)",
        ));
    };
    let instances = values.get("instance_types").and_then(Value::as_object);
    let origin = path.display().to_string();
    let mut out = Vec::new();
    for (component, items) in counts {
        let at = format!("component_counts.{component}");
        super::known_component(path, &at, scenario, component)?;
        let Some(items) = items.as_object() else {
            return Err(InputError::field(path, at, "expected a map of line counts"));
        };
        let instance = instances
            .and_then(|m| m.get(component))
            .and_then(Value::as_str)
            .map(str::to_string);
        for (item, count) in items {
            let Some(count) = count.as_u64().filter(|&c| c <= super::MAX_COUNT) else {
                return Err(InputError::field(
                    path,
                    format!("{at}.{item}"),
                    format!(
                        "expected a whole count up to {}, found {count}",
                        super::MAX_COUNT
                    ),
                ));
            };
            out.push(FleetEntry {
                component: component.clone(),
                item: item.clone(),
                instance: instance.clone(),
                count,
                region: None,
                origin: format!("{origin}: {at}.{item}"),
            });
        }
    }
    let phase = values
        .get("headroom_phase")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((phase, out))
}
