//! Support plans: the provider's fee as a tiered percentage of the month's spend, never below
//! a monthly minimum.
//!
//! A plan `<name>` is two keys of the tables, both in region `global`:
//! `support-<name>/usage-percent` (unit `percent`; marginal bands over USD of monthly usage,
//! like tax brackets) and `support-<name>/minimum` (unit `month`). A plan whose published
//! bands are incomplete has no rows: the tables reject gaps between bands, and the plan never
//! invents the missing ones.

use crate::pricing::tiers::{self, Tier, TierCharge};
use crate::pricing::{PriceBook, PriceUnit};

/// Plans the provider sells whose bands were not all found, and why (AWS): naming one is bad
/// input, not a guess.
pub const INCOMPLETE_PLANS: &[(&str, &str)] = &[
    (
        "business",
        "its published percent bands between USD 10,000 and 250,000 of monthly usage were not \
         found in any available source",
    ),
    (
        "enterprise-on-ramp",
        "its published percent bands were not found (only the USD 5,500 monthly minimum)",
    ),
];

/// The component (and kind) name of the support line in a plan, and the line's item.
pub const COMPONENT: &str = "support";
pub const KIND: &str = "Support";
pub const ITEM: &str = "support-plan";

/// The value of `support_plan` that adds no fee.
pub const NO_PLAN: &str = "none";

/// A support plan's prices, as the fee needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportPlan {
    pub name: String,
    /// Marginal bands in USD of spend; each band's `price_usd` is its percentage.
    pub bands: Vec<Tier>,
    pub minimum_usd: f64,
    /// `support-<name>/usage-percent/global` and `support-<name>/minimum/global`.
    pub bands_key: String,
    pub minimum_key: String,
    /// The bands' source, as-of date and confidence (the lower of both keys').
    pub source: String,
    pub as_of: String,
    pub confidence: String,
}

/// The fee of a month's spend under a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportFee {
    /// The tier walk of the spend: each band's USD of spend, its rate (USD per USD) and fee.
    pub bands: Vec<TierCharge>,
    /// The sum of the bands' fees.
    pub percent_usd: f64,
    /// max(minimum, percent_usd).
    pub fee_usd: f64,
}

impl SupportPlan {
    /// The fee on `spend_usd`: the walk over the percent bands, or the monthly minimum if
    /// that is more.
    #[must_use]
    pub fn fee(&self, spend_usd: f64) -> SupportFee {
        let (percent_usd, bands) = tiers::bill(&self.fractions(), spend_usd.max(0.0));
        SupportFee {
            bands,
            percent_usd,
            fee_usd: percent_usd.max(self.minimum_usd),
        }
    }

    /// [`SupportPlan::fee`]'s `fee_usd` without the per-band breakdown (Monte Carlo draws).
    #[must_use]
    pub fn fee_usd(&self, spend_usd: f64) -> f64 {
        let percent_usd: f64 = self
            .bands
            .iter()
            .map(|b| {
                let upper = b.end.map_or(spend_usd, |end| end.min(spend_usd));
                (upper - b.start).max(0.0) * b.price_usd / 100.0
            })
            .sum();
        percent_usd.max(self.minimum_usd)
    }

    /// The bands with each rate as a fraction (USD of fee per USD of spend).
    fn fractions(&self) -> Vec<Tier> {
        self.bands
            .iter()
            .map(|b| Tier {
                start: b.start,
                end: b.end,
                price_usd: b.price_usd / 100.0,
            })
            .collect()
    }
}

