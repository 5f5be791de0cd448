//! Provider comparison: the same scenario priced on several providers' tables (the first is
//! the baseline), with each other provider's biggest line differences.
//!
//! Totals are compared like for like: a line with no published price on one provider is left
//! out of every provider's total (and named), so a provider never looks cheaper for lacking a
//! price.

use std::path::Path;

use serde::Serialize;

use crate::diff::Diff;
use crate::plan::Plan;
use crate::units::round_cents;

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
    /// Per phase: every provider's total over the lines priced on all of them, and the lines
    /// left out (unpriced on at least one provider).
    pub like_for_like: Vec<LikeForLike>,
    /// Providers the scenario could not be planned on, and why (e.g. no priced shape for an
    /// `instance: "auto"` component).
    pub failed: Vec<(String, String)>,
}

/// One phase compared like for like.
#[derive(Debug, Clone, Serialize)]
pub struct LikeForLike {
    pub phase: String,
    /// One per provider, in comparison order.
    pub totals: Vec<LikeTotal>,
    /// Lines left out of every total, in plan order.
    pub left_out: Vec<LeftOutLine>,
}

/// A provider's like-for-like total of a phase.
#[derive(Debug, Clone, Serialize)]
pub struct LikeTotal {
    pub provider: String,
    /// Over the lines priced on every provider.
    pub monthly_usd: f64,
    /// What this provider's own total adds for the left-out lines it does price.
    pub left_out_priced_usd: f64,
}

/// A line unpriced on at least one provider (`component/item`), and on which.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOutLine {
    pub line: String,
    pub unpriced_on: Vec<String>,
}

impl LikeForLike {
    /// The left-out lines as `component/item (unpriced on p, q)`, comma-separated.
    #[must_use]
    pub fn left_out_text(&self) -> String {
        self.left_out
            .iter()
            .map(|l| format!("{} (unpriced on {})", l.line, l.unpriced_on.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Each phase's like-for-like totals: lines are matched by `component/item`; a line unpriced
/// on any provider is left out of all of them.
fn like_for_like(plans: &[Plan]) -> Vec<LikeForLike> {
    let Some(first) = plans.first() else {
        return Vec::new();
    };
    first
        .phases
        .iter()
        .map(|phase| {
            let same: Vec<(&str, Option<&crate::plan::PhasePlan>)> = plans
                .iter()
                .map(|p| {
                    (
                        p.provider.as_str(),
                        p.phases.iter().find(|x| x.name == phase.name),
                    )
                })
                .collect();
            let mut left_out: Vec<LeftOutLine> = Vec::new();
            for (_, ph) in &same {
                for line in ph.iter().flat_map(|ph| &ph.unpriced) {
                    if !left_out.iter().any(|l| &l.line == line) {
                        left_out.push(LeftOutLine {
                            line: line.clone(),
                            unpriced_on: same
                                .iter()
                                .filter(|(_, x)| x.is_some_and(|x| x.unpriced.contains(line)))
                                .map(|(p, _)| (*p).to_string())
                                .collect(),
                        });
                    }
                }
            }
            let totals = same
                .iter()
                .map(|(provider, ph)| {
                    let (mut kept, mut dropped) = (0.0, 0.0);
                    for l in ph.iter().flat_map(|ph| &ph.lines) {
                        let key = format!("{}/{}", l.component, l.item);
                        if left_out.iter().any(|x| x.line == key) {
                            dropped += l.monthly_usd;
                        } else {
                            kept += l.monthly_usd;
                        }
                    }
                    LikeTotal {
                        provider: (*provider).to_string(),
                        monthly_usd: round_cents(kept),
                        left_out_priced_usd: round_cents(dropped),
                    }
                })
                .collect();
            LikeForLike {
                phase: phase.name.clone(),
                totals,
                left_out,
            }
        })
        .collect()
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
        like_for_like: like_for_like(plans),
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
