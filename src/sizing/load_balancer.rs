//! Load balancers in front of an App tier: hours and capacity units (AWS ALB), per region.
//!
//! One region's tier sits behind `load_balancers` ALBs (default 1: the regional entry point;
//! 0 bills none). Each bills its hours, and together they bill load-balancer capacity units
//! (LCU-hours): per hour, the largest of the four dimensions AWS meters, each over what one
//! LCU contains (AWS Elastic Load Balancing pricing page, read 2026-09-20:
//! <https://aws.amazon.com/elasticloadbalancing/pricing/>):
//!
//! | dimension | one LCU |
//! |---|---|
//! | new connections | 25 per second |
//! | active connections | 3,000 per minute |
//! | processed bytes | 1 GB per hour (EC2, container and IP targets) |
//! | rule evaluations | 1,000 per second (the first 10 rules of a request are free) |
//!
//! Traffic split over several ALBs splits every dimension alike, so their LCUs add up to
//! those of the whole tier. The dimensions are taken at the day-average request rate: LCUs
//! are linear in traffic, so the month's LCU-hours are the average hour's LCUs x hours.
//! Processed bytes are the API responses (`api_response_bytes`); requests are assumed small.

use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine};
use crate::trace::Trace;
use crate::units::ceil_count;

/// New connections per second one LCU contains.
pub const NEW_CONNECTIONS_PER_S_PER_LCU: f64 = 25.0;
/// Active connections (per minute) one LCU contains.
pub const ACTIVE_CONNECTIONS_PER_LCU: f64 = 3_000.0;
/// GB processed per hour one LCU contains (EC2, container and IP targets).
pub const GB_PER_HOUR_PER_LCU: f64 = 1.0;
/// Rule evaluations per second one LCU contains.
pub const RULE_EVALUATIONS_PER_S_PER_LCU: f64 = 1_000.0;
/// Rules evaluated per request at no charge.
pub const FREE_RULES: u64 = 10;

/// What a tier's load balancers are asked for (from the App policy).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadBalancing {
    /// ALBs in front of the tier in each region (0: none).
    pub load_balancers: u64,
    /// Share of requests that open a new client connection.
    pub new_connection_share: f64,
    /// Seconds a client connection stays open.
    pub connection_seconds: f64,
    /// Listener rules evaluated per request.
    pub rules: u64,
}

