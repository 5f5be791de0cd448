//! Provider comparison: the same scenario priced on several providers' tables (the first is
//! the baseline), with each other provider's biggest line differences.

use std::path::Path;

use serde::Serialize;

use crate::diff::Diff;
use crate::plan::Plan;

/// One provider's plan of a scenario, for `headroom providers`.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderTotals {
    pub provider: String,
    /// Per phase: (name, monthly USD, unpriced lines).
    pub phases: Vec<(String, f64, Vec<String>)>,
}

/// What `headroom providers` prints: totals per provider and phase, and each other provider's
/// biggest line differences against the first.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderComparison {
    pub scenario: String,
    pub providers: Vec<ProviderTotals>,
    pub differences: Vec<Diff>,
    /// Providers the scenario could not be planned on, and why (e.g. no priced shape for an
    /// `instance: "auto"` component).
    pub failed: Vec<(String, String)>,
}

/// Compares plans of one scenario priced on several providers (the first is the baseline);
/// `failed` holds the providers it could not be planned on, and why.
#[must_use]
pub fn compare(plans: &[Plan], failed: Vec<(String, String)>) -> ProviderComparison {
    let totals = plans
        .iter()
        .map(|plan| ProviderTotals {
            provider: plan.provider.clone(),
            phases: plan
                .phases
                .iter()
                .map(|ph| (ph.name.clone(), ph.monthly_usd, ph.unpriced.clone()))
                .collect(),
        })
        .collect();
    let differences = plans
        .iter()
        .skip(1)
        .map(|other| crate::diff::compare(&plans[0], other, &plans[0].provider, &other.provider))
        .collect();
    ProviderComparison {
        failed,
        scenario: plans
            .first()
            .map(|p| p.scenario.clone())
            .unwrap_or_default(),
        providers: totals,
        differences,
    }
}

/// Providers beside `tables` (`pricing/aws` -> `pricing/*`) that price AWS-keyed scenarios
/// through an `equivalents.csv`, sorted.
#[must_use]
pub fn mapped_providers(tables: &Path) -> Vec<String> {
    let Some(root) = tables.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("equivalents.csv").is_file() && p != tables)
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .collect();
    names.sort();
    names
}
