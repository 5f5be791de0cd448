//! Fixed lines: what a doc states and headroom does not size. Counts are taken as given.

use crate::input::kinds::fixed::FixedPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine};

/// The fixed lines, each billed by its service's price or a scenario-given price.
#[must_use]
pub fn size(p: &FixedPolicy, ctx: &RegionContext<'_>) -> Vec<RegionLine> {
    p.lines
        .iter()
        .map(|line| {
            let service = line.service.as_deref().unwrap_or("fixed");
            let item = line.price_item.as_deref().unwrap_or(&line.item);
            RegionLine::billed_without_instance(
                &line.item,
                line.count,
                Measure::Stated,
                PriceKey::new(service, item, ctx.pricing_region),
            )
        })
        .collect()
}
