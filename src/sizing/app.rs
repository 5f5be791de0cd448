//! The application tier: pods from peak requests, zone-failure headroom, nodes, clusters, HPA.
//!
//! pods = max(ceil(rps x rps_share x (1+h) / (per-pod requests/s x target_utilization)
//! x Z/(Z-k)), min_pods), where per-pod requests/s is the stated `rps_per_pod` or
//! pod_vcpu x 1000 / cpu_ms_per_request: after losing k of Z zones, the survivors carry the
//! lost zones' share at the target utilisation (N+k zones, not a utilisation factor).
//! nodes = max(by vCPU: ceil(pods / floor(node vCPU x (1 - reserved) / pod_vcpu)),
//! by memory (the same with GiB), by max pods per node (EKS VPC CNI), one per zone); a
//! stated `pods_per_node` replaces vCPU and memory. clusters = max(ceil(nodes /
//! max_nodes_per_cluster), ceil(pods / max_pods_per_cluster)), each with its control plane.
//! HPA min carries the day-average load the same way; HPA max = ceil(pods x (1 + burst)).
//! Around the pods: API response egress, node root volumes (`node_volume.rs`), the region's
//! load balancers (`load_balancer.rs`) and NAT gateways (`nat.rs`).

use crate::input::kinds::app::AppPolicy;
use crate::sizing::load_balancer::{self, LoadBalancing};
use crate::sizing::{
    Binding, Measure, PriceKey, RegionContext, RegionLine, SizingError, instance_for, nat,
    node_volume, observability, region_lines,
};
use crate::trace::Trace;
use crate::units::ceil_count;

