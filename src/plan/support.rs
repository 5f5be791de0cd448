//! The scenario's support plan as a line of each phase: the provider's fee on the phase's
//! spend, added after every other line is priced (and after the commitment policy), so the
//! fee is computed on what the phase really pays.
//!
//! The line is `support/support-plan` (a component of its own, kind `Support`): its quantity
//! is the spend in USD, its tiers the walk over the plan's percent bands, and its derivation
//! the spend, each band and the monthly minimum.

use std::collections::BTreeMap;

use crate::costing::PriceGivenBy;
use crate::error::InputError;
use crate::input::Scenario;
use crate::plan::{ComponentTotal, Line, PhasePlan};
use crate::pricing::support::{self, SupportPlan};
use crate::trace::Trace;
use crate::units::round_cents;

/// The scenario's support plan as the tables price it.
pub enum Resolved {
    /// No support plan (`none` or absent).
    None,
    Priced(SupportPlan),
    /// Re-priced on another provider whose tables have no such plan: an unpriced line, and
    /// why.
    Unpriced(String),
}

/// Resolves the scenario's `support_plan` against its tables; a plan they cannot price is
/// bad input unless the run re-prices the scenario on another provider.
pub fn resolve(scenario: &Scenario) -> Result<Resolved, InputError> {
    let Some(name) = &scenario.spec.support_plan else {
        return Ok(Resolved::None);
    };
    match (
        support::plan(&scenario.prices, name),
        &scenario.repriced_from,
    ) {
        (Ok(Some(plan)), _) => Ok(Resolved::Priced(plan)),
        (Ok(None), _) => Ok(Resolved::None),
        (Err(why), Some(_)) => Ok(Resolved::Unpriced(format!(
            "support plan `{name}` is unpriced on {}: {why}",
            scenario.spec.pricing.provider
        ))),
        (Err(why), None) => Err(InputError::field(&scenario.file, "support_plan", why)),
    }
}

/// Adds the resolved support line to a priced phase (and its fee to the totals); an unpriced
/// one is named in the phase and `warnings`, outside the totals.
pub fn apply(resolved: &Resolved, phase: &mut PhasePlan, warnings: &mut Vec<String>) {
    match resolved {
        Resolved::None => {}
        Resolved::Priced(plan) => add(plan, phase),
        Resolved::Unpriced(why) => {
            if !warnings.contains(why) {
                warnings.push(why.clone());
            }
            let mut line = support_line(phase.monthly_usd, Vec::new());
            line.billed = false;
            line.price_given_by = PriceGivenBy::Unpriced;
            line.price_source.clone_from(why);
            phase.lines.push(line);
            phase
                .unpriced
                .push(format!("{}/{}", support::COMPONENT, support::ITEM));
            phase.components.push(ComponentTotal {
                component: support::COMPONENT.to_string(),
                kind: support::KIND.to_string(),
                monthly_usd: 0.0,
            });
        }
    }
}

/// The support line on `spend_usd`, before its bill.
fn support_line(spend_usd: f64, derivation: Vec<crate::trace::Step>) -> Line {
    Line {
        component: support::COMPONENT.to_string(),
        kind: support::KIND.to_string(),
        item: support::ITEM.to_string(),
        count: 1,
        count_unit: "plan".to_string(),
        unit: "usd".to_string(),
        quantity: spend_usd,
        unit_price_usd: 0.0,
        list_monthly_usd: 0.0,
        discount: None,
        discount_multiplier: 1.0,
        monthly_usd: 0.0,
        pinned: false,
        derived_count: 1,
        binding: None,
        by_resource: BTreeMap::new(),
        limit: None,
        instance: None,
        billed: true,
        price_given_by: PriceGivenBy::Table,
        price_source: String::new(),
        price_as_of: String::new(),
        price_confidence: String::new(),
        price_key: None,
        price_parts: Vec::new(),
        tiers: Vec::new(),
        regions: BTreeMap::new(),
        derivation,
        commitment: None,
    }
}