/// The region's load-balancer lines for a tier serving `rps_share` of the requests, appended
/// to the rule's `lines` (no vector of its own: draws size every region of every phase); none
/// without load balancers.
pub fn lines(
    lb: &LoadBalancing,
    rps_share: f64,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
    lines: &mut Vec<RegionLine>,
) {
    if lb.load_balancers == 0 {
        return;
    }
    let d = &ctx.demand;
    let rps = d.avg_rps * rps_share;
    let new_per_s = t.step(
        "lb_new_connections_per_s",
        "avg_rps x rps_share x new_connection_share",
        &[
            ("avg_rps", d.avg_rps, "requests/s"),
            ("rps_share", rps_share, "fraction"),
            ("new_connection_share", lb.new_connection_share, "fraction"),
        ],
        rps * lb.new_connection_share,
        "connections/s",
    );
    let active = t.step(
        "lb_active_connections",
        "lb_new_connections_per_s x connection_seconds (Little's law)",
        &[
            ("lb_new_connections_per_s", new_per_s, "connections/s"),
            ("connection_seconds", lb.connection_seconds, "s"),
        ],
        new_per_s * lb.connection_seconds,
        "connections",
    );
    // The month's hours from its requests at the average rate (demand carries no hour count).
    let hours = if d.avg_rps > 0.0 {
        d.requests_per_month / d.avg_rps / 3_600.0
    } else {
        0.0
    };
    let gb_per_hour = t.step(
        "lb_processed_gb_per_hour",
        "api_egress_gb_per_month x rps_share / (requests_per_month / avg_rps / 3,600 s)",
        &[
            (
                "api_egress_gb_per_month",
                d.api_egress_gb_per_month,
                "GB/month",
            ),
            ("rps_share", rps_share, "fraction"),
            ("requests_per_month", d.requests_per_month, "requests/month"),
            ("avg_rps", d.avg_rps, "requests/s"),
        ],
        if hours > 0.0 {
            d.api_egress_gb_per_month * rps_share / hours
        } else {
            0.0
        },
        "GB/hour",
    );
    let rule_evals = t.step(
        "lb_rule_evaluations_per_s",
        "avg_rps x rps_share x max(rules - 10 free, 0)",
        &[
            ("avg_rps", d.avg_rps, "requests/s"),
            ("rps_share", rps_share, "fraction"),
            ("rules", lb.rules as f64, "rules"),
        ],
        rps * lb.rules.saturating_sub(FREE_RULES) as f64,
        "evaluations/s",
    );
    let lcu = t.count(
        "lb_lcu",
        "ceil(max(lb_new_connections_per_s / 25, lb_active_connections / 3,000, \
         lb_processed_gb_per_hour / 1, lb_rule_evaluations_per_s / 1,000))",
        &[
            ("lb_new_connections_per_s", new_per_s, "connections/s"),
            ("lb_active_connections", active, "connections"),
            ("lb_processed_gb_per_hour", gb_per_hour, "GB/hour"),
            ("lb_rule_evaluations_per_s", rule_evals, "evaluations/s"),
        ],
        ceil_count(
            (new_per_s / NEW_CONNECTIONS_PER_S_PER_LCU)
                .max(active / ACTIVE_CONNECTIONS_PER_LCU)
                .max(gb_per_hour / GB_PER_HOUR_PER_LCU)
                .max(rule_evals / RULE_EVALUATIONS_PER_S_PER_LCU),
        ),
        "LCU",
    );
    let balancers = t.count(
        "load_balancers",
        "load_balancers (policy)",
        &[("load_balancers", lb.load_balancers as f64, "ALBs")],
        lb.load_balancers,
        "ALBs",
    );
    lines.push(
        RegionLine::billed_without_instance(
            "load-balancer",
            balancers,
            Measure::Instances { memory_gib: None },
            PriceKey::new("alb", "hour", ctx.pricing_region),
        )
        .from_step("load_balancers"),
    );
    lines.push(
        RegionLine::billed_without_instance(
            "lb-capacity-units",
            lcu,
            Measure::Stated,
            PriceKey::new("alb", "lcu", ctx.pricing_region),
        )
        .from_step("lb_lcu"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    fn lb(rules: u64) -> LoadBalancing {
        LoadBalancing {
            load_balancers: 1,
            new_connection_share: 0.1,
            connection_seconds: 60.0,
            rules,
        }
    }

    fn lcus(lb: &LoadBalancing, demand: Demand) -> Vec<RegionLine> {
        with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            let mut out = Vec::new();
            lines(lb, 1.0, ctx, &mut Trace::new(), &mut out);
            out
        })
    }

    #[test]
    fn the_largest_dimension_sets_the_capacity_units() {
        // 10,000 req/s on average over 730 h (2,628,000 s): 2.628e10 requests
        let demand = Demand {
            avg_rps: 10_000.0,
            requests_per_month: 10_000.0 * 2_628_000.0,
            // 2 KB responses: 10,000 x 2,000 B x 2,628,000 s / 1e9 = 52,560 GB/month
            api_egress_gb_per_month: 52_560.0,
            ..Demand::default()
        };
        let lines = lcus(&lb(10), demand);
        assert_eq!(count(&lines, "load-balancer"), 1);
        // new connections 10,000 x 0.1 = 1,000/s / 25 = 40 LCU; active 1,000 x 60 = 60,000
        // / 3,000 = 20; processed 52,560 GB / 730 h = 72 GB/h / 1 = 72; rules 10 (all free)
        // -> 0: processed bytes bind, 72 LCU
        assert_eq!(count(&lines, "lb-capacity-units"), 72);
        // 25 rules: 15 billed x 10,000 = 150,000 evaluations/s / 1,000 = 150 LCU bind
        assert_eq!(count(&lcus(&lb(25), demand), "lb-capacity-units"), 150);
        // no response bytes: new connections bind, 40 LCU
        let quiet = Demand {
            api_egress_gb_per_month: 0.0,
            ..demand
        };
        assert_eq!(count(&lcus(&lb(10), quiet), "lb-capacity-units"), 40);
        // no load balancers: no lines
        let none = LoadBalancing {
            load_balancers: 0,
            ..lb(10)
        };
        assert!(lcus(&none, demand).is_empty());
    }
}
