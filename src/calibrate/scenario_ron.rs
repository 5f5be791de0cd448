//! `calibrate --apply`: the scenario with the calibration applied, ready for `plan` and
//! `plan --draws`. Its workload is the calibrated workload file; each App component's CPU per
//! request and memory per pod are the factors' values to plan with; the observed day-to-day
//! spread of every fitted workload figure is an `uncertainty.inputs` entry (replacing the
//! scenario's own entry for that field, the others kept). File paths are rebased to the
//! written scenario's folder.

use std::path::{Component, Path, PathBuf};

use crate::calibrate::fit::{Fit, Fitted};
use crate::error::Error;
use crate::input::kinds::Policy;
use crate::input::uncertainty::{Distribution, UncertaintySpec};
use crate::input::{ModelRef, ScenarioFile};

/// z of the normal's 90th percentile: P10 and P90 are mean -/+ 1.2816 sd.
const Z90: f64 = 1.281_551_565_545;

/// A normal fitted to a figure's daily P10 and P90, bounded where the field is bounded;
/// `None` without two days or without spread.
#[must_use]
pub fn distribution(f: &Fitted) -> Option<Distribution> {
    let (p10, p90) = f.daily_p10_p90?;
    let sd = (p90 - p10) / (2.0 * Z90);
    let (low, high) = match f.field {
        "read_fraction" | "cache_hit_ratio" | "dau_ratio" => (0.0, 0.999),
        "peak_to_average" => (1.0, 1000.0),
        _ => (0.0, 1e18),
    };
    let mean = (p10 + p90) / 2.0;
    // Rounding noise in days that do not differ is no spread.
    (sd > 1e-9 * mean.abs()).then_some(Distribution::Normal {
        mean,
        sd,
        low: Some(low),
        high: Some(high),
    })
}

/// `to` relative to the folder `from` (both absolute, canonical).
#[must_use]
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// The calibrated scenario's text. `spec` is the scenario as loaded (overrides applied),
/// `workload_file` the calibrated workload's path as the new scenario names it, `rebase` turns
/// a path relative to the old scenario's folder into one relative to the new one's.
pub fn render(
    spec: &ScenarioFile,
    workload_file: &str,
    rebase: &dyn Fn(&str) -> String,
    fit: &Fit,
) -> Result<String, Error> {
    let mut spec = spec.clone();
    if let ModelRef::File(path) = &spec.growth {
        spec.growth = ModelRef::File(rebase(path));
    }
    spec.pricing.tables = rebase(&spec.pricing.tables);
    spec.pricing.catalog = spec.pricing.catalog.as_deref().map(rebase);
    spec.workload = ModelRef::File(workload_file.to_string());
    // The calibrated workload already carries the scenario's overrides.
    spec.workload_overrides.clear();

    for component in &mut spec.components {
        let Policy::App(app) = &mut component.policy else {
            continue;
        };
        for f in fit.factors.iter().filter(|f| f.component == component.name) {
            match f.figure {
                // Where pods are sized from rps_per_pod, it carries the CPU per request.
                "cpu_ms_per_request" => match (app.rps_per_pod, app.pod_vcpu) {
                    (Some(_), Some(vcpu)) => app.rps_per_pod = Some(vcpu * 1000.0 / f.estimate),
                    _ => app.cpu_ms_per_request = Some(f.estimate),
                },
                "pod_memory_gib" => app.pod_memory_gib = Some(f.estimate),
                _ => {}
            }
        }
    }

    let spread: Vec<(String, Distribution)> = fit
        .figures
        .iter()
        .filter_map(|f| Some((format!("workload.{}", f.field), distribution(f)?)))
        .collect();
    if !spread.is_empty() {
        let uncertainty = spec.uncertainty.get_or_insert_with(|| UncertaintySpec {
            inputs: Default::default(),
            draws: None,
            seed: None,
            under_provision_penalty: None,
            detail_phase: None,
            reselect_shapes: true,
        });
        uncertainty.inputs.extend(spread);
    }

    let options = ron::Options::default().with_default_extension(
        ron::extensions::Extensions::IMPLICIT_SOME
            | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
    );
    let body = options
        .to_string_pretty(&spec, ron::ser::PrettyConfig::default())
        .map_err(|e| Error::Render(format!("calibrated scenario: {e}")))?;
    let body = without_absent_fields(&body);
    Ok(format!(
        "// Scenario calibrated by `headroom calibrate --apply` from observed series.\n\
         // Window: {}\n\
         // The workload is the calibrated workload file (each fitted value's statistic is\n\
         // written there); App components carry the observed CPU per request and memory per\n\
         // pod to plan with; `uncertainty.inputs` holds the observed day-to-day spread.\n{body}\n",
        fit.window
    ))
}

/// `body` without the lines of struct fields written as `None` (every optional field the
/// scenario leaves out would otherwise be listed): an absent `Option` field reads back as
/// `None`. Map entries (quoted keys) and sequence elements are kept as written.
fn without_absent_fields(body: &str) -> String {
    let absent = |line: &str| {
        line.trim().strip_suffix(": None,").is_some_and(|field| {
            field.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && field
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    };
    let mut out = String::with_capacity(body.len());
    for line in body.lines().filter(|line| !absent(line)) {
        out.push_str(line);
        out.push('\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_left_out_and_map_entries_kept() {
        let body = "(\n    name: \"x\",\n    budget_usd_per_month: None,\n    limits: {\n        \"a\": None,\n    },\n    list: [\n        None,\n    ],\n    note: \"left: None,\",\n)";
        assert_eq!(
            without_absent_fields(body),
            "(\n    name: \"x\",\n    limits: {\n        \"a\": None,\n    },\n    list: [\n        None,\n    ],\n    note: \"left: None,\",\n)"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/out"), Path::new("/a/b/pricing/aws")),
            PathBuf::from("../pricing/aws")
        );
        assert_eq!(
            relative(Path::new("/a"), Path::new("/a/w.ron")),
            PathBuf::from("w.ron")
        );
    }

    #[test]
    fn a_normal_from_the_daily_p10_and_p90() {
        let f = Fitted {
            field: "read_fraction",
            value: 0.8,
            statistic: String::new(),
            sources: Vec::new(),
            daily_p10_p90: Some((0.7, 0.9)),
        };
        // mean (0.7 + 0.9) / 2 = 0.8, sd 0.2 / (2 x 1.2816) = 0.078027...
        let Some(Distribution::Normal {
            mean,
            sd,
            low,
            high,
        }) = distribution(&f)
        else {
            panic!()
        };
        assert!((mean - 0.8).abs() < 1e-12);
        assert!((sd - 0.2 / 2.563_103_131_09).abs() < 1e-9);
        assert_eq!((low, high), (Some(0.0), Some(0.999)));
    }
}