/// The plan named `name` in `book`: `Ok(None)` for [`NO_PLAN`], an error saying why for a plan
/// the tables cannot price (incomplete bands, unknown name, a wrong unit).
pub fn plan(book: &PriceBook, name: &str) -> Result<Option<SupportPlan>, String> {
    if name == NO_PLAN {
        return Ok(None);
    }
    if let Some((_, why)) = INCOMPLETE_PLANS.iter().find(|(n, _)| *n == name) {
        return Err(format!(
            "support plan `{name}` cannot be priced: {why}; the plan never invents bands. \
             Choose one of: {}",
            known(book).join(", ")
        ));
    }
    let service = format!("support-{name}");
    let bands = book.get(&service, "usage-percent", "global").map_err(|_| {
        format!(
            "no support plan `{name}` in {}{}; known plans: {}",
            book.dir.display(),
            crate::error::did_you_mean(name, known(book).iter().map(String::as_str)),
            known(book).join(", ")
        )
    })?;
    let minimum = book.get(&service, "minimum", "global")?;
    if bands.unit != PriceUnit::Percent || minimum.unit != PriceUnit::Month {
        return Err(format!(
            "support plan `{name}`: `usage-percent` must be in `percent` and `minimum` in \
             `month`, found `{}` and `{}`",
            bands.unit, minimum.unit
        ));
    }
    Ok(Some(SupportPlan {
        name: name.to_string(),
        bands: bands.tiers.clone(),
        minimum_usd: minimum.tiers.first().map_or(0.0, |t| t.price_usd),
        bands_key: format!("{service}/usage-percent/global"),
        minimum_key: format!("{service}/minimum/global"),
        source: bands.source.clone(),
        as_of: bands.as_of.clone().max(minimum.as_of.clone()),
        confidence: format!("{:?}", bands.confidence.max(minimum.confidence)).to_lowercase(),
    }))
}

/// `none` and every plan the tables price.
#[must_use]
pub fn known(book: &PriceBook) -> Vec<String> {
    let mut names = vec![NO_PLAN.to_string()];
    names.extend(
        book.services()
            .into_iter()
            .filter_map(|s| s.strip_prefix("support-"))
            .filter(|name| {
                book.get(&format!("support-{name}"), "usage-percent", "global")
                    .is_ok()
            })
            .map(String::from),
    );
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> PriceBook {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/aws");
        PriceBook::load(&dir).unwrap()
    }

    #[test]
    fn enterprise_walks_every_band_of_two_million() {
        let enterprise = plan(&book(), "enterprise").unwrap().unwrap();
        // 150K x 10% + 350K x 7% + 500K x 5% + 1M x 3%
        //   = 15,000 + 24,500 + 25,000 + 30,000 = 94,500
        let fee = enterprise.fee(2_000_000.0);
        assert!((fee.fee_usd - 94_500.0).abs() < 1e-6, "{}", fee.fee_usd);
        assert!((enterprise.fee_usd(2_000_000.0) - 94_500.0).abs() < 1e-6);
        let band_usd: Vec<f64> = fee.bands.iter().map(|b| b.usd).collect();
        assert_eq!(band_usd.len(), 4);
        for (got, want) in band_usd
            .iter()
            .zip([15_000.0, 24_500.0, 25_000.0, 30_000.0])
        {
            assert!((got - want).abs() < 1e-6, "{band_usd:?}");
        }
    }

    #[test]
    fn the_minimum_applies_on_a_small_spend() {
        let enterprise = plan(&book(), "enterprise").unwrap().unwrap();
        // 100,000 x 10% = 10,000 < the 15,000 minimum
        let fee = enterprise.fee(100_000.0);
        assert!((fee.percent_usd - 10_000.0).abs() < 1e-6);
        assert_eq!(fee.fee_usd, 15_000.0);
        assert_eq!(enterprise.fee_usd(100_000.0), 15_000.0);
        let developer = plan(&book(), "developer").unwrap().unwrap();
        // 500 x 3% = 15 < 29; 10,000 x 3% = 300
        assert_eq!(developer.fee_usd(500.0), 29.0);
        assert!((developer.fee(10_000.0).fee_usd - 300.0).abs() < 1e-9);
    }

    #[test]
    fn incomplete_and_unknown_plans_say_why() {
        let book = book();
        assert_eq!(plan(&book, "none").unwrap(), None);
        let e = plan(&book, "business").unwrap_err();
        assert!(e.contains("10,000 and 250,000"), "{e}");
        assert!(e.contains("none, developer, enterprise"), "{e}");
        let e = plan(&book, "enterprize").unwrap_err();
        assert!(e.contains("enterprise"), "{e}");
    }
}
