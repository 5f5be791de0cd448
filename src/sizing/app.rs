//! The application tier: pods from peak requests, zone-failure headroom, nodes, HPA bounds.
//!
//! pods = max(ceil(rps x rps_share x (1+h) / (rps_per_pod x target_utilization) x Z/(Z-k)),
//! min_pods): after losing k of Z zones the survivors still carry the peak at the target
//! utilisation. nodes = ceil(pods / pods_per_node). HPA min carries the day-average load the
//! same way; HPA max = ceil(pods x (1 + burst_headroom)).

use crate::input::kinds::app::AppPolicy;
use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine, SizingError, instance_for};
use crate::trace::Trace;
use crate::units::ceil_count;

/// Sizes one region's application tier.
pub fn size(
    p: &AppPolicy,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    let d = &ctx.demand;
    let zone_factor = t.step(
        "zone_failure_factor",
        "zones / (zones - zones_lost)",
        &[
            ("zones", p.zones as f64, "zones"),
            ("zones_lost", p.zones_lost as f64, "zones"),
        ],
        p.zones as f64 / (p.zones - p.zones_lost) as f64,
        "ratio",
    );
    let pod_capacity = p.rps_per_pod * p.target_utilization;
    let rps = d.peak_rps * p.rps_share;
    let raw_pods = rps * (1.0 + p.headroom) / pod_capacity * zone_factor;
    let pods = t.count(
        "pods",
        "max(ceil(peak_rps x rps_share x (1 + headroom) / (rps_per_pod x target_utilization) \
         x zone_failure_factor), min_pods)",
        &[
            ("peak_rps", d.peak_rps, "requests/s"),
            ("rps_share", p.rps_share, "fraction"),
            ("headroom", p.headroom, "fraction"),
            ("rps_per_pod", p.rps_per_pod, "requests/s"),
            ("target_utilization", p.target_utilization, "fraction"),
            ("zone_failure_factor", zone_factor, "ratio"),
            ("min_pods", p.min_pods as f64, "pods"),
        ],
        ceil_count(raw_pods).max(p.min_pods),
        "pods",
    );
    let instance = instance_for(&p.instance, &p.instance_by_phase, ctx.phase);
    let pods_per_node = match (p.pod_vcpu, p.pod_memory_gib) {
        (Some(pod_vcpu), Some(pod_gib)) => {
            let shape = ctx.catalog.get(instance).ok_or_else(|| {
                format!(
                    "no shape for `{instance}` in the catalog: pod_vcpu/pod_memory_gib need one{}",
                    crate::error::did_you_mean(instance, ctx.catalog.instances())
                )
            })?;
            let usable = 1.0 - p.node_reserved_fraction;
            let by_cpu = (shape.vcpu * usable / pod_vcpu).floor();
            let by_mem = (shape.memory_gib * usable / pod_gib).floor();
            if by_cpu < 1.0 || by_mem < 1.0 {
                return Err(format!(
                    "a pod ({pod_vcpu} vCPU, {pod_gib} GiB) does not fit `{instance}` ({} vCPU, {} GiB) \
                     after {:.0}% reserved: too little {}",
                    shape.vcpu,
                    shape.memory_gib,
                    p.node_reserved_fraction * 100.0,
                    if by_cpu < 1.0 { "vCPU" } else { "memory" }
                ));
            }
            t.count(
                "pods_per_node",
                "min(floor(node_vcpu x (1 - reserved) / pod_vcpu), \
                 floor(node_memory_gib x (1 - reserved) / pod_memory_gib))",
                &[
                    ("node_vcpu", shape.vcpu, "vCPU"),
                    ("node_memory_gib", shape.memory_gib, "GiB"),
                    ("reserved", p.node_reserved_fraction, "fraction"),
                    ("pod_vcpu", pod_vcpu, "vCPU"),
                    ("pod_memory_gib", pod_gib, "GiB"),
                ],
                by_cpu.min(by_mem) as u64,
                "pods",
            )
        }
        _ => p.pods_per_node,
    };
    let nodes = t.count(
        "nodes",
        "ceil(pods / pods_per_node)",
        &[
            ("pods", pods as f64, "pods"),
            ("pods_per_node", pods_per_node as f64, "pods"),
        ],
        ceil_count(pods as f64 / pods_per_node as f64).max(1),
        "nodes",
    );
    let avg_rps = d.avg_rps * p.rps_share;
    let hpa_min = t.count(
        "hpa_min",
        "max(ceil(avg_rps x rps_share x (1 + headroom) / (rps_per_pod x target_utilization) \
         x zone_failure_factor), min_pods)",
        &[
            ("avg_rps", d.avg_rps, "requests/s"),
            ("rps_share", p.rps_share, "fraction"),
            ("headroom", p.headroom, "fraction"),
            ("rps_per_pod", p.rps_per_pod, "requests/s"),
            ("target_utilization", p.target_utilization, "fraction"),
            ("zone_failure_factor", zone_factor, "ratio"),
            ("min_pods", p.min_pods as f64, "pods"),
        ],
        ceil_count(avg_rps * (1.0 + p.headroom) / pod_capacity * zone_factor)
            .max(p.min_pods)
            .min(pods),
        "pods",
    );
    let hpa_max = t.count(
        "hpa_max",
        "ceil(pods x (1 + burst_headroom))",
        &[
            ("pods", pods as f64, "pods"),
            ("burst_headroom", p.burst_headroom, "fraction"),
        ],
        ceil_count(pods as f64 * (1.0 + p.burst_headroom)).max(pods),
        "pods",
    );
    let mut lines = vec![
        RegionLine::billed(
            "node",
            nodes,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, instance, ctx.pricing_region),
        )
        .from_step("nodes"),
        RegionLine::info("pod", pods, "pods").from_step("pods"),
        RegionLine::info("hpa-min", hpa_min, "pods").from_step("hpa_min"),
        RegionLine::info("hpa-max", hpa_max, "pods").from_step("hpa_max"),
    ];
    // Responses leave through the region's internet egress, tiers walked per region. No line
    // without response bytes: `api_response_bytes: 0` bills none.
    if d.api_egress_gb_per_month > 0.0 {
        let gb = t.count(
            "api_egress_gb",
            "ceil(api_egress_gb_per_month x rps_share)",
            &[
                (
                    "api_egress_gb_per_month",
                    d.api_egress_gb_per_month,
                    "GB/month",
                ),
                ("rps_share", p.rps_share, "fraction"),
            ],
            ceil_count(d.api_egress_gb_per_month * p.rps_share),
            "GB",
        );
        lines.push(
            RegionLine::billed(
                "api-egress",
                gb,
                Measure::Gb,
                PriceKey::new("internet-egress", "egress", ctx.pricing_region),
            )
            .from_step("api_egress_gb"),
        );
    }
    if let Some(item) = &p.control_plane {
        lines.push(RegionLine::billed_without_instance(
            "control-plane",
            1,
            Measure::Instances { memory_gib: None },
            PriceKey::new("eks", item, ctx.pricing_region),
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demand::Demand;
    use crate::input::Placement;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn pods_nodes_and_hpa_bounds() {
        let p = AppPolicy {
            instance: "c6i.4xlarge".into(),
            auto: None,
            instance_by_phase: BTreeMap::new(),
            placement: Placement::PerRegion,
            service: "ec2".into(),
            rps_share: 1.0,
            rps_per_pod: 500.0,
            target_utilization: 0.5,
            zones: 3,
            zones_lost: 1,
            pods_per_node: 4,
            pod_vcpu: None,
            pod_memory_gib: None,
            node_reserved_fraction: 0.1,
            min_pods: 2,
            burst_headroom: 0.5,
            headroom: 0.0,
            control_plane: Some("control-plane-standard".into()),
        };
        let demand = Demand {
            peak_rps: 10_000.0,
            avg_rps: 2_500.0,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(&p, ctx, &mut Trace::new())
        })
        .unwrap();
        // 10,000 / (500 x 0.5) = 40 pods, x 3/(3-1) = 60 pods after losing a zone
        assert_eq!(count(&lines, "pod"), 60);
        // ceil(60 / 4) = 15 nodes
        assert_eq!(count(&lines, "node"), 15);
        // day average: 2,500 / 250 x 1.5 = 15 pods; max = ceil(60 x 1.5) = 90
        assert_eq!(count(&lines, "hpa-min"), 15);
        assert_eq!(count(&lines, "hpa-max"), 90);
        assert_eq!(count(&lines, "control-plane"), 1);
    }
}
