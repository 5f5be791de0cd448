//! The plan at the observed user count against one month of the bill: per component and per
//! line, plan $, actual $ and the error; bill lines the plan does not model, with their cost.
//!
//! Lines are price services (`ec2`, `nat-gateway`: see [`super::mapping`]). A bill says which
//! service a cost is, not which of headroom's components it belongs to, so a component's
//! actual cost is each of its lines' actual cost split in the plan's proportions: a service
//! only one component uses is that component's outright; one that several use (`ec2` for an
//! API and a pooler) is shared as the plan shares it, and its error is then the line's error.

use std::collections::BTreeMap;

use serde::Serialize;

use super::bill::{Group, Totals};
use super::mapping::Mapping;
use crate::plan::{Line, PhasePlan};
use crate::units::round_cents;

/// A component's plan and actual monthly cost.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentRow {
    pub component: String,
    pub kind: String,
    pub plan_usd: f64,
    pub actual_usd: f64,
    /// (actual - plan) / plan, in percent (2 decimals); `null` when the plan is 0.
    pub error_pct: Option<f64>,
    /// Off by more than the tolerance.
    pub off: bool,
}

/// A line's (price service's) plan and actual monthly cost.
#[derive(Debug, Clone, Serialize)]
pub struct LineRow {
    pub line: String,
    /// The plan's components with cost on this line.
    pub components: Vec<String>,
    pub plan_usd: f64,
    pub actual_usd: f64,
    pub error_pct: Option<f64>,
    /// The actual cost per bill region.
    pub actual_by_region: BTreeMap<String, f64>,
}

/// Bill lines the plan does not model.
#[derive(Debug, Clone, Serialize)]
pub struct NotModelled {
    /// The bill's service (a CUR's line item type for tax, fees, credits...).
    pub service: String,
    pub usage_type: String,
    /// The headroom line the mapping names when the plan has no cost on it; `null` when no
    /// mapping rule matches.
    pub mapped_line: Option<String>,
    pub actual_usd: f64,
    pub rows: u64,
}

/// The comparison of one month.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub plan_usd: f64,
    /// Every USD row of the month.
    pub actual_usd: f64,
    /// The part of `actual_usd` on lines the plan models.
    pub modelled_actual_usd: f64,
    pub not_modelled_usd: f64,
    /// Biggest miss first.
    pub components: Vec<ComponentRow>,
    /// Biggest miss first.
    pub lines: Vec<LineRow>,
    /// Biggest cost first.
    pub not_modelled: Vec<NotModelled>,
    /// Components off by more than the tolerance, in table order.
    pub off_components: Vec<String>,
}

/// The price service of a plan line: its price key's first part (`ec2/m6i.large/us-east-1`
/// -> `ec2`), or its kind for a scenario-given price (the ServiceName `focus.csv` writes).
#[must_use]
pub fn line_service(line: &Line) -> String {
    match &line.price_key {
        Some(key) => key.split('/').next().unwrap_or(key).to_string(),
        None => line.kind.clone(),
    }
}

/// (actual - plan) / plan in percent, rounded to 2 decimals; `None` when the plan is 0.
fn error_pct(plan: f64, actual: f64) -> Option<f64> {
    // `+ 0.0` turns a rounded -0.0 into 0.0.
    (plan > 0.0).then(|| ((actual - plan) / plan * 10_000.0).round() / 100.0 + 0.0)
}

