//! Inputs: the files a user edits, parsed, checked and resolved into one [`Scenario`].
//!
//! Two stages: the raw serde structs of each file (`deny_unknown_fields`, errors with
//! `file:line:col`), then resolution: referenced models loaded, workload overrides applied,
//! cross-references (phase names, component names, discounts) checked.

pub mod check;
pub mod claims;
pub mod duplicates;
pub mod growth;
pub mod kinds;
pub mod limits;
pub mod overrides;
pub mod problems;
pub mod regions;
pub mod ron_file;
pub mod ron_text;
pub mod ron_tree;
pub mod scenario;
pub mod schema;
pub mod starter;
pub mod uncertainty;
pub mod workload;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::error::{InputError, did_you_mean};
use crate::input::check::Check;
use crate::pricing::PriceBook;

pub use growth::{Growth, Phase};
pub use kinds::Kind;
pub use scenario::{
    Baseline, CommitmentPolicy, Component, ModelRef, Placement, Policy, PricingRef, Region,
    ScenarioDiscount, ScenarioFile,
};
pub use workload::{SessionBasis, Workload};

/// A scenario with everything it references loaded and checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario file.
    pub file: PathBuf,
    /// The file as written.
    pub spec: ScenarioFile,
    /// The growth model.
    pub growth: Growth,
    /// Where the growth model came from (`file` or `inline`).
    pub growth_origin: String,
    /// The workload, overrides applied.
    pub workload: Workload,
    /// Where the workload came from.
    pub workload_origin: String,
    /// The provider's prices.
    pub prices: PriceBook,
    /// Instance shapes (empty when the scenario names no catalog).
    pub catalog: Catalog,
    /// Where the catalog came from.
    pub catalog_origin: Option<String>,
    /// The scenario file's own provider when a run re-prices it on another
    /// (`--provider gcp`): scenario-given prices are then ignored and lines with no
    /// equivalent are reported unpriced instead of failing.
    pub repriced_from: Option<String>,
}

impl Scenario {
    /// What is unsafe or unreachable in the scenario as written, one warning each: every
    /// component's risky settings ([`Policy::risks`]: a Postgres with no standby...) and every
    /// phase beyond what the growth curve ever reaches (a 10B phase on a curve that stops at
    /// 2B is a what-if, never a date on the timeline).
    #[must_use]
    pub fn risks(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .spec
            .components
            .iter()
            .flat_map(|c| {
                c.policy
                    .risks()
                    .into_iter()
                    .map(move |r| format!("{}: {r}", c.name))
            })
            .collect();
        if let Some(reach) = self.growth.reach() {
            for phase in self.growth.phases() {
                if phase.users as f64 > reach {
                    out.push(format!(
                        "phase {}: {} users is beyond the growth curve's reach ({} users): the \
                         timeline never gets there, so this phase is a what-if",
                        phase.name,
                        crate::units::group_thousands(phase.users),
                        crate::units::group_thousands(reach.round() as u64)
                    ));
                }
            }
        }
        out
    }

    /// The scenario's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.spec.name
    }
}

fn resolve(base: &Path, relative: &str) -> PathBuf {
    base.parent().unwrap_or(Path::new(".")).join(relative)
}

/// Loads and checks a scenario and everything it references.
pub fn load_scenario(path: &Path) -> Result<Scenario, InputError> {
    load_scenario_with(path, &[])
}

