//! Cross-region transfer: replicated bytes sent to each other region, per month.

use crate::input::kinds::cross_region::CrossRegionPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, Spread, region_lines};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// Sizes replication transfer (global).
pub fn size(p: &CrossRegionPolicy, ctx: &RegionContext<'_>, t: &mut Trace) -> Vec<RegionLine> {
    let d = &ctx.demand;
    let destinations = p
        .destinations
        .unwrap_or(ctx.region_count.saturating_sub(1) as u64);
    let gb = t.count(
        "transfer_gb",
        "ceil(replicated_bytes_per_month x destinations / 1e9)",
        &[
            (
                "replicated_bytes_per_month",
                d.replicated_bytes_per_month,
                "B/month",
            ),
            ("destinations", destinations as f64, "regions"),
        ],
        ceil_count(d.replicated_bytes_per_month * destinations as f64 / BYTES_PER_GB),
        "GB",
    );
    // Each region sends its users' share, billed at its own (source) region's price.
    let mut lines = region_lines();
    lines.push(
        RegionLine::billed(
            "transfer",
            gb,
            Measure::Gb,
            PriceKey::new(&p.service, &p.item, ctx.pricing_region),
        )
        .spread(Spread::Regions),
    );
    lines
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn every_other_region_by_default() {
        let p = CrossRegionPolicy {
            service: "inter-region".into(),
            item: "to-other-region".into(),
            destinations: None,
        };
        let demand = Demand {
            replicated_bytes_per_month: 1e12,
            ..Demand::default()
        };
        // the test context has 3 regions: 1e12 B x 2 destinations / 1e9 = 2,000 GB
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        });
        assert_eq!(count(&lines, "transfer"), 2_000);
    }
}
