//! CDN: edge egress, origin fetches (edge x (1 - byte hit ratio)) and requests, per month.

use crate::input::kinds::cdn::CdnPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, Spread, region_lines};
use crate::trace::Trace;
use crate::units::ceil_count;

/// Sizes CDN delivery (global).
pub fn size(p: &CdnPolicy, ctx: &RegionContext<'_>, t: &mut Trace) -> Vec<RegionLine> {
    let d = &ctx.demand;
    let edge = t.count(
        "edge_egress_gb",
        "ceil(cdn_egress_gb_per_month)",
        &[(
            "cdn_egress_gb_per_month",
            d.cdn_egress_gb_per_month,
            "GB/month",
        )],
        ceil_count(d.cdn_egress_gb_per_month),
        "GB",
    );
    let origin = t.count(
        "origin_egress_gb",
        "ceil(cdn_origin_gb_per_month)",
        &[(
            "cdn_origin_gb_per_month",
            d.cdn_origin_gb_per_month,
            "GB/month",
        )],
        ceil_count(d.cdn_origin_gb_per_month),
        "GB",
    );
    let requests = t.count(
        "requests",
        "ceil(cdn_requests_per_month)",
        &[(
            "cdn_requests_per_month",
            d.cdn_requests_per_month,
            "requests/month",
        )],
        ceil_count(d.cdn_requests_per_month),
        "requests",
    );
    let origin_line = match &p.origin_price {
        Some(price) => RegionLine::billed(
            "origin-egress",
            origin,
            Measure::Gb,
            PriceKey::new(&price.service, &price.item, ctx.pricing_region),
        )
        .from_step("origin_egress_gb"),
        // Transfer from an AWS origin to CloudFront is not charged.
        None => RegionLine::info("origin-egress", origin, "GB (not billed)")
            .from_step("origin_egress_gb"),
    };
    let mut lines = region_lines();
    lines.extend([
        RegionLine::billed(
            "edge-egress",
            edge,
            Measure::Gb,
            PriceKey::new(&p.service, &p.item, ctx.cdn_geography),
        )
        .from_step("edge_egress_gb")
        .spread(Spread::Geographies),
        origin_line,
        RegionLine::billed(
            "requests",
            requests,
            Measure::Requests,
            PriceKey::new(&p.requests_service, &p.requests_item, ctx.cdn_geography),
        )
        .from_step("requests")
        .spread(Spread::Geographies),
    ]);
    lines
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn edge_origin_and_requests() {
        let p = CdnPolicy {
            service: "cloudfront-egress".into(),
            item: "egress".into(),
            requests_service: "cloudfront-requests".into(),
            requests_item: "https".into(),
            origin_price: None,
        };
        let demand = Demand {
            cdn_egress_gb_per_month: 30_416.666_666_666_668,
            cdn_origin_gb_per_month: 3_041.666_666_666_667,
            cdn_requests_per_month: 3.041_666_666_666_667e8,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        });
        assert_eq!(count(&lines, "edge-egress"), 30_417);
        assert_eq!(count(&lines, "origin-egress"), 3_042);
        assert_eq!(count(&lines, "requests"), 304_166_667);
        // origin fetches from AWS are free: not billed
        assert!(
            lines
                .iter()
                .find(|l| l.item == "origin-egress")
                .unwrap()
                .price
                .is_none()
        );
        // edge egress priced in the CDN geography
        assert_eq!(lines[0].price.as_ref().unwrap().region, "north-america");
    }
}
