//! Bounds on how much work an input may ask for: counts of phases, components, regions,
//! claims, lines, months and rows. Each is far above any real plan and far below what
//! exhausts memory or time; a file beyond one is bad input, named by file, field and limit.

use std::path::Path;

use crate::error::InputError;
use crate::input::growth::Growth;
use crate::input::scenario::{Policy, ScenarioFile};

/// Phases of a growth model (each is sized and rendered in full).
pub const MAX_PHASES: usize = 1_000;
/// Milestones of a `Milestones` growth curve.
pub const MAX_MILESTONES: usize = 10_000;
/// Components of a scenario.
pub const MAX_COMPONENTS: usize = 1_000;
/// Regions of a scenario.
pub const MAX_REGIONS: usize = 200;
/// Claims of a scenario.
pub const MAX_CLAIMS: usize = 10_000;
/// Lines of one component: a `Fixed` component's lines, the items pinned in one phase, the
/// prices it gives, an object store's classes.
pub const MAX_LINES_PER_COMPONENT: usize = 1_000;
/// Months of a timeline (100 years).
pub const MAX_TIMELINE_MONTHS: u32 = 1_200;
/// Uncertain inputs of a scenario.
pub const MAX_UNCERTAIN_INPUTS: usize = 1_000;
/// Catalog rows: the catalog owns its limit (it sits below the input layer).
pub use crate::catalog::MAX_CATALOG_ROWS;

/// `count` of `what` at `field` of `file`, at most `limit`.
pub fn at_most(
    file: &Path,
    field: &str,
    what: &str,
    count: usize,
    limit: usize,
) -> Result<(), InputError> {
    if count > limit {
        return Err(InputError::field(
            file,
            field,
            format!("{count} {what}; at most {limit} are allowed"),
        ));
    }
    Ok(())
}

/// The growth model's phases and milestones (`prefix`: where the model sits in `file`).
pub fn check_growth(file: &Path, prefix: &str, growth: &Growth) -> Result<(), InputError> {
    let field = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    at_most(
        file,
        &field("phases"),
        "phases",
        growth.phases().len(),
        MAX_PHASES,
    )?;
    if let Growth::Milestones { points, .. } = growth {
        at_most(
            file,
            &field("points"),
            "milestones",
            points.len(),
            MAX_MILESTONES,
        )?;
    }
    Ok(())
}

/// Timeline months asked for at `field` (`timeline_months`, `--months`).
pub fn check_months(file: &Path, field: &str, months: u32) -> Result<(), InputError> {
    if months > MAX_TIMELINE_MONTHS {
        return Err(InputError::field(
            file,
            field,
            format!("{months} months; at most {MAX_TIMELINE_MONTHS} (100 years) are allowed"),
        ));
    }
    Ok(())
}

/// The scenario file's own counts.
pub fn check_scenario(file: &Path, spec: &ScenarioFile) -> Result<(), InputError> {
    at_most(
        file,
        "components",
        "components",
        spec.components.len(),
        MAX_COMPONENTS,
    )?;
    at_most(file, "regions", "regions", spec.regions.len(), MAX_REGIONS)?;
    at_most(file, "claims", "claims", spec.claims.len(), MAX_CLAIMS)?;
    if let Some(months) = spec.timeline_months {
        check_months(file, "timeline_months", months)?;
    }
    if let Some(u) = &spec.uncertainty {
        at_most(
            file,
            "uncertainty.inputs",
            "uncertain inputs",
            u.inputs.len(),
            MAX_UNCERTAIN_INPUTS,
        )?;
    }
    for (i, c) in spec.components.iter().enumerate() {
        let at = |field: &str| format!("components[{i}].{field}");
        // Kinds whose lines the scenario lists; the others derive a fixed set of lines. Every
        // kind is named, so a new kind has to say which it is.
        let lines = match &c.policy {
            Policy::Fixed(f) => f.lines.len(),
            Policy::ObjectStorage(o) => o.classes.len(),
            Policy::Postgres(_)
            | Policy::PgBouncer(_)
            | Policy::Redis(_)
            | Policy::App(_)
            | Policy::Kafka(_)
            | Policy::Cdn(_)
            | Policy::CrossRegion(_) => 0,
        };
        at_most(file, &at("policy"), "lines", lines, MAX_LINES_PER_COMPONENT)?;
        at_most(
            file,
            &at("prices"),
            "prices",
            c.prices.len(),
            MAX_LINES_PER_COMPONENT,
        )?;
        for (phase, items) in &c.pinned {
            at_most(
                file,
                &at(&format!("pinned.\"{phase}\"")),
                "pinned lines",
                items.len(),
                MAX_LINES_PER_COMPONENT,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_field_and_limit() {
        let e = at_most(Path::new("s.ron"), "claims", "claims", 10_001, MAX_CLAIMS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.ron: claims: 10001 claims; at most 10000 are allowed"
        );
        assert!(at_most(Path::new("s.ron"), "claims", "claims", 10_000, MAX_CLAIMS).is_ok());
        let e = check_months(Path::new("s.ron"), "--months", 1_201).unwrap_err();
        assert!(e.to_string().contains("1201 months; at most 1200"), "{e}");
    }
}