/// Compares the plan's phase with the bill's groups of one month (USD only). `tolerance` is
/// a fraction (0.2 for 20%).
#[must_use]
pub fn compare(
    phase: &PhasePlan,
    groups: &[(Group, Totals)],
    mapping: &Mapping,
    tolerance: f64,
) -> Comparison {
    // The plan per line and per (line, component).
    let mut plan_lines: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for line in phase
        .lines
        .iter()
        .filter(|l| l.billed && l.monthly_usd > 0.0)
    {
        *plan_lines
            .entry(line_service(line))
            .or_default()
            .entry(line.component.clone())
            .or_default() += line.monthly_usd;
    }
    let plan_of = |line: &str| -> f64 { plan_lines.get(line).map_or(0.0, |c| c.values().sum()) };

    // The bill per line; what maps to no line the plan has is not modelled.
    let mut actual_lines: BTreeMap<String, (f64, BTreeMap<String, f64>)> = BTreeMap::new();
    let mut not_modelled: BTreeMap<(String, String), NotModelled> = BTreeMap::new();
    let mut actual_usd = 0.0;
    for (group, totals) in groups {
        actual_usd += totals.cost;
        // headroom's own forecast read back names its lines directly.
        let line = if plan_lines.contains_key(&group.service) {
            Some(group.service.as_str())
        } else {
            mapping.line_of(&group.service, &group.usage_type)
        };
        match line.filter(|l| plan_lines.contains_key(*l)) {
            Some(line) => {
                let entry = actual_lines.entry(line.to_string()).or_default();
                entry.0 += totals.cost;
                *entry.1.entry(group.region.clone()).or_default() += totals.cost;
            }
            None => {
                let key = (group.service.clone(), group.usage_type.clone());
                let entry = not_modelled.entry(key).or_insert_with(|| NotModelled {
                    service: group.service.clone(),
                    usage_type: group.usage_type.clone(),
                    mapped_line: line.map(str::to_string),
                    actual_usd: 0.0,
                    rows: 0,
                });
                entry.actual_usd += totals.cost;
                entry.rows += totals.rows;
            }
        }
    }

    let mut lines: Vec<LineRow> = plan_lines
        .iter()
        .map(|(line, components)| {
            let plan = plan_of(line);
            let (actual, regions) = actual_lines.get(line).cloned().unwrap_or_default();
            LineRow {
                line: line.clone(),
                components: components.keys().cloned().collect(),
                plan_usd: round_cents(plan),
                actual_usd: round_cents(actual),
                error_pct: error_pct(plan, actual),
                actual_by_region: regions
                    .into_iter()
                    .map(|(r, c)| (r, round_cents(c)))
                    .collect(),
            }
        })
        .collect();

    // Each line's actual cost split over its components in the plan's proportions.
    let mut component_actual: BTreeMap<&str, f64> = BTreeMap::new();
    for (line, components) in &plan_lines {
        let plan = plan_of(line);
        let actual = actual_lines.get(line).map_or(0.0, |a| a.0);
        for (component, share) in components {
            *component_actual.entry(component.as_str()).or_default() += actual * share / plan;
        }
    }
    let mut components: Vec<ComponentRow> = phase
        .components
        .iter()
        .filter_map(|c| {
            let plan: f64 = plan_lines
                .values()
                .filter_map(|by| by.get(&c.component))
                .sum();
            let actual = component_actual.get(c.component.as_str()).copied()?;
            let error = error_pct(plan, actual);
            Some(ComponentRow {
                component: c.component.clone(),
                kind: c.kind.clone(),
                plan_usd: round_cents(plan),
                actual_usd: round_cents(actual),
                error_pct: error,
                off: plan > 0.0 && ((actual - plan) / plan).abs() > tolerance,
            })
        })
        .collect();

    let miss = |plan: f64, actual: f64| (actual - plan).abs();
    components.sort_by(|a, b| {
        miss(b.plan_usd, b.actual_usd)
            .total_cmp(&miss(a.plan_usd, a.actual_usd))
            .then_with(|| a.component.cmp(&b.component))
    });
    lines.sort_by(|a, b| {
        miss(b.plan_usd, b.actual_usd)
            .total_cmp(&miss(a.plan_usd, a.actual_usd))
            .then_with(|| a.line.cmp(&b.line))
    });
    let mut not_modelled: Vec<NotModelled> = not_modelled
        .into_values()
        .map(|mut n| {
            n.actual_usd = round_cents(n.actual_usd);
            n
        })
        .collect();
    not_modelled.sort_by(|a, b| {
        b.actual_usd
            .abs()
            .total_cmp(&a.actual_usd.abs())
            .then_with(|| (&a.service, &a.usage_type).cmp(&(&b.service, &b.usage_type)))
    });
    let modelled: f64 = actual_lines.values().map(|a| a.0).sum();
    Comparison {
        plan_usd: round_cents(plan_lines.keys().map(|l| plan_of(l)).sum()),
        actual_usd: round_cents(actual_usd),
        modelled_actual_usd: round_cents(modelled),
        not_modelled_usd: round_cents(actual_usd - modelled),
        off_components: components
            .iter()
            .filter(|c| c.off)
            .map(|c| c.component.clone())
            .collect(),
        components,
        lines,
        not_modelled,
    }
}