/// The traced step of each resource's node count (the derivation follows step names).
fn node_step(resource: &str) -> &'static str {
    match resource {
        "cpu" => "nodes_by_cpu",
        "memory" => "nodes_by_memory",
        "stated-pods-per-node" => "nodes_by_stated_pods",
        "max-pods" => "nodes_by_max_pods",
        _ => "zones",
    }
}

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
    let (pod_resource, rps_per_pod) = match (p.rps_per_pod, p.cpu_ms_per_request, p.pod_vcpu) {
        (Some(stated), _, _) => ("stated-rps", stated),
        (None, Some(ms), Some(pod_vcpu)) => (
            "cpu",
            t.step(
                "rps_per_pod",
                "pod_vcpu x 1000 / cpu_ms_per_request",
                &[
                    ("pod_vcpu", pod_vcpu, "vCPU"),
                    ("cpu_ms_per_request", ms, "ms"),
                ],
                pod_vcpu * 1000.0 / ms,
                "requests/s",
            ),
        ),
        _ => {
            return Err("state rps_per_pod, or cpu_ms_per_request with pod_vcpu".to_string());
        }
    };
    let pod_capacity = rps_per_pod * p.target_utilization;
    let rps = d.peak_rps * p.rps_share;
    let by_load = ceil_count(rps * (1.0 + p.headroom) / pod_capacity * zone_factor);
    let pod_binding = Binding::of(&[(pod_resource, by_load), ("minimum", p.min_pods)]);
    let pods = t.count(
        "pods",
        "max(ceil(peak_rps x rps_share x (1 + headroom) / (rps_per_pod x target_utilization) \
         x zone_failure_factor), min_pods)",
        &[
            ("peak_rps", d.peak_rps, "requests/s"),
            ("rps_share", p.rps_share, "fraction"),
            ("headroom", p.headroom, "fraction"),
            ("rps_per_pod", rps_per_pod, "requests/s"),
            ("target_utilization", p.target_utilization, "fraction"),
            ("zone_failure_factor", zone_factor, "ratio"),
            ("min_pods", p.min_pods as f64, "pods"),
        ],
        pod_binding.needed(),
        "pods",
    );
    let instance = instance_for(&p.instance, &p.instance_by_phase, ctx.phase);
    let shape = ctx.catalog.get(instance);
    let mut node_binding = Binding::of(&[]);
    let mut nodes_by = |t: &mut Trace, resource: &'static str, step: &str, per_node: u64| {
        let n = t.count(
            step,
            &t.text(|| format!("ceil(pods / {resource} pods per node)")),
            &[
                ("pods", pods as f64, "pods"),
                ("pods_per_node", per_node as f64, "pods"),
            ],
            ceil_count(pods as f64 / per_node.max(1) as f64),
            "nodes",
        );
        node_binding = node_binding.with(resource, n);
    };
    match (p.pod_vcpu, p.pod_memory_gib) {
        (Some(pod_vcpu), Some(pod_gib)) => {
            let shape = shape.ok_or_else(|| {
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
            let cpu_fit = t.count(
                "pods_per_node_by_cpu",
                "floor(node_vcpu x (1 - reserved) / pod_vcpu)",
                &[
                    ("node_vcpu", shape.vcpu, "vCPU"),
                    ("reserved", p.node_reserved_fraction, "fraction"),
                    ("pod_vcpu", pod_vcpu, "vCPU"),
                ],
                by_cpu as u64,
                "pods",
            );
            let mem_fit = t.count(
                "pods_per_node_by_memory",
                "floor(node_memory_gib x (1 - reserved) / pod_memory_gib)",
                &[
                    ("node_memory_gib", shape.memory_gib, "GiB"),
                    ("reserved", p.node_reserved_fraction, "fraction"),
                    ("pod_memory_gib", pod_gib, "GiB"),
                ],
                by_mem as u64,
                "pods",
            );
            nodes_by(t, "cpu", "nodes_by_cpu", cpu_fit);
            nodes_by(t, "memory", "nodes_by_memory", mem_fit);
        }
        _ => {
            let stated = p
                .pods_per_node
                .ok_or_else(|| "state pods_per_node, or pod_vcpu and pod_memory_gib".to_string())?;
            nodes_by(t, "stated-pods-per-node", "nodes_by_stated_pods", stated);
        }
    }
    if let Some(max_pods) = shape.and_then(|s| s.max_pods) {
        nodes_by(t, "max-pods", "nodes_by_max_pods", max_pods);
    }
    let node_binding = node_binding.with("minimum", p.zones);
    let inputs: Vec<(&str, f64, &str)> = if t.is_enabled() {
        node_binding
            .by_resource()
            .map(|(resource, n)| (node_step(resource), n as f64, "nodes"))
            .collect()
    } else {
        Vec::new()
    };
    let nodes = t.count(
        "nodes",
        "max(nodes_by_cpu, nodes_by_memory (or nodes_by_stated_pods), nodes_by_max_pods, \
         zones): at least one node per zone",
        &inputs,
        node_binding.needed(),
        "nodes",
    );
    let by_cluster_nodes = ceil_count(nodes as f64 / p.max_nodes_per_cluster as f64);
    let by_cluster_pods = ceil_count(pods as f64 / p.max_pods_per_cluster as f64);
    let cluster_binding = Binding::of(&[
        ("minimum", 1),
        ("service-limit", by_cluster_nodes.max(by_cluster_pods)),
    ]);
    let clusters = t.count(
        "clusters",
        "max(ceil(nodes / max_nodes_per_cluster), ceil(pods / max_pods_per_cluster), 1)",
        &[
            ("nodes", nodes as f64, "nodes"),
            (
                "max_nodes_per_cluster",
                p.max_nodes_per_cluster as f64,
                "nodes",
            ),
            ("pods", pods as f64, "pods"),
            (
                "max_pods_per_cluster",
                p.max_pods_per_cluster as f64,
                "pods",
            ),
        ],
        cluster_binding.needed(),
        "clusters",
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
            ("rps_per_pod", rps_per_pod, "requests/s"),
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
    let mut lines = region_lines();
    lines.extend([
        RegionLine::billed(
            "node",
            nodes,
            Measure::Instances { memory_gib: None },
            PriceKey::new(&p.service, instance, ctx.pricing_region),
        )
        .from_step("nodes")
        .bound_by(node_binding),
        RegionLine::info("pod", pods, "pods")
            .from_step("pods")
            .bound_by(pod_binding),
        RegionLine::info("hpa-min", hpa_min, "pods").from_step("hpa_min"),
        RegionLine::info("hpa-max", hpa_max, "pods").from_step("hpa_max"),
    ]);
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
    // Nodes in EC2 carry a root volume; managed-container services (Fargate) do not.
    if p.service == "ec2"
        && let Some(volume) = node_volume::line(nodes, "nodes", p.node_volume_gb, ctx, t)
    {
        lines.push(volume);
    }
    let lb = LoadBalancing {
        load_balancers: p.load_balancers,
        new_connection_share: p.lb_new_connection_share,
        connection_seconds: p.lb_connection_seconds,
        rules: p.lb_rules,
    };
    load_balancer::lines(&lb, p.rps_share, ctx, t, &mut lines);
    nat::lines(
        p.nat_gateways_per_zone,
        p.nat_bytes_per_request,
        p.zones,
        p.rps_share,
        ctx,
        t,
        &mut lines,
    );
    observability::logs(d, p.rps_share, ctx.pricing_region, t, &mut lines);
    lines.extend(observability::metric_series(
        nodes,
        p.metric_series_per_node,
        t,
    ));
    if let Some(item) = &p.control_plane {
        lines.push(
            RegionLine::billed_without_instance(
                "control-plane",
                clusters,
                Measure::Instances { memory_gib: None },
                PriceKey::new("eks", item, ctx.pricing_region),
            )
            .from_step("clusters")
            .bound_by(cluster_binding),
        );
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
            rps_per_pod: Some(500.0),
            cpu_ms_per_request: None,
            target_utilization: 0.5,
            zones: 3,
            zones_lost: 1,
            pods_per_node: Some(4),
            pod_vcpu: None,
            pod_memory_gib: None,
            node_reserved_fraction: 0.1,
            min_pods: 2,
            burst_headroom: 0.5,
            headroom: 0.0,
            control_plane: Some("control-plane-standard".into()),
            max_nodes_per_cluster: 5_000,
            max_pods_per_cluster: 150_000,
            load_balancers: 1,
            lb_new_connection_share: 0.1,
            lb_connection_seconds: 60.0,
            lb_rules: 10,
            nat_gateways_per_zone: 1,
            nat_bytes_per_request: 0.0,
            node_volume_gb: 20,
            metric_series_per_node: 0.0,
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
        // around the pods: 15 nodes x 20 GB root volumes = 300 GB; one ALB; 1 NAT gateway
        // x 3 zones; LCUs from 2,500 req/s x 0.1 = 250 new connections/s / 25 = 10 (active
        // 250 x 60 = 15,000 / 3,000 = 5; no response bytes, no billed rules)
        assert_eq!(count(&lines, "node-volume"), 300);
        assert_eq!(count(&lines, "load-balancer"), 1);
        assert_eq!(count(&lines, "lb-capacity-units"), 10);
        assert_eq!(count(&lines, "nat-gateway"), 3);
        assert!(lines.iter().all(|l| l.item != "nat-data"));
    }

    fn derived(instance: &str, pod_vcpu: f64, pod_gib: f64) -> AppPolicy {
        AppPolicy {
            instance: instance.into(),
            auto: None,
            instance_by_phase: BTreeMap::new(),
            placement: Placement::PerRegion,
            service: "ec2".into(),
            rps_share: 1.0,
            rps_per_pod: None,
            cpu_ms_per_request: Some(4.0),
            target_utilization: 0.5,
            zones: 3,
            zones_lost: 1,
            pods_per_node: None,
            pod_vcpu: Some(pod_vcpu),
            pod_memory_gib: Some(pod_gib),
            node_reserved_fraction: 0.1,
            min_pods: 2,
            burst_headroom: 0.5,
            headroom: 0.0,
            control_plane: Some("control-plane-standard".into()),
            max_nodes_per_cluster: 5_000,
            max_pods_per_cluster: 150_000,
            load_balancers: 1,
            lb_new_connection_share: 0.1,
            lb_connection_seconds: 60.0,
            lb_rules: 10,
            nat_gateways_per_zone: 1,
            nat_bytes_per_request: 0.0,
            node_volume_gb: 20,
            metric_series_per_node: 0.0,
        }
    }

    fn nodes(p: &AppPolicy, peak_rps: f64) -> (Vec<RegionLine>, &'static str) {
        let demand = Demand {
            peak_rps,
            avg_rps: peak_rps / 4.0,
            ..Demand::default()
        };
        let lines = with_ctx(demand, &crate::sizing::SizedComponents::default(), |ctx| {
            size(p, ctx, &mut Trace::new())
        })
        .unwrap();
        let binding = lines
            .iter()
            .find(|l| l.item == "node")
            .and_then(|l| l.binding)
            .unwrap()
            .binding();
        (lines, binding)
    }

    #[test]
    fn nodes_bind_on_cpu_memory_max_pods_and_zones() {
        // 2 vCPU pods at 4 ms a request: 500 requests/s x 0.5 = 250 a pod; 10,000 x 1.5 / 250
        // = 60 pods. c6i.4xlarge (16 vCPU, 32 GiB, 10% reserved): floor(14.4 / 2) = 7 pods by
        // vCPU, floor(28.8 / 3) = 9 by memory -> ceil(60 / 7) = 9 nodes by cpu
        let (lines, binding) = nodes(&derived("c6i.4xlarge", 2.0, 3.0), 10_000.0);
        assert_eq!(count(&lines, "pod"), 60);
        assert_eq!((count(&lines, "node"), binding), (9, "cpu"));
        // memory-heavy pods (0.5 vCPU, 8 GiB): 0.5 vCPU x 1000 / 4 ms = 125 requests/s x 0.5
        // -> 10,000 x 1.5 / 62.5 = 240 pods; floor(28.8 / 8) = 3 a node -> 80 nodes
        let (lines, binding) = nodes(&derived("c6i.4xlarge", 0.5, 8.0), 10_000.0);
        assert_eq!((count(&lines, "node"), binding), (80, "memory"));
        // tiny pods on c6i.large (29 pods at most): 0.05 vCPU -> 12.5 requests/s x 0.5;
        // 625 x 1.5 / 6.25 = 150 pods; floor(1.8 / 0.05) = 36 by vCPU, floor(3.6 / 0.1) = 36
        // by memory -> 5 nodes; max pods ceil(150 / 29) = 6 nodes
        let (lines, binding) = nodes(&derived("c6i.large", 0.05, 0.1), 625.0);
        assert_eq!((count(&lines, "node"), binding), (6, "max-pods"));
        // almost no load: 2 pods on 1 node, but one node a zone -> 3
        let (lines, binding) = nodes(&derived("c6i.4xlarge", 2.0, 3.0), 1.0);
        assert_eq!((count(&lines, "node"), binding), (3, "minimum"));
    }

    #[test]
    fn clusters_split_at_the_node_limit_each_with_a_control_plane() {
        // 9 nodes (above), at most 4 a cluster -> 3 clusters, 3 control planes
        let p = AppPolicy {
            max_nodes_per_cluster: 4,
            ..derived("c6i.4xlarge", 2.0, 3.0)
        };
        let (lines, _) = nodes(&p, 10_000.0);
        assert_eq!(count(&lines, "control-plane"), 3);
    }
}
