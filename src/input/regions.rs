//! Serving regions against the price tables: every region is priced where it serves, so a
//! region the tables do not price is bad input unless the scenario says whose prices it takes
//! (`price_as`); its users' CDN traffic is billed in its edge geography, which must be priced.

use std::path::Path;

use crate::error::{InputError, did_you_mean};
use crate::input::scenario::{Policy, ScenarioFile};
use crate::pricing::PriceBook;

/// Checks `pricing.region` and every `regions[i]` (its `price_as` when set) against the
/// tables, and each region's CDN geography against the CDN component's prices.
pub fn check(file: &Path, spec: &ScenarioFile, prices: &PriceBook) -> Result<(), InputError> {
    let priced = prices.priced_regions();
    let unknown = |field: String, region: &str, hint: &str| {
        InputError::field(
            file,
            field,
            format!(
                "no prices for region `{region}` in {}{}{hint}; priced regions: {}",
                prices.dir.display(),
                did_you_mean(region, priced.iter().copied()),
                priced.join(", ")
            ),
        )
    };
    if !priced.contains(&spec.pricing.region.as_str()) {
        return Err(unknown("pricing.region".into(), &spec.pricing.region, ""));
    }
    let cdn = spec
        .components
        .iter()
        .enumerate()
        .find_map(|(i, c)| match &c.policy {
            Policy::Cdn(p) if !c.prices.contains_key("edge-egress") => Some((i, p)),
            _ => None,
        });
    for (i, region) in spec.regions.iter().enumerate() {
        let (field, hint) = match &region.price_as {
            Some(_) => (format!("regions[{i}].price_as"), ""),
            None => (
                format!("regions[{i}].name"),
                " (or say whose prices it takes: `price_as: \"us-east-1\"`)",
            ),
        };
        let price_region = region.price_region();
        if !priced.contains(&price_region) {
            return Err(unknown(field, price_region, hint));
        }
        let Some((c, cdn)) = cdn else { continue };
        let Some(geography) = prices.geography_of(price_region) else {
            return Err(InputError::field(
                file,
                field,
                format!(
                    "region `{price_region}` has no CDN geography in {} (cdn-geographies.csv), \
                     and components[{c}] bills CDN traffic by geography",
                    prices.dir.display()
                ),
            ));
        };
        for (service, item) in [
            (&cdn.service, &cdn.item),
            (&cdn.requests_service, &cdn.requests_item),
        ] {
            if let Err(why) = prices.get(service, item, geography) {
                return Err(InputError::field(
                    file,
                    field,
                    format!(
                        "region `{price_region}`'s CDN geography `{geography}` has no price for \
                         components[{c}]: {why}"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The plan's warning for each region priced as another.
#[must_use]
pub fn warnings(spec: &ScenarioFile) -> Vec<String> {
    spec.regions
        .iter()
        .filter_map(|r| {
            r.price_as.as_ref().map(|as_| {
                format!(
                    "region {} is priced as {as_} (price_as): its lines bill {as_}'s list prices",
                    r.name
                )
            })
        })
        .collect()
}