/// Loads a scenario with `--set` overrides applied, checked like the files.
pub fn load_scenario_with(path: &Path, sets: &[overrides::Set]) -> Result<Scenario, InputError> {
    let set_error = |m: String| InputError::field(path, "", m);
    let (model_sets, file_sets): (Vec<&overrides::Set>, Vec<&overrides::Set>) = sets
        .iter()
        .partition(|s| matches!(s.root(), "workload" | "growth"));
    let spec_text = ron_file::read_text(path)?;
    let spec: ScenarioFile = ron_file::parse(path, &spec_text)?;
    // The provider the file prices on, before any `--set pricing.provider` re-prices it.
    let file_provider = spec.pricing.provider.clone();
    limits::check_scenario(path, &spec)?;
    duplicates::check_fixed_lines(path, &spec_text, &spec)?;
    let spec: ScenarioFile = overrides::apply(&spec, &file_sets, 0).map_err(set_error)?;
    limits::check_scenario(path, &spec)?;
    spec.validate(path)?;

    let (growth, growth_origin) = match &spec.growth {
        ModelRef::File(rel) => {
            let file = resolve(path, rel);
            let growth: Growth = ron_file::load(&file)?;
            growth.validate(&file, "")?;
            (growth, file.display().to_string())
        }
        ModelRef::Inline(growth) => {
            growth.validate(path, "growth.Inline")?;
            (growth.clone(), "inline".to_string())
        }
    };

    let (workload, workload_origin) = match &spec.workload {
        ModelRef::File(rel) => {
            let file = resolve(path, rel);
            let workload: Workload = ron_file::load(&file)?;
            workload.validate(&file, "")?;
            (workload, file.display().to_string())
        }
        ModelRef::Inline(workload) => {
            workload.validate(path, "workload.Inline")?;
            (workload.clone(), "inline".to_string())
        }
    };
    let workload = apply_overrides(path, workload, &spec.workload_overrides)?;
    let workload_sets: Vec<&overrides::Set> = model_sets
        .iter()
        .copied()
        .filter(|s| s.root() == "workload")
        .collect();
    let workload: Workload = overrides::apply(&workload, &workload_sets, 1).map_err(set_error)?;
    if !workload_sets.is_empty() {
        workload.validate(path, "--set workload")?;
    }
    let growth_sets: Vec<&overrides::Set> = model_sets
        .iter()
        .copied()
        .filter(|s| s.root() == "growth")
        .collect();
    let growth: Growth = overrides::apply(&growth, &growth_sets, 1).map_err(set_error)?;
    if !growth_sets.is_empty() {
        growth.validate(path, "--set growth")?;
    }

    let mut tables = resolve(path, &spec.pricing.tables);
    let repriced_from = (spec.pricing.provider != file_provider).then(|| file_provider.clone());
    if repriced_from.is_some() {
        // Another provider's tables live beside this one's: pricing/<provider>/.
        tables = tables
            .parent()
            .unwrap_or(Path::new("."))
            .join(&spec.pricing.provider);
        if !tables.is_dir() {
            return Err(InputError::field(
                path,
                "pricing.provider",
                format!(
                    "no price tables for provider `{}` at {}",
                    spec.pricing.provider,
                    tables.display()
                ),
            ));
        }
    }
    let mut prices = PriceBook::load(&tables)?;
    prices.load_mapping()?;
    let (catalog, catalog_origin) = match &spec.pricing.catalog {
        Some(rel) => {
            let file = resolve(path, rel);
            (Catalog::load(&file)?, Some(file.display().to_string()))
        }
        None => (Catalog::default(), None),
    };

    check_references(path, &spec, &growth, &prices)?;
    for (i, component) in spec.components.iter().enumerate() {
        if let Policy::Kafka(p) = &component.policy {
            p.check_min_broker(
                &Check::new(path, format!("components[{i}].policy")),
                &catalog,
            )?;
        }
    }
    // Re-priced on another provider, regions map through its `regions.csv` instead.
    if repriced_from.is_none() {
        regions::check(path, &spec, &prices)?;
        check_support_plan(path, &spec, &prices)?;
    }

    Ok(Scenario {
        file: path.to_path_buf(),
        spec,
        growth,
        growth_origin,
        workload,
        workload_origin,
        prices,
        catalog,
        catalog_origin,
        repriced_from,
    })
}

/// Checks `support_plan` against the tables: a plan they price in full, and no component
/// named like the plan's own line's (`support`).
fn check_support_plan(
    path: &Path,
    spec: &ScenarioFile,
    prices: &PriceBook,
) -> Result<(), InputError> {
    let Some(name) = &spec.support_plan else {
        return Ok(());
    };
    let priced = crate::pricing::support::plan(prices, name)
        .map_err(|m| InputError::field(path, "support_plan", m))?;
    let component = crate::pricing::support::COMPONENT;
    if priced.is_some()
        && let Some(i) = spec.components.iter().position(|c| c.name == component)
    {
        return Err(InputError::field(
            path,
            format!("components[{i}].name"),
            format!(
                "`{component}` is the name of the support plan's line (`support_plan: \"{name}\"`): \
                 rename the component"
            ),
        ));
    }
    Ok(())
}

