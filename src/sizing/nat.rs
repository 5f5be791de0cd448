//! NAT gateways of an App tier's private subnets: hours per zone and GB processed.
//!
//! Nodes in private subnets reach the internet and AWS services without a VPC endpoint
//! through a NAT gateway; one per zone (the default) keeps a zone's egress up when another
//! zone fails. Each gateway bills its hours, and every byte it processes bills per GB
//! (pricing/aws/network.csv `nat-gateway`). API responses do not pass it (they return through
//! the load balancer): the processed bytes are the tier's own outbound calls,
//! `nat_bytes_per_request` (default 0: none stated, no data line). `nat_gateways_per_zone: 0`
//! (public subnets, or egress through another VPC) bills neither.

use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine};
use crate::trace::Trace;
use crate::units::{BYTES_PER_GB, ceil_count};

/// The region's NAT gateway lines for a tier over `zones` serving `rps_share` of requests,
/// appended to the rule's `lines` (no vector of its own: draws size every region of every
/// phase).
pub fn lines(
    gateways_per_zone: u64,
    bytes_per_request: f64,
    zones: u64,
    rps_share: f64,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    if gateways_per_zone == 0 {
        return;
    }
    let gateways = t.count(
        "nat_gateways",
        "nat_gateways_per_zone x zones",
        &[
            (
                "nat_gateways_per_zone",
                gateways_per_zone as f64,
                "gateways",
            ),
            ("zones", zones as f64, "zones"),
        ],
        gateways_per_zone.saturating_mul(zones),
        "gateways",
    );
    lines.push(
        RegionLine::billed_without_instance(
            "nat-gateway",
            gateways,
            Measure::Instances { memory_gib: None },
            PriceKey::new("nat-gateway", "hour", ctx.pricing_region),
        )
        .from_step("nat_gateways"),
    );
    if bytes_per_request > 0.0 {
        let d = &ctx.demand;
        let gb = t.count(
            "nat_processed_gb",
            "ceil(requests_per_month x rps_share x nat_bytes_per_request / 1e9)",
            &[
                ("requests_per_month", d.requests_per_month, "requests/month"),
                ("rps_share", rps_share, "fraction"),
                ("nat_bytes_per_request", bytes_per_request, "B"),
            ],
            ceil_count(d.requests_per_month * rps_share * bytes_per_request / BYTES_PER_GB),
            "GB",
        );
        lines.push(
            RegionLine::billed(
                "nat-data",
                gb,
                Measure::Gb,
                PriceKey::new("nat-gateway", "data-processed", ctx.pricing_region),
            )
            .from_step("nat_processed_gb"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn gateways_per_zone_and_processed_bytes() {
        let demand = Demand {
            requests_per_month: 2.628e9,
            ..Demand::default()
        };
        let sized = crate::sizing::SizedComponents::default();
        let both = with_ctx(demand, &sized, |ctx| {
            let mut out = Vec::new();
            lines(1, 500.0, 3, 0.5, ctx, &mut Trace::new(), &mut out);
            out
        });
        // 1 gateway x 3 zones
        assert_eq!(count(&both, "nat-gateway"), 3);
        // 2.628e9 requests x 0.5 x 500 B / 1e9 = 657 GB
        assert_eq!(count(&both, "nat-data"), 657);
        // no bytes stated: hours only; no gateways: nothing
        let hours = with_ctx(demand, &sized, |ctx| {
            let mut out = Vec::new();
            lines(2, 0.0, 3, 1.0, ctx, &mut Trace::new(), &mut out);
            out
        });
        assert_eq!(hours.len(), 1);
        assert_eq!(count(&hours, "nat-gateway"), 6);
        let none = with_ctx(demand, &sized, |ctx| {
            let mut out = Vec::new();
            lines(0, 500.0, 3, 1.0, ctx, &mut Trace::new(), &mut out);
            out
        });
        assert!(none.is_empty());
    }
}