/// Adds the support line to a priced phase and its fee to the phase's totals.
fn add(plan: &SupportPlan, phase: &mut PhasePlan) {
    let spend_usd = phase.monthly_usd;
    let fee = plan.fee(spend_usd);
    let fee_usd = round_cents(fee.fee_usd);
    let mut t = Trace::new();
    t.step(
        "spend_usd",
        "sum of the phase's other lines' monthly_usd (after discounts and commitments)",
        &[],
        spend_usd,
        "USD/month",
    );
    for band in &fee.bands {
        let end = band
            .end
            .map_or_else(|| "up".to_string(), |e| format!("{e}"));
        t.step(
            &format!("fee_band[{}..{end}]", band.start),
            &format!(
                "spend_in_band x {}% ({})",
                round_percent(band.price_usd),
                plan.bands_key
            ),
            &[
                ("spend_in_band", band.quantity, "USD/month"),
                ("rate", band.price_usd, "fraction"),
            ],
            band.usd,
            "USD/month",
        );
    }
    let bands: Vec<String> = fee
        .bands
        .iter()
        .map(|b| format!("{} x {}%", b.quantity, round_percent(b.price_usd)))
        .collect();
    t.step(
        "percent_usd",
        &format!("sum over bands: {}", bands.join(" + ")),
        &[("spend_usd", spend_usd, "USD/month")],
        fee.percent_usd,
        "USD/month",
    );
    t.step(
        "monthly_usd",
        &format!(
            "max(minimum_usd, percent_usd): the {} plan's fee ({})",
            plan.name, plan.minimum_key
        ),
        &[
            ("minimum_usd", plan.minimum_usd, "USD/month"),
            ("percent_usd", fee.percent_usd, "USD/month"),
        ],
        fee.fee_usd,
        "USD/month",
    );
    let minimum_binds = plan.minimum_usd > fee.percent_usd;
    let mut line = support_line(spend_usd, t.into_steps());
    line.unit_price_usd = if spend_usd > 0.0 {
        fee.fee_usd / spend_usd
    } else {
        0.0
    };
    line.list_monthly_usd = fee_usd;
    line.monthly_usd = fee_usd;
    line.binding = Some(if minimum_binds { "minimum" } else { "percent" }.to_string());
    line.price_source.clone_from(&plan.source);
    line.price_as_of.clone_from(&plan.as_of);
    line.price_confidence.clone_from(&plan.confidence);
    line.price_key = Some(if minimum_binds {
        plan.minimum_key.clone()
    } else {
        plan.bands_key.clone()
    });
    line.tiers = fee.bands;
    phase.lines.push(line);
    phase.components.push(ComponentTotal {
        component: support::COMPONENT.to_string(),
        kind: support::KIND.to_string(),
        monthly_usd: fee_usd,
    });
    phase.list_monthly_usd = round_cents(phase.list_monthly_usd + fee_usd);
    phase.monthly_usd = round_cents(spend_usd + fee_usd);
    phase.per_user_usd = phase.monthly_usd / phase.users as f64;
    phase.per_dau_usd = (phase.demand.dau > 0.0).then(|| phase.monthly_usd / phase.demand.dau);
}

/// The fee's derivation in one sentence, for tables (`on $2,000,000.00 of spend:
/// $150,000.00 x 10% + ... = $94,500.00; minimum $15,000.00`); `None` for any other line.
#[must_use]
pub fn walk_text(line: &Line) -> Option<String> {
    if line.component != support::COMPONENT || line.item != support::ITEM || !line.billed {
        return None;
    }
    use crate::units::usd_text;
    let bands: Vec<String> = line
        .tiers
        .iter()
        .map(|b| format!("{} x {}%", usd_text(b.quantity), round_percent(b.price_usd)))
        .collect();
    let percent_usd: f64 = line.tiers.iter().map(|b| b.usd).sum();
    let minimum = line
        .derivation
        .iter()
        .find(|s| s.name == "monthly_usd")
        .and_then(|s| s.inputs.iter().find(|i| i.name == "minimum_usd"))
        .map_or(0.0, |i| i.value);
    Some(format!(
        "on {} of spend: {} = {}; minimum {}",
        usd_text(line.quantity),
        bands.join(" + "),
        usd_text(percent_usd),
        usd_text(minimum)
    ))
}

/// A band's rate as a percentage without float noise (0.07 -> 7).
fn round_percent(fraction: f64) -> f64 {
    (fraction * 100.0 * 1e6).round() / 1e6
}