/// Replaces numeric workload fields by the scenario's overrides, then re-checks them.
pub fn apply_overrides(
    file: &Path,
    workload: Workload,
    overrides: &BTreeMap<String, f64>,
) -> Result<Workload, InputError> {
    if overrides.is_empty() {
        return Ok(workload);
    }
    let serde_json::Value::Object(mut fields) =
        serde_json::to_value(&workload).map_err(|e| InputError::file(file, e.to_string()))?
    else {
        return Err(InputError::file(
            file,
            "workload did not serialise as a map",
        ));
    };
    let names: Vec<String> = fields.keys().cloned().collect();
    for (key, value) in overrides {
        let path = format!("workload_overrides.{key}");
        match fields.get(key) {
            None => {
                return Err(InputError::field(
                    file,
                    path,
                    format!(
                        "unknown workload field `{key}`{}",
                        did_you_mean(key, names.iter().map(String::as_str))
                    ),
                ));
            }
            Some(serde_json::Value::Number(_)) => {}
            Some(_) => {
                return Err(InputError::field(
                    file,
                    path,
                    format!("`{key}` is not numeric; change it in the workload file"),
                ));
            }
        }
        let number = serde_json::Number::from_f64(*value).ok_or_else(|| {
            InputError::field(file, format!("workload_overrides.{key}"), "must be finite")
        })?;
        fields.insert(key.clone(), serde_json::Value::Number(number));
    }
    let workload: Workload = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| InputError::field(file, "workload_overrides", e.to_string()))?;
    workload.validate(file, "workload_overrides")?;
    Ok(workload)
}

fn check_references(
    file: &Path,
    spec: &ScenarioFile,
    growth: &Growth,
    prices: &PriceBook,
) -> Result<(), InputError> {
    let phase_names: Vec<&str> = growth.phases().iter().map(|p| p.name.as_str()).collect();
    let check_phase = |path: String, phase: &str| -> Result<(), InputError> {
        if phase == "*" || phase_names.contains(&phase) {
            Ok(())
        } else {
            Err(InputError::field(
                file,
                path,
                format!(
                    "unknown phase `{phase}`{}; phases: {}",
                    did_you_mean(phase, phase_names.iter().copied()),
                    phase_names.join(", ")
                ),
            ))
        }
    };
    let kind_of = |name: &str| {
        spec.components
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.policy.kind())
    };
    let component_names: Vec<&str> = spec.components.iter().map(|c| c.name.as_str()).collect();
    for (i, comp) in spec.components.iter().enumerate() {
        let at = format!("components[{i}]");
        for phase in comp.pinned.keys() {
            check_phase(format!("{at}.pinned"), phase)?;
        }
        if let Some(by_phase) = comp.policy.instance().and_then(|i| i.by_phase) {
            for phase in by_phase.keys() {
                check_phase(format!("{at}.policy.instance_by_phase"), phase)?;
            }
        }
        for reference in comp.policy.references() {
            let (field, target, want) = (reference.field, reference.component, reference.kind);
            match kind_of(target) {
                Some(kind) if kind == want => {}
                Some(kind) => {
                    return Err(InputError::field(
                        file,
                        format!("{at}.policy.{field}"),
                        format!("`{target}` is a {kind} component; expected a {want} one"),
                    ));
                }
                None => {
                    return Err(InputError::field(
                        file,
                        format!("{at}.policy.{field}"),
                        format!(
                            "no component named `{target}`{}",
                            did_you_mean(target, component_names.iter().copied())
                        ),
                    ));
                }
            }
        }
        if let Some(discount) = &comp.discount
            && !spec.discounts.contains_key(discount)
            && prices.discount(discount).is_none()
        {
            let known: Vec<&str> = spec
                .discounts
                .keys()
                .map(String::as_str)
                .chain(prices.discount_names())
                .collect();
            return Err(InputError::field(
                file,
                format!("{at}.discount"),
                format!(
                    "unknown discount `{discount}`{}; known: {}",
                    did_you_mean(discount, known.iter().copied()),
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}
